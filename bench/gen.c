/* gen.c - deterministic, seeded generator of large TCP captures for the
 * synfin benchmarks.
 *
 *   gen (--packets N | --connections N) [--seed S] [--concurrency C]
 *       [--mix default|short] [--ipv6 PCT] [--hold SEC] [--snaplen N]
 *       [--start SEC] -o FILE
 *
 * Writes a pcap (Ethernet, microsecond timestamps) through libpcap's dump
 * API with correct IPv4 header and TCP checksums. The traffic is a mix of
 * connections seen from a tap next to the servers:
 *
 *   short      3WHS, 1..4 HTTP-like requests each answered by a response of
 *              a few segments (the client ACKs every second segment), then a
 *              FIN exchange started by the client or by the server (FIN on
 *              the last response segment); some clients keep the connection
 *              idle a few seconds before closing; a few SYN-ACKs are lost and
 *              both SYN and SYN-ACK are retransmitted
 *   long       bulk download of 100..600 segments (20 % are uploads)
 *   refused    SYN answered by RST,ACK
 *   unanswered SYN retransmitted after 1, 2, 4 s (1..4 SYNs in all)
 *   reset      a transfer cut by an RST,ACK from the client or the server
 *   half_close the client shuts down its sending side right after its
 *              request, the server goes on sending, then closes (15 % never
 *              close: half_closed at the end)
 *   reuse      a short connection on the 4-tuple of an earlier one: by the
 *              client right after a server-closed connection (RFC 6191, the
 *              server is in TIME_WAIT), or after the client's own TIME_WAIT
 *              (61 s) when the capture is long enough
 *
 * At most C connections are open at once (slots); each slot starts a new
 * connection a few milliseconds after its previous one ended. Packets of
 * all open connections are merged in time order through a binary heap, so
 * memory is O(C) whatever the number of packets or connections. ISNs follow
 * Linux (a per-4-tuple hash plus a 64 ns clock), so a reused 4-tuple always
 * gets a larger ISN. Everything derives from the seed: same arguments, same
 * bytes.
 *
 * Statistics go to standard error as key=value lines (the bench/run script
 * keeps them next to the capture).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define US 1000000LL
#define EPOCH (1700000000LL * US)	/* 2023-11-14 22:13:20 UTC */
#define NSERVERS 64
#define RING 65536			/* reuse candidates kept (each ring) */
#define TW_WAIT (61 * US)		/* client-closed: reuse after 2MSL + 1 s */
#define FAST_WAIT (1 * US)		/* server-closed: client may reuse at once */

/* TCP flags */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* ------------------------------------------------------------------ rng */
static uint64_t rs[4];

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
rnd(void)	/* xoshiro256** */
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
	rs[2] ^= rs[0]; rs[3] ^= rs[1]; rs[1] ^= rs[2]; rs[0] ^= rs[3];
	rs[2] ^= t; rs[3] = rotl(rs[3], 45);
	return r;
}

static inline uint32_t
rndu(uint32_t n)	/* 0 .. n-1 */
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static inline double
rndf(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static uint32_t
rndlog(double lo, double hi)	/* log-uniform in [lo, hi] */
{
	return (uint32_t)exp(log(lo) + rndf() * (log(hi) - log(lo)));
}

static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return z ^ (z >> 33);
}

/* ------------------------------------------------------------ payloads */
#define TLEN 1600
struct tmpl {
	uint8_t b[TLEN];
	uint32_t pre[TLEN + 1];	/* one's-complement partial sums of b[0..n) */
};
static struct tmpl T_REQ, T_RESP, T_BODY;

