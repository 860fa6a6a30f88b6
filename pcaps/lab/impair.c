/*
 * impair.c - a small L2 impairment forwarder for pcaps/lab/run.sh.
 *
 * This kernel has no netem qdisc, so run.sh puts this program in a middle
 * network namespace between two veths:
 *
 *     client veth <-> [ IF_A  impair  IF_B ] <-> server veth
 *
 * It opens one AF_PACKET raw socket per interface and forwards every frame
 * it receives on one side out of the other side (ARP, IPv6 ND, VLAN tags
 * included; frames the kernel itself sends on those interfaces are not
 * forwarded).  Chosen TCP frames can be dropped, delayed, duplicated or
 * reordered.  "ab" is the direction IF_A -> IF_B, "ba" the other one.
 *
 * Build: gcc -std=c11 -Wall -Wextra -O2 -o impair impair.c
 *
 * Usage: impair --a IF_A --b IF_B [options]
 *   --seed N           PRNG seed (default 1); the same seed and the same
 *                      traffic give the same decisions
 *   --timeout S        exit after S seconds (default 60, 1..3600)
 *   --delay-ms MS      delay every frame in both directions by MS
 *   --delay-ab-ms MS   ... only A->B        --delay-ba-ms MS  ... only B->A
 *   --jitter-ms MS     add a random 0..MS to every frame's delay (this can
 *                      reorder frames)
 *   --drop SPEC        drop the matching frames
 *   --dup SPEC         send the matching frames again (copies=N, gap=MS)
 *   --delay SPEC       delay the matching frames by ms=MS more
 *   --reorder SPEC     hold each matching frame until after=K (default 1)
 *                      later frames of the same direction have been sent,
 *                      or at most ms=MS (default 1000)
 *   --unack SPEC       clear the ACK bit of the matching frames (the TCP
 *                      checksum updated, RFC 1624): a segment no stack
 *                      sends once synchronized, which the receiver drops
 *   --ready-file PATH  write our pid there once both sockets are open
 *   -v, --verbose      log every frame, not only the impaired ones
 *   -q, --quiet        log only the final counters
 *
 * SPEC is a comma-separated list of key=value (all optional):
 *   dir=ab|ba|any      direction (default any)
 *   flags=LETTERS      the TCP flags are exactly these (of F S R P U .)
 *   has=LETTERS        these flags are set      not=LETTERS  these are clear
 *                      letters as tcpdump prints them: F S R P U . E W
 *                      ('.' or 'A' is ACK, E is ECE, W is CWR)
 *   payload=yes|no|any TCP payload present or not
 *   port=N             source or destination port is N
 *   peerfin=yes|no     a FIN has (not) yet been forwarded in the other
 *                      direction (counted over all traffic since start;
 *                      the lab runs one connection at a time)
 *   nth=N              act on the N-th matching frame (default 1) ...
 *   count=N            ... and the N-1 after it (default 1; 0 = every match
 *                      from the nth on)
 *   prob=P             then act only with probability P (0..1, default 1,
 *                      from the seeded PRNG)
 *   ms=MS, copies=N, gap=MS, after=K   action parameters (see above)
 * Frames that are not TCP (ARP, ND, ...) never match a SPEC; they only get
 * the --delay-* delays.  Rules are tried in the order given; a frame taken
 * by a drop rule is not seen by the rules after it.  Every rule counts its
 * matches on its own, so
 *   --drop 'dir=ba,flags=S.,nth=1'
 * drops the first SYN-ACK going from B to A and nothing else.
 *
 * Each impairment is logged on stderr with the time since start, e.g.
 *   impair: +1.234 ms drop ba (rule 1, match #1) 10.77.1.2:7011 >
 *           10.77.1.1:40011 [S.] seq 2921878328 ack 2838448470 len 0
 * (one line), and the counters per direction and per rule on exit.
 * Exit status: 0 after --timeout or SIGTERM/SIGINT, 1 usage, 2 setup error.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX   (65536 + 64)  /* veth MTU is 1500, but be generous */
