#!/bin/sh
# JSON output parsed by a real JSON parser (python3's json), every SPEC key
# checked, on every bundled capture and on forged ones.
set -eu
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for p in "$srcdir"/pcaps/*.pcap "$srcdir"/pcaps/*.pcapng; do
	[ -e "$p" ] || continue
	"$SYNFIN" -F json -r "$p" >"$out/o.jsonl" || { echo "FAIL: synfin on $p"; fail=1; continue; }
	"$PYTHON3" "$srcdir/tests/json_check.py" "$out/o.jsonl" || { echo "FAIL: $p"; fail=1; }
	"$SYNFIN" -F csv -r "$p" >"$out/o.csv"
	"$PYTHON3" "$srcdir/tests/csv_check.py" "$out/o.csv" "$out/o.jsonl" || { echo "FAIL: csv $p"; fail=1; }
done
# Every forged scenario too.
for s in "$srcdir"/tests/scenarios/*.scn; do
	[ -e "$s" ] || continue
	"$MKPCAP" "$s" "$out/s.pcap"
	"$SYNFIN" -F json -r "$out/s.pcap" >"$out/o.jsonl" || true
	"$PYTHON3" "$srcdir/tests/json_check.py" "$out/o.jsonl" || { echo "FAIL: $s"; fail=1; }
done
exit $fail
