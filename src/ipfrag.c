/* ipfrag.c - IPv4 and IPv6 fragment reassembly (ipfrag.h). */
#include "config.h"

#include "ipfrag.h"

#include <string.h>

#include <glib.h>

#define IPPROTO_TCP_ 6

/* What makes fragments one datagram's: RFC 791's source, destination,
 * protocol and identification (RFC 8200: no protocol), and the VLAN. */
struct fkey {
	uint8_t af, proto;
	uint16_t vlan;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint64_t iface;
};

struct dgram {
	struct fkey key;
	int64_t first_ts;	/* its first fragment's time */
	GList link;		/* in f->order, oldest first */
	uint32_t total;		/* the payload's length, once have_last */
	bool have_last, have_first;
	uint8_t proto;		/* the first fragment's (offset 0) */
	bool counted;		/* it may carry TCP: counted if given up */
	uint16_t n;		/* fragments held */
	struct {
		uint32_t off, len, cap;
	} piece[FRAG_MAX_PIECES];
	uint8_t *buf;		/* captured bytes at their offsets */
	uint32_t bufcap;
};

struct ipfrag {
	GHashTable *dg;		/* struct fkey * -> struct dgram * */
	GQueue order;		/* struct dgram, by first fragment */
	size_t mem;		/* bytes held: records and their bytes */
	int64_t clock;		/* the latest time seen */
	uint8_t *done;		/* the last datagram reassembled */
	uint64_t dropped, reassembled;
};

static guint
fkey_hash(gconstpointer p)
{
	const struct fkey *k = p;
	guint h = k->id ^ ((guint)k->af << 24) ^ ((guint)k->proto << 16) ^
	    k->vlan ^ (guint)(k->iface * 0x9e3779b97f4a7c15ULL >> 32);

	for (int i = 0; i < 16; i += 4) {
		uint32_t a, b;
		memcpy(&a, k->src + i, 4);
		memcpy(&b, k->dst + i, 4);
		h = h * 31 + a;
		h = h * 31 + b;
	}
	return h;
}

static gboolean
fkey_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct fkey)) == 0;
}

struct ipfrag *
ipfrag_new(void)
{
	struct ipfrag *f = g_new0(struct ipfrag, 1);

	f->dg = g_hash_table_new(fkey_hash, fkey_equal);
	g_queue_init(&f->order);
	f->clock = INT64_MIN;
	return f;
}

static size_t
dgram_mem(const struct dgram *d)
{
	return sizeof(*d) + d->bufcap;
}

/* d leaves the reassembler; its buffer is handed back or freed. */
static uint8_t *
dgram_remove(struct ipfrag *f, struct dgram *d)
{
	uint8_t *buf = d->buf;

	g_hash_table_remove(f->dg, &d->key);
	g_queue_unlink(&f->order, &d->link);
	f->mem -= dgram_mem(d);
	g_free(d);
	return buf;
}

/* d is given up: its fragments are counted if it may carry TCP. */
static void
dgram_drop(struct ipfrag *f, struct dgram *d)
{
	if (d->counted)
		f->dropped += d->n;
	g_free(dgram_remove(f, d));
}

void
ipfrag_free(struct ipfrag *f)
{
	if (!f)
		return;
	while (f->order.head)
		g_free(dgram_remove(f, f->order.head->data));
	g_hash_table_destroy(f->dg);
	g_free(f->done);
	g_free(f);
}

void
ipfrag_flush(struct ipfrag *f)
{
	while (f->order.head)
		dgram_drop(f, f->order.head->data);
}

uint64_t
ipfrag_dropped(const struct ipfrag *f)
{
	return f->dropped;
}

uint64_t
ipfrag_reassembled(const struct ipfrag *f)
{
	return f->reassembled;
}

static int64_t
timeout_of(const struct dgram *d)
{
	return d->key.af == 6 ? FRAG_TIMEOUT_V6_NS : FRAG_TIMEOUT_V4_NS;
}

/* The datagrams whose time is up at the clock. */
static void
expire(struct ipfrag *f)
{
	GList *l, *next;

	/* Oldest first; IPv4's and IPv6's timeouts differ, so a walk, cut
	 * short once even the longer one has not run out. */
	for (l = f->order.head; l; l = next) {
		struct dgram *d = l->data;
		next = l->next;
		if (f->clock - d->first_ts < FRAG_TIMEOUT_V4_NS)
			break;
		if (f->clock - d->first_ts >= timeout_of(d))
			dgram_drop(f, d);
	}
}

/* The pieces of whole d, in order, and the bytes captured from its start
 * without a gap: its payload as TCP is given it. */
static uint32_t
captured_prefix(struct dgram *d)
{
	uint32_t pos = 0;

	/* Insertion sort: at most FRAG_MAX_PIECES, usually two. */
	for (unsigned i = 1; i < d->n; i++)
		for (unsigned j = i; j > 0 &&
		    d->piece[j - 1].off > d->piece[j].off; j--) {
			__typeof__(d->piece[0]) t = d->piece[j];
			d->piece[j] = d->piece[j - 1];
			d->piece[j - 1] = t;
		}
	for (unsigned i = 0; i < d->n; i++) {
		if (d->piece[i].off != pos)
			break;	/* (never: whole, without overlaps) */
		pos += d->piece[i].cap;
		if (d->piece[i].cap < d->piece[i].len)
			break;
	}
	return pos;
}

