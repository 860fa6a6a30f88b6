#!/bin/sh
# Copies of one segment from several interfaces of a host (-i any on a
# router or a bridge; Linux cooked v1/v2): left out (interface_copy), as
# pipeline.c decides: the same IPv4 datagram (its identification too)
# within 100 ms, or, with no identification (IPv6, an id of 0), the same
# segment from another interface index or packet type within 2 ms. The
# report must be the report of the capture without the copies; a segment
# sent again (a retransmission: a new id, or the same interface and way)
# stays; --keep-copies analyses every copy. Captures from tests/mkpcap
# (pcap_dump); the expected records are those of the same conversation
# without copies: a textbook client close with timestamps (J = 1000,
# K = 5000, 100 bytes, FIN at u = 1101 acked u+1, FIN at W = 5001 acked
# W+1), no anomaly, checked by hand once.
set -u
: "${SYNFIN:=./synfin}" "${MKPCAP:=tests/mkpcap}" "${srcdir:=.}"
: "${PYTHON3:=python3}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"

# conv LINK COPY [EXTRA]: the conversation on LINK. COPY empty: each
# segment once (from the router's ingress: ifindex 2 for the client's
# side, 3 for the server's; packet type HOST, 0); else each followed
# 20 us later by its egress copy (the other interface, OUTGOING, 4).
# EXTRA: more segment lines at the end.
conv() {
	printf 'link %s\n' "$1"
	if [ "${V6:-}" ]; then
		printf 'client [2001:db8::1]:40000\nserver [2001:db8::2]:80\n'
	else
		printf 'client 10.0.0.1:40000\nserver 10.0.0.2:80\n'
	fi
	printf 'time 1700000000\n'
	# a copy keeps its datagram's identification (ipid=)
	awk -v copy="$2" '{
		tm = $1; dir = $2; $1 = ""; $2 = ""; rest = substr($0, 3)
		inn = dir == ">" ? 2 : 3; out = dir == ">" ? 3 : 2
		if (copy != "" && NR > 1) tm = "+0.009980"
		id = " ipid=" (100 + NR)
		print tm, dir, rest id, "ifindex=" inn, "pkttype=0"
		if (copy != "")
			print "+0.000020", dir, rest id, "ifindex=" out, "pkttype=4"
	}' <<'EOS'
0.000000 > S 1000 0 mss=1460 ts=100,0
+0.010000 < SA 5000 1001 mss=1460 ts=900,100
+0.010000 > A 1001 5001 ts=101,900
+0.010000 > PA 1001 5001 len=100 ts=102,900
+0.010000 < A 5001 1101 ts=901,102
+0.010000 > FA 1101 5001 ts=103,901
+0.010000 < FA 5001 1102 ts=902,103
+0.010000 > A 1102 5002 ts=104,902
EOS
	[ -n "${3:-}" ] && printf '%s\n' "$3"
	return 0
}
# conns FILE: the conn records of a report; summary FIELD FILE.
conns() { grep '"type":"conn"' "$1"; }
copies() { sed -n 's/.*"interface_copy":\([0-9]*\).*/\1/p' "$1"; }
run() {	# NAME LINK COPY [EXTRA [ARGS]]
	conv "$2" "$3" "${4:-}" >"$t/$1.scn"
	"$MKPCAP" "$t/$1.scn" "$t/$1.pcap" || exit 99
	"$SYNFIN" -F json -r "$t/$1.pcap" ${5:-} >"$t/$1.json" 2>&1
}

# segs NAME: the segment lines on standard input, after a cooked v2
# header for the same 4-tuple, as NAME.pcap, and its report, NAME.json.
segs() {
	{ printf 'link sll2\nclient 10.0.0.1:40000\nserver 10.0.0.2:80\n'
	  printf 'time 1700000000\n'; cat; } >"$t/$1.scn"
	"$MKPCAP" "$t/$1.scn" "$t/$1.pcap" || exit 99
	"$SYNFIN" -F json -r "$t/$1.pcap" >"$t/$1.json" 2>&1
}

