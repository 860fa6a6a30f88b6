#!/bin/sh
# Replay each harness's committed corpus (tests/fuzz/corpus/TARGET/) through
# tests/fuzz/replay_TARGET: the seeds, and every crasher found so far, as
# regression tests. Built by the ordinary compiler; with
# --enable-sanitizers (or a fuzzing build) the replays run under ASan+UBSan.
# When a corpus fails, each of its files is run alone, so the log names
# every input that fails, not just the first.
set -u
: "${srcdir:=.}"
bindir=${FUZZ_REPLAY_BINDIR:-tests/fuzz}
fail=0
for t in pipeline decode fsm pcapng; do
	bin="$bindir/replay_$t"
	dir="$srcdir/tests/fuzz/corpus/$t"
	err="$bindir/replay_$t.err"
	if [ ! -x "$bin" ]; then
		echo "FAIL: $bin not built"
		fail=1
		continue
	fi
	if [ ! -d "$dir" ]; then
		echo "FAIL: no corpus $dir"
		fail=1
		continue
	fi
	if "$bin" "$dir" 2>"$err"; then
		tail -n 1 "$err"
		rm -f "$err"
		continue
	fi
	fail=1
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		if ! "$bin" "$f" 2>"$err"; then
			echo "FAIL: replay_$t $f:"
			grep -v '^replay: ' "$err" | head -n 20
		fi
	done
	rm -f "$err"
done
exit $fail
