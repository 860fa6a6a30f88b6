#!/bin/sh
# --fanout end to end: two network namespaces joined by a veth pair, two
# synfin processes sharing one interface through an AF_PACKET fanout group,
# and a third one, alone, seeing everything. N real connections through
# the link; then every connection must be in exactly one member's report,
# whole (both directions seen by the same process), and the members'
# reports together must be the lone process's report. Root only; skipped
# (77) otherwise.
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: needs root and iproute2 (ip netns) to make test namespaces"
	exit 77
fi
if "$SYNFIN" --fanout 7 -i no-such-iface-$$ 2>&1 | grep -q "does not have"; then
	echo "SKIP: this build has no AF_PACKET fanout"
	exit 77
fi
N=40
t=$(mktemp -d)
. "$srcdir/tests/lib.sh"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	netns_del
	rm -rf "$t"
}
trap cleanup EXIT INT TERM
netns_pair sff 10.79.0

# Two members of fanout group 7 on va, and a reference without fanout.
for w in m1 m2; do
	ip netns exec "$A" "$SYNFIN" -i va --fanout 7 -F json -o "$t/$w.jsonl" tcp 2>"$t/$w.err" &
	pids="$pids $!"
done
ip netns exec "$A" "$SYNFIN" -i va -F json -o "$t/ref.jsonl" tcp 2>"$t/ref.err" &
pids="$pids $!"
# Each opens its report only once its socket is in the group and filtering.
i=0
while [ $i -lt 50 ] && ! { [ -e "$t/m1.jsonl" ] && [ -e "$t/m2.jsonl" ] && [ -e "$t/ref.jsonl" ]; }; do
	sleep 0.1; i=$((i+1))
done
sleep 0.5

# Group 7 exists on va: joining it on another interface is refused (exit 2).
ip netns exec "$A" "$SYNFIN" -i lo --fanout 7 -F json >/dev/null 2>"$t/lo.err"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: --fanout 7 on lo while group 7 is on va: exit $rc, want 2"; exit 1; }
grep -q "another interface" "$t/lo.err" || { echo "FAIL: no clear message for a group on another interface:"; cat "$t/lo.err"; exit 1; }

ip netns exec "$B" "$PYTHON3" "$srcdir/tests/live_peer.py" many-server 10.79.0.2 7100 $N >"$t/srv" &
spid=$!
pids="$pids $spid"
i=0; while ! grep -q ready "$t/srv" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip netns exec "$A" timeout 60 "$PYTHON3" "$srcdir/tests/live_peer.py" many-client 10.79.0.2 7100 $N ||
	{ echo "FAIL: the client could not make its $N connections"; exit 1; }
wait "$spid"
sleep 1
for p in $pids; do kill -INT "$p" 2>/dev/null; done
for p in $pids; do
	wait "$p"; rc=$?
	[ "$p" = "$spid" ] && continue
	[ "$rc" -eq 0 ] || { echo "FAIL: a synfin exited $rc after SIGINT"; cat "$t"/*.err; exit 1; }
done
pids=
for w in m1 m2 ref; do
	"$PYTHON3" "$srcdir/tests/json_check.py" "$t/$w.jsonl" || exit 1
done

"$PYTHON3" - "$N" "$t/m1.jsonl" "$t/m2.jsonl" "$t/ref.jsonl" <<'PY' || exit 1
import json, sys
n = int(sys.argv[1])
def load(path):
    recs = [json.loads(l) for l in open(path)]
    conns = {}
    for r in recs:
        if r["type"] != "conn":
            continue
        key = (r["client"]["addr"], r["client"]["port"],
               r["server"]["addr"], r["server"]["port"])
        assert key not in conns, f"{path}: {key} reported twice"
        conns[key] = r
    return conns, recs[-1]
m1, s1 = load(sys.argv[2])
m2, s2 = load(sys.argv[3])
ref, sref = load(sys.argv[4])
ok = fail = 0
def check(cond, what):
    global ok, fail
    if cond: ok += 1
    else:
        fail += 1; print("FAIL:", what)
# What a connection looked like: the same from a member as from the
# reference, or the member missed part of it.
def view(r):
    return (r["handshake"]["outcome"], r["teardown"]["outcome"],
            r["teardown"]["initiator"], r["states"], r["packets"],
            r["payload_bytes"], r["retransmissions"], r["zeek"],
            sorted(a["name"] for a in r["anomalies"]))
check(len(ref) == n, f"the reference saw {len(ref)} connections, want {n}")
for k, r in ref.items():
    check(r["handshake"]["outcome"] == "complete" and
          r["teardown"]["outcome"] == "graceful",
          f"reference {k}: {r['handshake']['outcome']}/{r['teardown']['outcome']}, want complete/graceful")
both = set(m1) & set(m2)
check(not both, f"{len(both)} connections in both members' reports: {sorted(both)[:3]}")
check(set(m1) | set(m2) == set(ref),
      f"members' connections != reference: missing {sorted(set(ref) - set(m1) - set(m2))[:3]}, "
      f"extra {sorted((set(m1) | set(m2)) - set(ref))[:3]}")
differ = [(k, view(r), view(ref[k])) for m in (m1, m2)
          for k, r in m.items() if k in ref and view(r) != view(ref[k])]
for k, got, want in differ[:3]:
    print(f"  {k}: member saw {got},\n    the reference {want}")
check(not differ, f"{len(differ)} connections look different from the member "
      "that had them than from the reference (first ones above)")
check(s1["connections"] + s2["connections"] == sref["connections"],
      f"summaries: {s1['connections']} + {s2['connections']} connections != {sref['connections']}")
check(s1["tcp_packets"] + s2["tcp_packets"] == sref["tcp_packets"],
      f"summaries: {s1['tcp_packets']} + {s2['tcp_packets']} TCP packets != {sref['tcp_packets']}")
check(s1["dropped"] == s2["dropped"] == sref["dropped"] == 0, "no drops")
# With 40 connections from 40 source ports, a hash that splits at all
# gives each member some (all on one: 2^-39). Say so rather than pass.
check(len(m1) > 0 and len(m2) > 0,
      f"the kernel's hash gave all connections to one member ({len(m1)}/{len(m2)})")
print(f"fanout: member 1 saw {len(m1)} connections ({s1['tcp_packets']} TCP packets), "
      f"member 2 {len(m2)} ({s2['tcp_packets']}), the reference {len(ref)} ({sref['tcp_packets']})")
print(f"{ok} passed, {fail} failed")
sys.exit(1 if fail else 0)
PY
echo "fanout ok"
