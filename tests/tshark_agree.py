#!/usr/bin/env python3
"""Agreement of synfin's handshake/teardown outcomes with tshark's analysis.

For every capture given, this runs tshark (two passes, so that each packet
carries its stream's final values):

    tshark -2 -n -r FILE -Y "tcp and not icmp and not icmpv6" -T fields \\
        -E separator=/t -e frame.number -e tcp.stream -e ip.src -e ipv6.src \\
        -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport \\
        -e tcp.completeness -e tcp.analysis.retransmission \\
        -e tcp.analysis.fast_retransmission \\
        -e tcp.analysis.spurious_retransmission -e tcp.flags -e tcp.len

(ICMP errors quoting a TCP header are left out: they are not segments of
the connection, and synfin does not count them either.)  It groups the
packets by tcp.stream into the stream's 4-tuple, its conversation
completeness (the bitwise OR of the values tshark shows on the stream's
packets, i.e. its final value; see below) and
the number of its packets that tshark flags as a retransmission (any of
the three retransmission fields).  Then it runs

    synfin -F json -q -r FILE

and pairs each "conn" record with a tshark stream by the unordered
4-tuple and, within one 4-tuple (port reuse), by order of start (synfin's
ts, then id; tshark's stream index).

What tcp.completeness means (Wireshark 3.6 to 4.0, the version here)
--------------------------------------------------------------------
Wireshark's user guide (wsug "TCP Analysis", "TCP Conversation
Completeness") documents the field as a bit mask of what the capture
showed of the conversation: 1 SYN, 2 SYN-ACK, 4 ACK, 8 DATA, 16 FIN,
32 RST (e.g. 31 = a complete conversation with data, closed by FINs).
The exact rules are those of dissect_tcp() in
epan/dissectors/packet-tcp.c ("initialize or move forward the
conversation completeness"), which this test relies on (each rule below
was also checked with tshark 4.0.17 on forged captures):

  * SYN (1)     only when the packet that creates the conversation is a
                pure SYN (SYN without ACK); a SYN seen later in the
                stream sets nothing.  A SYN with a new ISN on a 4-tuple
                already in use makes a new conversation (a new
                tcp.stream, "TCP port numbers reused") starting at 1.
  * SYN-ACK (2) any segment with SYN and ACK.
  * ACK (4)     any segment with ACK, without SYN and without payload.
                That includes FIN+ACK and RST+ACK: the bit does not by
                itself prove the handshake's third segment.
  * DATA (8)    any segment with ACK, without SYN, with payload (and a
                pure SYN with payload, TCP Fast Open).
  * FIN (16)    a segment with FIN *and* ACK (a FIN without ACK sets
                nothing).
  * RST (32)    any segment with RST.
Each packet shows the conversation's value *before* its own update.  In
one pass it therefore grows packet by packet.  In two passes (-2) the
first pass leaves the final value, and the second pass shows it on every
packet and applies the rules once more, now with the conversation no
longer new: so the stream's first packet, if it is not a pure SYN, adds
its bits then (a stream whose first packet is a SYN-ACK shows 12 on that
packet and 14 on the next ones; one pass shows 0, 0, 4, 12).  The test
takes the OR over the stream's packets, i.e. the last/largest value.

Mapping to synfin (SPEC.md outcomes)
------------------------------------
tshark's handshake verdict from the completeness C:
  * C has no SYN bit                                  -> midstream
  * SYN, no SYN-ACK, RST                              -> refused
  * SYN, no SYN-ACK, no RST                           -> unanswered
  * SYN, SYN-ACK, ACK                                 -> complete or
    simultaneous (tshark cannot tell a simultaneous open from a normal
    one), except when the ACK bit was set only by RST+ACK segments
    (tshark's own tcp.flags/tcp.len show which segments can have set
    it): then the handshake was reset                 -> reset
  * SYN, SYN-ACK, no ACK, RST                         -> reset
  * SYN, SYN-ACK, no ACK, no RST                      -> incomplete
synfin's handshake outcome must be in tshark's set.

Teardown (compared only when synfin's teardown is not "none"):
  * RST bit                               -> reset
  * FIN bit, no RST                       -> graceful, simultaneous,
                                             half_closed or unacked
  * neither                               -> open
synfin's "none" (handshake never completed) agrees when tshark's
handshake verdict is not complete/simultaneous; the flags are then not
compared (an RST that refused a SYN is no teardown).

Retransmissions: synfin's retransmissions.client + retransmissions.server
must equal the number of the stream's packets tshark flags as
tcp.analysis.retransmission, fast_retransmission or
spurious_retransmission (a packet with several flags counts once).

Unpaired streams or records (different counts on a 4-tuple) are
disagreements of kind "pairing".

Known, explained disagreements
------------------------------
tests/tshark-disagreements.txt (next to this script, or --disagreements
FILE) lists the disagreements where synfin is right and tshark's
heuristic is not, each with the reason.  An entry is matched by the
capture's file name, the kind of comparison (handshake, teardown,
retransmissions, pairing) and the unordered 4-tuple; a disagreement that
matches an entry counts as explained.  Entries are blocks of
"key: value" lines separated by blank lines:

    capture: simultaneous-open.pcap
    kind: retransmissions
    tuple: 10.77.1.1:40016 <-> 10.77.1.2:7016
    synfin: 0
    tshark: 2
    reason: ... (may continue on indented lines)

"tuple:" may be repeated when the same explanation holds for several
4-tuples (e.g. the ports pcaps/lab/run.sh uses on its retry attempts).

Output: one line per capture with the agreement per kind, each
disagreement (marked "explained" or "UNEXPLAINED"), and as the last line
"N passed, M failed", where N counts the comparisons that agree or are
explained and M the unexplained ones (a capture that synfin or tshark
cannot read counts as one failure).  Exit status 0 when M is 0, 1
otherwise, 2 on a usage error.

Python 3 standard library only.
"""

