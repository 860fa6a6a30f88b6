#!/bin/sh
# The binary end to end: inputs, errors and exit codes as SPEC.md says.
set -u
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${MKPCAP:=tests/mkpcap}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"
cc="$srcdir/pcaps/client-close.pcap"

# A clean file: exit 0, one connection, endpoints as in the capture
# (client 10.77.0.1:40001 sent the SYN; see pcaps/lab/README).
expect 0 "read a file" -- "$SYNFIN" -F json -r "$cc"
grep -q '"client":{"addr":"10.77.0.1","port":40001}' "$t/out" && ok || bad "client endpoint"
grep -q '"server":{"addr":"10.77.0.2","port":7001}' "$t/out" && ok || bad "server endpoint"
# 11 packets: 6 from the client, 5 from the server (S . P . F . ; S. . P . F.)
grep -q '"packets":{"client":6,"server":5}' "$t/out" && ok || bad "packet counts"
grep -q '"type":"summary","packets":11,"tcp_packets":11,"connections":1' "$t/out" && ok || bad "summary"

# Standard input.
expect 0 "read stdin" -- sh -c "\"$SYNFIN\" -F json -r - <\"$cc\""
grep -q '"connections":1' "$t/out" && ok || bad "stdin summary"

# Two files read as one capture: frame numbers continue across them
# (unanswered.pcap has 3 frames, so the refused RST is frame 3+2 = 5).
expect 0 "two files" -- "$SYNFIN" -F json -r "$srcdir/pcaps/unanswered.pcap" -r "$srcdir/pcaps/refused.pcap"
grep -q '"packets":5,' "$t/out" && ok || bad "two files: 5 packets"
grep -q '"connections":2' "$t/out" && ok || bad "two files: 2 connections"
# refused.pcap's first frame (2026-11-24 10:50:51.021335) is 3.965076 s
# before unanswered.pcap's last (10:50:54.986411): read in the order
# given, with a warning; in time order, none.
grep -q "warning: .*refused.pcap begins 3.965076 s before the files before it end" "$t/err" && ok || bad "two files out of order: no warning"
expect 0 "two files in time order" -- "$SYNFIN" -F json -r "$srcdir/pcaps/refused.pcap" -r "$srcdir/pcaps/unanswered.pcap"
[ ! -s "$t/err" ] && ok || bad "two files in order: a warning"

# -c COUNT stops after COUNT packets.
expect 0 "-c 3" -- "$SYNFIN" -F json -c 3 -r "$cc"
grep -q '"type":"summary","packets":3,' "$t/out" && ok || bad "-c 3 packets"

# A short option's value in the same word, as tcpdump takes it (-c3,
# -Fjson, -rFILE): the same run as with the value in the next word. A
# value is taken as it is, even one that starts with a dash (-o -x writes
# the file "-x").
expect 0 "-c3 -Fjson -rFILE" -- "$SYNFIN" -c3 -Fjson -j1 -r"$cc"
grep -q '"type":"summary","packets":3,' "$t/out" && ok || bad "-c3: 3 packets"
grep -q '"client":{"addr":"10.77.0.1","port":40001}' "$t/out" && ok || bad "-rFILE -Fjson read as json"
sf=$(cd "$(dirname "$SYNFIN")" && pwd)/$(basename "$SYNFIN")
acc=$(cd "$(dirname "$cc")" && pwd)/$(basename "$cc")
(cd "$t" && "$sf" -F csv -o -x -r "$acc" && head -1 ./-x | grep -q '^id,ts,') && ok || bad "-o -x writes the file -x"
expect 2 "-j with no value" -- "$SYNFIN" -r "$cc" -j
grep -q "Missing argument for -j" "$t/err" && ok || bad "-j: missing argument message"

# BPF filter from trailing words, and -f.
expect 0 "trailing filter" -- "$SYNFIN" -F json -r "$cc" tcp port 9
grep -q '"connections":0' "$t/out" && ok || bad "filter excludes all"
expect 0 "-f filter" -- "$SYNFIN" -F json -f "tcp port 7001" -r "$cc"
grep -q '"connections":1' "$t/out" && ok || bad "-f keeps the connection"
expect 2 "bad filter" -- "$SYNFIN" -r "$cc" "tcp and and"
grep -q "bad filter" "$t/err" && ok || bad "bad filter message"
# A filter one file's link type cannot take: that file named, with it.
expect 2 "filter for Ethernet, a cooked file" -- "$SYNFIN" -r "$cc" -r "$srcdir/pcaps/router-any.pcap" ether host 02:00:00:00:00:01
grep -q "router-any.pcap: bad filter 'ether host 02:00:00:00:00:01' for its link type 276 (DLT_LINUX_SLL2)" "$t/err" && ok || bad "filter: the file not named"