/* The bytes of [off, end) that d's pieces hold (they never overlap). */
static uint32_t
held(const struct dgram *d, uint32_t off, uint32_t end)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < d->n; i++) {
		uint32_t o = d->piece[i].off, e = o + d->piece[i].len;
		uint32_t a = o > off ? o : off, b = e < end ? e : end;
		if (b > a)
			n += b - a;
	}
	return n;
}

/* The buffer a datagram with bufcap bytes of it needs for p's too. */
static uint32_t
buf_want(uint32_t bufcap, const struct ipfrag_piece *p)
{
	uint32_t want = bufcap ? bufcap : 2048;

	if (!p->cap || p->off + p->cap <= bufcap)
		return bufcap;
	while (want < p->off + p->cap)
		want *= 2;
	return want < 65536 ? want : 65536;	/* off + cap <= 65535 */
}

static enum ipfrag_result
add(struct ipfrag *f, const struct ipfrag_piece *p, struct ipfrag_whole *out)
{
	struct fkey k;
	struct dgram *d;
	uint32_t end = p->off + p->len;
	size_t alen = p->af == 6 ? 16 : 4;

	if (p->ts > f->clock)
		f->clock = p->ts;
	expire(f);

	memset(&k, 0, sizeof(k));
	k.af = p->af;
	k.proto = p->af == 6 ? 0 : p->proto;
	k.vlan = p->vlan;
	k.iface = p->iface;
	k.id = p->id;
	memcpy(k.src, p->src, alen);
	memcpy(k.dst, p->dst, alen);
	d = g_hash_table_lookup(f->dg, &k);
	uint32_t bufcap = d ? d->bufcap : 0, want = buf_want(bufcap, p);
	if (f->mem + (d ? 0 : sizeof(*d)) + (want - bufcap) > FRAG_MEM) {
		/* Over the bound, a fragment that needs memory is refused
		 * (Linux since 4.17: ipfrag_high_thresh). */
		if (p->counted || (d && d->counted))
			f->dropped++;
		return IPFRAG_DROPPED;
	}
	if (!d) {
		d = g_new0(struct dgram, 1);
		d->key = k;
		/* The time it began, by the clock (which never runs back):
		 * a capture whose stamps step back times it as it came. */
		d->first_ts = f->clock;
		d->link.data = d;
		g_queue_push_tail_link(&f->order, &d->link);
		g_hash_table_insert(f->dg, &d->key, d);
		f->mem += dgram_mem(d);
	}
	d->counted |= p->counted;

	/* As Linux's inet_frag_queue_insert(): a piece whose bytes are all
	 * held already is a duplicate, left out; one that overlaps others
	 * only in part, or an empty one, gives the datagram up (RFC 5722
	 * for IPv6; Linux does so for IPv4 too); so do a second end, and a
	 * piece past the end. */
	if (!p->len)
		goto bad;
	if (!p->more) {
		if (d->have_last && d->total != end)
			goto bad;
		for (unsigned i = 0; i < d->n; i++)
			if (d->piece[i].off + d->piece[i].len > end)
				goto bad;
		d->have_last = true;
		d->total = end;
	} else if (d->have_last && end > d->total) {
		goto bad;
	}
	uint32_t dup = held(d, p->off, end);
	if (dup && dup != p->len)
		goto bad;
	if (dup)
		goto whole;	/* a duplicate: left out (its end counts) */
	if (d->n == FRAG_MAX_PIECES)
		goto bad;

	/* Held: its captured bytes at their offset. */
	if (want > d->bufcap) {
		f->mem += want - d->bufcap;
		d->buf = g_realloc(d->buf, want);
		d->bufcap = want;
	}
	if (p->cap)
		memcpy(d->buf + p->off, p->data, p->cap);
	d->piece[d->n].off = p->off;
	d->piece[d->n].len = p->len;
	d->piece[d->n].cap = p->cap;
	d->n++;
	if (p->off == 0) {
		d->have_first = true;
		d->proto = p->proto;
	}

whole:
	if (d->have_last && d->have_first && held(d, 0, d->total) == d->total) {
		out->len = d->total;
		out->cap = captured_prefix(d);
		out->proto = d->proto;
		f->done = dgram_remove(f, d);
		out->data = f->done;
		f->reassembled++;
		return IPFRAG_DONE;
	}
	return IPFRAG_HELD;

bad:
	d->counted |= p->counted;
	if (d->counted)
		f->dropped++;	/* this one, with the others below */
	dgram_drop(f, d);
	return IPFRAG_DROPPED;
}

enum ipfrag_result
ipfrag_add(struct ipfrag *f, const struct ipfrag_piece *p,
    struct ipfrag_whole *out)
{
	/* The datagram made whole last, which p's bytes may lie in (a
	 * fragment inside a reassembled datagram: a tunnel's, or behind an
	 * IPv6 Destination Options header), is freed once they are
	 * copied. */
	uint8_t *last = f->done;

	f->done = NULL;
	enum ipfrag_result r = add(f, p, out);
	g_free(last);
	return r;
}
