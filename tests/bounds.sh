#!/bin/sh
# Resource bounds: synfin's memory stays bounded and its timers sane
# whatever the capture holds. Captures are generated at test time
# (tests/stresscap through pcap_dump, tests/mkpcap from forge text), the
# large ones piped into synfin or written to a temporary directory.
#
#  - a SYN flood from FLOOD_SYNS distinct 4-tuples under --max-flows: peak
#    RSS <= base + MAX_FLOWS * PER_CONN, every SYN reported as its own
#    connection, the evictions counted;
#  - one connection with LONG_SEGS data segments (its sequence numbers wrap
#    past 2^32), and one with HOLE_SEGS segments after sequence holes (2^31-1
#    bytes every third): peak RSS within CONST_SLACK_KB of the base, exact
#    packet and byte counts;
#  - TW_CONNS short connections, 30 s of them, all in TIME_WAIT at the end
#    (bench/gen): held packed (flow_pack()), at most TW_BYTES each and
#    TW_RATIO of what they take whole, with the same report;
#  - IDLE_CONNS connections opened IDLE_RATE a second and left open
#    (stresscap idle): those idle 10 s held packed (flow_expire()), at
#    most IDLE_BYTES per open connection and IDLE_RATIO of what they take
#    whole, with the same report;
#  - timestamps far forward (2100, the formats' maxima) and back (1970, 0):
#    TIME_WAIT (2MSL = 2 * 30 s by default) and idle timers as RFC 9293 and
#    SPEC.md say, measured on the capture clock, which never runs back.
#
# "base" is synfin's peak RSS on a one-packet capture with the same options.
# Expected values are worked out by hand below, never copied from synfin.
set -u
: "${SYNFIN:=./synfin}" "${MKPCAP:=tests/mkpcap}"
: "${STRESSCAP:=$(dirname "$MKPCAP")/stresscap}" "${GEN:=bench/gen}"

# ---- thresholds: tighten as the structures shrink ----------------------------
FLOOD_SYNS=1000000	# SYNs in the flood, one 4-tuple each
MAX_FLOWS=10000		# --max-flows for the flood
PER_CONN=1024		# bytes of peak RSS allowed per tracked connection
			# (sizeof(struct conn) is 560; hash table, malloc)
LONG_SEGS=3000000	# data segments on one connection
HOLE_SEGS=1000000	# segments after holes on one connection
CONST_SLACK_KB=4096	# single connection: peak RSS <= base + this
UNBOUNDED_SYNS=100000	# informational: bytes per connection, no bound
TW_CONNS=200000		# short connections, all in TIME_WAIT at the end
TW_BYTES=256		# peak RSS allowed per connection held in TIME_WAIT
TW_RATIO=70		# ... and per cent of their peak RSS held whole
IDLE_CONNS=100000	# connections opened and left open, idle
IDLE_RATE=1000		# ... opened this many a second
IDLE_BYTES=256		# peak RSS allowed per open connection
IDLE_RATIO=70		# ... and per cent of their peak RSS never packed
SEED=20241124

t=$(mktemp -d "${TMPDIR:-/tmp}/synfin-bounds.XXXXXX") || exit 99
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check DESCRIPTION command...
check() {
	what=$1; shift
	if "$@"; then ok; else bad "$what"; fi
}
# The peak RSS (kB) stresscap reported in file $1.
maxrss() { sed -n 's/^maxrss //p' "$1" | tail -1; }
# A conn record (JSON line) by id from file $1; a field of a line by a sed
# group.
rec() { grep "^{\"type\":\"conn\",\"id\":$2," "$1"; }
val() { printf '%s\n' "$1" | sed -n "s/.*$2.*/\\1/p"; }

for p in "$SYNFIN" "$MKPCAP" "$STRESSCAP"; do
	[ -x "$p" ] || { echo "bounds.sh: $p missing"; exit 99; }
done
command -v timeout >/dev/null 2>&1 || { echo "no timeout(1)"; exit 77; }

# Under AddressSanitizer the heap has red zones and a quarantine: RSS means
# nothing and everything is slower. Check behaviour, on smaller inputs.
asan=false
if grep -q __asan_init "$SYNFIN" 2>/dev/null ||
    { command -v ldd >/dev/null && ldd "$SYNFIN" 2>/dev/null | grep -q asan; }; then
	asan=true
	FLOOD_SYNS=100000 MAX_FLOWS=1000 LONG_SEGS=300000 HOLE_SEGS=100000
	UNBOUNDED_SYNS=0 TW_CONNS=20000
	echo "sanitizer build: memory bounds not checked, smaller inputs"