import argparse
import ipaddress
import json
import os
import subprocess
import sys

TIMEOUT = 300  # seconds per tool run

# tcp.completeness bits
C_SYN, C_SYNACK, C_ACK, C_DATA, C_FIN, C_RST = 1, 2, 4, 8, 16, 32

# tcp.flags bits
F_FIN, F_SYN, F_RST, F_ACK = 0x01, 0x02, 0x04, 0x10

TSHARK_FIELDS = [
    "frame.number", "tcp.stream",
    "ip.src", "ipv6.src", "tcp.srcport",
    "ip.dst", "ipv6.dst", "tcp.dstport",
    "tcp.completeness",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.flags", "tcp.len",
]

KINDS = ("handshake", "teardown", "retransmissions", "pairing")


def norm_addr(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def tuple_key(h1, p1, h2, p2):
    """The unordered 4-tuple."""
    return frozenset({(norm_addr(h1), int(p1)), (norm_addr(h2), int(p2))})


def fmt_ep(ep):
    h, p = ep
    return ("[%s]:%d" if ":" in h else "%s:%d") % (h, p)


def fmt_key(key):
    return " <-> ".join(fmt_ep(e) for e in sorted(key))


def parse_tuple_text(text):
    """'10.0.0.1:1 <-> [fd00::1]:2' -> tuple_key."""
    parts = [p.strip() for p in text.split("<->")]
    if len(parts) != 2:
        raise ValueError("bad tuple %r" % text)
    eps = []
    for p in parts:
        if p.startswith("["):
            h, _, rest = p[1:].partition("]")
            port = rest.lstrip(":")
        else:
            h, _, port = p.rpartition(":")
        eps.append((h, int(port)))
    return tuple_key(eps[0][0], eps[0][1], eps[1][0], eps[1][1])


def last_value(field):
    """A field tshark printed several times (tunnels): the innermost."""
    return field.split(",")[-1] if field else field


# ---------------------------------------------------------------- tshark
class Stream:
    def __init__(self, index, key, first_frame):
        self.index = index
        self.key = key
        self.first_frame = first_frame
        self.completeness = 0
        self.retrans = 0
        self.packets = 0
        # did a segment that can set the ACK bit (ACK, no SYN, no
        # payload) come without RST?
        self.ack_bit_without_rst = False
        self.flags_seen = []


def run_tshark(tshark, path):
    cmd = [tshark, "-2", "-n", "-r", path,
           "-Y", "tcp and not icmp and not icmpv6",
           "-T", "fields", "-E", "separator=/t"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("tshark exit %d: %s" % (p.returncode,
                                                   p.stderr.strip()[-500:]))
    streams = {}
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        v = line.split("\t")
        if len(v) < len(TSHARK_FIELDS):
            v += [""] * (len(TSHARK_FIELDS) - len(v))
        r = dict(zip(TSHARK_FIELDS, v))
        if r["tcp.stream"] == "":
            continue
        idx = int(last_value(r["tcp.stream"]))
        src = last_value(r["ip.src"]) or last_value(r["ipv6.src"])
        dst = last_value(r["ip.dst"]) or last_value(r["ipv6.dst"])
        sport = int(last_value(r["tcp.srcport"]))
        dport = int(last_value(r["tcp.dstport"]))
        s = streams.get(idx)
        if s is None:
            s = streams[idx] = Stream(idx, tuple_key(src, sport, dst, dport),
                                      int(r["frame.number"]))
        s.packets += 1
        if r["tcp.completeness"]:
            s.completeness |= int(last_value(r["tcp.completeness"]), 0)
        if (r["tcp.analysis.retransmission"]
                or r["tcp.analysis.fast_retransmission"]
                or r["tcp.analysis.spurious_retransmission"]):
            s.retrans += 1
        flags = int(last_value(r["tcp.flags"]) or "0", 0)
        length = int(last_value(r["tcp.len"]) or "0")
        if (flags & (F_SYN | F_ACK)) == F_ACK and length == 0 \
                and not flags & F_RST:
            s.ack_bit_without_rst = True
        s.flags_seen.append(flags)
    return [streams[i] for i in sorted(streams)]


def tshark_handshake(s):
    """The set of synfin handshake outcomes tshark's view allows."""
    c = s.completeness
    if not c & C_SYN:
        return {"midstream"}
    if not c & C_SYNACK:
        return {"refused"} if c & C_RST else {"unanswered"}
    if c & C_ACK:
        if c & C_RST and not s.ack_bit_without_rst:
            return {"reset"}
        return {"complete", "simultaneous"}
    return {"reset"} if c & C_RST else {"incomplete"}


def tshark_teardown(s):
    c = s.completeness
    if c & C_RST:
        return {"reset"}
    if c & C_FIN:
        return {"graceful", "simultaneous", "half_closed", "unacked"}
    return {"open"}


def comp_str(c):
    names = [n for b, n in ((C_SYN, "SYN"), (C_SYNACK, "SYN-ACK"),
                            (C_ACK, "ACK"), (C_DATA, "DATA"),
                            (C_FIN, "FIN"), (C_RST, "RST")) if c & b]
    return "%d (%s)" % (c, "|".join(names) if names else "none")


# ---------------------------------------------------------------- synfin
def run_synfin(synfin, path):
    p = subprocess.run([synfin, "-F", "json", "-q", "-r", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=TIMEOUT)
    if p.returncode not in (0, 1):
        raise RuntimeError("synfin exit %d: %s" % (p.returncode,
                                                   p.stderr.strip()[-500:]))
    conns = []
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        if o.get("type") == "conn":
            o["_key"] = tuple_key(o["client"]["addr"], o["client"]["port"],
                                  o["server"]["addr"], o["server"]["port"])
            conns.append(o)
    conns.sort(key=lambda o: (o["ts"], o["id"]))
    return conns


# ---------------------------------------------------------------- known list
def load_known(path):
    """{(capture, kind, key): entry dict}"""
    known = {}
    if not path or not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        text = f.read()
    entry, last = {}, None
    lineno = 0

    def flush():
        if not entry:
            return
        for k in ("capture", "kind", "tuple", "reason"):
            if k not in entry:
                raise ValueError("%s: entry ending at line %d has no '%s:'"
                                 % (path, lineno, k))
        if entry["kind"] not in KINDS:
            raise ValueError("%s: line %d: unknown kind %r"
                             % (path, lineno, entry["kind"]))
        e = dict(entry)
        for t in entry["tuple"]:
            known[(entry["capture"], entry["kind"], parse_tuple_text(t))] = e

    for raw in text.splitlines():
        lineno += 1
        if raw.startswith("#"):
            continue
        if not raw.strip():
            flush()
            entry.clear()
            last = None
            continue
        if raw[0] in " \t":
            if last is None:
                raise ValueError("%s: line %d: continuation line without "
                                 "a key to continue" % (path, lineno))
            entry[last] += " " + raw.strip()
            continue
        k, sep, val = raw.partition(":")
        if not sep:
            raise ValueError("%s: line %d: expected 'key: value'"
                             % (path, lineno))
        last = k.strip().lower()
        if last == "tuple":     # repeatable: one explanation, several tuples
            entry.setdefault("tuple", []).append(val.strip())
            last = None
        else:
            entry[last] = val.strip()
    flush()
    return known


# ---------------------------------------------------------------- compare
def compare(capture, conns, streams):
    """-> list of (kind, key, ok, synfin_says, tshark_says)"""
    results = []
    by_key_s, by_key_t = {}, {}
    for o in conns:
        by_key_s.setdefault(o["_key"], []).append(o)
    for s in streams:
        by_key_t.setdefault(s.key, []).append(s)
    keys = sorted(set(by_key_s) | set(by_key_t), key=fmt_key)
    for key in keys:
        ls, lt = by_key_s.get(key, []), by_key_t.get(key, [])
        for i in range(max(len(ls), len(lt))):
            o = ls[i] if i < len(ls) else None
            s = lt[i] if i < len(lt) else None
            if o is None or s is None:
                results.append((
                    "pairing", key, False,
                    ("record id %d" % o["id"]) if o else "no record",
                    ("stream %d (frame %d)" % (s.index, s.first_frame))
                    if s else "no stream"))
                continue
            tag = "tcp.stream %d: completeness %s" % (s.index,
                                                      comp_str(s.completeness))
            hs = o["handshake"]["outcome"]
            th = tshark_handshake(s)
            results.append(("handshake", key, hs in th, hs,
                             "%s -> %s" % (tag, "/".join(sorted(th)))))
            td = o["teardown"]["outcome"]
            if td == "none":
                ok = not th & {"complete", "simultaneous"}
                results.append(("teardown", key, ok, td,
                                "%s -> handshake %s" % (tag,
                                                        "/".join(sorted(th)))))
            else:
                tt = tshark_teardown(s)
                results.append(("teardown", key, td in tt, td,
                                "%s -> %s" % (tag, "/".join(sorted(tt)))))
            rc, rs = o["retransmissions"]["client"], \
                o["retransmissions"]["server"]
            results.append(("retransmissions", key, rc + rs == s.retrans,
                            "%d (client %d, server %d)" % (rc + rs, rc, rs),
                            "%d (tcp.stream %d)" % (s.retrans, s.index)))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synfin", default=os.environ.get("SYNFIN", "./synfin"))
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--disagreements",
                    default=os.path.join(os.path.dirname(
                        os.path.abspath(__file__)), "tshark-disagreements.txt"),
                    help="the explained list (default: %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print every agreeing comparison")
    ap.add_argument("captures", nargs="+")
    args = ap.parse_args()

    try:
        known = load_known(args.disagreements)
    except ValueError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    used = set()
    passed = failed = agreed = explained = errors = 0

    print("%-26s %7s %7s %9s %9s %9s  %s" % (
        "capture", "streams", "records", "handshake", "teardown",
        "retrans", "disagreements"))
    for path in args.captures:
        cap = os.path.basename(path)
        try:
            streams = run_tshark(args.tshark, path)
            conns = run_synfin(args.synfin, path)
        except (RuntimeError, ValueError, OSError,
                subprocess.TimeoutExpired) as e:
            print("%-26s ERROR: %s" % (cap, e))
            failed += 1
            errors += 1
            continue
        results = compare(cap, conns, streams)
        tally = {k: [0, 0] for k in KINDS}
        lines = []
        n_expl = n_unexpl = 0
        for kind, key, ok, says_s, says_t in results:
            tally[kind][1] += 1
            if ok:
                tally[kind][0] += 1
                agreed += 1
                passed += 1
                if args.verbose:
                    lines.append("    agree  %-15s %s: synfin %s; tshark %s"
                                 % (kind, fmt_key(key), says_s, says_t))
                continue
            k = (cap, kind, key)
            if k in known:
                used.add(id(known[k]))
                explained += 1
                passed += 1
                n_expl += 1
                lines.append("    explained    %-15s %s: synfin %s; tshark %s"
                             % (kind, fmt_key(key), says_s, says_t))
            else:
                failed += 1
                n_unexpl += 1
                lines.append("    UNEXPLAINED  %-15s %s: synfin %s; tshark %s"
                             % (kind, fmt_key(key), says_s, says_t))

        def col(kind):
            a, n = tally[kind]
            return "%d/%d" % (a, n)
        note = "none"
        if n_expl or n_unexpl:
            note = "%d explained, %d unexplained" % (n_expl, n_unexpl)
        if tally["pairing"][1]:
            note += ", %d unpaired" % tally["pairing"][1]
        print("%-26s %7d %7d %9s %9s %9s  %s" % (
            cap, len(streams), len(conns), col("handshake"), col("teardown"),
            col("retransmissions"), note))
        for l in lines:
            print(l)

    caps = {os.path.basename(p) for p in args.captures}
    stale = {}
    for k, e in known.items():
        if id(e) not in used and k[0] in caps:
            stale.setdefault(id(e), (k[0], k[1], e["tuple"][0]))
    for cap, kind, t in sorted(stale.values()):
        print("note: listed disagreement not seen (stale entry?): %s %s %s"
              % (cap, kind, t))
    print("%d comparisons agree, %d disagree as listed in %s, "
          "%d disagree unexplained%s"
          % (agreed, explained, os.path.basename(args.disagreements),
             failed - errors,
             ", %d captures unreadable" % errors if errors else ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