# Frame numbers are the input files' (SPEC: 1-based across all input
# files, as tshark numbers them), whatever the filter leaves out: a UDP
# datagram (frame 1), a SYN (2), a SYN-ACK acking J+2 (3: synack_bad_ack),
# then in a second file a UDP datagram (frame 5 after the first file's
# last, a UDP one, 4) and a SYN-ACK from the other server acking J+2 (6).
printf '%s\n' "0.000 > . 0 0 proto=udp" "+0.010 > S 1000 0" \
    "+0.010 < SA 5000 1002" "+0.010 > . 0 0 proto=udp" >"$t/fr1.scn"
printf '%s\n' "client 10.0.0.1:40001" "0.100 > . 0 0 proto=udp" \
    "+0.010 > S 1000 0" "+0.010 < SA 5000 1002" >"$t/fr2.scn"
"$MKPCAP" "$t/fr1.scn" "$t/fr1.pcap" && "$MKPCAP" "$t/fr2.scn" "$t/fr2.pcap" ||
    bad "mkpcap frames"
for f in "" "tcp" "port 40000 or port 40001"; do
	expect 0 "frame numbers, filter '$f'" -- "$SYNFIN" -F json \
	    -r "$t/fr1.pcap" -r "$t/fr2.pcap" $f
	[ "$(grep -o '"name":"synack_bad_ack","severity":"error","frame":[0-9]*' "$t/out" |
	    sed 's/.*://' | tr '\n' ' ')" = "3 7 " ] && ok ||
	    bad "frame numbers with filter '$f': $(grep -o '"frame":[0-9]*' "$t/out" | tr '\n' ' ')"
done

# -o FILE.
expect 0 "-o" -- "$SYNFIN" -F csv -o "$t/r.csv" -r "$cc"
head -1 "$t/r.csv" | grep -q '^id,ts,duration,client_addr' && ok || bad "-o csv header"

# Errors: missing file, not a capture, a directory, usage.
expect 2 "missing file" -- "$SYNFIN" -r "$t/nope.pcap"
grep -q "nope.pcap" "$t/err" && ok || bad "missing file named"
printf 'this is not a capture\n' >"$t/text.pcap"
expect 2 "not a capture" -- "$SYNFIN" -r "$t/text.pcap"
grep -q "not a readable pcap" "$t/err" && ok || bad "not-a-capture message"
# Another tool's format (a Solaris snoop header, RFC 1761: "snoop\0\0\0",
# version 2, datalink 4), from a file and from a pipe: the error names it
# and how to convert it; Network Monitor 2 ("GMBU") and Sniffer DOS (17
# bytes of magic) likewise.
printf 'snoop\000\000\000\000\000\000\002\000\000\000\004' >"$t/x.snoop"
expect 2 "snoop" -- "$SYNFIN" -r "$t/x.snoop"
grep -q "it is a Solaris snoop capture: convert it with Wireshark's editcap -F pcapng" "$t/err" && ok || bad "snoop hint"
expect 2 "snoop from a pipe" -- sh -c "cat \"$t/x.snoop\" | \"$SYNFIN\" -q -r -"
grep -q "standard input: .* it is a Solaris snoop capture" "$t/err" && ok || bad "snoop hint from a pipe"
printf 'GMBU\000\002xxxxxxxxxxxxxxxxxxxxxx' >"$t/x.cap"
expect 2 "netmon" -- "$SYNFIN" -r "$t/x.cap"
grep -q "Microsoft Network Monitor 2 capture" "$t/err" && ok || bad "netmon hint"
printf 'TRSNIFF data    \032xxxxxxxxxxxxx' >"$t/x.enc"
expect 2 "sniffer" -- sh -c "cat \"$t/x.enc\" | \"$SYNFIN\" -q -r -"
grep -q "a Sniffer (DOS) capture" "$t/err" && ok || bad "sniffer hint from a pipe"
# A gzip-compressed capture: the error says how to read it.
gzip -c "$cc" >"$t/cc.pcap.gz"
expect 2 "gzip" -- "$SYNFIN" -r "$t/cc.pcap.gz"
grep -q "gzip-compressed: zcat it to synfin -r -" "$t/err" && ok || bad "gzip hint"
# The same from a pipe, which cannot be read again: the first bytes are
# kept as libpcap reads them. And the other compressors, when installed.
expect 2 "gzip from a pipe" -- sh -c "cat \"$t/cc.pcap.gz\" | \"$SYNFIN\" -r -"
grep -q "standard input: not a readable pcap or pcapng capture (unknown file format) at byte offset 0; it is gzip-compressed: zcat it" "$t/err" && ok || bad "gzip hint from a pipe"
for z in "bzip2 bzcat" "xz xzcat" "zstd zstdcat"; do
	set -- $z
	command -v "$1" >/dev/null 2>&1 || continue
	"$1" -c "$cc" >"$t/cc.z" 2>/dev/null
	expect 2 "$1" -- "$SYNFIN" -r "$t/cc.z"
	grep -q "$1-compressed: $2 it to synfin -r -" "$t/err" && ok || bad "$1 hint"