fi
mem_check() { $asan || check "$@"; }

# ---- SYN flood under --max-flows ------------------------------------------------
"$STRESSCAP" syn "$FLOOD_SYNS" "$SEED" "$t/flood.pcap" || bad "stresscap syn"
"$STRESSCAP" syn 1 "$SEED" "$t/tiny.pcap" || bad "stresscap syn 1"
flags="-q -F json --max-flows $MAX_FLOWS"
# shellcheck disable=SC2086
timeout 60 "$STRESSCAP" rss "$SYNFIN" $flags -o /dev/null -r "$t/tiny.pcap" 2>"$t/rss0"
base=$(maxrss "$t/rss0")
start=$(date +%s)
# shellcheck disable=SC2086
timeout 120 "$STRESSCAP" rss "$SYNFIN" $flags -o /dev/null -r "$t/flood.pcap" 2>"$t/rss1"
rc=$?
peak=$(maxrss "$t/rss1")
check "flood: exit $rc" [ "$rc" -eq 0 ]
if [ -n "$base" ] && [ -n "$peak" ]; then
	limit=$((base + MAX_FLOWS * PER_CONN / 1024))
	per=$(( (peak - base) * 1024 / MAX_FLOWS ))
	echo "flood: $FLOOD_SYNS SYNs, --max-flows $MAX_FLOWS: peak RSS $peak kB," \
	    "base $base kB, $per bytes/flow (limit $PER_CONN), $(( $(date +%s) - start )) s"
	mem_check "flood: peak RSS $peak kB > $limit kB (base + $MAX_FLOWS x $PER_CONN B)" \
	    [ "$peak" -le "$limit" ]
else
	bad "flood: no RSS measured"
fi
# The report itself: every SYN its own connection (the 4-tuples are
# distinct by construction), each unanswered; records counted as they go.
# shellcheck disable=SC2086
timeout 120 "$SYNFIN" $flags -r "$t/flood.pcap" |
	awk '/^\{"type":"conn"/ { n++ } /^\{"type":"summary"/ { print }
	    END { print "records " n + 0 }' >"$t/flood.out"
n=$FLOOD_SYNS
check "flood: $n records" grep -q "^records $n\$" "$t/flood.out"
check "flood: summary counts" grep -q "\"packets\":$n,\"tcp_packets\":$n,\"connections\":$n," "$t/flood.out"
check "flood: all unanswered" grep -q "\"handshake\":{\"unanswered\":$n}" "$t/flood.out"
# Each SYN after the first MAX_FLOWS finds the table full and evicts one
# record (all within one second, far from the idle timeout).
check "flood: summary evicted" grep -q "\"evicted\":$((n - MAX_FLOWS))[,}]" "$t/flood.out"

if [ "$UNBOUNDED_SYNS" -gt 0 ]; then
	"$STRESSCAP" syn "$UNBOUNDED_SYNS" "$SEED" "$t/f2.pcap"
	timeout 60 "$STRESSCAP" rss "$SYNFIN" -q -F json -o /dev/null -r "$t/tiny.pcap" 2>"$t/rss2"
	timeout 60 "$STRESSCAP" rss "$SYNFIN" -q -F json -o /dev/null -r "$t/f2.pcap" 2>"$t/rss3"
	b2=$(maxrss "$t/rss2") p2=$(maxrss "$t/rss3")
	[ -n "$b2" ] && [ -n "$p2" ] &&
	echo "info: $UNBOUNDED_SYNS connections open at once (no --max-flows): peak" \
	    "$p2 kB, $(( (p2 - b2) * 1024 / UNBOUNDED_SYNS )) bytes/connection"
fi
rm -f "$t/flood.pcap" "$t/f2.pcap"