for link in sll2 sll; do
	run base.$link $link ""
	run copy.$link $link 1
	grep -q '"anomalies":\[\]' "$t/base.$link.json" &&
	    grep -q '"payload_bytes":{"client":100,"server":0}' "$t/base.$link.json" &&
	    ok || bad "$link: the conversation without copies is not clean"
	if [ "$(conns "$t/copy.$link.json")" = "$(conns "$t/base.$link.json")" ]
	then ok; else
		bad "$link: copies change the record"
		diff "$t/base.$link.json" "$t/copy.$link.json" | head -6
	fi
	[ "$(copies "$t/copy.$link.json")" = 8 ] && ok ||
	    bad "$link: interface_copy $(copies "$t/copy.$link.json"), want 8"
	grep -q '"packets":16,"tcp_packets":8,' "$t/copy.$link.json" && ok ||
	    bad "$link: 16 frames, 8 segments"
	# -j 2: the same bytes.
	"$SYNFIN" -F json -j 2 -r "$t/copy.$link.pcap" >"$t/j2" 2>&1
	cmp -s "$t/j2" "$t/copy.$link.json" && ok || bad "$link: -j 2 differs"
	# --keep-copies: every copy analysed, each a retransmission.
	"$SYNFIN" -F json --keep-copies -r "$t/copy.$link.pcap" >"$t/k" 2>&1
	grep -q '"syn_retransmitted"' "$t/k" && [ -z "$(copies "$t/k")" ] &&
	    ok || bad "$link: --keep-copies"
done

# IPv6 (no identification): the copies from the other interface within
# 2 ms are left out all the same.
V6=1 run base.v6 sll2 ""
V6=1 run copy.v6 sll2 1
[ "$(conns "$t/copy.v6.json")" = "$(conns "$t/base.v6.json")" ] &&
    [ "$(copies "$t/copy.v6.json")" = 8 ] && ok || bad "IPv6 copies"
# The server's FIN sent again the same way 200 us later, with a new
# identification (its ACK lost beyond the capture point, a
# retransmission): kept.
run again sll2 "" "+0.000200 < FA 5001 1102 ts=902,103 ipid=200 ifindex=3 pkttype=0"
grep -q '"fin_retransmitted"' "$t/again.json" && [ -z "$(copies "$t/again.json")" ] &&
    ok || bad "a retransmission was left out"
# ...from the other interface: a new id, still a retransmission.
run again2 sll2 "" "+0.000200 < FA 5001 1102 ts=902,103 ipid=200 ifindex=2 pkttype=4"
grep -q '"fin_retransmitted"' "$t/again2.json" && ok ||
    bad "a retransmission from the other interface was left out"
# The same datagram (id 107) 30 ms later from the other interface: held in
# a queue on the way out, a copy.
run queue sll2 "" "+0.030000 < FA 5001 1102 ts=902,103 ipid=107 ifindex=2 pkttype=4"
[ "$(copies "$t/queue.json")" = 1 ] && ! grep -q retransmitted "$t/queue.json" &&
    ok || bad "a copy 30 ms late was analysed"
# With no identification to go by (IPv6; an IPv4 id of 0, as Linux gives
# a SYN-ACK or an RST): from the other interface within 100 ms with
# timestamps (a segment sent again has a new TSval: the same FIN 13 ms
# later, 3 ms after the last ACK, behind a router's queue, is a copy; 160
# ms later it is kept), within 2 ms without (3 ms later, it is kept, as a
# retransmission).
V6=1 run late sll2 "" "+0.003000 < FA 5001 1102 ts=902,103 ifindex=2 pkttype=4"
[ "$(copies "$t/late.json")" = 1 ] && ! grep -q retransmitted "$t/late.json" &&
    ok || bad "an IPv6 copy with timestamps 3 ms later was analysed"
V6=1 run later sll2 "" "+0.150000 < FA 5001 1102 ts=902,103 ifindex=2 pkttype=4"
grep -q '"fin_retransmitted"' "$t/later.json" && ok ||
    bad "an IPv6 segment with timestamps 150 ms later was left out"
# No timestamps, an IPv4 id of 0: the server's SYN-ACK and FIN, out of
# the router 20 us later (copies), and the FIN again 3 ms later from the
# other interface (kept: fin_retransmitted). 1 + 1 copies.
segs nots <<'EOS'
0.000000 > S 1000 0 mss=1460 ipid=1 ifindex=2 pkttype=0
+0.010000 < SA 5000 1001 mss=1460 ipid=0 ifindex=3 pkttype=0
+0.000020 < SA 5000 1001 mss=1460 ipid=0 ifindex=2 pkttype=4
+0.010000 > A 1001 5001 ipid=2 ifindex=2 pkttype=0
+0.010000 < FA 5001 1001 ipid=0 ifindex=3 pkttype=0
+0.000020 < FA 5001 1001 ipid=0 ifindex=2 pkttype=4
+0.003000 < FA 5001 1001 ipid=0 ifindex=2 pkttype=4
EOS
[ "$(copies "$t/nots.json")" = 2 ] && grep -q '"fin_retransmitted"' "$t/nots.json" &&
    ok || { bad "an id-0 copy without timestamps 3 ms later was left out"; cat "$t/nots.json"; }
