#!/bin/sh
# The progress line through a pseudo-terminal (python3's pty module).
: "${SYNFIN:=./synfin}" "${srcdir:=.}" "${PYTHON3:=python3}"
exec "$PYTHON3" "$srcdir/tests/progress_check.py" "$SYNFIN" "$srcdir/pcaps/half-close.pcap"