static void
tmpl_init(struct tmpl *t, const char *head, int ascii)
{
	size_t hl = strlen(head);
	static const char fill[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	memcpy(t->b, head, hl);
	for (size_t i = hl; i < TLEN; i++)
		t->b[i] = ascii ? (uint8_t)fill[i % (sizeof(fill) - 1)] :
		    (uint8_t)rnd();
	t->pre[0] = 0;
	t->pre[1] = (uint32_t)t->b[0] << 8;
	for (size_t n = 2; n <= TLEN; n++)
		t->pre[n] = (n & 1) ? t->pre[n - 1] + ((uint32_t)t->b[n - 1] << 8)
		    : t->pre[n - 2] + ((uint32_t)t->b[n - 2] << 8 | t->b[n - 1]);
}

/* ------------------------------------------------------------ the model */
enum kind { K_SHORT, K_LONG, K_REFUSED, K_UNANS, K_RESET, K_HALF, K_N };
static const char *kind_name[K_N] = { "short", "long", "refused",
	"unanswered", "reset", "half_close" };
enum st { S_IDLE, S_SYN, S_SYNACK, S_RSTACK, S_ACK3, S_REQ, S_XFER, S_HFIN,
	S_HACK, S_FIN1, S_ACK1, S_FIN2, S_ACK2, S_RST };
enum end { E_FREE, E_TW, E_IDLE };	/* what a tracker holds afterwards */

struct conn {
	int64_t ts;		/* time of the next packet (us since EPOCH) */
	int64_t xt0;		/* transfer: time of segment 0 */
	uint32_t cidx;		/* client host index */
	uint32_t cnxt, snxt;	/* next sequence number of each side */
	uint32_t ciss, siss;
	uint32_t rtt, svc;	/* us: client round trip; server turnaround */
	uint32_t tsc, tss;	/* TCP timestamp clock offsets */
	uint32_t xbytes, xseq0, xnseg, xsent, xack, xdt, xackd, resp;
	uint16_t cport, sport, cipid, sipid;
	uint8_t sidx, kind, st, v6, tsopt, closer, combine, xdir, xfin, phase,
	    syn_left, reqs_left, rst_by, never, reused;
	uint16_t mss;
};

struct hent {
	int64_t ts;
	uint32_t slot;
};

struct tuple {
	int64_t end;
	uint32_t cidx;
	uint16_t cport, sport;
	uint8_t sidx, v6;
};
struct ring {
	struct tuple *t;
	uint32_t head, n;
};

/* A sliding count of connections that ended within the last W us (for
 * the estimate of what a tracker must hold: TIME_WAIT, idle timeout). */
#define NB 600
struct window {
	int64_t width, start;	/* bucket width; start time of bucket cur */
	uint32_t cur;
	uint64_t b[NB], sum;
};

static struct {
	/* options */
	uint64_t max_packets, max_conns;
	uint32_t conc, snaplen;
	int mix_short;
	double v6pct, hold;
	int64_t start;		/* --start, us */
	/* state */
	struct conn *c;
	struct hent *h;
	uint32_t hn;
	struct ring rfast, rtw;
	struct window wtw, widle;
	pcap_dumper_t *d;
	/* counters */
	uint64_t packets, bytes, conns, open, peak_open, peak_tracked, v6,
	    kinds[K_N], reuse_fast, reuse_tw, ended[3];
	int64_t first, last;
} G;

/* ------------------------------------------------------------- windows */
static void
win_init(struct window *w, int64_t span)
{
	memset(w, 0, sizeof(*w));
	w->width = span / NB;
}

static void
win_advance(struct window *w, int64_t now)
{
	if (now - w->start >= (int64_t)NB * w->width) {
		memset(w->b, 0, sizeof(w->b));
		w->sum = 0;
		w->start = now - now % w->width;
		return;
	}
	while (now >= w->start + w->width) {
		w->cur = (w->cur + 1) % NB;
		w->sum -= w->b[w->cur];
		w->b[w->cur] = 0;
		w->start += w->width;
	}
}

static void
win_add(struct window *w, int64_t now)
{
	win_advance(w, now);
	w->b[w->cur]++;
	w->sum++;
}

/* ---------------------------------------------------------------- heap */
static inline int
hless(const struct hent *a, const struct hent *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->slot < b->slot);
}

static void
hdown(uint32_t i)
{
	struct hent e = G.h[i];

	for (;;) {
		uint32_t l = 2 * i + 1, m;
		if (l >= G.hn)
			break;
		m = (l + 1 < G.hn && hless(&G.h[l + 1], &G.h[l])) ? l + 1 : l;
		if (!hless(&G.h[m], &e))
			break;
		G.h[i] = G.h[m];
		i = m;
	}
	G.h[i] = e;
}

static void
hup(uint32_t i)
{
	struct hent e = G.h[i];

	while (i) {
		uint32_t p = (i - 1) / 2;
		if (!hless(&e, &G.h[p]))
			break;
		G.h[i] = G.h[p];
		i = p;
	}
	G.h[i] = e;
}

/* ------------------------------------------------------------- packets */
static const uint8_t MAC_SRV[6] = { 0x02, 0x00, 0x00, 0x5e, 0x00, 0x01 };
static const uint8_t MAC_GW[6] = { 0x02, 0x00, 0x00, 0xc1, 0x00, 0x01 };

static inline uint8_t *
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static inline uint32_t
sum16(const uint8_t *p, size_t n)	/* n even */
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	return s;
}

static inline uint16_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Client IPv4 addresses: clients come from all over the unicast space
 * (the first two octets from a hash, so that tools hashing a few address
 * bits see a realistic spread), the low 16 bits are the client index, so
 * that the 65536 addresses are distinct. */
static uint32_t client_v4[65536];

static void
client_v4_init(void)
{
	for (uint32_t i = 0; i < 65536; i++) {
		uint32_t h = (uint32_t)mix64(i ^ 0xc11e47ULL), o1;

		o1 = 1 + (h >> 8) % 223;		/* 1..223 */
		if (o1 == 10 || o1 == 127 || o1 == 100 || o1 == 169 ||
		    o1 == 172 || o1 == 192 || o1 == 198)
			o1 += 1;			/* no private/special */
		client_v4[i] = o1 << 24 | (h & 0xff) << 16 | i;
	}
}