# A router that merges segments on the way in (GRO) and cuts them on the
# way out (GSO): 2,896 bytes in as one segment (id 3), out 5 ms later as
# two of 1,448 (ids 3 and 4, the same ack and timestamps): pieces, left
# out; the handshake's copies too (the SYN-ACK's id 0: within 2 ms from
# the other interface). 2,896 client bytes, no retransmission, 5 copies.
segs gso <<'EOS'
0.000000 > S 1000 0 mss=1460 ts=100,0 ipid=1 ifindex=2 pkttype=0
+0.000020 > S 1000 0 mss=1460 ts=100,0 ipid=1 ifindex=3 pkttype=4
+0.010000 < SA 5000 1001 mss=1460 ts=900,100 ipid=0 ifindex=3 pkttype=0
+0.000020 < SA 5000 1001 mss=1460 ts=900,100 ipid=0 ifindex=2 pkttype=4
+0.010000 > A 1001 5001 ts=101,900 ipid=2 ifindex=2 pkttype=0
+0.000020 > A 1001 5001 ts=101,900 ipid=2 ifindex=3 pkttype=4
+0.010000 > PA 1001 5001 len=2896 ts=102,900 ipid=3 ifindex=2 pkttype=0
+0.005000 > A 1001 5001 len=1448 ts=102,900 ipid=3 ifindex=3 pkttype=4
+0.000010 > PA 2449 5001 len=1448 ts=102,900 ipid=4 ifindex=3 pkttype=4
+0.010000 < A 5001 3897 ts=901,102 ipid=0 ifindex=3 pkttype=0
EOS
grep -q '"payload_bytes":{"client":2896,' "$t/gso.json" &&
    grep -q '"retransmissions":{"client":0,"server":0}' "$t/gso.json" &&
    [ "$(copies "$t/gso.json")" = 5 ] && ok || { bad "GSO pieces"; cat "$t/gso.json"; }
# The other way round, at a tunnel's end: three pieces of 1,448 bytes
# (ids 3 to 5, the same ack and timestamps) come in on the underlay
# (ifindex 2), and the segment GRO merged them into, 4,344 bytes from
# seq 1001 (id 3), comes out of the tunnel's device (ifindex 3) 50 us
# later: a copy. 4,344 client bytes, no retransmission, 1 copy. The same
# merged segment from the underlay itself is a retransmission of bytes
# it carried already: kept (1 retransmission, no copy).
gro() {	# NAME IFACE: IFACE the merged segment's
	segs "$1" <<EOS
0.000000 > S 1000 0 mss=1460 ts=100,0 ipid=1 ifindex=2 pkttype=0
+0.010000 < SA 5000 1001 mss=1460 ts=900,100 ipid=0 ifindex=2 pkttype=4
+0.010000 > A 1001 5001 ts=101,900 ipid=2 ifindex=2 pkttype=0
+0.010000 > A 1001 5001 len=1448 ts=102,900 ipid=3 ifindex=2 pkttype=0
+0.000010 > A 2449 5001 len=1448 ts=102,900 ipid=4 ifindex=2 pkttype=0
+0.000010 > PA 3897 5001 len=1448 ts=102,900 ipid=5 ifindex=2 pkttype=0
+0.000050 > PA 1001 5001 len=4344 ts=102,900 ipid=3 ifindex=$2 pkttype=0
+0.010000 < A 5001 5345 ts=901,102 ipid=0 ifindex=2 pkttype=4
EOS
}
gro gro 3
grep -q '"payload_bytes":{"client":4344,' "$t/gro.json" &&
    grep -q '"retransmissions":{"client":0,"server":0}' "$t/gro.json" &&
    [ "$(copies "$t/gro.json")" = 1 ] && ok || { bad "GRO merged"; cat "$t/gro.json"; }
gro gro2 2
grep -q '"retransmissions":{"client":1,"server":0}' "$t/gro2.json" &&
    [ -z "$(copies "$t/gro2.json")" ] && ok ||
    { bad "GRO merged, one interface"; cat "$t/gro2.json"; }