done
expect 2 "directory" -- "$SYNFIN" -r "$t"
expect 2 "no input" -- "$SYNFIN"
expect 2 "bad format" -- "$SYNFIN" -F xml -r "$cc"
expect 2 "bad number" -- "$SYNFIN" --msl abc -r "$cc"

# A pipe or FIFO is read once, as standard input is: not checked ahead
# (which would use up its data), so -r <(zcat x.pcap.gz) works.
mkfifo "$t/fifo"
(cat "$cc" >"$t/fifo" &)
expect 0 "-r FIFO" -- timeout 20 "$SYNFIN" -F json -r "$t/fifo"
grep -q '"type":"summary","packets":11,' "$t/out" && ok || bad "FIFO: 11 packets"
expect 0 "-r /dev/stdin from a pipe" -- sh -c "cat \"$cc\" | \"$SYNFIN\" -F json -r /dev/stdin"
grep -q '"connections":1' "$t/out" && ok || bad "/dev/stdin pipe: 1 connection"
# Standard input twice is a usage error, before anything is read.
expect 2 "-r - twice" -- "$SYNFIN" -r - -r -
grep -q "standard input can be read once" "$t/err" && ok || bad "-r - twice message"
[ ! -s "$t/out" ] && ok || bad "-r - twice wrote a report"
# -o naming an input file: refused, the capture left whole.
cp "$cc" "$t/victim.pcap"
expect 2 "-o is an input" -- "$SYNFIN" -r "$t/victim.pcap" -o "$t/victim.pcap"
grep -q "the output (-o) is one of the input files" "$t/err" && ok || bad "-o input message"
cmp -s "$cc" "$t/victim.pcap" && ok || bad "-o input: the capture was overwritten"
# ... and so is the file standard input is redirected from.
expect 2 "-o is standard input's file" -- sh -c "\"$SYNFIN\" -r - -o \"$t/victim.pcap\" <\"$t/victim.pcap\""
grep -q "the output (-o) is one of the input files (standard input)" "$t/err" && ok || bad "-o stdin message"
cmp -s "$cc" "$t/victim.pcap" && ok || bad "-o stdin: the capture was overwritten"

# SIGINT (Ctrl-C) while a file is read stops the reading and reports, as
# at the end of the input: every connection open then and the summary,
# status 0 (as with -i). Here the reader waits on a pipe whose writer
# keeps it open: the signal must interrupt that read. client-close.pcap's
# connection ends in TIME_WAIT, which only the end of the input reports.
# A second signal exits at once.
rm -f "$t/fifo"; mkfifo "$t/fifo"
( { cat "$cc"; sleep 20; } >"$t/fifo" & echo $! >"$t/writer" )
"$SYNFIN" -F json -r "$t/fifo" >"$t/out" 2>"$t/err" & spid=$!
sleep 1; kill -INT "$spid"
i=0; while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -0 "$spid" 2>/dev/null && bad "SIGINT: still reading 10 s later"
kill "$(cat "$t/writer")" 2>/dev/null
wait "$spid"; rc=$?
[ "$rc" -eq 0 ] && ok || bad "SIGINT during a read: status $rc, want 0"
grep -q '"type":"conn".*"states":{"client":"TIME_WAIT","server":"CLOSED"}' "$t/out" && ok || bad "SIGINT: the open connection not reported"
grep -q '"type":"summary","packets":11,' "$t/out" && ok || bad "SIGINT: no summary"
grep -q "interrupted: the report covers .*fifo up to byte 1038" "$t/err" && ok || bad "SIGINT: the message"