#define HEADROOM    8             /* room to re-insert a VLAN tag */
#define QUEUE_MAX   4096          /* frames waiting to be sent */
#define RULES_MAX   32
#define BURST       64            /* frames read per socket per poll round */

/* TCP flag bits as in the header */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

enum { DIR_AB = 0, DIR_BA = 1, DIR_ANY = 2 };
enum act { ACT_DROP, ACT_DUP, ACT_DELAY, ACT_REORDER, ACT_UNACK };
static const char *const act_name[] = { "drop", "dup", "delay", "reorder",
					"unack" };
static const char *const dir_name[] = { "ab", "ba", "any" };

struct rule {
	enum act act;
	int dir;
	int flags_exact;      /* -1: any */
	int flags_has;
	int flags_not;
	int payload;          /* -1 any, 0 no, 1 yes */
	int port;             /* -1 any */
	int peerfin;          /* -1 any, 0 no, 1 yes */
	long nth;
	long count;           /* 0 = unlimited */
	double prob;
	long ms;              /* delay / reorder max hold */
	long copies;
	long gap_ms;
	long after;
	long matches;         /* matching frames seen so far */
	long applied;
	const char *text;
};

/* what we know about a frame */
struct tcpinfo {
	int is_tcp;
	int flags;
	unsigned sport, dport;
	uint32_t seq, ack;
	long payload;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int v6;
	size_t tcp_off;       /* the TCP header's offset in the frame */
};

struct qent {
	int used;
	int dir;              /* frame goes out of: DIR_AB -> B, DIR_BA -> A */
	int held;             /* reorder: waiting for `wait_left` frames */
	long wait_left;
	int64_t release_us;   /* when to send; for held frames the deadline */
	uint64_t order;       /* tie-break: lower goes first */
	size_t len;
	unsigned char *data;
};

static struct rule rules[RULES_MAX];
static int nrules;
static struct qent queue[QUEUE_MAX];
static int qcount;
static uint64_t order_ctr;
static volatile sig_atomic_t stop_sig;
static int verbose = 1;       /* 0 quiet, 1 actions, 2 every frame */
static int64_t t0_us;
static uint64_t rng_state;
static int fin_fwd[2];        /* a FIN was forwarded in direction ab / ba */

static struct {
	long rx[2], tx[2], drop[2], dup[2], delayed[2], reordered[2];
	long truncated, qfull, senderr, nontcp[2];
} st;

/* ------------------------------------------------------------- helpers */

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void logf_(int level, const char *fmt, ...)
{
	va_list ap;
	int64_t t = now_us() - t0_us;

	if (verbose < level)
		return;
	fprintf(stderr, "impair: +%lld.%03lld ms ", (long long)(t / 1000),
		(long long)(t % 1000));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "impair: %s\n", why);
	fputs("usage: impair --a IF_A --b IF_B [--seed N] [--timeout S]\n"
	      "         [--delay-ms MS] [--delay-ab-ms MS] [--delay-ba-ms MS]"
	      " [--jitter-ms MS]\n"
	      "         [--drop SPEC] [--dup SPEC] [--delay SPEC]"
	      " [--reorder SPEC]\n"
	      "         [--ready-file PATH] [-v|-q]\n"
	      "SPEC: dir=ab|ba|any,flags=S.,has=F,not=S,payload=yes|no,"
	      "port=N,nth=N,count=N,\n"
	      "      peerfin=yes|no,prob=P,ms=MS,copies=N,gap=MS,after=K"
	      "   (see impair.c)\n",
	      stderr);
	exit(1);
}

static long parse_long(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "impair: bad %s '%s' (%ld..%ld)\n", what, s, lo, hi);
		exit(1);
	}
	return v;
}

/* splitmix64 to seed, xorshift64* to draw */
static void rng_seed(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	rng_state = z ? z : 1;
}

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double rng_unit(void)    /* [0, 1) */
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------- rules */