static void
addr(const struct conn *c, int server, uint8_t *a)
{
	if (!c->v6) {
		if (server)
			put32(a, 0xc6130000u | (c->sidx + 1u));	/* 198.19.0.x */
		else
			put32(a, client_v4[c->cidx & 0xffff]);
		return;
	}
	/* 2001:db8:c1::/48 clients, 2001:db8:5e::/48 servers */
	memset(a, 0, 16);
	a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
	if (server) {
		a[5] = 0x5e;
		a[15] = (uint8_t)(c->sidx + 1);
	} else {
		a[5] = 0xc1;
		put32(a + 8, (uint32_t)mix64(c->cidx) & 0xffff0000u);
		put32(a + 12, c->cidx + 1);
	}
}

/* TCP timestamp clock of a side at time t (1 kHz, as Linux). */
static inline uint32_t
tsclock(uint32_t off, int64_t t)
{
	return off + (uint32_t)(t / 1000);
}

static void
emit(struct conn *c, int server, uint8_t flags, uint32_t seq, uint32_t ack,
    const struct tmpl *pl, uint32_t len)
{
	uint8_t pkt[14 + 40 + 60 + TLEN], *ip = pkt + 14, *tcp, *o;
	uint8_t sa[16], da[16];
	size_t alen = c->v6 ? 16 : 4, iphl = c->v6 ? 40 : 20, thl;
	uint32_t s;
	struct pcap_pkthdr ph;
	int64_t t = c->ts;

	addr(c, server, sa);
	addr(c, !server, da);
	memcpy(pkt, server ? MAC_GW : MAC_SRV, 6);
	memcpy(pkt + 6, server ? MAC_SRV : MAC_GW, 6);
	tcp = ip + iphl;
	/* TCP header and options */
	put16(tcp, server ? c->sport : c->cport);
	put16(tcp + 2, server ? c->cport : c->sport);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & F_ACK) ? ack : 0);
	tcp[13] = flags;
	tcp[16] = tcp[17] = 0;	/* checksum */
	tcp[18] = tcp[19] = 0;	/* urgent */
	o = tcp + 20;
	if (flags & F_SYN) {
		o = put16(o, 0x0204);
		o = put16(o, c->mss);
		if (c->tsopt) {
			o = put16(o, 0x0402);		/* SACK permitted */
			o = put16(o, 0x080a);
			o = put32(o, tsclock(server ? c->tss : c->tsc, t));
			o = put32(o, server ? tsclock(c->tsc, t - c->rtt) : 0);
			*o++ = 1;
			*o++ = 3; *o++ = 3; *o++ = 7;	/* wscale 7 */
		} else {
			*o++ = 1;
			*o++ = 3; *o++ = 3; *o++ = 8;
			*o++ = 1; *o++ = 1;
			o = put16(o, 0x0402);
		}
		put16(tcp + 14, server ? 65160 : 64240);
	} else {
		if (c->tsopt) {
			o = put32(o, 0x0101080a);
			o = put32(o, tsclock(server ? c->tss : c->tsc, t));
			o = put32(o, tsclock(server ? c->tsc : c->tss,
			    t - (server ? c->rtt : 0)));
		}
		/* scaled by 2^7 (2^8 without timestamps): the client's receive
		 * window has grown to 2 MB, the server's is 64 KB */
		put16(tcp + 14, (flags & F_RST) ? 0 : server ? 509 : 16384);
	}
	thl = (size_t)(o - tcp);
	tcp[12] = (uint8_t)(thl << 2);
	if (len) {	/* only what the snaplen keeps */
		size_t keep = (size_t)(o - pkt) + len > G.snaplen ?
		    (G.snaplen > (size_t)(o - pkt) ? G.snaplen - (size_t)(o - pkt) : 0)
		    : len;
		memcpy(o, pl->b, keep);
	}
	/* IP header */
	if (c->v6) {
		uint32_t fl = (uint32_t)mix64(c->cidx ^ ((uint64_t)c->cport << 32) ^
		    (uint64_t)server << 48) & 0xfffff;
		put16(pkt + 12, 0x86dd);
		put32(ip, 0x60000000u | fl);
		put16(ip + 4, (uint32_t)(thl + len));
		ip[6] = 6;
		ip[7] = server ? 64 : (uint8_t)(64 - 4 - (c->cidx % 17));
		memcpy(ip + 8, sa, 16);
		memcpy(ip + 24, da, 16);
	} else {
		put16(pkt + 12, 0x0800);
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint32_t)(20 + thl + len));
		put16(ip + 4, server ? c->sipid++ : c->cipid++);
		put16(ip + 6, 0x4000);	/* DF */
		ip[8] = server ? 64 : (uint8_t)(64 - 4 - (c->cidx % 17));
		ip[9] = 6;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, sa, 4);
		memcpy(ip + 16, da, 4);
		put16(ip + 10, fold(sum16(ip, 20)));
	}
	/* TCP checksum: pseudo header + header + payload (precomputed) */
	s = sum16(sa, alen) + sum16(da, alen) + 6 + (uint32_t)(thl + len) +
	    sum16(tcp, thl) + (len ? pl->pre[len] : 0);
	put16(tcp + 16, fold(s));

	ph.len = (uint32_t)(14 + iphl + thl + len);
	ph.caplen = ph.len > G.snaplen ? G.snaplen : ph.len;
	ph.ts.tv_sec = (time_t)((EPOCH + G.start + t) / US);
	ph.ts.tv_usec = (suseconds_t)((EPOCH + G.start + t) % US);
	pcap_dump((u_char *)G.d, &ph, pkt);
	if (!G.packets)
		G.first = t;
	G.last = t;
	G.packets++;
	G.bytes += ph.caplen;
}

