#!/bin/sh
# pcapng files libpcap stops in, read on by src/pcapng.c: interfaces of
# several link types (a capture on eth0 and tun0, or on eth0 and "any"),
# sections of the other byte order (files joined with cat), time
# resolutions and offsets, obsolete packet blocks; the drop counts of
# interface statistics blocks; -f on such files; errors after the
# switch. The pcapng files are written by tests/pcapng_write.py from pcap
# files written by libpcap (tests/mkpcap), and by Wireshark's mergecap when
# it is installed.
set -u
: "${SYNFIN:=./synfin}" "${MKPCAP:=tests/mkpcap}" "${srcdir:=.}" "${PYTHON3:=python3}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"
W="$PYTHON3 $srcdir/tests/pcapng_write.py"

# A: the example's textbook connection on Ethernet (example.scn: complete,
# graceful, client TIME_WAIT, server CLOSED, 11 packets).
"$MKPCAP" "$srcdir/tests/scenarios/example.scn" "$t/a.pcap" || exit 99
# B: Linux cooked (SLL) frames, at times a power-of-two resolution holds
# exactly: a SYN refused by RST,ACK at J+1 (refused), and a connection the
# client half-closes (FIN at u = J+1 acked u+1; the server never closes:
# half_closed, client FIN_WAIT_2, server CLOSE_WAIT). 7 packets.
cat >"$t/b.scn" <<'EOF'
link sll
time 1700000000.000000
client 10.0.1.1:50000
server 10.0.1.2:80
0.000000  >   S     7000  0     win=64240 mss=1460
0.250000  <   RA    0     7001  win=0
client 10.0.1.1:50001
server 10.0.1.2:22
0.500000  >   S     9000  0     win=64240 mss=1460
0.750000  <   SA    3000  9001  win=65160 mss=1460
1.000000  >   A     9001  3001  win=502
1.250000  >   FA    9001  3001  win=502
1.500000  <   A     3001  9002  win=509
EOF
"$MKPCAP" "$t/b.scn" "$t/b.pcap" || exit 99
# C: raw IP (no link header), one unanswered SYN to port 443, 2 packets.
cat >"$t/c.scn" <<'EOF'
link raw
time 1700000002.000000
client 10.0.2.1:60000
server 10.0.2.2:443
0.000000  >   S     100   0     win=64240 mss=1460
1.000000  >   S     100   0     win=64240 mss=1460
EOF
"$MKPCAP" "$t/c.scn" "$t/c.pcap" || exit 99

# same WHAT GOT WANT: the conn records of GOT equal those of the files in
# WANT read one by one (ids aside: they number the records across the
# run), and its summary counts the packets of all of them.
same() {
	what=$1 got=$2; shift 2
	: >"$t/want.jsonl"
	for f in "$@"; do "$SYNFIN" -F json -r "$f" >>"$t/want.jsonl"; done
	"$SYNFIN" -F json -r "$got" >"$t/got.jsonl" 2>"$t/got.err"
	rc=$?
	if [ $rc -ne 0 ]; then bad "$what: exit $rc"; cat "$t/got.err"; return; fi
	if "$PYTHON3" - "$t/got.jsonl" "$t/want.jsonl" <<'EOF'
import json, sys
def load(p):
    conns, pk = [], 0
    for line in open(p):
        o = json.loads(line)
        if o["type"] == "conn":
            del o["id"]	# numbered across the run, as frames are
            for a in o["anomalies"]:
                del a["frame"]
            conns.append(json.dumps(o, sort_keys=True))
        else:
            pk += o["packets"]
    return sorted(conns), pk
g, w = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if g == w else 1)
EOF
	then ok; else bad "$what: records differ from the files read alone"; fi
}
# field WHAT FILE PYEXPR: PYEXPR over the summary s and the records c
# (a list, in output order) of `synfin -F json -r FILE` is true.
field() {
	what=$1 f=$2 expr=$3; shift 3
	"$SYNFIN" -F json "$@" -r "$f" >"$t/f.jsonl" 2>"$t/f.err"
	if "$PYTHON3" -c "
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
c = [r for r in rs if r['type'] == 'conn']
s = rs[-1]
sys.exit(0 if ($expr) else 1)" "$t/f.jsonl"; then ok; else bad "$what"; cat "$t/f.jsonl" "$t/f.err"; fi
}

