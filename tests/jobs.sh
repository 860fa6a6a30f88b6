#!/bin/sh
# -j N gives the output of -j 1, byte for byte, on every capture and option
# that changes what is released when: the bundled lab captures (whose -j 1
# output the golden tests check by hand), and generated captures that make
# the threads work: thousands of connections with 4-tuple reuse and IPv6,
# sweeps of TIME_WAIT and idle records over a minute of capture time, and
# 20,000 and 73,000 records released at once at the end of the input (more
# than a thread formats itself, so the writing thread releases and formats
# them, the second in two rounds), and 73,000 released by one sweep in the
# middle of it.
set -u
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${GEN:=bench/gen}"
case $SYNFIN in /*) ;; *) SYNFIN=$(pwd)/$SYNFIN ;; esac
case $GEN in /*) ;; *) GEN=$(pwd)/$GEN ;; esac
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0

# same NAME ARGS...: -j 1 and -j 2, 3, 4 give the same standard output,
# standard error and exit status.
same() {
	name=$1
	shift
	"$SYNFIN" -j 1 "$@" >"$t/one" 2>"$t/one.err"
	st1=$?
	for j in 2 3 4; do
		"$SYNFIN" -j $j "$@" >"$t/many" 2>"$t/many.err"
		stn=$?
		if [ $st1 != $stn ] || ! cmp -s "$t/one" "$t/many" ||
		    ! cmp -s "$t/one.err" "$t/many.err"; then
			echo "FAIL: $name -j $j differs from -j 1 (exit $st1/$stn)"
			diff "$t/one" "$t/many" | head -5
			diff "$t/one.err" "$t/many.err" | head -5
			fail=$((fail + 1))
			return
		fi
	done
	# Not vacuous: there is a report.
	if [ ! -s "$t/one" ]; then
		echo "FAIL: $name: empty output"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

all=""
for f in "$srcdir"/pcaps/*.pcap; do
	all="$all -r $f"
	same "$(basename "$f") json" -q -F json -r "$f"
done
# shellcheck disable=SC2086
{
	same "all json" -q -F json $all
	same "all text ladder" -q --ladder $all
	same "all csv" -q -F csv $all
	same "all -A --conn" -q -F json -A --conn 2,5,9,40 $all
	same "all -c 500" -q -F json -c 500 $all
	same "all --msl 0 --idle-timeout 0.001" -q -F json --msl 0 \
	    --idle-timeout 0.001 $all
}

# The public captures of the Zeek and Suricata test suites, when the
# project's shared directory is beside the tree (a user's clone has none).
if [ -d "$srcdir/../shared/corpus" ]; then
	for f in $(find "$srcdir/../shared/corpus" -name '*.pcap' -o \
	    -name '*.pcapng' -o -name '*.trace' | sort); do
		same "$(basename "$f")" -q -F json --idle-timeout 5 -r "$f"
	done
fi

if [ -x "$GEN" ]; then
	"$GEN" --packets 300000 --seed 7 --snaplen 96 -o "$t/a.pcap" 2>/dev/null
	"$GEN" --connections 20000 --concurrency 50 --mix short --seed 5 \
	    --snaplen 96 -o "$t/c.pcap" 2>/dev/null
	"$GEN" --packets 320000 --concurrency 40000 --seed 3 --ipv6 30 \
	    --snaplen 96 -o "$t/b.pcap" 2>/dev/null
	same "mix json" -q -F json -r "$t/a.pcap"
	same "mix csv -A" -q -F csv -A -r "$t/a.pcap"
	same "short, a minute, --msl 5" -q -F json --msl 5 -r "$t/c.pcap"
	same "short --idle-timeout 1 text" -q --idle-timeout 1 -r "$t/c.pcap"
	same "20k at the end" -q -F json -r "$t/b.pcap"
	# 75,000 short connections in 14 s: about 73,000 records left at
	# the end, in TIME_WAIT, more than one round of 65,536 (the writing
	# thread releases them round by round across the threads' tables).
	"$GEN" --connections 75000 --mix short --seed 11 --snaplen 96 \
	    -o "$t/d.pcap" 2>/dev/null
	same "73k at the end, two rounds" -q -F json -r "$t/d.pcap"
	# The same followed, five minutes later, by another capture: the
	# first sweep of the second file releases the 73,000 records of the
	# first from TIME_WAIT, packed, mid-capture. Too many for a thread
	# to format, the writing thread unpacks and formats them while the
	# threads go on with the second file (flow_open_packed()), and each
	# thread gives the blocks back to its pool at its next step.
	"$GEN" --connections 2000 --mix short --seed 12 --snaplen 96 \
	    --start 300 -o "$t/e.pcap" 2>/dev/null
	same "73k released by one sweep mid-capture" -q -F json \
	    -r "$t/d.pcap" -r "$t/e.pcap"
	# Packed records (flow_pack(), the default: every settled TIME_WAIT
	# at the next sweep; flow_expire(): every open record idle 10 s, or
	# with SYNFIN_PACK_IDLE=0 at every sweep that finds it idle at all)
	# give the report of records never packed (SYNFIN_PACK_MIN=2^64-1),
	# -j 1 and -j N (whose threads hand the end of input's packed records
	# to the writer as they are).
	for f in a c; do
		for idle in 10 0; do
			SYNFIN_PACK_IDLE=$idle \
			    SYNFIN_PACK_MIN=18446744073709551615 "$SYNFIN" -j 1 \
			    -q -F json -r "$t/$f.pcap" >"$t/whole"
			for j in 1 3; do
				SYNFIN_PACK_IDLE=$idle SYNFIN_PACK_MIN=0 \
				    "$SYNFIN" -j $j -q -F json \
				    -r "$t/$f.pcap" >"$t/packed"
				if cmp -s "$t/whole" "$t/packed"; then
					pass=$((pass + 1))
				else
					echo "FAIL: $f.pcap packed (idle" \
					    "$idle s), -j $j: another report"
					fail=$((fail + 1))
				fi
			done
		done
	done
	# --max-flows with -j N: each thread bounds its own records (the
	# man page, THREADS), so the report may differ from -j 1's, but not
	# from one run to the next: the split of connections among threads
	# is the same at every run (flow_pkt_spread()). With the process's
	# random hash seed it was not, and four runs gave four reports.
	for j in 2 3; do
		"$SYNFIN" -j $j -q -F json --max-flows 20 -r "$t/c.pcap" \
		    >"$t/mf1"
		ok=1
		for run in 2 3 4; do
			"$SYNFIN" -j $j -q -F json --max-flows 20 \
			    -r "$t/c.pcap" >"$t/mf$run"
			cmp -s "$t/mf1" "$t/mf$run" || ok=0
		done
		# not vacuous: the bound evicts (the summary counts them)
		if [ $ok = 1 ] && "$SYNFIN" -j $j -F json --max-flows 20 \
		    -r "$t/c.pcap" | tail -n 1 | grep -q '"evicted":[1-9]'; then
			pass=$((pass + 1))
		else
			echo "FAIL: -j $j --max-flows 20: another report at" \
			    "another run, or nothing evicted"
			fail=$((fail + 1))
		fi
	done
	same "three files" -q -F json -r "$t/a.pcap" -r "$t/b.pcap" \
	    -r "$t/c.pcap"
	# A file cut mid-record: the report of what came before, the error
	# with its byte offset, exit 2, from every -j alike.
	head -c 7000001 "$t/a.pcap" >"$t/cut.pcap"
	same "cut file" -q -F json -r "$t/cut.pcap"
	grep -q 'byte offset' "$t/one.err" || {
		echo "FAIL: cut file: no byte offset in: $(cat "$t/one.err")"
		fail=$((fail + 1))
	}
	# One thread reads a regular file four frames ahead of the frame it
	# analyzes (pipeline_capture()); a pipe, and -c, read a frame at a time.
	# The three give the same bytes and exit status; the -c run (whose
	# count is past the end) the same standard error too, the byte
	# offset of the cut included.
	for f in a d cut; do
		"$SYNFIN" -j 1 -q -F json -r "$t/$f.pcap" >"$t/ahead" \
		    2>"$t/ahead.err"
		sta=$?
		"$SYNFIN" -j 1 -q -F json -c 999999999 -r "$t/$f.pcap" \
		    >"$t/plain" 2>"$t/plain.err"
		stp=$?
		"$SYNFIN" -j 1 -q -F json -r - <"$t/$f.pcap" >"$t/pipe" \
		    2>/dev/null
		sti=$?
		if [ -s "$t/ahead" ] && [ $sta = $stp ] && [ $sta = $sti ] &&
		    cmp -s "$t/ahead" "$t/plain" &&
		    cmp -s "$t/ahead.err" "$t/plain.err" &&
		    cmp -s "$t/ahead" "$t/pipe"; then
			pass=$((pass + 1))
		else
			echo "FAIL: $f.pcap: read ahead, -c and a pipe differ" \
			    "(exit $sta/$stp/$sti)"
			fail=$((fail + 1))
		fi
	done
	# The connection count is the generator's (ground truth, not synfin's
	# own output): every connection reported once by the threads.
	want=$("$GEN" --packets 320000 --concurrency 40000 --seed 3 --ipv6 30 \
	    --snaplen 96 -o /dev/null 2>&1 | sed -n 's/^connections=//p')
	got=$("$SYNFIN" -j 4 -q -F json -r "$t/b.pcap" | grep -c '"type":"conn"')
	if [ "$want" = "$got" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL: -j 4 reported $got connections, the generator made $want"
		fail=$((fail + 1))
	fi
else
	echo "note: $GEN not built, generated captures skipped"
fi

# A SYN the server's TIME_WAIT refuses leaves the old record in the table
# for the TIME_WAIT's answer (frames 11, 12), passed by in lookups to its
# end. Here the new record is itself refused by RST (frames 13, 14), a
# third SYN (J = 300, frame 15) opens record 3, and 1,100 other SYNs grow
# the table (which reorders its chains; at 1,024 records a thread, so
# differently with -j 1 and -j 2) before record 3's SYN-ACK and ACK. By
# hand: record 1 (the old connection) ends graceful, its server CLOSED by
# the RST, 6 client (S A PA A FA R) and 5 server (SA A FA A A) packets;
# record 3 complete, 2 client and 1 server packets.
if [ -n "${MKPCAP:-}" ] && [ -x "$MKPCAP" ]; then
	{
		echo "client 10.0.0.1:40000"; echo "server 10.0.0.2:80"
		echo "0.000 > S 1000 0"; echo "+0.010 < SA 5000 1001"
		echo "+0.010 > A 1001 5001"; echo "+0.010 > PA 1001 5001 len=100"
		echo "+0.010 < A 5001 1101"; echo "+0.010 < FA 5001 1101"
		echo "+0.010 > A 1101 5002"; echo "+0.010 > FA 1101 5002"
		echo "+0.010 < A 5002 1102"; echo "+0.200 > S 900 0"
		echo "+0.0001 < A 5002 1102"; echo "+0.0001 > R 1102 0"
		echo "+1.000 > S 500 0"; echo "+0.001 < RA 0 501"
		echo "+0.100 > S 300 0"
		i=0
		while [ $i -lt 1100 ]; do
			echo "client 10.9.$((i / 250)).$((i % 250 + 1)):20000"
			echo "+0.0001 > S $((i * 10)) 0"
			i=$((i + 1))
		done
		echo "client 10.0.0.1:40000"
		echo "+0.010 < SA 12000 301"; echo "+0.010 > A 301 12001"
	} >"$t/twgrow.scn"
	"$MKPCAP" "$t/twgrow.scn" "$t/twgrow.pcap"
	same "TIME_WAIT's old record past a table growth" -F json -r "$t/twgrow.pcap"
	"$SYNFIN" -F json -j 1 -r "$t/twgrow.pcap" >"$t/tw.json"
	if grep '"port":40000' "$t/tw.json" | grep -q '"client_isn":1000,.*"states":{"client":"CLOSED","server":"CLOSED"},"packets":{"client":6,"server":5}' &&
	    grep '"port":40000' "$t/tw.json" | grep -q '"outcome":"complete".*"client_isn":300,.*"packets":{"client":2,"server":1}'; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL: TIME_WAIT's old record past a table growth"
		grep '"port":40000' "$t/tw.json"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