# ---- hundreds of thousands in TIME_WAIT ------------------------------------------
# bench/gen's short connections, 1,000 at once: about 6,500 a second, so
# the 2MSL of 60 s holds every one still in TIME_WAIT when the 30 s of
# capture end. Whole, a record takes 344 bytes, 352 with malloc's; a
# settled TIME_WAIT one packs to about 190 (conn.h, flow.c).
# SYNFIN_PACK_MIN (a testing knob) sets how many records TIME_WAIT holds
# before packing starts: by default 0, all; 2^64-1, none.
# packed NAME N BYTES RATIO: $t/NAME.pcap read with -j 1 never packed
# (SYNFIN_PACK_MIN=2^64-1) and packed (the default): the same report (left
# in $t/NAME.out), and the packed peak RSS above the base at most BYTES
# for each of N connections and RATIO per cent of the never-packed one.
packed() {
	name=$1 n=$2 lim=$3 ratio=$4
	for pm in 18446744073709551615 ""; do
		SYNFIN_PACK_MIN=$pm timeout 120 "$STRESSCAP" rss "$SYNFIN" -j 1 \
		    -q -F json -o "$t/$name$pm.out" -r "$t/$name.pcap" \
		    2>"$t/rss-$name$pm"
		check "$name $pm: exit $?" [ $? -eq 0 ]
	done
	check "$name: the same report packed" cmp -s \
	    "$t/${name}18446744073709551615.out" "$t/$name.out"
	timeout 60 "$STRESSCAP" rss "$SYNFIN" -j 1 -q -F json -o /dev/null \
	    -r "$t/tiny.pcap" 2>"$t/rss-$name-base"
	b=$(maxrss "$t/rss-$name-base") p=$(maxrss "$t/rss-$name")
	w=$(maxrss "$t/rss-${name}18446744073709551615")
	if [ -n "$b" ] && [ -n "$w" ] && [ -n "$p" ]; then
		per=$(( (p - b) * 1024 / n ))
		echo "$name: $n connections: peak RSS $p kB packed, $w kB" \
		    "never packed, base $b kB: $per bytes/connection packed" \
		    "(limit $lim), $(( (w - b) * 1024 / n )) never packed"
		mem_check "$name: $per bytes/connection packed > $lim" \
		    [ "$per" -le "$lim" ]
		mem_check "$name: packed $((p - b)) kB > $ratio % of $((w - b))" \
		    [ $(( (p - b) * 100 )) -le $(( (w - b) * ratio )) ]
	else
		bad "$name: no RSS measured"
	fi
}

if [ -x "$GEN" ]; then
	"$GEN" --connections "$TW_CONNS" --concurrency 1000 --mix short \
	    --seed 2 --snaplen 96 -o "$t/tw.pcap" 2>"$t/tw.meta" ||
		bad "gen tw"
	packed tw "$TW_CONNS" "$TW_BYTES" "$TW_RATIO"
	check "tw: $TW_CONNS records" [ "$(grep -c '"type":"conn"' "$t/tw.out")" \
	    -eq "$TW_CONNS" ]
	rm -f "$t/tw.pcap" "$t"/tw*.out
else
	echo "note: $GEN not built, the TIME_WAIT bound skipped"
fi

# ---- a hundred thousand open and idle -------------------------------------------
# stresscap idle: each connection a handshake, a request, an answer and an
# ACK, then silence; opened 1,000 a second over 100 s, so at the end the
# last 10 s of them (10,000) are whole and the 90,000 idle longer than
# FLOW_PACK_IDLE_NS (10 s) packed. The report: every one complete and open
# at the end of the input, 6 segments each.
"$STRESSCAP" idle "$IDLE_CONNS" "$IDLE_RATE" "$t/idle.pcap" || bad "stresscap idle"
packed idle "$IDLE_CONNS" "$IDLE_BYTES" "$IDLE_RATIO"
n=$IDLE_CONNS
check "idle: summary" grep -q "\"packets\":$((6 * n)),\"tcp_packets\":$((6 * n)),\"connections\":$n,\"handshake\":{\"complete\":$n},\"teardown\":{\"open\":$n}" "$t/idle.out"
rm -f "$t/idle.pcap" "$t"/idle*.out