# 1. Two link types in one section: libpcap stops at the second
# interface description; every frame is read, with its own link type.
$W "$t/ab.pcapng" "$t/a.pcap" "$t/b.pcap"
same "Ethernet + SLL" "$t/ab.pcapng" "$t/a.pcap" "$t/b.pcap"
field "Ethernet + SLL: 18 packets, the outcomes by hand" "$t/ab.pcapng" \
    "s['packets'] == 18 and s['tcp_packets'] == 18 and
     s['handshake'] == {'complete': 2, 'refused': 1} and
     s['teardown'] == {'graceful': 1, 'half_closed': 1, 'none': 1} and
     s['decode_errors'] == {} and s['dropped'] == 0 and
     [x['states'] for x in c] == [
       {'client': 'TIME_WAIT', 'server': 'CLOSED'},
       {'client': 'CLOSED', 'server': 'CLOSED'},
       {'client': 'FIN_WAIT_2', 'server': 'CLOSE_WAIT'}]"
# Three interfaces, the second's stamps in ns from an offset of
# 1,700,000,000 s, the third's in 2^-20 s: the same times.
$W "$t/abc.pcapng" "$t/a.pcap" "$t/b.pcap:tsresol=9:tsoffset=1700000000" \
    "$t/c.pcap:tsresol=0x94"
same "three link types, three time resolutions" "$t/abc.pcapng" \
    "$t/a.pcap" "$t/b.pcap" "$t/c.pcap"
field "raw IP's SYN sent twice, unanswered, times exact" "$t/abc.pcapng" \
    "c[-1]['handshake']['outcome'] == 'unanswered' and
     c[-1]['handshake']['syn_count'] == 2 and
     c[-1]['ts'] == 1700000002.0 and c[-1]['duration'] == 1.0"
# Two Ethernet interfaces of different snapshot lengths (libpcap stops at
# the second too): B's frames on Ethernet, snaplen 1500.
sed 's/^link sll/link en10mb/' "$t/b.scn" >"$t/d.scn"
"$MKPCAP" "$t/d.scn" "$t/d.pcap" || exit 99
$W "$t/ad.pcapng" "$t/a.pcap" "$t/d.pcap:snaplen=1500"
same "two snapshot lengths" "$t/ad.pcapng" "$t/a.pcap" "$t/d.pcap"
# The obsolete packet block (type 2) for the first interface.
$W "$t/pb.pcapng" "$t/a.pcap:pb" "$t/b.pcap"
same "obsolete packet blocks" "$t/pb.pcapng" "$t/a.pcap" "$t/b.pcap"

# 2. A section each, the second big-endian (cat of two captures made on
# machines of either byte order): libpcap stops at the second section.
$W "$t/sec.pcapng" --sections --big-endian 1 "$t/a.pcap" "$t/b.pcap"
same "two sections, two byte orders" "$t/sec.pcapng" "$t/a.pcap" "$t/b.pcap"
# One link type, sections of either byte order.
$W "$t/sec2.pcapng" --sections --big-endian 0 "$t/b.pcap" "$t/b.pcap"
field "the same connections twice in two sections" "$t/sec2.pcapng" \
    "s['packets'] == 14"

# 3. Drops: isb_ifdrop + isb_osdrop of each interface's last statistics
# block: 7 + (3 + 2; its earlier block's 1 superseded) = 12. Read here,
# and at the end of a file libpcap reads whole (one link type): 5.
$W "$t/drop.pcapng" "$t/a.pcap:ifdrop=7" \
    "$t/b.pcap:osdrop=3:ifdrop=2:ifdrop2=1"
field "drops from statistics blocks" "$t/drop.pcapng" "s['dropped'] == 12"
$W "$t/drop1.pcapng" "$t/a.pcap:ifdrop2=2:ifdrop=5"
field "drops at the end of a file libpcap reads" "$t/drop1.pcapng" \
    "s['dropped'] == 5 and s['packets'] == 11"
"$SYNFIN" -r "$t/drop1.pcapng" >"$t/text" 2>&1
if grep -q '11 packets.* 5 dropped by the capture' "$t/text"; then ok; else bad "text summary drops"; cat "$t/text"; fi
# Two files: their drops add up.
field "drops of two files" "$t/drop.pcapng" "s['dropped'] == 17" \
    -r "$t/drop1.pcapng"

