/* floor.c - the floor of every pcap reader: libpcap's own read loop,
 * pcap_open_offline + pcap_next_ex, counting packets and bytes and doing
 * nothing else. No tool built on libpcap can read a capture faster.
 *
 *   floor FILE...      prints: packets=N bytes=B (captured bytes)
 *   floor -V           prints libpcap's version
 */
#define _DEFAULT_SOURCE	/* u_char, u_int in pcap.h under -std=c11 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	uint64_t packets = 0, bytes = 0;

	if (argc == 2 && !strcmp(argv[1], "-V")) {
		printf("%s\n", pcap_lib_version());
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: floor FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct pcap_pkthdr *h;
		const u_char *d;
		pcap_t *p = pcap_open_offline(argv[i], err);
		int r;

		if (!p) {
			fprintf(stderr, "floor: %s\n", err);
			return 2;
		}
		while ((r = pcap_next_ex(p, &h, &d)) == 1) {
			packets++;
			bytes += h->caplen;
		}
		if (r == PCAP_ERROR) {
			fprintf(stderr, "floor: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 2;
		}
		pcap_close(p);
	}
	printf("packets=%llu bytes=%llu\n", (unsigned long long)packets,
	    (unsigned long long)bytes);
	return 0;
}
