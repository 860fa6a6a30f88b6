#!/bin/sh
# synfin under valgrind's memcheck: no invalid read or write, no use of
# uninitialised memory, no definite or indirect leak, on
#  - every capture in pcaps/ read at once (repeated -r), in JSON, text with
#    --ladder, and CSV;
#  - the bad files of tests/badfiles (badfiles -w DIR): cut records and
#    blocks, lying lengths, zero-length records, unknown and broken pcapng
#    blocks, garbage after the end; the readable ones at once, each
#    unreadable one (hdr-*) alone, as synfin stops before reading when a
#    file cannot be opened.
# Part of `make check` (about 10 s); by hand: SYNFIN=path/to/synfin
# BADFILES=path/to/badfiles tests/valgrind.sh. Skipped (exit 77) without
# valgrind, and on a sanitizer build (ASan and valgrind do not mix: the
# sanitizer step of CI checks the same runs its own way).
set -u
: "${srcdir:=$(dirname "$0")/..}"
: "${SYNFIN:=./synfin}" "${BADFILES:=$(dirname "$SYNFIN")/tests/badfiles}"

command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
for p in "$SYNFIN" "$BADFILES"; do
	[ -x "$p" ] || { echo "valgrind.sh: $p missing (build first)"; exit 99; }
done
if grep -q __asan_init "$SYNFIN" 2>/dev/null; then
	echo "$SYNFIN is a sanitizer build: valgrind needs a plain one; skipped"
	exit 77
fi

t=$(mktemp -d "${TMPDIR:-/tmp}/synfin-valgrind.XXXXXX") || exit 99
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
# GLib: plain malloc, and freed memory cleared, so valgrind sees every block.
G_SLICE=always-malloc G_DEBUG=gc-friendly
export G_SLICE G_DEBUG

# vg NAME WANT-EXIT synfin-args...: memcheck errors exit 99.
vg() {
	name=$1 want=$2; shift 2
	timeout 600 valgrind -q --leak-check=full --error-exitcode=99 \
	    --errors-for-leak-kinds=definite,indirect --track-origins=yes \
	    --log-file="$t/$name.vg" "$SYNFIN" "$@" >/dev/null 2>"$t/$name.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -s "$t/$name.vg" ]; then
		pass=$((pass + 1))
		echo "ok   $name (exit $rc)"
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, want $want"
		cat "$t/$name.vg" "$t/$name.err"
	fi
}

set --
for f in "$srcdir"/pcaps/*.pcap; do
	set -- "$@" -r "$f"
done
[ "$#" -gt 0 ] || { echo "no captures in $srcdir/pcaps"; exit 99; }
vg pcaps-json 0 -q -F json "$@"
vg pcaps-ladder 0 -q --ladder "$@"
vg pcaps-csv 0 -q -F csv "$@"
# The eviction, idle and reuse paths too.
vg pcaps-evict 0 -q -F json --max-flows 2 --idle-timeout 1 "$@"

"$BADFILES" -w "$t/bad" || { echo "badfiles -w failed"; exit 99; }
set --
for f in "$t"/bad/*; do
	case ${f##*/} in hdr-*) vg "${f##*/}" 2 -q -F json -r "$f" ;;
	*) set -- "$@" -r "$f" ;;
	esac
done
# Several files end in an error: exit 2, each reported and read past.
vg badfiles-json 2 -q -F json "$@"
vg badfiles-ladder 2 -q --ladder "$@"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