static int flag_bits(const char *s, const char *what)
{
	int bits = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'F': bits |= TH_FIN; break;
		case 'S': bits |= TH_SYN; break;
		case 'R': bits |= TH_RST; break;
		case 'P': bits |= TH_PSH; break;
		case 'U': bits |= TH_URG; break;
		case '.': case 'A': bits |= TH_ACK; break;
		case 'E': bits |= TH_ECE; break;
		case 'W': bits |= TH_CWR; break;
		default:
			fprintf(stderr, "impair: bad flag letter '%c' in %s\n",
				*s, what);
			exit(1);
		}
	}
	return bits;
}

static void add_rule(enum act act, const char *spec)
{
	struct rule *r;
	char buf[256];
	char *save = NULL, *tok;

	if (nrules >= RULES_MAX)
		usage("too many rules");
	if (strlen(spec) >= sizeof buf)
		usage("rule too long");
	r = &rules[nrules++];
	memset(r, 0, sizeof *r);
	r->act = act;
	r->dir = DIR_ANY;
	r->flags_exact = -1;
	r->payload = -1;
	r->port = -1;
	r->peerfin = -1;
	r->nth = 1;
	r->count = 1;
	r->prob = 1.0;
	r->ms = act == ACT_REORDER ? 1000 : 0;
	r->copies = 1;
	r->after = 1;
	r->text = spec;
	strcpy(buf, spec);

	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *k, *v;

		if (!eq) {
			fprintf(stderr, "impair: '%s': expected key=value\n", tok);
			exit(1);
		}
		*eq = '\0';
		k = tok;
		v = eq + 1;
		if (!strcmp(k, "dir")) {
			if (!strcmp(v, "ab")) r->dir = DIR_AB;
			else if (!strcmp(v, "ba")) r->dir = DIR_BA;
			else if (!strcmp(v, "any")) r->dir = DIR_ANY;
			else usage("dir must be ab, ba or any");
		} else if (!strcmp(k, "flags")) {
			r->flags_exact = flag_bits(v, "flags");
		} else if (!strcmp(k, "has")) {
			r->flags_has = flag_bits(v, "has");
		} else if (!strcmp(k, "not")) {
			r->flags_not = flag_bits(v, "not");
		} else if (!strcmp(k, "payload")) {
			if (!strcmp(v, "yes")) r->payload = 1;
			else if (!strcmp(v, "no")) r->payload = 0;
			else if (!strcmp(v, "any")) r->payload = -1;
			else usage("payload must be yes, no or any");
		} else if (!strcmp(k, "peerfin")) {
			if (!strcmp(v, "yes")) r->peerfin = 1;
			else if (!strcmp(v, "no")) r->peerfin = 0;
			else if (!strcmp(v, "any")) r->peerfin = -1;
			else usage("peerfin must be yes, no or any");
		} else if (!strcmp(k, "port")) {
			r->port = (int)parse_long(v, 1, 65535, "port");
		} else if (!strcmp(k, "nth")) {
			r->nth = parse_long(v, 1, 1000000, "nth");
		} else if (!strcmp(k, "count")) {
			r->count = parse_long(v, 0, 1000000, "count");
		} else if (!strcmp(k, "prob")) {
			char *end;

			errno = 0;
			r->prob = strtod(v, &end);
			if (errno || end == v || *end || !(r->prob >= 0.0) ||
			    r->prob > 1.0)
				usage("prob must be 0..1");
		} else if (!strcmp(k, "ms")) {
			r->ms = parse_long(v, 0, 60000, "ms");
		} else if (!strcmp(k, "copies")) {
			r->copies = parse_long(v, 1, 10, "copies");
		} else if (!strcmp(k, "gap")) {
			r->gap_ms = parse_long(v, 0, 60000, "gap");
		} else if (!strcmp(k, "after")) {
			r->after = parse_long(v, 1, 100, "after");
		} else {
			fprintf(stderr, "impair: unknown key '%s'\n", k);
			exit(1);
		}
	}
}

/* ------------------------------------------------------------- parsing */

static uint16_t rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Find the TCP header in an Ethernet frame.  Every read is checked
 * against len; anything malformed or not TCP leaves ti->is_tcp = 0. */
