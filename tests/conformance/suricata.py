#!/usr/bin/env python3
"""Conformance of synfin's anomalies against Suricata's expected events.

The corpus (../shared/corpus/suricata beside the repository, see its
INDEX.md) holds suricata-verify tests: pcaps and the test.yaml listing
what Suricata must report.  Where such an expectation is a stream or
decoder event (or an end-of-flow TCP state) that has a true equivalent in
synfin's vocabulary (SPEC.md's anomalies, the summary's decode_errors),
the TESTS table below says so, one commented row per test, and this
script checks that synfin reports it (or, for an expectation of "count:
0", that it does not).  Everything else in the corpus is listed in
UNMAPPED with the reason, so a reader sees what was left out and why.

Each row's Suricata expectation is also looked for in its test.yaml, so a
corpus that changed under the table fails loudly instead of testing the
wrong thing.

Exit status: 0 when every check passes, 1 otherwise, 77 (automake's SKIP)
when the corpus is absent.  The last line is always "N passed, M failed".

Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys

SYNFIN_TIMEOUT = 120

# A check is one of
#   ("anomaly", NAME, True)   synfin reports anomaly NAME on some connection
#   ("anomaly", NAME, False)  synfin reports NAME on no connection
#   ("decode_errors", N)      the summary's decode_errors add up to >= N
#
# "yaml" is a string that must occur in the test's test.yaml (or its
# .rules, which give the sids their meaning): the expectation the row
# stands for.  "verify" runs synfin with --verify-checksums, as
# suricata-verify runs Suricata unless the test passes "-k none"; "bpf"
# is a tcpdump filter handed to synfin.
TESTS = [
    {
        "test": "tcp-session-stream-out-of-window",
        "yaml": "stream.3whs_wrong_seq_wrong_ack",
        # Suricata raises 3whs_wrong_seq_wrong_ack when the segment that
        # should complete the handshake has a wrong seq or a wrong ack.
        # Here (tcpdump) the third segment acks 5001 = K+1, correctly, but
        # starts at seq 101001 instead of J+1 = 1001: of SPEC's two
        # handshake checks, exactly handshake_ack_bad_seq.
        "checks": [("anomaly", "handshake_ack_bad_seq", True)],
        "verify": False,    # -k none
    },
    {
        "test": "bug-7657-01",
        "yaml": "2210063",
        # sid 2210063 is stream-event:3whs_syn_flood, raised when more
        # SYNs with different ISNs arrive for one pending handshake than
        # Suricata's SYN queue holds (13 alerts here).  Every one of them
        # is a further SYN with a different ISN while the first attempt
        # is pending: SPEC's syn_isn_changed.  (The converse does not
        # hold, so only the presence is checked, not a count.)
        "checks": [("anomaly", "syn_isn_changed", True)],
        "verify": False,    # -k none
    },
    {
        "test": "decode-too-small",
        "yaml": "decode-event:tcp.pkt_too_small",
        # test.rules sid 1 = decode-event:tcp.pkt_too_small, expected once
        # for the IPv4 and once for the IPv6 packet whose TCP header is cut
        # short: a packet-level check, which synfin counts in the
        # summary's decode_errors (by kind).  The pcap also holds too-small
        # UDP and GRE packets; the BPF filter "tcp" keeps exactly the two
        # TCP ones, so every decode error counted is one of them.
        "checks": [("decode_errors", 2)],
        "bpf": "tcp",
        "verify": True,
    },
    {
        "test": "tcp-empty-sack",
        "yaml": "2200036",
        # sid 2200036 is decode-event:tcp.opt_invalid_len, expected 0
        # times: an empty SACK option (kind 5, length 2) is legal.  synfin's
        # equivalent finding on option lengths is bad_tcp_option (from
        # anomaly.def; SPEC.md allows anomalies beyond its minimum list),
        # which must not be raised either.
        "checks": [("anomaly", "bad_tcp_option", False)],
        "verify": True,
    },
    {
        "test": "tcp-rst-unacked-stream-01-raw",
        "yaml": "2210048",
        # sid 2210048 is stream-event:reassembly_seq_gap, expected 0 times,
        # and stats.tcp.reassembly_gap 0: the client's RST acks only part
        # of the server's bytes, which leaves data in flight, not a hole.
        # synfin's sequence-hole finding is capture_gap.
        "checks": [("anomaly", "capture_gap", False)],
        "verify": True,
    },
    {
        "test": "bug-814",
        "yaml": "close_wait",
        # Not an event but the flow's final tcp.state: close_wait, i.e. the
        # server got the client's FIN, acked it and never closed its own
        # direction: SPEC's half_closed (one direction closed, the other
        # still open at the end).
        "checks": [("anomaly", "half_closed", True)],
        "verify": False,    # -k none
    },
    {
        "test": "bug-2646-01",
        "yaml": "last_ack",
        # The flow ends in tcp.state last_ack: the server's FIN (sent ten
        # times) was never acknowledged because the client's last ACK is
        # not in the capture.  The FINs crossed (the server's first FIN does
        # not ack the client's), so SPEC's LAST_ACK-specific
        # final_ack_missing may not apply; what both mean is SPEC's
        # fin_unacked: a FIN never acknowledged before the end.
        "checks": [("anomaly", "fin_unacked", True)],
        "verify": False,    # -k none
    },
]

# Tests with nothing synfin can be held to, and why.
UNMAPPED = {
    "bug-3286-02-linux-evasion": "pkt_invalid_timestamp (PAWS) on injected "
        "RST/FIN: synfin does not check timestamps",
    "bug-3286-03-windows-evasion": "same, pkt_invalid_timestamp",
    "output-eve-anomaly-03": "pkt_invalid_timestamp on an RST with TSval 0",
    "security-4710-01": "suspected_rst_inject (RST with TCP-MD5, sender keeps "
        "talking): no SPEC equivalent",
    "security-4710-02": "suspected_rst_inject (RST with TCP-AO)",
    "tcp-fastopen-10-syn-data-ignore": "3whs_synack_tfo_data_ignored: the "
        "SYN-ACK ignores TFO data; SPEC has syn_with_data (the SYN's side) "
        "only, not an equivalent",
    "tcp-fastopen-11-reject-syn-data": "same, 3whs_synack_tfo_data_ignored",
    "bug-6244-tcp-rst-with-data": "rules on RST payload, no stream event "
        "expected in test.yaml",
    "bug-6244-tcp-rst-with-data-02": "same",
    "alert-no-3whs-established": "rule must not match without a handshake; "
        "no event",
    "bug-3844": "tuple reuse after a refused SYN: an app-layer expectation",
    "issue-3341-tcphdr-01": "content match on the TCP header",
    "bug-4376": "flow state and app layer only (SYN retransmission, VLAN)",
    "tcp-split-handshake-01-4whs": "content alerts only",
    "tcp-split-handshake-02-5whs": "content alerts only",
    "bug-7264-tcp-3whs-ack-data-tls-01": "app-layer alerts only",
    "tcp-fastopen-01": "app-layer alerts only",
    "tcp-session-equivalence": "tcp.session keyword packet counts",
    "bug-6733-syn-packet-flow-output": "flow record fields (syn_sent), no "
        "anomaly",
    "app-layer-template": "clean close, flow fields only",
    "bug-130": "clean close, flow fields only",
    "bug-2646-02": "RST after FIN, flow fields only",
    "bug-4702-01": "timestamps tolerated, flow fields only",
    "bug-4702-02": "TSecr edge case, flow fields only",
    "bug-78-http-uri": "RST-closed flow fields and a content alert",
    "alert-testmyids-midstream": "midstream pickup, app layer",
    "alert-testmyids-midstream5": "midstream pickup, app layer",
    "smb1-03-midstream": "midstream, app layer",
    "stream-async-6063-cli-01": "async one-sided mode (Suricata option)",
    "stream-async-6063-cli-02": "async one-sided mode (Suricata option)",
    "stream-async-6063-srv-01": "async one-sided mode (Suricata option)",
    "bug-2491-02": "async one-sided mode (Suricata option)",
    "issue-4220-02-ips": "IPS drop statistics",
}


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def test_text(testdir):
    """test.yaml and the test's rules, where sids get their meaning."""
    try:
        with open(os.path.join(testdir, "test.yaml"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    for name in sorted(os.listdir(testdir)):
        if name.endswith(".rules"):
            with open(os.path.join(testdir, name), encoding="utf-8",
                      errors="replace") as f:
                text += "\n" + f.read()
    return text


def pcap_of(testdir):
    pcaps = sorted(f for f in os.listdir(testdir)
                   if f.endswith((".pcap", ".pcapng")))
    return os.path.join(testdir, pcaps[0]) if len(pcaps) == 1 else None


def run_synfin(synfin, pcap, verify, bpf=None):
    cmd = [synfin, "-F", "json", "-q", "-r", pcap]
    if verify:
        cmd.append("--verify-checksums")
    if bpf:
        cmd.append(bpf)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=SYNFIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, None, "timed out: " + " ".join(cmd)
    except OSError as e:
        return None, None, "cannot run %s: %s" % (synfin, e)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        return None, None, "exit %d: %s (%s)" % (
            p.returncode, " ".join(cmd), err[-1] if err else "")
    conns, summary = [], None
    for line in p.stdout.decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            return None, None, "not JSON (%s): %.80s" % (e, line)
        if rec.get("type") == "conn":
            conns.append(rec)
        elif rec.get("type") == "summary":
            summary = rec
    if summary is None:
        return None, None, "no summary record"
    return conns, summary, None


def anomaly_names(conns):
    names = {}
    for c in conns:
        for a in c.get("anomalies") or []:
            n = a.get("name")
            names[n] = names.get(n, 0) + 1
    return names


def run_check(check, conns, summary):
    """(ok, text) for one check."""
    if check[0] == "anomaly":
        _, name, present = check
        n = anomaly_names(conns).get(name, 0)
        if present:
            return n > 0, "%s reported %d time(s)" % (name, n)
        return n == 0, "%s reported %d time(s), want none" % (name, n)
    if check[0] == "decode_errors":
        errs = summary.get("decode_errors") or {}
        n = sum(v for v in errs.values() if isinstance(v, int))
        return n >= check[1], "decode_errors %s (total %d, want >= %d)" % (
            json.dumps(errs, sort_keys=True), n, check[1])
    return False, "unknown check %r" % (check,)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synfin", required=True, help="synfin binary")
    ap.add_argument("--corpus", default=os.path.join(
        repo_root(), "..", "shared", "corpus", "suricata"),
        help="the Suricata corpus directory (default "
             "../shared/corpus/suricata beside the repository)")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print("SKIP: ../shared/corpus absent")
        return 77

    print("Suricata conformance: synfin anomalies against suricata-verify "
          "expectations")
    print("corpus: %s" % os.path.normpath(args.corpus))
    passed = failed = 0
    for t in TESTS:
        d = os.path.join(args.corpus, t["test"])
        label = t["test"]
        ytext = test_text(d)
        if ytext is None:
            print("FAIL %s: no test.yaml" % label)
            failed += len(t["checks"])
            continue
        if t["yaml"] not in ytext:
            print("FAIL %s: test.yaml/rules no longer mention %s; the "
                  "table is stale" % (label, t["yaml"]))
            failed += len(t["checks"])
            continue
        pcap = pcap_of(d)
        if not pcap:
            print("FAIL %s: expected exactly one pcap" % label)
            failed += len(t["checks"])
            continue
        conns, summary, err = run_synfin(args.synfin, pcap, t["verify"],
                                         t.get("bpf"))
        if err:
            print("FAIL %s: synfin %s" % (label, err))
            failed += len(t["checks"])
            continue
        for check in t["checks"]:
            ok, text = run_check(check, conns, summary)
            print("%s %s (suricata: %s): %s" % ("PASS" if ok else "FAIL",
                                                label, t["yaml"], text))
            if ok:
                passed += 1
            else:
                failed += 1

    mapped = {t["test"] for t in TESTS}
    present = sorted(e for e in os.listdir(args.corpus)
                     if os.path.isdir(os.path.join(args.corpus, e)))
    print()
    print("not mapped (no synfin equivalent to what test.yaml expects):")
    for e in present:
        if e in mapped:
            continue
        print("  %s: %s" % (e, UNMAPPED.get(e, "not reviewed yet")))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