/* ------------------------------------------------------- connection life */
static int
ring_take(struct ring *r, int64_t now, int64_t wait, struct tuple *out)
{
	if (!r->n || r->t[r->head].end + wait > now)
		return 0;
	*out = r->t[r->head];
	r->head = (r->head + 1) % RING;
	r->n--;
	return 1;
}

static void
ring_put(struct ring *r, const struct conn *c, int64_t now)
{
	struct tuple *t;

	if (r->n == RING)
		return;
	t = &r->t[(r->head + r->n++) % RING];
	t->end = now;
	t->cidx = c->cidx;
	t->cport = c->cport;
	t->sport = c->sport;
	t->sidx = c->sidx;
	t->v6 = c->v6;
}

static uint32_t
isn(const struct conn *c, int server, int64_t t)
{
	uint64_t k = ((uint64_t)c->cidx << 32) ^ ((uint64_t)c->cport << 16) ^
	    c->sport ^ ((uint64_t)c->sidx << 56) ^ ((uint64_t)c->v6 << 63) ^
	    (server ? 0x5a5a5a5a5a5a5a5aULL : 0);
	return (uint32_t)mix64(k) + (uint32_t)(t * 16);	/* 64 ns clock */
}

static void
conn_start(struct conn *c, int64_t now)
{
	static const uint8_t wdef[K_N] = { 81, 2, 5, 2, 5, 5 };
	static const uint8_t wshort[K_N] = { 97, 0, 2, 0, 1, 0 };
	const uint8_t *w = G.mix_short ? wshort : wdef;
	uint32_t r = rndu(100), k = 0, acc = 0;
	uint64_t n = G.conns++;
	struct tuple tu;
	int reused = 0;

	while (k < K_N - 1 && r >= acc + w[k])
		acc += w[k++];
	memset(c, 0, sizeof(*c));
	c->kind = (uint8_t)k;
	c->ts = now;
	if (k == K_SHORT && rndu(100) < 8) {
		if (ring_take(&G.rtw, now, TW_WAIT, &tu)) {
			reused = 2;
			G.reuse_tw++;
		} else if (ring_take(&G.rfast, now,
		    FAST_WAIT + rndu(4 * US), &tu)) {
			reused = 1;
			G.reuse_fast++;
		}
	}
	if (reused) {
		c->cidx = tu.cidx;
		c->cport = tu.cport;
		c->sport = tu.sport;
		c->sidx = tu.sidx;
		c->v6 = tu.v6;
		c->reused = (uint8_t)reused;
	} else {
		/* A unique 4-tuple for the n-th connection: 65536 client hosts,
		 * each walking its ephemeral ports (32768..60999). */
		uint32_t idx = (uint32_t)(n * 40503u) & 0xffff;
		uint32_t pr = rndu(100);

		c->cidx = idx;
		c->cport = (uint16_t)(32768 + ((n >> 16) + idx * 7u) % 28232);
		c->sidx = (uint8_t)rndu(NSERVERS);
		c->sport = pr < 50 ? 80 : pr < 85 ? 443 : pr < 95 ? 8080 : 22;
		c->v6 = rndf() * 100 < G.v6pct;
	}
	G.kinds[k]++;
	if (c->v6)
		G.v6++;
	c->tsopt = rndu(10) != 0;
	c->mss = c->v6 ? 1440 : 1460;
	c->rtt = rndlog(100, 200000);
	c->svc = 10 + rndu(90);
	c->tsc = (uint32_t)mix64(c->cidx ^ ((uint64_t)c->sidx << 40) ^ 1);
	c->tss = (uint32_t)mix64(c->cidx ^ ((uint64_t)c->sidx << 40) ^ 2);
	c->cipid = (uint16_t)rnd();
	c->sipid = (uint16_t)rnd();
	c->ciss = isn(c, 0, now);
	c->siss = isn(c, 1, now);
	c->cnxt = c->ciss + 1;
	c->closer = (uint8_t)rndu(2);
	c->combine = (uint8_t)rndu(2);
	c->reqs_left = 1;
	c->st = S_SYN;
	switch (k) {
	case K_SHORT:
		if (!G.mix_short && rndu(100) < 15)
			c->reqs_left = (uint8_t)(2 + rndu(3));
		if (G.hold > 0 && c->reqs_left < 2)
			c->reqs_left = 2;
		if (rndu(200) == 0)
			c->syn_left = 1;	/* SYN-ACK lost once */
		break;
	case K_UNANS: {
		uint32_t x = rndu(10);
		c->syn_left = x < 4 ? 0 : x < 7 ? 1 : x < 9 ? 2 : 3;
		break;
	}
	case K_RESET:
		c->rst_by = (uint8_t)rndu(2);
		break;
	case K_HALF:
		c->closer = 0;
		c->never = rndu(100) < 15;
		break;
	case K_LONG:
		c->phase = rndu(5) == 0;	/* 1: upload first */
		break;
	}
	G.open++;
	if (G.open > G.peak_open)
		G.peak_open = G.open;
}