static void parse_frame(const unsigned char *f, size_t len, struct tcpinfo *ti)
{
	size_t off = 12, ipend;
	unsigned etype;
	int vlans = 0;
	const unsigned char *tcp;
	size_t tcplen, doff;

	memset(ti, 0, sizeof *ti);
	if (len < 14)
		return;
	etype = rd16(f + off);
	off += 2;
	while ((etype == 0x8100 || etype == 0x88a8) && vlans < 2) {
		if (len < off + 4)
			return;
		etype = rd16(f + off + 2);
		off += 4;
		vlans++;
	}
	if (etype == 0x0800) {
		size_t ihl, tot;
		unsigned fragoff;

		if (len < off + 20)
			return;
		if ((f[off] >> 4) != 4)
			return;
		ihl = (size_t)(f[off] & 0x0f) * 4;
		tot = rd16(f + off + 2);
		if (ihl < 20 || tot < ihl || len < off + tot)
			return;
		fragoff = rd16(f + off + 6) & 0x1fff;
		if (fragoff != 0 || f[off + 9] != 6)
			return;
		inet_ntop(AF_INET, f + off + 12, ti->src, sizeof ti->src);
		inet_ntop(AF_INET, f + off + 16, ti->dst, sizeof ti->dst);
		ipend = off + tot;
		off += ihl;
	} else if (etype == 0x86dd) {
		unsigned nh;
		size_t plen;
		int hops = 0;

		if (len < off + 40)
			return;
		if ((f[off] >> 4) != 6)
			return;
		plen = rd16(f + off + 4);
		nh = f[off + 6];
		inet_ntop(AF_INET6, f + off + 8, ti->src, sizeof ti->src);
		inet_ntop(AF_INET6, f + off + 24, ti->dst, sizeof ti->dst);
		ti->v6 = 1;
		if (len < off + 40 + plen)
			return;
		ipend = off + 40 + plen;
		off += 40;
		/* skip extension headers, at most 8 of them */
		while (hops++ < 8 && nh != 6) {
			size_t hl;

			if (off + 8 > ipend)
				return;
			switch (nh) {
			case 0: case 43: case 60:          /* HbH, routing, dest */
				hl = ((size_t)f[off + 1] + 1) * 8;
				break;
			case 44:                          /* fragment */
				if ((rd16(f + off + 2) & 0xfff8) != 0)
					return;     /* not the first fragment */
				hl = 8;
				break;
			case 51:                          /* AH */
				hl = ((size_t)f[off + 1] + 2) * 4;
				break;
			default:
				return;
			}
			nh = f[off];
			if (off + hl > ipend)
				return;
			off += hl;
		}
		if (nh != 6)
			return;
	} else {
		return;
	}
	if (off + 20 > ipend)
		return;
	tcp = f + off;
	tcplen = ipend - off;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < 20 || doff > tcplen)
		return;
	ti->is_tcp = 1;
	ti->tcp_off = off;
	ti->sport = rd16(tcp);
	ti->dport = rd16(tcp + 2);
	ti->seq = rd32(tcp + 4);
	ti->ack = rd32(tcp + 8);
	ti->flags = tcp[13];
	ti->payload = (long)(tcplen - doff);
}

/* Clear the ACK bit of the TCP segment ti describes in frame f, its
 * checksum updated for the changed 16-bit word (RFC 1624, eqn. 3:
 * HC' = ~(~HC + ~m + m')). */
static void unack(unsigned char *f, struct tcpinfo *ti)
{
	unsigned char *tcp = f + ti->tcp_off;
	uint32_t m = rd16(tcp + 12), m2, sum;

	tcp[13] &= (unsigned char)~TH_ACK;
	m2 = rd16(tcp + 12);
	sum = (~rd16(tcp + 16) & 0xffffu) + (~m & 0xffffu) + m2;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	tcp[16] = (unsigned char)(~sum >> 8);
	tcp[17] = (unsigned char)~sum;
	ti->flags = tcp[13];
}

static void flag_str(int fl, char *out)
{
	char *p = out;

	if (fl & TH_FIN) *p++ = 'F';
	if (fl & TH_SYN) *p++ = 'S';
	if (fl & TH_RST) *p++ = 'R';
	if (fl & TH_PSH) *p++ = 'P';
	if (fl & TH_URG) *p++ = 'U';
	if (fl & TH_ECE) *p++ = 'E';
	if (fl & TH_CWR) *p++ = 'W';
	if (fl & TH_ACK) *p++ = '.';
	*p = '\0';
	if (p == out)
		strcpy(out, "none");
}