# A SYN stamped at the epoch (a capture time-zeroed, a pcapng of Simple
# Packet Blocks) is seen all the same: syn_ts 0, and the round trip to
# the SYN-ACK 10 ms later.
printf '%s\n' "time 0" "0.000 > S 1000 0" "+0.010 < SA 5000 1001" "+0.010 > A 1001 5001" >"$t/t0.scn"
"$MKPCAP" "$t/t0.scn" "$t/t0.pcap" || bad "mkpcap t0"
expect 0 "a SYN at the epoch" -- "$SYNFIN" -F json -r "$t/t0.pcap"
grep -q '"syn_ts":0.000000,"synack_ts":0.010000,' "$t/out" && ok || bad "epoch: syn_ts"
grep -q '"rtt":{"syn_synack":0.010000,' "$t/out" && ok || bad "epoch: syn_synack"
# A reader that closes the pipe (| head -1) ends the run at once, without
# a message; the status says not everything was written.
i=0; set --
while [ $i -lt 200 ]; do set -- "$@" -r "$srcdir/pcaps/backlog.pcap"; i=$((i + 1)); done
st=$( { "$SYNFIN" -F json -j 1 "$@" 2>"$t/err"; echo $? >"$t/st"; } | head -c 1 >/dev/null; cat "$t/st")
[ "$st" = 2 ] && ok || bad "closed pipe: status $st, want 2"
# (The same file again begins before the last ends: one warning says
# so, the first time, and nothing else is said.)
grep -v "warning: .*backlog.pcap begins .* before the files before it end" "$t/err" >"$t/err2"
[ ! -s "$t/err2" ] && ok || bad "closed pipe: a message: $(cat "$t/err2")"
[ "$(grep -c 'before the files before it end' "$t/err")" -le 1 ] && ok || bad "closed pipe: the out-of-order warning repeated"
set --
# Counts are whole numbers; an unknown option points to --help; an empty
# --conn selects nothing instead of everything.
expect 2 "-c 1.5" -- "$SYNFIN" -c 1.5 -r "$cc"
grep -q "'1.5' is not a whole number from 1 to" "$t/err" && ok || bad "-c 1.5 message"
expect 2 "-B 0" -- "$SYNFIN" -B 0 -r "$cc"
grep -q "from 1 to 4194304" "$t/err" && ok || bad "-B range printed whole"
expect 2 "--msl hex" -- "$SYNFIN" --msl 0x10 -r "$cc"
expect 2 "unknown option" -- "$SYNFIN" --bogus -r "$cc"
grep -q "Unknown option --bogus (see --help)" "$t/err" && ok || bad "unknown option hint"
expect 2 "--conn empty" -- "$SYNFIN" --conn= -r "$cc"

# --fanout GROUP shares a live capture (-i) between processes: with -r, or
# outside 0..65535, it is a usage error that says what to fix.
expect 2 "--fanout with -r" -- "$SYNFIN" --fanout 7 -r "$cc"
grep -q -- "--fanout.*needs -i" "$t/err" && ok || bad "--fanout -r message"
expect 2 "--fanout too large" -- "$SYNFIN" --fanout 65536 -i lo
grep -q "from 0 to 65535" "$t/err" && ok || bad "--fanout range message"
expect 2 "--fanout not a number" -- "$SYNFIN" --fanout=x -i lo
expect 2 "--fanout negative" -- "$SYNFIN" --fanout -1 -i lo

# A file cut mid-record: the report of everything before the cut, then
# the error with the file name and byte offset, exit 2. The classic pcap
# header is 24 bytes and each record 16 + caplen; cut inside record 3.
size=$(wc -c <"$cc")
head -c $((size - 10)) "$cc" >"$t/cut.pcap"
expect 2 "truncated file" -- "$SYNFIN" -F json -r "$t/cut.pcap"
grep -q '"type":"summary","packets":10' "$t/out" && ok || bad "report before the cut"
grep -q "cut.pcap" "$t/err" && grep -q "byte offset" "$t/err" && ok || bad "cut error names file and offset"

