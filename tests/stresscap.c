/* stresscap.c - large captures for tests/bounds.sh, written through
 * libpcap's pcap_dump (OUT "-" is standard output, to pipe into synfin
 * without a file), and a peak-memory probe.
 *
 *   stresscap syn N SEED OUT    N SYNs from N distinct pseudo-random
 *                               4-tuples (seeded: the same file each run),
 *                               1 us apart
 *   stresscap long N OUT        one connection: handshake (ws 7), N data
 *                               segments of 1460 bytes from the client,
 *                               an ACK from the server after every second
 *                               one, then the client closes (graceful)
 *   stresscap holes N K OUT     one connection: N segments of 100 bytes,
 *                               each after a gap (every K-th one 2^31-1
 *                               bytes, the others 1..97; K 0: none),
 *                               each acked by the server, then a
 *                               graceful close
 *   stresscap idle N RATE OUT   N connections, RATE a second: each a
 *                               handshake, a 100-byte request, a
 *                               1000-byte answer and the client's ACK
 *                               (6 segments, 1/(8 RATE) s apart, so
 *                               connections do not overlap), then nothing:
 *                               every one open and idle at the end
 *   stresscap ngtime OUT        pcapng (written by hand): a graceful close
 *                               at T, a SYN stamped 2^64-1 us, a SYN
 *                               stamped 0
 *   stresscap rss CMD [ARG...]  run CMD; print its peak RSS (kB, from
 *                               wait4) on standard error as "maxrss N";
 *                               exit with CMD's status
 *
 * Data segments carry no payload bytes in the file: they are cut by the
 * snaplen (96, tcpdump -s 96 style; wire length 14 + 20 + 20 + len), so a
 * million segments stay small. The exact packet and byte counts each mode
 * must give are in tests/bounds.sh.
 */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SNAPLEN		96
#define T0_SEC		1700000000u

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

struct seg {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	bool opts;		/* MSS 1460, NOP, window scale 7 */
	uint32_t len;		/* payload on the wire (not in the file) */
};

static pcap_dumper_t *dump;
static uint64_t t_us;		/* the next record's time, us since 1970 */

static void
be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

static uint16_t
csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 + TCP into f (62 bytes at most); returns the header
 * length. The payload is on the wire only. */
static size_t
build(const struct seg *s, uint8_t *f)
{
	size_t thl = s->opts ? 28 : 20;
	uint8_t *ip = f + 14, *tcp = f + 34;

	memset(f, 0, 14 + 20 + 28);
	memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	be16(f + 12, 0x0800);
	ip[0] = 0x45;
	be16(ip + 2, (uint16_t)(20 + thl + s->len));
	ip[8] = 64;
	ip[9] = 6;
	be32(ip + 12, s->saddr);
	be32(ip + 16, s->daddr);
	be16(ip + 10, csum(ip, 20, 0));
	be16(tcp, s->sport);
	be16(tcp + 2, s->dport);
	be32(tcp + 4, s->seq);
	be32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(thl / 4 << 4);
	tcp[13] = s->flags;
	be16(tcp + 14, s->win);
	if (s->opts)
		memcpy(tcp + 20, "\x02\x04\x05\xb4\x01\x03\x03\x07", 8);
	if (s->len == 0) {
		/* A whole segment: a right checksum (pseudo-header too). */
		uint32_t sum = (s->saddr >> 16) + (s->saddr & 0xffff) +
		    (s->daddr >> 16) + (s->daddr & 0xffff) + 6 +
		    (uint32_t)thl;
		be16(tcp + 16, csum(tcp, thl, sum));
	}
	return 14 + 20 + thl;
}

static void
emit(const struct seg *s)
{
	uint8_t f[14 + 20 + 28];
	size_t hdr = build(s, f);
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = (time_t)(t_us / 1000000),
		    .tv_usec = (suseconds_t)(t_us % 1000000) },
		.caplen = (bpf_u_int32)hdr,
		.len = (bpf_u_int32)(hdr + s->len),
	};
	pcap_dump((u_char *)dump, &h, f);
}

static pcap_t *dead;