static void describe(const struct tcpinfo *ti, char *buf, size_t n)
{
	char fl[16];

	if (!ti->is_tcp) {
		snprintf(buf, n, "(not TCP)");
		return;
	}
	flag_str(ti->flags, fl);
	if (ti->v6)
		snprintf(buf, n, "[%s]:%u > [%s]:%u [%s] seq %u ack %u len %ld",
			 ti->src, ti->sport, ti->dst, ti->dport, fl, ti->seq,
			 ti->ack, ti->payload);
	else
		snprintf(buf, n, "%s:%u > %s:%u [%s] seq %u ack %u len %ld",
			 ti->src, ti->sport, ti->dst, ti->dport, fl, ti->seq,
			 ti->ack, ti->payload);
}

/* Does rule r match this frame?  Counts the match; returns 1 if the rule
 * acts on it (nth/count/prob). */
static int rule_hits(struct rule *r, int dir, const struct tcpinfo *ti)
{
	if (!ti->is_tcp)
		return 0;
	if (r->dir != DIR_ANY && r->dir != dir)
		return 0;
	if (r->flags_exact >= 0 &&
	    (ti->flags & 0x3f) != (r->flags_exact & 0x3f))
		return 0;
	if ((ti->flags & r->flags_has) != r->flags_has)
		return 0;
	if (ti->flags & r->flags_not)
		return 0;
	if (r->payload == 1 && ti->payload == 0)
		return 0;
	if (r->payload == 0 && ti->payload != 0)
		return 0;
	if (r->port >= 0 && (int)ti->sport != r->port && (int)ti->dport != r->port)
		return 0;
	if (r->peerfin >= 0 && r->peerfin != fin_fwd[dir ^ 1])
		return 0;
	r->matches++;
	if (r->matches < r->nth)
		return 0;
	if (r->count > 0 && r->matches >= r->nth + r->count)
		return 0;
	if (r->prob < 1.0 && rng_unit() >= r->prob)
		return 0;
	r->applied++;
	return 1;
}

/* ------------------------------------------------------------- queue */

static int enqueue(int dir, const unsigned char *data, size_t len,
		   int64_t release_us, int held, long wait_left)
{
	int i;

	if (qcount >= QUEUE_MAX) {
		st.qfull++;
		return -1;
	}
	for (i = 0; i < QUEUE_MAX; i++)
		if (!queue[i].used)
			break;
	if (i == QUEUE_MAX) {
		st.qfull++;
		return -1;
	}
	queue[i].data = malloc(len);
	if (!queue[i].data) {
		st.qfull++;
		return -1;
	}
	memcpy(queue[i].data, data, len);
	queue[i].len = len;
	queue[i].dir = dir;
	queue[i].held = held;
	queue[i].wait_left = wait_left;
	queue[i].release_us = release_us;
	queue[i].order = order_ctr++;
	queue[i].used = 1;
	qcount++;
	return i;
}

/* A frame (not held) going out at release_us in direction dir: the held
 * frames of that direction count it, and go right after it when their
 * count reaches zero. */
static void note_passing(int dir, int64_t release_us, int self)
{
	int i;

	for (i = 0; i < QUEUE_MAX; i++) {
		struct qent *q = &queue[i];

		if (!q->used || !q->held || q->dir != dir || i == self)
			continue;
		if (--q->wait_left <= 0) {
			q->held = 0;
			if (release_us > q->release_us)
				release_us = q->release_us;  /* deadline first */
			q->release_us = release_us;
			q->order = order_ctr++;           /* after the passer */
		}
	}
}

/* index of the queue entry to send next, or -1 */
static int queue_first(void)
{
	int i, best = -1;

	for (i = 0; i < QUEUE_MAX; i++) {
		if (!queue[i].used)
			continue;
		if (best < 0 || queue[i].release_us < queue[best].release_us ||
		    (queue[i].release_us == queue[best].release_us &&
		     queue[i].order < queue[best].order))
			best = i;
	}
	return best;
}