# Sections in the same byte order (cat of two dumpcap files), read by
# libpcap whole (one link type and snaplen): each section's statistics,
# 5 + 7 = 12, the file read again for them (libpcap skips them).
$W "$t/cat.pcapng" --sections "$t/a.pcap:ifdrop=5" "$t/d.pcap:ifdrop2=1:ifdrop=7"
field "drops of two sections libpcap reads" "$t/cat.pcapng" \
    "s['dropped'] == 12 and s['packets'] == 18"
# Stopped early (-c 3): the statistics at the end of the file still count.
field "drops with -c, after the switch" "$t/drop.pcapng" \
    "s['dropped'] == 12 and s['packets'] == 3" -c 3
field "drops with -c, libpcap reading" "$t/cat.pcapng" \
    "s['dropped'] == 7 and s['packets'] == 3" -c 3

# 4. -f compiled for each link type: port 80 keeps A's connection and B's
# refused one, not B's port 22 nor C's 443.
field "filter on every link type" "$t/abc.pcapng" \
    "s['packets'] == 13 and [x['server']['port'] for x in c] == [80, 80]" \
    -f 'tcp port 80'
# A filter on Ethernet addresses, which SLL and raw IP frames lack: their
# frames are skipped, with a warning a link type.
field "filter that a link type cannot take" "$t/abc.pcapng" \
    "s['packets'] == 11 and len(c) == 1" -f 'ether host 00:00:00:00:00:01 or ether host 00:00:00:00:00:02 or not ether host 01:02:03:04:05:06'
if grep -q "does not apply to link type 12 (DLT_RAW) of interface 2" "$t/f.err"; then ok; else bad "filter warning"; cat "$t/f.err"; fi

# 5. A cut after the switch: the records before it, then the error with
# its offset; exit 2 as any cut file.
size=$(wc -c <"$t/ab.pcapng")
head -c $((size - 30)) "$t/ab.pcapng" >"$t/cut.pcapng"
"$SYNFIN" -F json -r "$t/cut.pcapng" >"$t/cut.jsonl" 2>"$t/cut.err"; rc=$?
[ $rc -eq 2 ] && ok || bad "cut pcapng: exit $rc, want 2"
# In libpcap's words, as where libpcap reads. The last block is B's last
# ACK, an SLL frame of 16 + 20 + 20 = 56 bytes in an EPB of 12 + 20 + 56 =
# 88 bytes: 80 after its 8-byte header, of which the cut left 50.
if grep -q "cut.pcapng: truncated pcapng dump file; tried to read 80 bytes, only got 50 at byte offset [0-9]* (after record 17)" "$t/cut.err"; then ok; else bad "cut pcapng error"; cat "$t/cut.err"; fi
if grep -q '"packets":17' "$t/cut.jsonl"; then ok; else bad "cut pcapng: records before the cut"; cat "$t/cut.jsonl"; fi

# A cut in the first packet after the switch (a copy of a running capture
# on two interfaces): its error, in libpcap's words. SHB 28 bytes, two IDBs
# of 20 (no options): the first EPB at 68, A's SYN (66 bytes, padded to
# 68) in 32 + 68 = 100 bytes, 92 after its header; the cut at 88 leaves 12.
$W "$t/ac.pcapng" "$t/a.pcap" "$t/c.pcap"
head -c 88 "$t/ac.pcapng" >"$t/ac-cut.pcapng"
"$SYNFIN" -q -r "$t/ac-cut.pcapng" -o /dev/null 2>"$t/cut.err"; rc=$?
[ $rc -eq 2 ] && ok || bad "cut after the switch: exit $rc, want 2"
grep -q "ac-cut.pcapng: truncated pcapng dump file; tried to read 92 bytes, only got 12 at byte offset 68 (after record 0)" "$t/cut.err" && ok || { bad "cut after the switch: the error"; cat "$t/cut.err"; }
# An interface description libpcap refuses for another reason (two
# if_tsresol options, its second interface's): libpcap's error, not read
# on. Written here: SHB, IDB 0 at 28, IDB 1 at 48 with if_tsresol 9 and 6.
"$PYTHON3" - "$t/two-tsresol.pcapng" <<'EOF'
import struct, sys
def blk(t, b):
    b += b'\0' * (-len(b) % 4)
    return struct.pack('<II', t, 12 + len(b)) + b + struct.pack('<I', 12 + len(b))
opt = (struct.pack('<HH', 9, 1) + b'\x09\0\0\0' + struct.pack('<HH', 9, 1) +
       b'\x06\0\0\0' + struct.pack('<HH', 0, 0))