static uint32_t
resp_len(const struct conn *c)
{
	if (G.mix_short)	/* small API answers: one segment */
		return 100 + rndu(1100);
	if (c->kind == K_LONG)
		return (100 + rndu(501)) * (c->mss - (c->tsopt ? 12 : 0)) -
		    rndu(1000);
	if (rndu(100) < 85)
		return 200 + rndu(4 * 1448);
	return rndlog(8000, 65536);
}

/* A transfer from one side (server: 1), the receiver ACKing every second
 * segment and the last ackd us after seeing them. */
static void
xfer(struct conn *c, int server, uint32_t bytes, int64_t t0, uint32_t dt,
    uint32_t ackd, int fin)
{
	uint32_t seg = c->mss - (c->tsopt ? 12 : 0);
	/* Stay within the receiver's window (1 MB of the client's 2 MB,
	 * 60 KB of the server's): at most wnd bytes unacknowledged. */
	uint64_t wnd = server ? 1u << 20 : 60000, min;

	if (!ackd)
		ackd = 1;
	min = (uint64_t)ackd * seg / (wnd - 2 * seg) + 1;
	if (dt < min)
		dt = (uint32_t)min;
	c->xdir = (uint8_t)server;
	c->xbytes = bytes ? bytes : 1;
	c->xnseg = (c->xbytes + seg - 1) / seg;
	c->xsent = 0;
	c->xack = c->xnseg > 1 ? 1 : 0;
	c->xt0 = t0;
	c->xdt = dt ? dt : 1;
	c->xackd = ackd ? ackd : 1;
	c->xfin = (uint8_t)fin;
	c->xseq0 = server ? c->snxt : c->cnxt;
	c->st = S_XFER;
	c->ts = t0;
}

static inline uint32_t
xend(const struct conn *c, uint32_t i)	/* seq after segment i */
{
	uint32_t seg = c->mss - (c->tsopt ? 12 : 0);
	uint32_t e = (i + 1) * seg;

	if (e > c->xbytes)
		e = c->xbytes;
	return c->xseq0 + e + (i == c->xnseg - 1 && c->xfin ? 1 : 0);
}

static void
response(struct conn *c, int64_t t)
{
	int last = c->reqs_left == 1;
	uint32_t bytes = c->resp ? c->resp : resp_len(c);
	int fin = (c->kind == K_SHORT || c->kind == K_LONG) && last &&
	    c->closer == 1;
	uint32_t dt = c->kind == K_LONG ? rndlog(12, 1200) : rndlog(12, 120);

	c->resp = 0;
	if (c->kind == K_RESET) {
		uint32_t seg = c->mss - (c->tsopt ? 12 : 0);
		uint32_t n = 2 + rndu(40);
		bytes = n * seg;
		bytes -= rndu(n - 1) * seg;	/* cut after 1..n-1 segments */
	}
	if (c->kind == K_HALF)
		fin = !c->never;
	xfer(c, 1, bytes, t + rndlog(50, 10000), dt, c->rtt, fin);
}

/* The transfer finished at c->ts: what comes next. */
static void
xfer_done(struct conn *c)
{
	int64_t t = c->ts;

	if (c->kind == K_LONG && c->phase == 1) {	/* upload done: reply */
		c->phase = 2;
		c->resp = 100 + rndu(400);
		response(c, t);
		return;
	}
	c->reqs_left--;
	switch (c->kind) {
	case K_RESET:
		c->st = S_RST;
		c->ts = t + (c->rst_by ? c->svc : rndu(c->rtt / 2 + 1));
		return;
	case K_HALF:
		c->st = S_IDLE;	/* done: client's last ACK (or never) */
		return;
	}
	if (c->reqs_left) {
		c->st = S_REQ;
		c->ts = t + (c->reqs_left == 1 && G.hold > 0 ?	/* keep-alive */
		    (int64_t)(G.hold * (0.5 + rndf()) * US) :
		    rndlog(1000, 100000));
		return;
	}
	if (c->closer == 1) {	/* server's FIN went with the last segment */
		c->st = S_FIN2;
		c->ts = t + rndlog(30, 2000);
	} else {
		c->st = S_FIN1;
		c->ts = t + (rndu(100) < 5 ? rndlog(500000, 5000000) :
		    rndlog(50, 5000));
	}
}