# ---- one connection, millions of segments -----------------------------------------
# stresscap long N: SYN, SYN-ACK, ACK; N data segments of 1460 bytes from
# the client; a server ACK after every second one (and the last); FIN,ACK
# from the client, ACK and FIN,ACK from the server, the client's last ACK.
# Client: 1 + 1 + N + 1 + 1 = N + 4 segments, N * 1460 payload bytes (past
# 2^32: the sequence numbers wrap). Server: 1 + ceil(N/2) + 2.
single() {	# name N [K]: stresscap name N [K] - | synfin; base: N = 1
	name=$1 n=$2 k=${3:-}
	# shellcheck disable=SC2086
	"$STRESSCAP" "$name" 1 $k - | timeout 60 "$STRESSCAP" rss "$SYNFIN" \
	    -q -F json -r - >/dev/null 2>"$t/rss-$name-0"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$STRESSCAP" "$name" "$n" $k - | timeout 120 "$STRESSCAP" rss "$SYNFIN" \
	    -q -F json -r - >"$t/$name.out" 2>"$t/rss-$name"
	rc=$?
	b=$(maxrss "$t/rss-$name-0") p=$(maxrss "$t/rss-$name")
	check "$name: exit $rc" [ "$rc" -eq 0 ]
	if [ -n "$b" ] && [ -n "$p" ]; then
		echo "$name: $n segments: peak RSS $p kB, base $b kB," \
		    "+$((p - b)) kB (limit +$CONST_SLACK_KB), $(( $(date +%s) - start )) s"
		mem_check "$name: peak RSS $p kB > base $b + $CONST_SLACK_KB kB" \
		    [ "$p" -le "$((b + CONST_SLACK_KB))" ]
	else
		bad "$name: no RSS measured"
	fi
}
single long "$LONG_SEGS"
n=$LONG_SEGS
r=$(rec "$t/long.out" 1)
check "long: client $((n + 4)), server $(( (n + 1) / 2 + 3 )) packets" \
	[ "$(val "$r" '"packets":{\("client":[0-9]*,"server":[0-9]*\)}')" = "\"client\":$((n + 4)),\"server\":$(( (n + 1) / 2 + 3 ))" ]
check "long: $((n * 1460)) payload bytes" \
	[ "$(val "$r" '"payload_bytes":{"client":\([0-9]*\),')" = "$((n * 1460))" ]
check "long: complete, graceful, client closed" \
	[ "$(val "$r" '"handshake":{"outcome":"\([a-z_]*\)"')/$(val "$r" '"teardown":{"outcome":"\([a-z_]*\)","initiator":"client"')" = complete/graceful ]
# The last packet is the client's final ACK: it is in TIME_WAIT (2MSL has
# not passed on the capture clock), the server CLOSED.
check "long: states" [ "$(val "$r" '"states":{\([^}]*\)}')" = '"client":"TIME_WAIT","server":"CLOSED"' ]
check "long: no anomaly, no retransmission" \
	[ "$(val "$r" '"retransmissions":{\([^}]*\)}.*"anomalies":\[\]')" = '"client":0,"server":0' ]
tot=$((n + 4 + (n + 1) / 2 + 3))
check "long: summary" grep -q "^{\"type\":\"summary\",\"packets\":$tot,\"tcp_packets\":$tot,\"connections\":1," "$t/long.out"

# stresscap holes N 3: after the handshake, N segments of 100 bytes, each
# starting past a gap (every third gap 2^31-1 bytes), each acked by the
# server; then the graceful close. Client N + 4 segments, N * 100 bytes;
# server 1 + N + 2.
single holes "$HOLE_SEGS" 3
n=$HOLE_SEGS
r=$(rec "$t/holes.out" 1)
check "holes: client $((n + 4)), server $((n + 3)) packets" \
	[ "$(val "$r" '"packets":{\("client":[0-9]*,"server":[0-9]*\)}')" = "\"client\":$((n + 4)),\"server\":$((n + 3))" ]
check "holes: $((n * 100)) payload bytes" \
	[ "$(val "$r" '"payload_bytes":{"client":\([0-9]*\),')" = "$((n * 100))" ]
check "holes: graceful" [ "$(val "$r" '"teardown":{"outcome":"\([a-z_]*\)"')" = graceful ]
# 100 small holes (no huge jump): each segment starts beyond the sender's
# next sequence number, so SPEC's capture_gap is raised 100 times. The
# record keeps 64 (synfin(1) BUGS: the rest are left out of the record and
# the counts; the text report says how many): 64 counted, 36 more.
"$STRESSCAP" holes 100 0 - >"$t/gaps.pcap"
timeout 20 "$SYNFIN" -q -F json -r "$t/gaps.pcap" >"$t/gaps.out"
check "gaps: 100 holes run" grep -q '"type":"summary","packets":207,' "$t/gaps.out"
check "gaps: 64 capture_gap kept" grep -q '"anomalies":{"capture_gap":64}' "$t/gaps.out"
timeout 20 "$SYNFIN" -q -r "$t/gaps.pcap" >"$t/gaps.txt"
check "gaps: 36 more said" grep -q '(36 more anomalies not listed)' "$t/gaps.txt"

