#!/usr/bin/env python3
"""Parse synfin's CSV with python3's csv module (RFC 4180) and compare it,
row by row, with the JSON Lines records of the same capture.

Usage: csv_check.py FILE.csv FILE.jsonl
"""
import csv
import json
import sys

with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
with open(sys.argv[2], encoding="utf-8") as f:
    conns = [r for r in map(json.loads, f) if r["type"] == "conn"]
assert len(rows) == len(conns), f"{len(rows)} CSV rows, {len(conns)} JSON records"
for row, c in zip(rows, conns):
    assert int(row["id"]) == c["id"]
    assert row["client_addr"] == c["client"]["addr"]
    assert int(row["client_port"]) == c["client"]["port"]
    assert row["server_addr"] == c["server"]["addr"]
    assert int(row["server_port"]) == c["server"]["port"]
    assert row["handshake"] == c["handshake"]["outcome"]
    assert row["teardown"] == c["teardown"]["outcome"]
    assert row["client_state"] == c["states"]["client"]
    assert row["server_state"] == c["states"]["server"]
    assert int(row["client_packets"]) == c["packets"]["client"]
    assert int(row["server_payload_bytes"]) == c["payload_bytes"]["server"]
    assert row["zeek_history"] == c["zeek"]["history"]
    names = [a["name"] for a in c["anomalies"]]
    assert row["anomalies"] == ";".join(names), (row["anomalies"], names)
print(f"{sys.argv[1]}: {len(rows)} rows ok")
