#!/bin/sh
# Link layers besides Ethernet: bundled Ethernet captures of the real Linux
# stack rewritten by tests/relink (libpcap's pcap_dump) under PPP, PPPoE,
# Cisco HDLC, ATM RFC 1483, IP over InfiniBand, 802.11 (plain, radiotap,
# PPI), pflog, enc and NFLOG headers, each written byte by byte from its
# definition (tests/relink.c). The datagrams are the same, so the report
# must be the same, byte for byte, as the Ethernet capture's: every
# record, outcome, count and anomaly; and -f must select the same frames
# where libpcap can filter the link type. A link type synfin does not read
# is an error that names it.
set -u
: "${SYNFIN:=./synfin}" "${RELINK:=tests/relink}" "${srcdir:=.}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$srcdir/tests/lib.sh"

caps="client-close ipv6-client-close abort half-close server-close reorder-dup"
for c in $caps; do
	"$SYNFIN" -r "$srcdir/pcaps/$c.pcap" -F json >"$t/$c.want" 2>&1 ||
		{ bad "$c: synfin failed on the Ethernet capture"; continue; }
	"$SYNFIN" -r "$srcdir/pcaps/$c.pcap" -F json -f "tcp port 80 or tcp" \
	    >"$t/$c.fwant" 2>&1
done
for l in ppp ppp-hdlc pppoe chdlc atm ipoib wifi radiotap ppi pflog enc \
    nflog; do
	for c in $caps; do
		f=$t/$c.$l.pcap
		if ! "$RELINK" "$l" "$srcdir/pcaps/$c.pcap" "$f"; then
			bad "relink $l $c"
			continue
		fi
		"$SYNFIN" -r "$f" -F json >"$t/got" 2>&1
		if cmp -s "$t/$c.want" "$t/got"; then ok; else
			bad "$l: $c differs from the Ethernet capture's report"
			diff "$t/$c.want" "$t/got" | head -5
		fi
		# libpcap filters neither NFLOG nor IPoIB (it says so); pflog's
		# family test is this host's AF_INET6 (10), not OpenBSD's 24.
		case $l in nflog|ipoib) continue ;; esac
		case $l.$c in pflog.ipv6-client-close) continue ;; esac
		"$SYNFIN" -r "$f" -F json -f "tcp port 80 or tcp" >"$t/got" 2>&1
		if cmp -s "$t/$c.fwant" "$t/got"; then ok; else
			bad "$l: $c with -f differs"
			diff "$t/$c.fwant" "$t/got" | head -5
		fi
	done
done
# libpcap's own refusal, in its words.
"$RELINK" nflog "$srcdir/pcaps/client-close.pcap" "$t/n.pcap"
expect 2 "-f on NFLOG" -- "$SYNFIN" -r "$t/n.pcap" -f tcp
grep -q "NFLOG link-layer type filtering not implemented" "$t/err" && ok ||
	bad "libpcap's NFLOG message"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