/* Emit the packet due now; return 0 when the connection is over. */
static int
step(struct conn *c)
{
	int64_t t = c->ts;

	switch (c->st) {
	case S_SYN:
		emit(c, 0, F_SYN, c->ciss, 0, NULL, 0);
		if (c->kind == K_UNANS) {
			if (!c->syn_left)
				return 0;
			c->ts = t + (US << c->phase);	/* RTO 1 s, doubling */
			c->phase++;
			c->syn_left--;
			return 1;
		}
		c->st = c->kind == K_REFUSED ? S_RSTACK : S_SYNACK;
		c->ts = t + c->svc;
		return 1;
	case S_RSTACK:
		emit(c, 1, F_RST | F_ACK, 0, c->cnxt, NULL, 0);
		return 0;
	case S_SYNACK:
		emit(c, 1, F_SYN | F_ACK, c->siss, c->cnxt, NULL, 0);
		c->snxt = c->siss + 1;
		if (c->syn_left) {	/* lost: the client tries again */
			c->syn_left--;
			c->st = S_SYN;
			c->ts = t + US - c->svc;
			return 1;
		}
		c->st = S_ACK3;
		c->ts = t + c->rtt;
		return 1;
	case S_ACK3:
		emit(c, 0, F_ACK, c->cnxt, c->snxt, NULL, 0);
		if (c->kind == K_LONG && c->phase == 1) {
			xfer(c, 0, resp_len(c), t + 1 + rndu(200),
			    rndlog(12, 1200), c->svc, 0);
			return 1;
		}
		c->st = S_REQ;
		c->ts = t + 1 + rndu(200);
		return 1;
	case S_REQ: {
		uint32_t len = G.mix_short ? 80 + rndu(321) :
		    80 + rndu(c->tsopt ? 821 : 833);
		emit(c, 0, F_PSH | F_ACK, c->cnxt, c->snxt, &T_REQ, len);
		c->cnxt += len;
		if (c->kind == K_HALF) {
			c->st = S_HFIN;
			c->ts = t + 1 + rndu(1000);
			return 1;
		}
		response(c, t);
		return 1;
	}
	case S_HFIN:
		emit(c, 0, F_FIN | F_ACK, c->cnxt, c->snxt, NULL, 0);
		c->cnxt++;
		c->st = S_HACK;
		c->ts = t + c->svc;
		return 1;
	case S_HACK:
		emit(c, 1, F_ACK, c->snxt, c->cnxt, NULL, 0);
		response(c, t);
		return 1;
	case S_XFER: {
		int64_t td = c->xsent < c->xnseg ?
		    c->xt0 + (int64_t)c->xsent * c->xdt : INT64_MAX;
		int srv = c->xdir;
		if (t == td) {	/* the next data segment */
			uint32_t i = c->xsent++;
			uint32_t seq = c->xseq0 + i * (c->mss - (c->tsopt ? 12 : 0));
			uint32_t end = xend(c, i);
			int last = i == c->xnseg - 1;
			uint8_t f = F_ACK | (last ? F_PSH : 0) |
			    (last && c->xfin ? F_FIN : 0);
			emit(c, srv, f, seq, srv ? c->cnxt : c->snxt,
			    i == 0 && srv ? &T_RESP : &T_BODY,
			    end - seq - (f & F_FIN ? 1 : 0));
			if (srv)
				c->snxt = end;
			else
				c->cnxt = end;
		} else {	/* the receiver's ACK of segment xack */
			uint32_t a = c->xack;
			emit(c, !srv, F_ACK, srv ? c->cnxt : c->snxt, xend(c, a),
			    NULL, 0);
			c->xack = a == c->xnseg - 1 ? c->xnseg :
			    (a + 2 < c->xnseg ? a + 2 : c->xnseg - 1);
		}
		if (c->xsent == c->xnseg && c->xack == c->xnseg) {
			xfer_done(c);
			return c->st != S_IDLE;
		}
		td = c->xsent < c->xnseg ?
		    c->xt0 + (int64_t)c->xsent * c->xdt : INT64_MAX;
		int64_t ta = c->xack < c->xnseg ?
		    c->xt0 + (int64_t)c->xack * c->xdt + c->xackd : INT64_MAX;
		c->ts = td <= ta ? td : ta;
		return 1;
	}
	case S_FIN1:	/* the client closes first */
		emit(c, 0, F_FIN | F_ACK, c->cnxt, c->snxt, NULL, 0);
		c->cnxt++;
		c->st = c->combine ? S_FIN2 : S_ACK1;
		c->ts = t + c->svc;
		return 1;
	case S_ACK1:
		emit(c, 1, F_ACK, c->snxt, c->cnxt, NULL, 0);
		c->st = S_FIN2;
		c->ts = t + rndlog(20, 1000);
		return 1;
	case S_FIN2:	/* the passive closer's FIN */
		if (c->closer == 0) {
			emit(c, 1, F_FIN | F_ACK, c->snxt, c->cnxt, NULL, 0);
			c->snxt++;
			c->ts = t + c->rtt;
		} else {
			emit(c, 0, F_FIN | F_ACK, c->cnxt, c->snxt, NULL, 0);
			c->cnxt++;
			c->ts = t + c->svc;
		}
		c->st = S_ACK2;
		return 1;
	case S_ACK2:
		if (c->closer == 0)
			emit(c, 0, F_ACK, c->cnxt, c->snxt, NULL, 0);
		else
			emit(c, 1, F_ACK, c->snxt, c->cnxt, NULL, 0);
		return 0;
	case S_RST:
		if (c->rst_by)
			emit(c, 1, F_RST | F_ACK, c->snxt, c->cnxt, NULL, 0);
		else
			emit(c, 0, F_RST | F_ACK, c->cnxt, c->snxt, NULL, 0);
		return 0;
	default:
		return 0;
	}
}