# An unsupported link type is an error naming it (DLT 147 = USER0).
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\223\000\000\000' >"$t/user0.pcap"
expect 2 "unsupported DLT" -- "$SYNFIN" -r "$t/user0.pcap"
grep -q "link-layer type 147" "$t/err" && ok || bad "DLT named"

# --check: exit 1 when an anomaly was found (unanswered has retransmitted
# SYNs, info anomalies), 0 when none (client-close is clean).
expect 1 "--check with anomalies" -- "$SYNFIN" --check -r "$srcdir/pcaps/unanswered.pcap"
expect 0 "--check clean" -- "$SYNFIN" --check -r "$cc"
# -A reports only connections with anomalies.
expect 0 "-A" -- "$SYNFIN" -A -F json -r "$cc"
grep -q '"type":"conn"' "$t/out" && bad "-A printed a clean connection" || ok

# --conn selects connections by id (backlog.pcap has 4; ids 2 and 4).
expect 0 "--conn" -- "$SYNFIN" -F csv --conn 2,4 -r "$srcdir/pcaps/backlog.pcap"
[ "$(cut -d, -f1 "$t/out" | tr -d '\r' | tr '\n' ' ')" = "id 2 4 " ] && ok || bad "--conn 2,4 rows"
expect 2 "--conn bad id" -- "$SYNFIN" --conn x -r "$cc"

# A long transfer folds into one ladder row with a readable count: a
# handshake, 1,500 data segments of 10 bytes (inside the server window of
# 65535) from the client (the first
# three drawn, 1,497 folded), no close.
{
	echo "0.000 > S 1000 0"; echo "+0.001 < SA 5000 1001"; echo "+0.001 > A 1001 5001"
	i=0; seq=1001
	while [ $i -lt 1500 ]; do echo "+0.001 > A $seq 5001 len=10"; seq=$((seq + 10)); i=$((i + 1)); done
} >"$t/long.scn"
"$MKPCAP" "$t/long.scn" "$t/long.pcap" || bad "mkpcap long"
expect 0 "ladder fold" -- "$SYNFIN" --ladder -r "$t/long.pcap"
grep -q '\.\.\. 1,497 data segments \.\.\.' "$t/out" && ok || bad "fold row with 1,497"

# The server's ACK of u = 1101 a handshake round trip after the client's
# FIN, then its FIN acking u+1 another round trip later, too late to
# show the first ack only crossed the FIN: fin_ack_bad_ack, judged at the
# FIN but found at the ACK (frame 6), whose row the ladder marks.
printf '%s\n' "0.000 > S 1000 0" "+0.010 < SA 5000 1001" "+0.010 > A 1001 5001" \
    "+0.010 > PA 1001 5001 len=100" "+0.010 > FA 1101 5001" \
    "+0.010 < A 5001 1101" "+0.010 < FA 5001 1102" "+0.010 > A 1102 5002" \
    >"$t/held.scn"
"$MKPCAP" "$t/held.scn" "$t/held.pcap" || bad "mkpcap held"
expect 1 "ladder mark of a held ack" -- "$SYNFIN" --ladder --check -r "$t/held.pcap"
grep -A1 '^ *6   0\.050000 ' "$t/out" | grep -q '\^ error fin_ack_bad_ack' &&
    [ "$(grep -c '\^ error fin_ack_bad_ack' "$t/out")" = 1 ] && ok ||
    bad "ladder: fin_ack_bad_ack not marked at frame 6 alone"

# A simultaneous close: the server's FIN acks only u (1001), so it had not
# had the client's FIN when it sent it (SPEC's endpoint states): the
# ladder's row of the client's FIN shows the server ESTABLISHED, not the
# CLOSE_WAIT it drew before the server's FIN told.
printf '%s\n' "0.000 > S 1000 0" "+0.010 < SA 5000 1001" "+0.010 > A 1001 5001" \
    "+0.010 > FA 1001 5001" "+0.001 < FA 5001 1001" "+0.001 > A 1002 5002" \
    "+0.001 < A 5002 1002" >"$t/cross.scn"
