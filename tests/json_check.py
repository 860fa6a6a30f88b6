#!/usr/bin/env python3
"""Validate synfin JSON Lines against SPEC.md with a real JSON parser.

Usage: json_check.py FILE.jsonl  -- every line must parse; every conn record
must carry every SPEC key with the right type (null where absent); the
summary must come last and its counts must add up to the conn records.
"""
import json
import sys

STATES = {"CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
          "FIN_WAIT_2", "CLOSING", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK"}
HS = {"complete", "simultaneous", "refused", "unanswered", "incomplete",
      "reset", "midstream"}
TD = {"graceful", "simultaneous", "half_closed", "unacked", "reset", "open",
      "none"}
NUM = (int, float)


def need(obj, key, types, where):
    if key not in obj:
        raise AssertionError(f"{where}: missing key {key!r}")
    v = obj[key]
    if types is None:
        return v
    if not isinstance(v, types) or isinstance(v, bool) and bool not in (
            types if isinstance(types, tuple) else (types,)):
        raise AssertionError(f"{where}.{key}: {v!r} is not {types}")
    return v


def opt(types):
    return types + (type(None),) if isinstance(types, tuple) else (types, type(None))


def check_endpoint(e, where):
    need(e, "addr", str, where)
    p = need(e, "port", int, where)
    assert 0 <= p <= 65535, f"{where}.port {p}"


def check_options(o, where):
    if o is None:
        return
    need(o, "mss", opt(int), where)
    need(o, "wscale", opt(int), where)
    need(o, "sack_ok", bool, where)
    need(o, "timestamps", bool, where)


def check_conn(r, n):
    w = f"line {n} conn"
    need(r, "id", int, w)
    need(r, "ts", NUM, w)
    assert need(r, "duration", NUM, w) >= 0
    check_endpoint(need(r, "client", dict, w), w + ".client")
    check_endpoint(need(r, "server", dict, w), w + ".server")
    h = need(r, "handshake", dict, w)
    assert need(h, "outcome", str, w) in HS, h["outcome"]
    for k in ("syn_ts", "synack_ts", "ack_ts"):
        need(h, k, opt(NUM), w + ".handshake")
    for k in ("client_isn", "server_isn"):
        v = need(h, k, opt(int), w + ".handshake")
        assert v is None or 0 <= v < 2**32
    need(h, "syn_count", int, w)
    need(h, "synack_count", int, w)
    rtt = need(h, "rtt", dict, w)
    need(rtt, "syn_synack", opt(NUM), w + ".rtt")
    need(rtt, "synack_ack", opt(NUM), w + ".rtt")
    check_options(need(h, "client_options", opt(dict), w), w + ".client_options")
    check_options(need(h, "server_options", opt(dict), w), w + ".server_options")
    t = need(r, "teardown", dict, w)
    assert need(t, "outcome", str, w) in TD, t["outcome"]
    for k in ("initiator", "reset_by"):
        v = need(t, k, opt(str), w + ".teardown")
        assert v in (None, "client", "server")
    for k in ("client_fin_ts", "server_fin_ts", "last_ack_ts"):
        need(t, k, opt(NUM), w + ".teardown")
    s = need(r, "states", dict, w)
    assert need(s, "client", str, w) in STATES
    assert need(s, "server", str, w) in STATES
    for k in ("packets", "payload_bytes", "retransmissions"):
        d = need(r, k, dict, w)
        need(d, "client", int, w + "." + k)
        need(d, "server", int, w + "." + k)
    z = need(r, "zeek", dict, w)
    need(z, "conn_state", str, w)
    need(z, "history", str, w)
    for a in need(r, "anomalies", list, w):
        need(a, "name", str, w + ".anomaly")
        assert need(a, "severity", str, w) in ("info", "warning", "error")
        assert need(a, "frame", int, w) >= 1
        need(a, "ts", NUM, w)
        assert need(a, "from", str, w) in ("client", "server")
        need(a, "detail", str, w)


def main():
    conns, summary = [], None
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            assert summary is None, f"line {n}: record after the summary"
            if r["type"] == "conn":
                check_conn(r, n)
                conns.append(r)
            elif r["type"] == "summary":
                summary = r
            else:
                raise AssertionError(f"line {n}: type {r['type']!r}")
    assert summary is not None, "no summary record"
    for k, t in (("packets", int), ("tcp_packets", int), ("connections", int),
                 ("handshake", dict), ("teardown", dict), ("anomalies", dict),
                 ("decode_errors", dict), ("dropped", int),
                 ("evicted", int)):
        need(summary, k, t, "summary")
    if not summary.get("_filtered"):
        assert summary["connections"] >= len(conns)
        assert sum(summary["handshake"].values()) == summary["connections"]
        assert sum(summary["teardown"].values()) == summary["connections"]
    ids = [c["id"] for c in conns]
    assert len(set(ids)) == len(ids), "duplicate ids"
    print(f"{sys.argv[1]}: {len(conns)} conn records ok")


if __name__ == "__main__":
    main()