static enum end
conn_end_kind(const struct conn *c)
{
	switch (c->kind) {
	case K_UNANS:
		return E_IDLE;
	case K_HALF:
		return c->never ? E_IDLE : E_TW;
	case K_SHORT:
	case K_LONG:
		return E_TW;
	default:
		return E_FREE;
	}
}

static void
conn_end(struct conn *c, int64_t now)
{
	enum end e = conn_end_kind(c);

	G.open--;
	G.ended[e]++;
	if (e == E_TW)
		win_add(&G.wtw, now);
	else if (e == E_IDLE)
		win_add(&G.widle, now);
	if (c->kind == K_SHORT && rndu(2)) {
		if (c->closer == 1)
			ring_put(&G.rfast, c, now);
		else
			ring_put(&G.rtw, c, now);
	}
}

/* ---------------------------------------------------------------- main */
static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: gen (--packets N | --connections N) [--seed S] "
	    "[--concurrency C]\n"
	    "           [--mix default|short] [--ipv6 PCT] [--hold SEC] [--snaplen N]\n"
	    "           [--start SEC] -o FILE\n"
	    "  --packets N      stop after N packets (1 .. 100000000)\n"
	    "  --connections N  start N connections, write until all ended "
	    "(<= 10000000)\n"
	    "  --seed S         seed (default 1); same arguments, same bytes\n"
	    "  --concurrency C  connections open at once at most "
	    "(default 1000)\n"
	    "  --mix M          default: the full mix; short: short HTTP "
	    "connections only,\n"
	    "                   one request (80..400 bytes), one response segment\n"
	    "                   (100..1200 bytes): 97 %%, plus 2 %% refused, 1 %% reset\n"
	    "  --ipv6 PCT       share of IPv6 connections (default 10)\n"
	    "  --hold SEC       short connections stay idle (keep-alive) about SEC\n"
	    "                   seconds (0.5..1.5 x) before their last request:\n"
	    "                   long-lived connections, about C/SEC new ones a second\n"
	    "  --snaplen N      keep at most N bytes of each frame (96 .. 262144,\n"
	    "                   default 262144): headers-only captures, as tcpdump -s\n"
	    "  --start SEC      the first packet SEC seconds after 2023-11-14 22:13:20\n"
	    "                   UTC (default 0): captures to read one after another\n"
	    "  -o FILE          output pcap ('-' for standard output)\n"
	    "Statistics go to standard error as key=value lines.\n");
	exit(code);
}