"$MKPCAP" "$t/cross.scn" "$t/cross.pcap" || bad "mkpcap cross"
expect 0 "ladder of crossed FINs" -- "$SYNFIN" --ladder -r "$t/cross.pcap"
grep -q '^ *4   0\.030000  FIN_WAIT_1 .* ESTABLISHED$' "$t/out" &&
    ! grep -q CLOSE_WAIT "$t/out" && ok || bad "ladder: crossed FIN's peer CLOSE_WAIT"

# An AccECN handshake (RFC 9768): the SYN carries AE, CWR and ECE, the
# SYN-ACK CWR alone; the ladder names AE, which a classic ECN-setup SYN
# (ECE and CWR, RFC 3168) lacks, and nothing is wrong with either.
printf '%s\n' "0.000 > SECN 1000 0" "+0.010 < SAC 5000 1001" "+0.010 > A 1001 5001" \
    >"$t/accecn.scn"
"$MKPCAP" "$t/accecn.scn" "$t/accecn.pcap" || bad "mkpcap accecn"
expect 0 "ladder of an AccECN SYN" -- "$SYNFIN" --ladder -r "$t/accecn.pcap"
grep -q ' SYN,ECE,CWR,AE seq=J -' "$t/out" &&
    grep -q ' SYN,ACK,CWR seq=K ack=J+1 ' "$t/out" &&
    grep -q '(0 with anomalies)' "$t/out" && ok || bad "ladder: AE flag"
cp "$t/out" "$t/accecn.j1"
expect 0 "ladder of an AccECN SYN, -j 2" -- "$SYNFIN" --ladder -j 2 -r "$t/accecn.pcap"
cmp -s "$t/out" "$t/accecn.j1" && ok || bad "ladder: AE flag lost with -j 2"

# RFC 9293 3.5 figure 9: the server answers an old duplicate SYN (ack
# 991), the client resets it (seq 991), and the server's next SYN-ACK,
# a new incarnation (K = 5100), acks J+1 at 30 ms. The handshake's SYN-ACK
# is that one: its time, its round trip from the SYN (0.03 s), and the
# text's verdict on its ack "ok"; synack_bad_ack stays at frame 2.
printf '%s\n' "0.000 > S 1000 0" "+0.010 < SA 5000 991" "+0.010 > R 991 0" \
    "+0.010 < SA 5100 1001" "+0.010 > A 1001 5101" >"$t/fig9.scn"
"$MKPCAP" "$t/fig9.scn" "$t/fig9.pcap" || bad "mkpcap fig9"
expect 0 "figure 9 json" -- "$SYNFIN" -F json -r "$t/fig9.pcap"
grep -q '"server_isn":5100,' "$t/out" && grep -q '"syn_synack":0.030000,' "$t/out" &&
    grep -q '"name":"synack_bad_ack","severity":"error","frame":2,' "$t/out" &&
    ok || bad "figure 9: the new incarnation's SYN-ACK"
expect 0 "figure 9 text" -- "$SYNFIN" -r "$t/fig9.pcap"
grep -q 'SYN-ACK  seq=K (5100) ack=J+1 ok  +30.000 ms' "$t/out" && ok ||
    bad "figure 9: text SYN-ACK row"

# pcapng input (written by tcpdump's own converter if available, else skip).
if command -v tcpdump >/dev/null 2>&1 && tcpdump --help 2>&1 | grep -q -- '--time-stamp-precision'; then
	:
fi
# A device file is no pipe: checked before the report is written, so a
# bad one among the inputs leaves -o's file as it was (man page, -r).
echo keep >"$t/keep.txt"
expect 2 "-r /dev/null among the inputs" -- "$SYNFIN" -r "$cc" -r /dev/null -o "$t/keep.txt"
[ "$(cat "$t/keep.txt")" = keep ] && ok || bad "-r /dev/null: the -o file was written"
grep -q '/dev/null: not a readable pcap' "$t/err" && ok || bad "-r /dev/null: the error"

expect 0 "--version" -- "$SYNFIN" -V
grep -q "^synfin " "$t/out" && ok || bad "version"
expect 0 "--list-anomalies" -- "$SYNFIN" --list-anomalies
grep -q "^fin_ack_bad_ack " "$t/out" && ok || bad "anomaly list"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