static void
out_open(const char *path)
{
	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	dump = dead ? pcap_dump_open(dead, path) : NULL;
	if (!dump) {
		fprintf(stderr, "stresscap: %s: %s\n", path,
		    dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		exit(2);
	}
	t_us = (uint64_t)T0_SEC * 1000000;
}

static int
out_close(void)
{
	int bad = pcap_dump_flush(dump) != 0 || ferror(pcap_dump_file(dump));
	pcap_dump_close(dump);
	pcap_close(dead);
	if (bad) {
		fprintf(stderr, "stresscap: write error\n");
		return 2;
	}
	return 0;
}

/* splitmix64: a seeded, portable sequence. */
static uint64_t rng;

static uint64_t
next_rand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* N connections opened RATE a second and left open (see the top). Client
 * 10.(i >> 16).(i >> 8).i : 40000 + i % 20000, server 192.0.2.1:80: the
 * 4-tuples are distinct for i < 2^24. */
static int
gen_idle(uint64_t n, uint64_t rate)
{
	uint64_t t0 = t_us, gap = 1000000 / (rate ? rate : 1);

	for (uint64_t i = 0; i < n; i++) {
		uint32_t c = 0x0a000000u | (uint32_t)(i & 0xffffff);
		uint16_t cp = (uint16_t)(40000 + i % 20000);
		uint32_t j = (uint32_t)(i * 2654435761u), k = ~j;
		struct seg s[6] = {
			{ c, 0xc0000201u, cp, 80, j, 0, F_SYN, 64240, true, 0 },
			{ 0xc0000201u, c, 80, cp, k, j + 1, F_SYN | F_ACK,
			    65160, true, 0 },
			{ c, 0xc0000201u, cp, 80, j + 1, k + 1, F_ACK, 502,
			    false, 0 },
			{ c, 0xc0000201u, cp, 80, j + 1, k + 1,
			    F_ACK | F_PSH, 502, false, 100 },
			{ 0xc0000201u, c, 80, cp, k + 1, j + 101,
			    F_ACK | F_PSH, 509, false, 1000 },
			{ c, 0xc0000201u, cp, 80, j + 101, k + 1001, F_ACK,
			    502, false, 0 },
		};
		t_us = t0 + i * gap;
		for (int m = 0; m < 6; m++) {
			emit(&s[m]);
			t_us += gap / 8;
		}
	}
	return out_close();
}

/* N SYNs from distinct 4-tuples. i -> x is a bijection on 32 bits
 * (multiply by an odd number, add, xor-shift), so distinct i give
 * distinct (source address 10.x.y.z, source port high byte) pairs; the
 * rest (port low byte, destination, ISN) is random. */
static int
gen_syn(uint64_t n, uint64_t seed)
{
	rng = seed;
	uint32_t a = (uint32_t)(next_rand() | 1);
	uint32_t b = (uint32_t)next_rand();
	static const uint16_t dports[] = { 80, 443, 22, 25, 8080, 53 };

	for (uint64_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)i * a + b;
		x ^= x >> 16;
		uint64_t r = next_rand();
		struct seg s = {
			.saddr = 0x0a000000u | (x & 0xffffff),
			.sport = (uint16_t)(((x >> 24) << 8) | (r & 0xff)),
			.daddr = 0xc0000200u | (uint32_t)((r >> 8) & 0xff),
			.dport = dports[(r >> 16) % 6],
			.seq = (uint32_t)(r >> 32),
			.flags = F_SYN, .win = 64240,
		};
		emit(&s);
		t_us++;
	}
	return 0;
}

static const struct seg client = {
	.saddr = 0x0a000001, .daddr = 0x0a000002, .sport = 40000, .dport = 80,
};

static struct seg
to_server(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len)
{
	struct seg s = client;
	s.seq = seq;
	s.ack = ack;
	s.flags = flags;
	s.len = len;
	s.win = 512;		/* x128 */
	return s;
}

static struct seg
to_client(uint32_t seq, uint32_t ack, uint8_t flags)
{
	struct seg s = {
		.saddr = client.daddr, .daddr = client.saddr,
		.sport = client.dport, .dport = client.sport,
		.seq = seq, .ack = ack, .flags = flags, .win = 65535,
	};
	return s;
}

static void
step(const struct seg *s)
{
	emit(s);
	t_us += 10;
}

/* Client ISN 1000 (J), server ISN 5000 (K). */
static void
handshake(void)
{
	struct seg s = to_server(1000, 0, F_SYN, 0);
	s.opts = true;
	s.win = 65535;
	step(&s);
	s = to_client(5000, 1001, F_SYN | F_ACK);
	s.opts = true;
	step(&s);
	s = to_server(1001, 5001, F_ACK, 0);
	step(&s);
}

/* The client closes at u = its next sequence number. */
static void
close_graceful(uint32_t u)
{
	struct seg s = to_server(u, 5001, F_FIN | F_ACK, 0);
	step(&s);
	s = to_client(5001, u + 1, F_ACK);
	step(&s);
	s = to_client(5001, u + 1, F_FIN | F_ACK);
	step(&s);
	s = to_server(u + 1, 5002, F_ACK, 0);
	step(&s);
}

static int
gen_long(uint64_t n)
{
	uint32_t seq = 1001;

	handshake();
	for (uint64_t i = 0; i < n; i++) {
		struct seg s = to_server(seq, 5001, F_ACK | (i % 8 == 7 ?
		    F_PSH : 0), 1460);
		step(&s);
		seq += 1460;	/* wraps past 2^32 after ~2.94M segments */
		if (i % 2 == 1 || i == n - 1) {
			s = to_client(5001, seq, F_ACK);
			step(&s);
		}
	}
	close_graceful(seq);
	return 0;
}