# ---- timestamps far forward and back ----------------------------------------------
# A graceful close at T = 1700000000: the client's final ACK at T+0.050
# puts it in TIME_WAIT until T+0.050 + 2MSL (60 s; --msl 10: 20 s). Then
# the lines of each case. A case's records are read back by id.
closing='link en10mb
time 1700000000
server 10.0.0.2:80
client 10.0.0.1:40000
0.000 > S 1000 0
0.010 < SA 5000 1001
0.020 > A 1001 5001
0.030 > FA 1001 5001
0.040 < FA 5001 1002
0.050 > A 1002 5002
'
tcase() {	# name scenario-tail [synfin options]
	name=$1
	printf '%s%s' "$closing" "$2" >"$t/$name.scn"
	shift 2
	"$MKPCAP" "$t/$name.scn" "$t/$name.pcap" || { bad "$name: mkpcap"; return; }
	timeout 20 "$SYNFIN" -q -F json "$@" -r "$t/$name.pcap" >"$t/$name.out" 2>"$t/$name.err"
	rc=$?
	check "$name: exit $rc (124: hang)" [ "$rc" -eq 0 ]
}
client_state() { val "$(rec "$t/$1.out" "$2")" '"states":{"client":"\([A-Z_0-9]*\)"'; }
field() { val "$(rec "$t/$1.out" "$2")" "$3"; }
nonneg() { case $1 in -*|'') return 1;; esac; }
null_or_nonneg() { [ "$1" = null ] || nonneg "$1"; }