/* ------------------------------------------------------------- sockets */

static int open_if(const char *name, int *ifindex)
{
	int fd, one = 1, rcvbuf = 4 << 20;
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	struct timeval tv = { 1, 0 };
	unsigned idx = if_nametoindex(name);

	if (!idx) {
		fprintf(stderr, "impair: no interface '%s': %s\n", name,
			strerror(errno));
		exit(2);
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("impair: socket(AF_PACKET)");
		exit(2);
	}
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		perror("impair: bind");
		exit(2);
	}
	memset(&mr, 0, sizeof mr);
	mr.mr_ifindex = (int)idx;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		perror("impair: PACKET_MR_PROMISC (continuing)");
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
		perror("impair: PACKET_AUXDATA");
		exit(2);
	}
#ifdef PACKET_IGNORE_OUTGOING
	/* best effort; outgoing frames are also skipped by sll_pkttype */
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#endif
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	*ifindex = (int)idx;
	return fd;
}

/* Read one frame.  Returns its length (the frame starts at *start inside
 * buf), 0 if there is nothing to read or the frame is to be ignored. */
static size_t read_frame(int fd, unsigned char *buf, size_t bufsz,
			 unsigned char **start)
{
	struct sockaddr_ll from;
	struct iovec iov;
	struct msghdr msg;
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cbuf;
	struct cmsghdr *c;
	ssize_t n;
	unsigned char *f = buf + HEADROOM;
	size_t len;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = f;
	iov.iov_len = bufsz - HEADROOM;
	msg.msg_name = &from;
	msg.msg_namelen = sizeof from;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.b;
	msg.msg_controllen = sizeof cbuf.b;
	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
	if (n <= 0)
		return 0;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return 0;                 /* our own transmission */
	if ((size_t)n > iov.iov_len || (msg.msg_flags & MSG_TRUNC)) {
		st.truncated++;
		return 0;
	}
	len = (size_t)n;
	/* the kernel strips a VLAN tag into the aux data: put it back */
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof aux))
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof aux);
		if ((aux.tp_status & TP_STATUS_VLAN_VALID) || aux.tp_vlan_tci) {
			uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ?
					aux.tp_vlan_tpid : 0x8100;

			if (len < 12)
				return 0;
			f -= 4;
			memmove(f, f + 4, 12);
			f[12] = (unsigned char)(tpid >> 8);
			f[13] = (unsigned char)tpid;
			f[14] = (unsigned char)(aux.tp_vlan_tci >> 8);
			f[15] = (unsigned char)aux.tp_vlan_tci;
			len += 4;
		}
	}
	*start = f;
	return len;
}

/* ------------------------------------------------------------- main */

static void on_signal(int sig)
{
	stop_sig = sig;
}

int main(int argc, char **argv)
{
	const char *ifa = NULL, *ifb = NULL, *ready = NULL;
	long seed = 1, timeout_s = 60, jitter_ms = 0;
	long delay_ms[2] = { 0, 0 };
	int fds[2], idx[2], i;
	static unsigned char buf[FRAME_MAX + HEADROOM];
	struct sigaction sa;
	int64_t deadline;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define NEED() do { if (!v) usage("missing value"); i++; } while (0)
		if (!strcmp(a, "--a")) { NEED(); ifa = v; }
		else if (!strcmp(a, "--b")) { NEED(); ifb = v; }
		else if (!strcmp(a, "--seed")) { NEED(); seed = parse_long(v, 0, 0x7fffffffL, "seed"); }
		else if (!strcmp(a, "--timeout")) { NEED(); timeout_s = parse_long(v, 1, 3600, "timeout"); }
		else if (!strcmp(a, "--delay-ms")) { NEED(); delay_ms[0] = delay_ms[1] = parse_long(v, 0, 10000, "delay"); }
		else if (!strcmp(a, "--delay-ab-ms")) { NEED(); delay_ms[DIR_AB] = parse_long(v, 0, 10000, "delay"); }
		else if (!strcmp(a, "--delay-ba-ms")) { NEED(); delay_ms[DIR_BA] = parse_long(v, 0, 10000, "delay"); }
		else if (!strcmp(a, "--jitter-ms")) { NEED(); jitter_ms = parse_long(v, 0, 10000, "jitter"); }
		else if (!strcmp(a, "--drop")) { NEED(); add_rule(ACT_DROP, v); }
		else if (!strcmp(a, "--dup")) { NEED(); add_rule(ACT_DUP, v); }
		else if (!strcmp(a, "--delay")) { NEED(); add_rule(ACT_DELAY, v); }
		else if (!strcmp(a, "--reorder")) { NEED(); add_rule(ACT_REORDER, v); }
		else if (!strcmp(a, "--unack")) { NEED(); add_rule(ACT_UNACK, v); }
		else if (!strcmp(a, "--ready-file")) { NEED(); ready = v; }
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) verbose = 2;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) verbose = 0;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage(NULL);
		else { fprintf(stderr, "impair: unknown option '%s'\n", a); usage(NULL); }