static int
gen_holes(uint64_t n, uint64_t every)
{
	uint32_t end = 1001;

	handshake();
	for (uint64_t i = 0; i < n; i++) {
		uint32_t gap = every && i % every == every - 1 ? 0x7fffffffu :
		    1 + (uint32_t)(i * 7919 % 97);
		uint32_t seq = end + gap;
		struct seg s = to_server(seq, 5001, F_ACK, 100);
		step(&s);
		end = seq + 100;
		s = to_client(5001, end, F_ACK);
		step(&s);
	}
	close_graceful(end);
	return 0;
}

/* ---- pcapng by hand (libpcap cannot write it) ---------------------- */

static FILE *ng;

static void
ng32(uint32_t v)
{
	fwrite(&v, 4, 1, ng);	/* host order: the SHB says which */
}

static void
ng_epb(const struct seg *s, uint64_t ts_us)
{
	uint8_t f[14 + 20 + 28];
	size_t n = build(s, f);
	uint32_t pad = (uint32_t)((4 - n % 4) % 4);
	uint32_t len = (uint32_t)(32 + n + pad);
	ng32(6);
	ng32(len);
	ng32(0);
	ng32((uint32_t)(ts_us >> 32));
	ng32((uint32_t)ts_us);
	ng32((uint32_t)n);
	ng32((uint32_t)n);
	fwrite(f, 1, n, ng);
	fwrite("\0\0\0", 1, pad, ng);
	ng32(len);
}

static int
gen_ngtime(const char *path)
{
	ng = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (!ng) {
		fprintf(stderr, "stresscap: %s: %s\n", path, strerror(errno));
		return 2;
	}
	/* SHB, IDB (EN10MB, snaplen 262144, microseconds) */
	ng32(0x0A0D0D0A); ng32(28); ng32(0x1A2B3C4D); ng32(1);
	ng32(0xffffffff); ng32(0xffffffff); ng32(28);
	ng32(1); ng32(20); ng32(1); ng32(262144); ng32(20);

	uint64_t t = (uint64_t)T0_SEC * 1000000;
	struct seg s = to_server(1000, 0, F_SYN, 0);
	ng_epb(&s, t);
	s = to_client(5000, 1001, F_SYN | F_ACK);
	ng_epb(&s, t + 10000);
	s = to_server(1001, 5001, F_ACK, 0);
	ng_epb(&s, t + 20000);
	s = to_server(1001, 5001, F_FIN | F_ACK, 0);
	ng_epb(&s, t + 30000);
	s = to_client(5001, 1002, F_FIN | F_ACK);
	ng_epb(&s, t + 40000);
	s = to_server(1002, 5002, F_ACK, 0);	/* client in TIME_WAIT */
	ng_epb(&s, t + 50000);
	s = to_server(7000, 0, F_SYN, 0);	/* another port */
	s.sport = 40001;
	ng_epb(&s, UINT64_MAX);
	s.sport = 40002;
	ng_epb(&s, 0);
	if (ferror(ng) || (ng != stdout ? fclose(ng) : fflush(ng)) != 0) {
		fprintf(stderr, "stresscap: write error\n");
		return 2;
	}
	return 0;
}

/* ---- the memory probe ------------------------------------------------ */

static int
rss(char **argv)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("stresscap: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "stresscap: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	int st;
	struct rusage ru;
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("stresscap: wait4");
			return 2;
		}
	}
	fprintf(stderr, "maxrss %ld\n", ru.ru_maxrss);
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "stresscap: %s killed by signal %d\n",
		    argv[0], WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

static uint64_t
num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "stresscap: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "rss") == 0)
		return rss(argv + 2);
	if (argc == 5 && strcmp(argv[1], "syn") == 0) {
		out_open(argv[4]);
		gen_syn(num(argv[2]), num(argv[3]));
		return out_close();
	}
	if (argc == 4 && strcmp(argv[1], "long") == 0) {
		out_open(argv[3]);
		gen_long(num(argv[2]));
		return out_close();
	}
	if (argc == 5 && strcmp(argv[1], "holes") == 0) {
		out_open(argv[4]);
		gen_holes(num(argv[2]), num(argv[3]));
		return out_close();
	}
	if (argc == 5 && strcmp(argv[1], "idle") == 0) {
		out_open(argv[4]);
		return gen_idle(num(argv[2]), num(argv[3]));
	}
	if (argc == 3 && strcmp(argv[1], "ngtime") == 0)
		return gen_ngtime(argv[2]);
	fprintf(stderr, "usage: stresscap syn N SEED OUT | long N OUT | "
	    "holes N K OUT | idle N RATE OUT | ngtime OUT | "
	    "rss CMD [ARG...]\n");
	return 2;
}