static uint64_t
num(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char *e;
	double v;

	errno = 0;
	v = strtod(s, &e);
	if (*e == 'k' || *e == 'K')
		v *= 1e3, e++;
	else if (*e == 'M' || *e == 'm')
		v *= 1e6, e++;
	if (errno || *e || v < (double)lo || v > (double)hi) {
		fprintf(stderr, "gen: %s: '%s' is not a number in %llu..%llu\n",
		    opt, s, (unsigned long long)lo, (unsigned long long)hi);
		exit(2);
	}
	return (uint64_t)v;
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	uint64_t seed = 1, sm;
	pcap_t *p;
	FILE *fp;
	struct timespec w0, w1;
	double secs;

	G.conc = 1000;
	G.v6pct = 10;
	G.snaplen = 262144;
	for (int i = 1; i < argc; i += 2) {	/* an option and its value */
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			usage(0);
		if (!v)
			usage(2);
		if (!strcmp(a, "--packets"))
			G.max_packets = num(a, v, 1, 100000000);
		else if (!strcmp(a, "--connections"))
			G.max_conns = num(a, v, 1, 10000000);
		else if (!strcmp(a, "--seed"))
			seed = num(a, v, 0, UINT64_MAX / 2);
		else if (!strcmp(a, "--concurrency"))
			G.conc = (uint32_t)num(a, v, 1, 10000000);
		else if (!strcmp(a, "--hold")) {
			char *e;
			G.hold = strtod(v, &e);
			if (*e || !(G.hold >= 0 && G.hold <= 3600)) {
				fprintf(stderr, "gen: --hold: '%s' is not a "
				    "number of seconds in 0..3600\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--start"))
			G.start = (int64_t)num(a, v, 0, 1000000000) * US;
		else if (!strcmp(a, "--snaplen"))
			G.snaplen = (uint32_t)num(a, v, 96, 262144);
		else if (!strcmp(a, "--ipv6"))
			G.v6pct = (double)num(a, v, 0, 100);
		else if (!strcmp(a, "--mix")) {
			if (!strcmp(v, "short"))
				G.mix_short = 1;
			else if (strcmp(v, "default"))
				usage(2);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
			out = v;
		else
			usage(2);
	}
	if (!out || (!G.max_packets && !G.max_conns))
		usage(2);
	if (!G.max_packets)
		G.max_packets = UINT64_MAX;
	if (!G.max_conns)
		G.max_conns = UINT64_MAX;

	sm = seed;
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix(&sm);
	tmpl_init(&T_REQ, "GET /api/v1/objects/4711?session=8c2f1a HTTP/1.1\r\n"
	    "Host: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux "
	    "x86_64) synfin-bench/1\r\nAccept: */*\r\nAccept-Encoding: gzip, "
	    "deflate\r\nConnection: keep-alive\r\nCookie: id=", 1);
	tmpl_init(&T_RESP, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
	    "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: "
	    "application/octet-stream\r\nContent-Length: 1048576\r\n"
	    "Connection: keep-alive\r\n\r\n", 0);
	tmpl_init(&T_BODY, "", 0);
	client_v4_init();

	G.c = calloc(G.conc, sizeof(*G.c));
	G.h = calloc(G.conc, sizeof(*G.h));
	G.rfast.t = calloc(RING, sizeof(struct tuple));
	G.rtw.t = calloc(RING, sizeof(struct tuple));
	if (!G.c || !G.h || !G.rfast.t || !G.rtw.t) {
		fprintf(stderr, "gen: out of memory\n");
		return 1;
	}
	win_init(&G.wtw, 60 * US);	/* 2MSL, synfin's default --msl 30 */
	win_init(&G.widle, 300 * US);	/* synfin's default --idle-timeout */

	if (!strcmp(out, "-"))
		fp = stdout;
	else if (!(fp = fopen(out, "wb"))) {
		fprintf(stderr, "gen: %s: %s\n", out, strerror(errno));
		return 2;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 22);
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)G.snaplen,
	    PCAP_TSTAMP_PRECISION_MICRO);
	if (!p || !(G.d = pcap_dump_fopen(p, fp))) {
		fprintf(stderr, "gen: %s: %s\n", out, p ? pcap_geterr(p) : "pcap");
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &w0);
	/* Slots start within the first half second. */
	for (uint32_t i = 0; i < G.conc; i++) {
		G.c[i].st = S_IDLE;
		G.h[i].ts = rndu(500000);
		G.h[i].slot = i;
		G.hn++;
		hup(G.hn - 1);
	}
	while (G.hn && G.packets < G.max_packets) {
		struct hent *top = &G.h[0];
		struct conn *c = &G.c[top->slot];
		int64_t now = top->ts;

		if (c->st == S_IDLE) {
			if (G.conns >= G.max_conns) {
				G.h[0] = G.h[--G.hn];
				hdown(0);
				continue;
			}
			conn_start(c, now);
		}
		if (step(c)) {
			top->ts = c->ts;
		} else {
			conn_end(c, now);
			win_advance(&G.wtw, now);
			win_advance(&G.widle, now);
			c->st = S_IDLE;
			top->ts = now + 1000 + rndu(20000);
		}
		if (G.open + G.wtw.sum + G.widle.sum > G.peak_tracked)
			G.peak_tracked = G.open + G.wtw.sum + G.widle.sum;
		hdown(0);
	}
	pcap_dump_flush(G.d);
	if (ferror(fp) || fflush(fp)) {
		fprintf(stderr, "gen: %s: write error\n", out);
		return 2;
	}
	pcap_dump_close(G.d);
	pcap_close(p);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	secs = (double)(w1.tv_sec - w0.tv_sec) +
	    (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;

	fprintf(stderr, "packets=%llu\nbytes=%llu\nfile_bytes=%llu\n"
	    "connections=%llu\nipv6_connections=%llu\n",
	    (unsigned long long)G.packets, (unsigned long long)G.bytes,
	    (unsigned long long)(24 + 16 * G.packets + G.bytes),
	    (unsigned long long)G.conns, (unsigned long long)G.v6);
	for (int k = 0; k < K_N; k++)
		fprintf(stderr, "kind_%s=%llu\n", kind_name[k],
		    (unsigned long long)G.kinds[k]);
	fprintf(stderr, "reuse_after_server_close=%llu\n"
	    "reuse_after_time_wait=%llu\n"
	    "open_at_end=%llu\nconcurrency=%u\npeak_open=%llu\n"
	    "peak_tracked_est=%llu\ncapture_seconds=%.6f\n"
	    "gen_seconds=%.3f\ngen_packets_per_s=%.0f\ngen_MB_per_s=%.0f\n",
	    (unsigned long long)G.reuse_fast, (unsigned long long)G.reuse_tw,
	    (unsigned long long)G.open, G.conc,
	    (unsigned long long)G.peak_open,
	    (unsigned long long)G.peak_tracked,
	    (double)(G.last - G.first) / 1e6, secs,
	    secs > 0 ? (double)G.packets / secs : 0,
	    secs > 0 ? (double)(24 + 16 * G.packets + G.bytes) / secs / 1e6 : 0);
	return 0;
}
