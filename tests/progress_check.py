#!/usr/bin/env python3
"""The progress line, through a pseudo-terminal: shown on a terminal,
rewritten in place with \\r, cleared at the end, silenced by -q, absent
when standard error is not a terminal, and never mixed into the report.

Usage: progress_check.py SYNFIN CAPTURE
"""
import os
import pty
import subprocess
import sys

synfin, cap = sys.argv[1], sys.argv[2]


def run_on_pty(args):
    master, slave = pty.openpty()
    p = subprocess.Popen([synfin] + args, stdout=subprocess.PIPE, stderr=slave)
    out, _ = p.communicate(timeout=60)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return p.returncode, out, err


fails = 0


def check(cond, what):
    global fails
    if cond:
        print("ok:", what)
    else:
        fails += 1
        print("FAIL:", what)


rc, out, err = run_on_pty(["-F", "json", "-r", cap])
check(rc == 0, "exit 0 on a terminal")
check(b"\rsynfin:" in err and b"100%" in err, "progress shown with \\r and reaches 100%")
check(b"connections open" in err and b"packets/s" in err, "progress shows packets/s and open connections")
check(err.endswith(b"\r\x1b[K"), "progress cleared at the end")
check(b"synfin:" not in out and out.count(b'"type":"summary"') == 1, "report untouched by progress")

rc, out, err = run_on_pty(["-q", "-F", "json", "-r", cap])
check(b"synfin:" not in err, "-q silences it")

p = subprocess.run([synfin, "-F", "json", "-r", cap], capture_output=True)
check(p.stderr == b"", "no progress when standard error is not a terminal")
p = subprocess.run([synfin, "--progress", "-F", "json", "-r", cap], capture_output=True)
check(b"\rsynfin:" in p.stderr, "--progress forces it")
print(f"{8 - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