# One of those pieces sent again from the other interface with a new
# id, 10 ms later: no longer than a piece, a retransmission going out
# another way, kept (1 retransmission, no copy).
segs gro3 <<'EOS'
0.000000 > S 1000 0 mss=1460 ipid=1 ifindex=2 pkttype=0
+0.010000 < SA 5000 1001 mss=1460 ipid=0 ifindex=2 pkttype=4
+0.010000 > A 1001 5001 ipid=2 ifindex=2 pkttype=0
+0.010000 > A 1001 5001 len=1448 ipid=3 ifindex=2 pkttype=0
+0.000010 > A 2449 5001 len=1448 ipid=4 ifindex=2 pkttype=0
+0.010000 > A 1001 5001 len=1448 ipid=5 ifindex=3 pkttype=4
EOS
grep -q '"retransmissions":{"client":1,"server":0}' "$t/gro3.json" &&
    [ -z "$(copies "$t/gro3.json")" ] && ok ||
    { bad "a piece sent again from another interface"; cat "$t/gro3.json"; }
# Two large segments back to back (2,896 bytes each, the same ack and
# timestamps: held as one span) cut by GSO on the way out into four
# pieces of 1,448 from the other interface: shorter than every segment
# in the span, copies (4 of them), no retransmission.
segs gso2 <<'EOS'
0.000000 > S 1000 0 mss=1460 ts=100,0 ipid=1 ifindex=2 pkttype=0
+0.010000 < SA 5000 1001 mss=1460 ts=900,100 ipid=0 ifindex=2 pkttype=4
+0.010000 > A 1001 5001 ts=101,900 ipid=2 ifindex=2 pkttype=0
+0.010000 > A 1001 5001 len=2896 ts=102,900 ipid=3 ifindex=2 pkttype=0
+0.000010 > PA 3897 5001 len=2896 ts=102,900 ipid=5 ifindex=2 pkttype=0
+0.001000 > A 1001 5001 len=1448 ts=102,900 ipid=3 ifindex=3 pkttype=4
+0.000010 > A 2449 5001 len=1448 ts=102,900 ipid=4 ifindex=3 pkttype=4
+0.000010 > A 3897 5001 len=1448 ts=102,900 ipid=5 ifindex=3 pkttype=4
+0.000010 > PA 5345 5001 len=1448 ts=102,900 ipid=6 ifindex=3 pkttype=4
EOS
grep -q '"retransmissions":{"client":0,"server":0}' "$t/gso2.json" &&
    [ "$(copies "$t/gso2.json")" = 4 ] && ok ||
    { bad "GSO pieces of two joined segments"; cat "$t/gso2.json"; }
# Ethernet has no interface to tell copies by: two identical frames are
# two segments.
run eth en10mb "" "+0.000020 > A 1102 5002 ts=104,902 ipid=108"
[ -z "$(copies "$t/eth.json")" ] && grep -q '"tcp_packets":9' "$t/eth.json" &&
    ok || bad "Ethernet frames taken as copies"

# A pcapng file of two Ethernet interfaces, a router's (dumpcap -i ra -i
# rb; tests/pcapng_write.py joins two pcap files, one an interface):
# each segment in on one and out on the other 20 us later, the same
# datagram. ifaces SIDE: the textbook conversation as interface SIDE
# shows it (ra: the client's segments in, the server's out; rb the other
# way; both: each segment once, when it came in), Ethernet.
ifaces() {
	printf 'client 10.0.0.1:40000\nserver 10.0.0.2:80\ntime 1700000000\n'
	awk -v side="$1" '{
		dir = $1; $1 = ""; rest = substr($0, 2)
		late = side == "ra" ? dir == "<" : side == "rb" ? dir == ">" : 0
		printf "%.6f %s %s ipid=%d\n", 0.01 * (NR - 1) + (late ? 0.00002 : 0), \
		    dir, rest, 100 + NR
	}' <<'EOS'
> S 1000 0 mss=1460 ts=100,0
< SA 5000 1001 mss=1460 ts=900,100
> A 1001 5001 ts=101,900
> PA 1001 5001 len=100 ts=102,900
< A 5001 1101 ts=901,102
> FA 1101 5001 ts=103,901
< FA 5001 1102 ts=902,103
> A 1102 5002 ts=104,902
EOS
}
for s in ra rb once; do
	ifaces $s >"$t/if-$s.scn"
	"$MKPCAP" "$t/if-$s.scn" "$t/if-$s.pcap" || exit 99
