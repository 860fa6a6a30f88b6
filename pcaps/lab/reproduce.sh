#!/usr/bin/env bash
# Regenerate every lab capture into a temporary directory (root, network
# namespaces: see run.sh) and check that synfin gives the same outcomes on
# the new captures as on the committed ones in pcaps/: per connection the
# handshake and teardown outcomes, both final states and the set of anomaly
# names, compared as a multiset (ISNs, times and which port plays which part
# differ from run to run; the kernel's behaviour must not).
# Usage: pcaps/lab/reproduce.sh [SYNFIN]      (default: ./synfin)
set -u
LAB_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
PCAPS=$(dirname -- "$LAB_DIR")
SYNFIN=$(realpath "${1:-./synfin}")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the lab needs root" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A scenario whose capture missed its shape (a drop that raced a timer
# on a loaded machine: seen once, synack-lost with no SYN-ACK dropped
# while four other jobs ran) gets one more run of its own.
if ! SYNFIN_LAB_OUT=$tmp "$LAB_DIR/run.sh" >"$tmp/run.log" 2>&1; then
	again=$(sed -n 's/^run.sh: captures with unexpected shape: //p' \
	    "$tmp/run.log")
	grep -B1 'SHAPE MISMATCH' "$tmp/run.log"
	# shellcheck disable=SC2086
	if [ -z "$again" ] || ! SYNFIN_LAB_OUT=$tmp "$LAB_DIR/run.sh" $again \
	    >"$tmp/run2.log" 2>&1; then
		tail -20 "$tmp/run.log"
		[ -f "$tmp/run2.log" ] && tail -20 "$tmp/run2.log"
		echo "FAIL: run.sh"
		exit 1
	fi
	echo "run again, now the expected shape: $again"
fi
# Findings that depend on a race between two kernel timers, not on the
# kernel's rules: synack-lost drops the first SYN-ACK, and whether the
# capture then shows a second SYN-ACK besides the one answering the
# retransmitted SYN depends on which of the client's SYN timer and the
# server's SYN-ACK timer (both 1 s) fires first on a loaded machine.
racy() {
	case $1 in
	synack-lost.pcap) echo synack_retransmitted ;;
	esac
}
sig() {
	"$SYNFIN" -q -F json -r "$1" | RACY="$(racy "$(basename "$1")")" python3 -c '
import json, os, sys
racy = set(os.environ.get("RACY", "").split())
out = []
for line in sys.stdin:
    r = json.loads(line)
    if r["type"] != "conn":
        continue
    names = sorted({a["name"] for a in r["anomalies"]} - racy)
    out.append("%s %s %s/%s %s" % (r["handshake"]["outcome"], r["teardown"]["outcome"],
               r["states"]["client"], r["states"]["server"], ",".join(names) or "-"))
print("\n".join(sorted(out)))'
}
pass=0 fail=0
for new in "$tmp"/*.pcap; do
	name=$(basename "$new")
	if diff <(sig "$PCAPS/$name") <(sig "$new") >"$tmp/d"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "DIFFERS: $name"; cat "$tmp/d"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
