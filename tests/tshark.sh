#!/bin/sh
# synfin's handshake/teardown outcomes and retransmission counts against
# tshark's TCP analysis (tcp.completeness, tcp.analysis.*retransmission) on
# every bundled real capture; the disagreements where synfin is right are
# explained in tests/tshark-disagreements.txt.  See tests/tshark_agree.py.
# Skipped (77) when tshark is not installed.
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark not installed"
	exit 77
fi
exec "$PYTHON3" "$srcdir/tests/tshark_agree.py" --synfin "$SYNFIN" "$srcdir"/pcaps/*.pcap