done
"$SYNFIN" -F json -r "$t/if-once.pcap" >"$t/if-once.json" 2>&1
grep -q '"anomalies":\[\]' "$t/if-once.json" &&
    grep -q '"payload_bytes":{"client":100,"server":0}' "$t/if-once.json" &&
    ok || bad "pcapng: the conversation once is not clean"
# Merged by time, and as dumpcap writes it, three frames of ra, three of
# rb, and so on, so that rb's copy of the SYN comes after ra's FIN: put
# back in time order, the copies left out, the record the same.
for layout in "" "--chunks 3"; do
	# shellcheck disable=SC2086
	$PYTHON3 "$srcdir/tests/pcapng_write.py" "$t/two.pcapng" $layout \
	    "$t/if-ra.pcap" "$t/if-rb.pcap" || exit 99
	"$SYNFIN" -F json -r "$t/two.pcapng" >"$t/two.json" 2>&1
	if [ "$(conns "$t/two.json")" = "$(conns "$t/if-once.json")" ]; then
		ok
	else
		bad "pcapng of two interfaces ${layout:-by time}: not the record of each segment once"
		diff "$t/if-once.json" "$t/two.json" | head -6
	fi
	[ "$(copies "$t/two.json")" = 8 ] &&
	    grep -q '"packets":16,"tcp_packets":8,' "$t/two.json" && ok ||
	    bad "pcapng ${layout:-by time}: interface_copy $(copies "$t/two.json"), want 8"
	"$SYNFIN" -F json -j 2 -r "$t/two.pcapng" | cmp -s - "$t/two.json" &&
	    ok || bad "pcapng ${layout:-by time}: -j 2 differs"
	# Each interface alone (-f on the TTL is no help here: BPF by
	# interface): --keep-copies analyses them all, in time order.
	"$SYNFIN" -F json --keep-copies -r "$t/two.pcapng" >"$t/k" 2>&1
	grep -q '"syn_retransmitted"' "$t/k" && [ -z "$(copies "$t/k")" ] &&
	    ok || bad "pcapng ${layout:-by time}: --keep-copies"
done
# From a pipe, libpcap reads it (in file order, no interface named):
# synfin says so, whichever byte order; a file of one interface, nothing.
for order in "" "--big-endian 0"; do
	# shellcheck disable=SC2086
	$PYTHON3 "$srcdir/tests/pcapng_write.py" "$t/two.pcapng" $order \
	    "$t/if-ra.pcap" "$t/if-rb.pcap" || exit 99
	cat "$t/two.pcapng" | "$SYNFIN" -F json -r - >/dev/null 2>"$t/err"
	grep -q '^synfin: warning: standard input: a pcapng capture of 2 interfaces, read from a pipe' "$t/err" &&
	    ok || { bad "pcapng of two interfaces from a pipe ${order:-}: no warning"; cat "$t/err"; }
done
# A FIFO -r names (-r <(zcat f.pcapng.gz)) is a pipe too: the same
# warning, naming it, and the same report as from standard input.
mkfifo "$t/fifo" || exit 99
cat "$t/two.pcapng" > "$t/fifo" &
"$SYNFIN" -F json -r "$t/fifo" >"$t/fifo.json" 2>"$t/err"
wait
cat "$t/two.pcapng" | "$SYNFIN" -F json -r - >"$t/pipe.json" 2>/dev/null
grep -q "^synfin: warning: $t/fifo: a pcapng capture of 2 interfaces, read from a pipe" "$t/err" &&
    cmp -s "$t/fifo.json" "$t/pipe.json" && [ -s "$t/pipe.json" ] &&
    ok || { bad "pcapng of two interfaces from a FIFO: no warning, or another report"; cat "$t/err"; }
$PYTHON3 "$srcdir/tests/pcapng_write.py" "$t/one.pcapng" "$t/if-ra.pcap" ||
    exit 99
cat "$t/one.pcapng" | "$SYNFIN" -F json -r - >/dev/null 2>"$t/err"
[ ! -s "$t/err" ] && ok || { bad "pcapng of one interface from a pipe: a warning"; cat "$t/err"; }
# A pcapng file of one interface: no copies looked for (as Ethernet).
$PYTHON3 "$srcdir/tests/pcapng_write.py" "$t/one.pcapng" "$t/if-ra.pcap" ||
    exit 99
"$SYNFIN" -F json -r "$t/one.pcapng" >"$t/one.json" 2>&1
[ -z "$(copies "$t/one.json")" ] && ok || bad "pcapng of one interface: copies"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
