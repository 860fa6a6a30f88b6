/* relink.c - rewrite an Ethernet capture under another link-layer header,
 * through libpcap (pcap_open_offline(), pcap_dump()), for tests/links.sh.
 *
 *   relink NAME IN OUT
 *
 * Each frame's Ethernet header (14 bytes, untagged) gives way to NAME's
 * header, written byte by byte from its definition (tcpdump.org's
 * link-layer header types): the IP datagram and what follows it are kept.
 * NAME: ppp, ppp-hdlc, pppoe, chdlc, atm, ipoib, wifi, radiotap, ppi,
 * pflog, enc, nflog. Frames that are not IPv4 or IPv6 are left out.
 */
#define _DEFAULT_SOURCE	/* u_char, u_int in pcap.h under -std=c11 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXF 70000

static const uint8_t wifi[] = {	/* data, ToDS; three addresses; SNAP */
	0x08, 0x01, 0, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
	2, 0, 0, 0, 0, 2, 0x10, 0,
	0xaa, 0xaa, 0x03, 0, 0, 0,
};

/* NAME's header for a datagram of EtherType et and length len, into h;
 * its length, or 0 for an unknown NAME. *dlt: its link type. */
static size_t
header(const char *name, uint16_t et, size_t len, uint8_t *h, int *dlt)
{
	bool v6 = et == 0x86dd;
	uint8_t e0 = (uint8_t)(et >> 8), e1 = (uint8_t)et;
	size_t n = 0;

	if (!strcmp(name, "ppp") || !strcmp(name, "ppp-hdlc")) {
		*dlt = !strcmp(name, "ppp") ? DLT_PPP : DLT_PPP_SERIAL;
		h[n++] = 0xff;
		h[n++] = 0x03;
		h[n++] = 0x00;
		h[n++] = v6 ? 0x57 : 0x21;
	} else if (!strcmp(name, "pppoe")) {
		*dlt = DLT_PPP_ETHER;
		uint8_t p[] = { 0x11, 0, 0x12, 0x34, (uint8_t)((len + 2) >> 8),
		    (uint8_t)(len + 2), 0x00, v6 ? 0x57 : 0x21 };
		memcpy(h, p, n = sizeof(p));
	} else if (!strcmp(name, "chdlc")) {
		*dlt = DLT_C_HDLC;
		uint8_t p[] = { 0x0f, 0, e0, e1 };
		memcpy(h, p, n = sizeof(p));
	} else if (!strcmp(name, "atm")) {
		*dlt = DLT_ATM_RFC1483;
		uint8_t p[] = { 0xaa, 0xaa, 0x03, 0, 0, 0, e0, e1 };
		memcpy(h, p, n = sizeof(p));
	} else if (!strcmp(name, "ipoib")) {
		*dlt = DLT_IPOIB;
		uint8_t p[] = { e0, e1, 0, 0 };
		memcpy(h, p, n = sizeof(p));
	} else if (!strcmp(name, "wifi") || !strcmp(name, "radiotap") ||
	    !strcmp(name, "ppi")) {
		if (!strcmp(name, "radiotap")) {
			/* version 0, length 9, flags present: 0 */
			uint8_t p[] = { 0, 0, 9, 0, 2, 0, 0, 0, 0 };
			memcpy(h, p, n = sizeof(p));
			*dlt = DLT_IEEE802_11_RADIO;
		} else if (!strcmp(name, "ppi")) {
			uint8_t p[] = { 0, 0, 8, 0, 105, 0, 0, 0 };
			memcpy(h, p, n = sizeof(p));
			*dlt = DLT_PPI;
		} else {
			*dlt = DLT_IEEE802_11;
		}
		memcpy(h + n, wifi, sizeof(wifi));
		n += sizeof(wifi);
		h[n++] = e0;
		h[n++] = e1;
	} else if (!strcmp(name, "pflog")) {
		*dlt = DLT_PFLOG;
		memset(h, 0, 64);
		h[0] = 61;	/* the header's length, padded to 64 */
		h[1] = v6 ? 24 : 2;
		n = 64;
	} else if (!strcmp(name, "enc")) {
		*dlt = DLT_ENC;
		uint32_t af = v6 ? 24 : 2;
		memset(h, 0, 12);
		memcpy(h, &af, 4);	/* host order */
		n = 12;
	} else if (!strcmp(name, "nflog")) {
		*dlt = DLT_NFLOG;
		/* family, version, group 7; the payload TLV (host order) */
		uint16_t tl = (uint16_t)(4 + len), ty = 9;
		h[0] = v6 ? 10 : 2;
		h[1] = 0;
		h[2] = 0;
		h[3] = 7;
		memcpy(h + 4, &tl, 2);
		memcpy(h + 6, &ty, 2);
		n = 8;
	}
	return n;
}

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *d;
	uint8_t out[MAXF + 128];
	int dlt = -1, r;

	if (argc != 4) {
		fprintf(stderr, "usage: relink NAME IN OUT\n");
		return 2;
	}
	if (!header(argv[1], 0x0800, 0, out, &dlt)) {
		fprintf(stderr, "relink: unknown link %s\n", argv[1]);
		return 2;
	}
	pcap_t *in = pcap_open_offline(argv[2], err);
	if (!in || pcap_datalink(in) != DLT_EN10MB) {
		fprintf(stderr, "relink: %s: %s\n", argv[2],
		    in ? "not Ethernet" : err);
		return 2;
	}
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, MAXF,
	    pcap_get_tstamp_precision(in));
	pcap_dumper_t *du = pcap_dump_open(dead, argv[3]);
	if (!du) {
		fprintf(stderr, "relink: %s\n", pcap_geterr(dead));
		return 2;
	}
	while ((r = pcap_next_ex(in, &ph, &d)) == 1) {
		if (ph->caplen < 14 || ph->caplen > MAXF)
			continue;
		uint16_t et = (uint16_t)(d[12] << 8 | d[13]);
		if (et != 0x0800 && et != 0x86dd)
			continue;
		size_t len = ph->caplen - 14;
		size_t h = header(argv[1], et, len, out, &dlt);
		memcpy(out + h, d + 14, len);
		if (!strcmp(argv[1], "nflog") && (len & 3)) {
			memset(out + h + len, 0, 4 - (len & 3));
			len += 4 - (len & 3);	/* the TLV's padding */
		}
		struct pcap_pkthdr o = *ph;
		o.caplen = (bpf_u_int32)(h + len);
		o.len = (bpf_u_int32)(ph->len - 14 + h + (o.caplen - h -
		    (ph->caplen - 14)));
		pcap_dump((u_char *)du, &o, out);
	}
	if (r == PCAP_ERROR) {
		fprintf(stderr, "relink: %s\n", pcap_geterr(in));
		return 2;
	}
	pcap_dump_close(du);
	pcap_close(dead);
	pcap_close(in);
	return 0;
}