# Another connection's SYN 59.9 s after the final ACK: 2MSL not over.
tcase tw59 'client 10.0.0.1:40001
59.950 > S 7000 0
'
check "T+59.9 s: client still TIME_WAIT" [ "$(client_state tw59 1)" = TIME_WAIT ]
# 60.1 s after: TIME_WAIT expired, the record shows the client CLOSED.
tcase tw61 'client 10.0.0.1:40001
60.150 > S 7000 0
'
check "T+60.1 s: TIME_WAIT over" [ "$(client_state tw61 1)" = CLOSED ]
# --msl 10: 2MSL = 20 s.
tcase msl19 'client 10.0.0.1:40001
19.950 > S 7000 0
' --msl 10
check "--msl 10, T+19.9 s: TIME_WAIT" [ "$(client_state msl19 1)" = TIME_WAIT ]
tcase msl21 'client 10.0.0.1:40001
20.150 > S 7000 0
' --msl 10
check "--msl 10, T+20.1 s: CLOSED" [ "$(client_state msl21 1)" = CLOSED ]
# Far forward: a SYN in 2100 (4102444800, after 2038: classic pcap seconds
# are unsigned 32-bit) ends TIME_WAIT; that record is stamped 2100.
tcase y2100 'client 10.0.0.1:40001
time 4102444800
0.0 > S 7000 0
'
check "2100: TIME_WAIT over" [ "$(client_state y2100 1)" = CLOSED ]
check "2100: stamped 4102444800" [ "$(field y2100 2 '"ts":\([0-9.]*\),')" = 4102444800.000000 ]
# The classic format's maximum, 2^32-1 s + 999999 us (2106-02-07), in us
# and ns files.
tcase tmax 'client 10.0.0.1:40001
time 4294967295
0.999999 > S 7000 0
'
check "pcap maximum: CLOSED" [ "$(client_state tmax 1)" = CLOSED ]
check "pcap maximum: stamped 4294967295.999999" [ "$(field tmax 2 '"ts":\([0-9.]*\),')" = 4294967295.999999 ]
closing_us=$closing
closing="tsprec nano
$closing_us"
tcase tmaxns 'client 10.0.0.1:40001
time 4294967295
0.999999999 > S 7000 0
'
closing=$closing_us
check "pcap ns maximum: stamped 4294967295.999999" [ "$(field tmaxns 2 '"ts":\([0-9.]*\),')" = 4294967295.999999 ]
# pcapng times are 64-bit: 2^64-1 us is clamped to the last second before
# 2^33 s (2242; capture.c keeps every deadline far from INT64_MAX), with
# its microseconds: 18446744073709551615 us = 18446744073709 s + 551615 us.
"$STRESSCAP" ngtime "$t/ng.pcapng"
timeout 20 "$SYNFIN" -q -F json -r "$t/ng.pcapng" >"$t/ng.out"
rc=$?
check "pcapng 2^64-1 us: exit $rc" [ "$rc" -eq 0 ]
check "pcapng 2^64-1 us: TIME_WAIT over" [ "$(client_state ng 1)" = CLOSED ]
check "pcapng 2^64-1 us: stamped 8589934591.551615" [ "$(field ng 2 '"ts":\([0-9.]*\),')" = 8589934591.551615 ]
check "pcapng 0: stamped 0" [ "$(field ng 3 '"ts":\([0-9.]*\),')" = 0.000000 ]
# Back to 1970 (time 0), then the end: the past packet neither ends nor
# rewinds anything: the client is still in TIME_WAIT; the 1970 record is
# stamped 0 and lasts 0.
tcase y1970 'client 10.0.0.1:40001
time 0
0.0 > S 7000 0
'
check "1970: TIME_WAIT kept" [ "$(client_state y1970 1)" = TIME_WAIT ]
check "1970: stamped 0, duration 0" [ "$(field y1970 2 '"ts":\([0-9.]*,"duration":[-0-9.]*\),')" = '0.000000,"duration":0.000000' ]
# 1970, then T+30 (TIME_WAIT still on), then T+61 (over). The 1970 SYN
# came at capture clock T+0.05: its idle timeout (300 s) runs from the
# capture clock (the last sweep's, at most a second behind: T+0.05 - 1 or
# later), not from its 1970 stamp. So conn 1 goes out at T+61 (TIME_WAIT over), conns 2-4 at
# the end, in id order: 1 2 3 4.
tcase back1970 'client 10.0.0.1:40001
time 0
0.0 > S 7000 0
time 1700000000
client 10.0.0.1:40002
30.0 > S 8000 0
client 10.0.0.1:40003
61.0 > S 9000 0
'
check "1970, T+30, T+61: TIME_WAIT over" [ "$(client_state back1970 1)" = CLOSED ]
ids() { sed -n 's/^{"type":"conn","id":\([0-9]*\),.*/\1/p' "$1" | tr '\n' ' '; }
check "1970, T+30, T+61: idle timer on the capture clock" \
	[ "$(ids "$t/back1970.out")" = "1 2 3 4 " ]
# A far-forward jump idles out every open connection (300 s of silence on
# the capture clock): the next packet of an established connection in
# 2100 starts a new record, midstream.
tcase idle2100 'client 10.0.0.1:40009
0.100 > S 3000 0
0.110 < SA 4000 3001
0.120 > A 3001 4001
time 4102444800
0.0 > A 3001 4001
'
check "idle over 2100: 3 records" grep -q '"connections":3,' "$t/idle2100.out"
check "idle over 2100: the new one is midstream" \
	[ "$(field idle2100 3 '"handshake":{"outcome":"\([a-z]*\)"')" = midstream ]
# The peer's FIN retransmitted, and acked, with a 1970 stamp: RFC 9293
# 3.10.7.4 restarts 2MSL when TIME_WAIT acks a retransmitted FIN, but on a
# clock that never runs back that is now (T+0.05), so at the end (T+1) the
# client is still in TIME_WAIT; and no duration is negative.
tcase finback 'time 0
0.0 < FA 5001 1002
0.0 > A 1002 5002
time 1700000000
client 10.0.0.1:40001
1.0 > S 7000 0
'
check "a 1970 stamp does not end TIME_WAIT" \
	[ "$(client_state finback 1)" = TIME_WAIT ]
check "no negative duration" \
	nonneg "$(field finback 1 '"duration":\([-0-9.]*\),')"
# A handshake whose third segment is stamped 1970: no negative RTT either.
tcase rttback 'client 10.0.0.1:40001
1.000 > S 7000 0
1.010 < SA 9000 7001
time 0
0.0 > A 7001 9001
'
r=$(field rttback 2 '"synack_ack":\([-0-9.nul]*\)}')
check "no negative RTT ($r)" \
	null_or_nonneg "$r"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
