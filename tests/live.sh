#!/bin/sh
# Live capture end to end: two network namespaces joined by a veth pair,
# synfin capturing on one end, real connections through it, SIGINT, then
# the JSON records and summary checked. Root only; skipped (77) otherwise.
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: needs root and iproute2 (ip netns) to make test namespaces"
	exit 77
fi
t=$(mktemp -d)
. "$srcdir/tests/lib.sh"
cleanup() {
	[ -n "${spid:-}" ] && kill "$spid" 2>/dev/null
	[ -n "${ppid_:-}" ] && kill "$ppid_" 2>/dev/null
	netns_del
	rm -rf "$t"
}
trap cleanup EXIT INT TERM
netns_pair sfl 10.78.0

# -Z nobody: root is given up once the interface is open, before the
# files are opened (tcpdump's order): they are created by nobody, in a
# directory nobody may write to, and owned by it.
nobody_uid=$(id -u nobody 2>/dev/null || echo 65534)
z="$t/z"
mkdir "$z" && chown nobody "$z" && chmod 711 "$t" || exit 1
# ... so a directory only root may write to is out of reach after -Z.
timeout 10 ip netns exec "$A" "$SYNFIN" -i va -Z nobody -o "$t/report.txt" tcp 2>"$t/zerr"
rc=$?
[ "$rc" -eq 2 ] || { echo "FAIL: -Z nobody -o into a root-only directory: exit $rc, want 2"; exit 1; }
grep -q "report.txt: Permission denied" "$t/zerr" || { echo "FAIL: no clear error:"; cat "$t/zerr"; exit 1; }
[ ! -e "$t/report.txt" ] || { echo "FAIL: root wrote $t/report.txt before dropping privileges"; exit 1; }
ip netns exec "$A" "$SYNFIN" -i va -Z nobody -F json -o "$z/out.jsonl" -w "$z/raw.pcap" tcp 2>"$t/err" &
spid=$!
ip netns exec "$B" "$PYTHON3" "$srcdir/tests/live_peer.py" server 10.78.0.2 >"$t/srv" &
ppid_=$!
i=0; while ! grep -q ready "$t/srv" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
sleep 1   # synfin is capturing
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$spid/status 2>/dev/null)
[ "$uid" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] ||
	{ echo "FAIL: -Z nobody: uids are '$uid', want $nobody_uid"; exit 1; }
ip netns exec "$A" timeout 30 "$PYTHON3" "$srcdir/tests/live_peer.py" client 10.78.0.2
sleep 1
kill -INT "$spid"
i=0; while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
wait "$spid"; rc=$?
spid=
cat "$t/err"
[ "$rc" -eq 0 ] || { echo "FAIL: synfin exited $rc after SIGINT"; exit 1; }
for f in "$z/out.jsonl" "$z/raw.pcap"; do
	owner=$(stat -c %u "$f")
	[ "$owner" = "$nobody_uid" ] || { echo "FAIL: -Z nobody: $f is owned by uid $owner, want $nobody_uid"; exit 1; }
done
"$PYTHON3" "$srcdir/tests/json_check.py" "$z/out.jsonl" || exit 1
"$PYTHON3" - "$z/out.jsonl" <<'PY' || exit 1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
conns = {r["server"]["port"]: r for r in recs if r["type"] == "conn"}
summary = recs[-1]
ok = fail = 0
def check(cond, what):
    global ok, fail
    if cond: ok += 1
    else:
        fail += 1; print("FAIL:", what)
# Expectations from what each peer does (tests/live_peer.py) and RFC 9293.
c = conns.get(7001, {})
check(c.get("handshake", {}).get("outcome") == "complete", "7001 handshake complete")
check(c.get("teardown", {}).get("outcome") == "graceful", "7001 graceful close")
check(c.get("teardown", {}).get("initiator") == "client", "7001 closed by the client")
check(c.get("states", {}).get("client") == "TIME_WAIT", "7001 client holds TIME_WAIT at the stop")
c = conns.get(7002, {})
check(c.get("handshake", {}).get("outcome") == "refused", "7002 refused")
c = conns.get(7003, {})
check(c.get("teardown", {}).get("outcome") == "reset", "7003 reset")
check(c.get("teardown", {}).get("reset_by") == "client", "7003 reset by the client (SO_LINGER 0)")
c = conns.get(7004, {})
check(c.get("teardown", {}).get("outcome") == "graceful", "7004 half-close, then both closed")
check(c.get("payload_bytes", {}).get("server") == 300, "7004 server sent 300 bytes after the client's FIN")
check(summary["type"] == "summary" and summary["connections"] == 4, "summary: 4 connections")
check(summary["dropped"] == 0, "no drops")
print(f"{ok} passed, {fail} failed")
sys.exit(1 if fail else 0)
PY
# -w saved the same packets: reading the file gives the same connections.
"$SYNFIN" -F json -r "$z/raw.pcap" >"$t/replay.jsonl" || exit 1
n=$(grep -c '"type":"conn"' "$t/replay.jsonl")
[ "$n" -eq 4 ] || { echo "FAIL: -w file has $n connections, want 4"; exit 1; }

# The interface goes away mid-capture: everything analyzed so far is
# reported, then a clear error and exit 2.
ip netns exec "$A" "$SYNFIN" -i va -F json -o "$t/down.jsonl" 2>"$t/down.err" &
spid=$!
sleep 1
ip netns exec "$A" timeout 5 "$PYTHON3" -c "
import socket
try: socket.create_connection(('10.78.0.2', 7002), timeout=2)
except OSError: pass"
sleep 0.5
ip -n "$A" link del va
i=0; while kill -0 "$spid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
kill -INT "$spid" 2>/dev/null
wait "$spid"; rc=$?
spid=
[ "$rc" -eq 2 ] || { echo "FAIL: interface gone: exit $rc, want 2"; exit 1; }
grep -q "va:" "$t/down.err" || { echo "FAIL: no error naming the interface"; cat "$t/down.err"; exit 1; }
grep -q '"handshake":{"refused":1}' "$t/down.jsonl" || { echo "FAIL: the refused connection was not reported"; exit 1; }
echo "live capture ok"