open(sys.argv[1], 'wb').write(
    blk(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)) +
    blk(1, struct.pack('<HHI', 1, 0, 65535)) +
    blk(1, struct.pack('<HHI', 1, 0, 65535) + opt))
EOF
"$SYNFIN" -q -r "$t/two-tsresol.pcapng" -o /dev/null 2>"$t/ts.err"; rc=$?
[ $rc -eq 2 ] && grep -q "Interface Description Block has more than one if_tsresol option at byte offset 48 (after record 0)" "$t/ts.err" && ok || { bad "two if_tsresol: exit $rc"; cat "$t/ts.err"; }
# A large negative if_tsoffset: added before the clamp to 1970..2242, as
# libpcap adds it (raw IP's stamps written 2^40 s late, offset -2^40).
$W "$t/off.pcapng" "$t/a.pcap" "$t/c.pcap:tsresol=0:tsoffset=-1099511627776"
field "a large negative if_tsoffset" "$t/off.pcapng" \
    "c[-1]['ts'] == 1700000002.0"

# 6. An interface of a link type synfin does not decode (FDDI, 10): its
# frames are decode errors, the others analyzed.
$W "$t/fddi.pcapng" "$t/a.pcap" "$t/c.pcap:linktype=10"
field "an unsupported link type among others" "$t/fddi.pcapng" \
    "s['packets'] == 13 and s['tcp_packets'] == 11 and len(c) == 1 and
     sum(s['decode_errors'].values()) == 2"

# 7. With -j 2: the same records in the same order as -j 1.
"$SYNFIN" -F json -j 1 -r "$t/abc.pcapng" >"$t/j1" 2>&1
"$SYNFIN" -F json -j 2 -r "$t/abc.pcapng" >"$t/j2" 2>&1
cmp -s "$t/j1" "$t/j2" && ok || bad "-j 2 differs from -j 1"

# 7b. Frame numbers of two interfaces written three frames at a time in
# turn and put back in time order: a BPF filter that leaves one
# connection out leaves the other's frame numbers as without it (the
# frames it leaves out are counted where reordercap puts them). Each
# connection's SYN-ACK sent again is frame 9 (port 80, at 0.040 s) and 10
# (port 81, at 0.045 s) in time order.
printf '%s\n' "client 10.0.0.1:40000" "server 10.0.0.2:80" "0.000 > S 1000 0" \
    "0.010 < SA 5000 1001" "0.020 > A 1001 5001" "0.030 > PA 1001 5001 len=100" \
    "0.040 < SA 5000 1001" "0.050 > FA 1101 5001" "0.060 < A 5001 1102" \
    "0.070 < FA 5001 1102" "0.080 > A 1102 5002" >"$t/ng0.scn"
sed -e 's/40000/40001/; s/:80$/:81/' -e 's/^0\.0\([0-9]\)0 /0.0\15 /' \
    "$t/ng0.scn" >"$t/ng1.scn"
"$MKPCAP" "$t/ng0.scn" "$t/ng0.pcap" && "$MKPCAP" "$t/ng1.scn" "$t/ng1.pcap" ||
    exit 99
$W "$t/ng2if.pcapng" --chunks 3 "$t/ng0.pcap" "$t/ng1.pcap"
for f in "" "port 80" "port 81"; do
	"$SYNFIN" -F json -r "$t/ng2if.pcapng" $f >"$t/nf.jsonl" 2>&1
	got=$(grep -o '"synack_retransmitted","severity":"info","frame":[0-9]*' \
	    "$t/nf.jsonl" | sed 's/.*://' | tr '\n' ' ')
	case "$f" in
	"") want="9 10 " ;; "port 80") want="9 " ;; *) want="10 " ;;
	esac
	[ "$got" = "$want" ] && ok ||
	    bad "two interfaces, filter '$f': frames '$got', want '$want'"
done

# 8. Wireshark's own pcapng writer, when installed.
if command -v mergecap >/dev/null 2>&1; then
	mergecap -F pcapng -w "$t/merged.pcapng" "$t/a.pcap" "$t/b.pcap" "$t/c.pcap"
	same "mergecap's pcapng" "$t/merged.pcapng" "$t/a.pcap" "$t/b.pcap" "$t/c.pcap"
else
	echo "note: mergecap not installed, its case skipped"
fi

echo "pcapng: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
