#!/bin/sh
# Conformance against Zeek's and Suricata's own expected results, from
# ../shared/corpus beside the repository; skipped (77) when it is absent.
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
corpus="$srcdir/../shared/corpus"
if [ ! -d "$corpus" ]; then
	echo "SKIP: $corpus absent (a user's clone has no ../shared)"
	exit 77
fi
rc=0
# conn_input()'s fast path checked against its whole path on every segment.
SYNFIN_FAST_CHECK=1
export SYNFIN_FAST_CHECK
"$PYTHON3" "$srcdir/tests/conformance/zeek.py" --synfin "$SYNFIN" --corpus "$corpus/zeek" || rc=$?
"$PYTHON3" "$srcdir/tests/conformance/suricata.py" --synfin "$SYNFIN" --corpus "$corpus/suricata" || { r=$?; [ $rc -eq 0 ] && rc=$r; }
exit $rc
