#!/bin/sh
# Golden tests, tcpdump TESTLIST style: tests/expected/TESTLIST has one line
# per case, "NAME CAPTURE ARGS...", and tests/expected/NAME holds the exact
# expected output of `synfin ARGS -r CAPTURE`, checked by hand once against
# the capture (tcpdump -nn -r) and RFC 9293. Set GOLDEN_UPDATE=1 to rewrite
# them (then check the diff by hand before committing).
set -u
: "${SYNFIN:=./synfin}" "${srcdir:=.}"
case $SYNFIN in /*) ;; *) SYNFIN=$(pwd)/$SYNFIN ;; esac
# conn_input()'s fast path checked against its whole path on every segment.
SYNFIN_FAST_CHECK=1
export SYNFIN_FAST_CHECK
list="$srcdir/tests/expected/TESTLIST"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
while read -r name cap args; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	# Paths in ARGS are relative to the source tree, like CAPTURE.
	(cd "$srcdir" && NO_COLOR=1 "$SYNFIN" -r "$cap" $args) >"$out/$name" 2>&1
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$out/$name" "$srcdir/tests/expected/$name"
	fi
	if diff -u "$srcdir/tests/expected/$name" "$out/$name" >"$out/diff"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name ($cap $args)"
		head -40 "$out/diff"
	fi
done <"$list"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