#undef NEED
	}
	if (!ifa || !ifb)
		usage("--a and --b are required");
	if (!strcmp(ifa, ifb))
		usage("--a and --b must differ");
	setvbuf(stderr, NULL, _IOLBF, 0);
	rng_seed((uint64_t)seed);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)timeout_s + 5);     /* last resort: SIGALRM kills us */

	fds[0] = open_if(ifa, &idx[0]);
	fds[1] = open_if(ifb, &idx[1]);
	t0_us = now_us();
	deadline = t0_us + (int64_t)timeout_s * 1000000;
	for (i = 0; i < nrules; i++)
		logf_(1, "rule %d: %s %s", i + 1, act_name[rules[i].act],
		      rules[i].text);
	logf_(1, "forwarding %s <-> %s (seed %ld, delay ab %ld ms, ba %ld ms, "
	      "jitter %ld ms, timeout %ld s)", ifa, ifb, seed, delay_ms[0],
	      delay_ms[1], jitter_ms, timeout_s);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f) {
			perror("impair: ready-file");
			exit(2);
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}

	while (!stop_sig) {
		struct pollfd pfd[2];
		int64_t now = now_us(), wait_us;
		int first, r, side;

		if (now >= deadline)
			break;
		/* send everything that is due */
		while ((first = queue_first()) >= 0 &&
		       !queue[first].held && queue[first].release_us <= now) {
			struct qent *q = &queue[first];
			int out = q->dir == DIR_AB ? 1 : 0;

			if (send(fds[out], q->data, q->len, 0) < 0) {
				st.senderr++;
				logf_(1, "send on %s: %s", out ? ifb : ifa,
				      strerror(errno));
			} else {
				st.tx[q->dir]++;
			}
			free(q->data);
			q->data = NULL;
			q->used = 0;
			qcount--;
		}
		/* held frames whose deadline passed are released now */
		for (i = 0; i < QUEUE_MAX; i++) {
			if (queue[i].used && queue[i].held &&
			    queue[i].release_us <= now) {
				queue[i].held = 0;
				logf_(1, "reorder: hold of a %s frame timed out",
				      dir_name[queue[i].dir]);
			}
		}
		wait_us = deadline - now;
		for (i = 0; i < QUEUE_MAX; i++) {
			if (queue[i].used && queue[i].release_us - now < wait_us)
				wait_us = queue[i].release_us - now;
		}
		if (wait_us < 0)
			wait_us = 0;
		if (wait_us > 1000000)
			wait_us = 1000000;
		pfd[0].fd = fds[0];
		pfd[1].fd = fds[1];
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		/* round up so we do not spin on sub-millisecond waits */
		r = poll(pfd, 2, (int)((wait_us + 999) / 1000));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("impair: poll");
			break;
		}
		if (r == 0)
			continue;
		for (side = 0; side < 2; side++) {
			int dir = side == 0 ? DIR_AB : DIR_BA;
			int n;

			if (!(pfd[side].revents & POLLIN))
				continue;
			for (n = 0; n < BURST; n++) {
				unsigned char *f = NULL;
				size_t len = read_frame(fds[side], buf, sizeof buf, &f);
				struct tcpinfo ti;
				char desc[200];
				int64_t t = now_us(), rel;
				int drop = 0, held = 0, qi, k;
				long extra = 0, copies = 0, gap = 0, after = 1,
				     hold_ms = 1000;

				if (!len)
					break;
				st.rx[dir]++;
				parse_frame(f, len, &ti);
				if (!ti.is_tcp)
					st.nontcp[dir]++;
				for (k = 0; k < nrules; k++) {
					struct rule *ru = &rules[k];

					if (!rule_hits(ru, dir, &ti))
						continue;
					switch (ru->act) {
					case ACT_DROP: drop = 1; break;
					case ACT_DELAY: extra += ru->ms; break;
					case ACT_DUP:
						copies += ru->copies;
						gap = ru->gap_ms;
						break;
					case ACT_REORDER:
						held = 1;
						after = ru->after;
						hold_ms = ru->ms;
						break;
					case ACT_UNACK:
						unack(f, &ti);
						break;
					}
					describe(&ti, desc, sizeof desc);
					logf_(1, "%s %s (rule %d, match #%ld) %s",
					      act_name[ru->act], dir_name[dir], k + 1,
					      ru->matches, desc);
					if (drop)
						break;
				}
				if (verbose >= 2) {
					describe(&ti, desc, sizeof desc);
					logf_(2, "rx %s %zu bytes %s", dir_name[dir],
					      len, desc);
				}
				if (drop) {
					st.drop[dir]++;
					continue;
				}
				if (ti.is_tcp && (ti.flags & TH_FIN))
					fin_fwd[dir] = 1;
				rel = t + delay_ms[dir] * 1000 + extra * 1000;
				if (jitter_ms > 0)
					rel += (int64_t)(rng_unit() * (double)jitter_ms * 1000.0);
				if (extra)
					st.delayed[dir]++;
				if (held) {
					qi = enqueue(dir, f, len, rel + hold_ms * 1000,
						     1, after);
					if (qi >= 0)
						st.reordered[dir]++;
					else        /* queue full: send it anyway */
						(void)send(fds[side ^ 1], f, len, 0);
					continue;
				}
				qi = enqueue(dir, f, len, rel, 0, 0);
				if (qi < 0) {
					if (send(fds[side ^ 1], f, len, 0) == 0)
						st.tx[dir]++;
					continue;
				}
				note_passing(dir, rel, qi);
				for (k = 0; k < copies; k++) {
					int64_t crel = rel + (int64_t)(k + 1) * gap * 1000;

					if (enqueue(dir, f, len, crel, 0, 0) >= 0)
						st.dup[dir]++;
				}
			}
		}
	}

	for (i = 0; i < QUEUE_MAX; i++) {
		free(queue[i].data);
		queue[i].data = NULL;
	}
	close(fds[0]);
	close(fds[1]);
	if (stop_sig)
		logf_(0, "signal %d, stopping", (int)stop_sig);
	fprintf(stderr, "impair: ab rx %ld tx %ld (non-TCP %ld) drop %ld dup %ld "
		"delayed %ld reordered %ld\n",
		st.rx[0], st.tx[0], st.nontcp[0], st.drop[0], st.dup[0],
		st.delayed[0], st.reordered[0]);
	fprintf(stderr, "impair: ba rx %ld tx %ld (non-TCP %ld) drop %ld dup %ld "
		"delayed %ld reordered %ld\n",
		st.rx[1], st.tx[1], st.nontcp[1], st.drop[1], st.dup[1],
		st.delayed[1], st.reordered[1]);
	fprintf(stderr, "impair: truncated %ld, queue full %ld, send errors %ld, "
		"%d frames still queued\n", st.truncated, st.qfull, st.senderr,
		qcount);
	for (i = 0; i < nrules; i++)
		fprintf(stderr, "impair: rule %d %s '%s': %ld matches, applied %ld\n",
			i + 1, act_name[rules[i].act], rules[i].text,
			rules[i].matches, rules[i].applied);
	return 0;
}
