/*
 * peer.c - tiny TCP client/server used by pcaps/lab/run.sh to make the
 * Linux kernel produce specific handshake / teardown packet sequences.
 *
 * Build: gcc -std=c11 -Wall -Wextra -O2 -o peer peer.c
 *
 * Usage:
 *   peer server ADDR PORT [options]
 *   peer client ADDR PORT [options]
 *
 * ADDR is a numeric IPv4 or IPv6 address (no brackets).  Nothing blocks
 * forever: every socket gets SO_RCVTIMEO/SO_SNDTIMEO (--timeout), connect()
 * is non-blocking + poll() (--connect-timeout), and alarm() kills the
 * process after --deadline seconds no matter what.
 *
 * Order of operations
 *   client: connect -> send N -> [shutdown(SHUT_WR)] -> recv -> [pause]
 *           -> finish            (repeated --repeat times on the same bind)
 *   server: accept  -> recv -> send N -> [stream] -> [pause] -> finish
 *           (for --count connections)
 *
 * Finish modes (one of; default --close-first)
 *   --close-first      close() right away: we send the first FIN.
 *   --await-peer-fin   like --close-first, but FIN via shutdown(SHUT_WR),
 *                      then read until the peer's FIN, then close(): when
 *                      this returns the socket is really in TIME_WAIT.
 *   --wait-close       wait for the peer's FIN (read to EOF), sleep
 *                      --close-delay ms, then close(): the peer closes first.
 *   --abort, --linger0 SO_LINGER {1,0} then close(): RST instead of FIN.
 *
 * Timing and fan-out (used by the lab's impaired scenarios)
 *   --connect-at T     client: bind, then wait until T before connect().
 *   --close-at T       wait until T before the finish step (instead of
 *                      --close-delay) for --close-first, --await-peer-fin
 *                      and --abort.  T is CLOCK_REALTIME in milliseconds
 *                      since the epoch (date +%s%3N), so two peers in two
 *                      network namespaces can act at the same moment; T
 *                      must lie within 60 s of now.
 *   --parallel N       client: fork N children that each make the
 *                      connection(s), child i binding --bind's port + i
 *                      (N <= 1000).  The exit status is the first non-zero
 *                      status in child order, 0 if all succeeded.
 *   --nodelay          TCP_NODELAY on the connected socket.
 *   --no-df            client: IP_MTU_DISCOVER IP_PMTUDISC_DONT (IPv4):
 *                      segments go without DF, so a router before a
 *                      smaller MTU fragments them.
 *
 * TCP Fast Open (needs net.ipv4.tcp_fastopen: 1 client, 2 server, 3 both)
 *   --fastopen         client: TCP_FASTOPEN_CONNECT before connect().  With
 *                      no cookie for the server yet, the SYN asks for one
 *                      (empty TFO option); with a cookie, connect() sends
 *                      nothing and the first send() goes out in the SYN (the
 *                      same segments as sendto(MSG_FASTOPEN)).
 *                      server: TCP_FASTOPEN (queue 16) on the listener, and
 *                      a connection accepted before its handshake completed
 *                      (a TFO child in SYN_RECV) is not read or written
 *                      until it is ESTABLISHED (TCP_INFO, polled every
 *                      5 ms, at most --timeout s), so no answer leaves
 *                      before the client's ACK of the SYN-ACK has arrived.
 *
 * Exit status: 0 ok, 1 usage, 2 connection refused, 3 timed out (connect,
 *              accept or recv; also the --deadline alarm), 4 connection reset
 *              by peer, 5 other error.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum finish { FIN_CLOSE, FIN_AWAIT, FIN_WAIT_CLOSE, FIN_ABORT };

enum {
	EX_OK = 0, EX_USAGE_ = 1, EX_REFUSED = 2, EX_TIMEDOUT = 3,
	EX_RESET = 4, EX_ERR = 5
};

struct opts {
	int server;
	const char *addr;
	int port;
	const char *bind_spec;   /* client --bind ADDR:PORT / [ADDR]:PORT */
	int reuseaddr;
	long send_n;
	long recv_n;             /* -1: none, else exact byte count */
	int recv_all;
	int shutdown_wr;
	long stream_ms;          /* server: keep sending for this long */
	long chunk;
	long interval_ms;
	long pause_ms;
	long close_delay_ms;
	enum finish finish;
	int backlog;
	int no_accept;
	long count;
	long repeat;
	long gap_ms;
	long timeout_s;
	long connect_timeout_s;
	long deadline_s;
	const char *ready_file;
	int quiet;
	long long connect_at_ms;  /* 0: connect at once */
	long long close_at_ms;    /* 0: finish after --close-delay */
	long parallel;
	int bind_offset;          /* --parallel: child i binds port + i */
	int nodelay;
	int fastopen;
	int no_df;
};

static const char *role = "peer";
static int g_quiet;

static void logmsg(const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	if (g_quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "[%ld.%03ld] peer %s: ", (long)ts.tv_sec % 10000,
		ts.tv_nsec / 1000000, role);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void die(int code, const char *what)
{
	int e = errno;

	fprintf(stderr, "peer %s: %s: %s\n", role, what, strerror(e));
	exit(code);
}

static int errno_code(int e)
{
	switch (e) {
	case ECONNREFUSED: return EX_REFUSED;
	case ETIMEDOUT:    return EX_TIMEDOUT;
	case ECONNRESET:
	case EPIPE:        return EX_RESET;
	default:           return EX_ERR;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long long realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}

/* sleep until CLOCK_REALTIME reaches t_ms (checked to be near at parse) */
static void sleep_until(long long t_ms)
{
	long long left = t_ms - realtime_ms();

	if (left > 60000)
		left = 60000;
	if (left > 0)
		sleep_ms((long)left);
}

static void on_alarm(int sig)
{
	static const char msg[] = "peer: deadline reached, exiting\n";

	(void)sig;
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* nothing sensible to do */
	}
	_exit(EX_TIMEDOUT);
}

static void usage(void)
{
	fputs(
"usage: peer server ADDR PORT [options]\n"
"       peer client ADDR PORT [options]\n"
"common:  --send N  --recv N  --recv-all  --pause MS\n"
"         --close-first | --await-peer-fin | --wait-close | --abort|--linger0\n"
"         --close-delay MS  --timeout S  --deadline S  --quiet\n"
"         --close-at T(epoch ms)  --nodelay  --fastopen\n"
"client:  --bind ADDR:PORT ([v6]:PORT)  --reuseaddr  --shutdown-wr  --no-df\n"
"         --connect-timeout S  --repeat N  --gap MS  --connect-at T\n"
"         --parallel N\n"
"server:  --backlog N  --no-accept  --once  --count N  --half-close\n"
"         --stream MS  --chunk N  --interval MS  --ready-file PATH\n",
	      stderr);
	exit(EX_USAGE_);
}

static long num_arg(int argc, char **argv, int *i)
{
	char *end;
	long v;

	if (*i + 1 >= argc)
		usage();
	(*i)++;
	errno = 0;
	v = strtol(argv[*i], &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "peer: bad number '%s'\n", argv[*i]);
		exit(EX_USAGE_);
	}
	return v;
}

static long long num_arg_ll(int argc, char **argv, int *i)
{
	char *end;
	long long v;

	if (*i + 1 >= argc)
		usage();
	(*i)++;
	errno = 0;
	v = strtoll(argv[*i], &end, 10);
	if (errno || *end || v < 0) {
		fprintf(stderr, "peer: bad number '%s'\n", argv[*i]);
		exit(EX_USAGE_);
	}
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof *o);
	o->recv_n = -1;
	o->chunk = 100;
	o->interval_ms = 50;
	o->close_delay_ms = 0;
	o->finish = FIN_CLOSE;
	o->backlog = 16;
	o->count = 1;
	o->repeat = 1;
	o->timeout_s = 5;
	o->connect_timeout_s = 0;   /* 0: use --timeout */
	o->deadline_s = 30;

	if (argc < 4)
		usage();
	if (strcmp(argv[1], "server") == 0)
		o->server = 1;
	else if (strcmp(argv[1], "client") != 0)
		usage();
	role = argv[1];
	o->addr = argv[2];
	{
		int at = 2;              /* num_arg() reads argv[at + 1] */
		long p = num_arg(argc, argv, &at);

		if (p < 1 || p > 65535)
			usage();
		o->port = (int)p;
	}

	for (i = 4; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--send"))
			o->send_n = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--recv"))
			o->recv_n = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--recv-all"))
			o->recv_all = 1;
		else if (!strcmp(a, "--pause"))
			o->pause_ms = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--close-first"))
			o->finish = FIN_CLOSE;
		else if (!strcmp(a, "--await-peer-fin"))
			o->finish = FIN_AWAIT;
		else if (!strcmp(a, "--wait-close"))
			o->finish = FIN_WAIT_CLOSE;
		else if (!strcmp(a, "--abort") || !strcmp(a, "--linger0"))
			o->finish = FIN_ABORT;
		else if (!strcmp(a, "--close-delay"))
			o->close_delay_ms = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--timeout"))
			o->timeout_s = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--deadline"))
			o->deadline_s = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--quiet"))
			o->quiet = 1;
		else if (!strcmp(a, "--nodelay"))
			o->nodelay = 1;
		else if (!strcmp(a, "--no-df") && !o->server)
			o->no_df = 1;
		else if (!strcmp(a, "--fastopen"))
			o->fastopen = 1;
		else if (!strcmp(a, "--close-at"))
			o->close_at_ms = num_arg_ll(argc, argv, &i);
		else if (!strcmp(a, "--connect-at") && !o->server)
			o->connect_at_ms = num_arg_ll(argc, argv, &i);
		else if (!strcmp(a, "--parallel") && !o->server)
			o->parallel = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--bind") && !o->server) {
			if (++i >= argc)
				usage();
			o->bind_spec = argv[i];
		} else if (!strcmp(a, "--reuseaddr"))
			o->reuseaddr = 1;
		else if (!strcmp(a, "--shutdown-wr") && !o->server)
			o->shutdown_wr = 1;
		else if (!strcmp(a, "--connect-timeout") && !o->server)
			o->connect_timeout_s = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--repeat") && !o->server)
			o->repeat = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--gap") && !o->server)
			o->gap_ms = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--backlog") && o->server)
			o->backlog = (int)num_arg(argc, argv, &i);
		else if (!strcmp(a, "--no-accept") && o->server)
			o->no_accept = 1;
		else if (!strcmp(a, "--once") && o->server)
			o->count = 1;
		else if (!strcmp(a, "--count") && o->server)
			o->count = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--half-close") && o->server) {
			o->recv_all = 1;
			if (!o->stream_ms)
				o->stream_ms = 300;
		} else if (!strcmp(a, "--stream") && o->server)
			o->stream_ms = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--chunk") && o->server)
			o->chunk = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--interval") && o->server)
			o->interval_ms = num_arg(argc, argv, &i);
		else if (!strcmp(a, "--ready-file") && o->server) {
			if (++i >= argc)
				usage();
			o->ready_file = argv[i];
		} else {
			fprintf(stderr, "peer %s: unknown option '%s'\n", role, a);
			usage();
		}
	}
	if (o->connect_timeout_s == 0)
		o->connect_timeout_s = o->timeout_s;
	if (o->timeout_s == 0 || o->deadline_s == 0)
		usage();
	if (o->count < 1 || o->count > 1000 || o->repeat < 1 || o->repeat > 100 ||
	    o->parallel > 1000)
		usage();
	{
		long long now = realtime_ms();

		if ((o->connect_at_ms && (o->connect_at_ms < now - 60000 ||
					  o->connect_at_ms > now + 60000)) ||
		    (o->close_at_ms && (o->close_at_ms < now - 60000 ||
					o->close_at_ms > now + 60000))) {
			fprintf(stderr, "peer: --connect-at/--close-at must be "
				"within 60 s of now (epoch ms)\n");
			exit(EX_USAGE_);
		}
	}
	if (o->parallel > 1 && !o->bind_spec) {
		fprintf(stderr, "peer: --parallel needs --bind ADDR:PORT\n");
		exit(EX_USAGE_);
	}
	if (o->send_n > 1 << 20 || o->chunk < 1 || o->chunk > 65536 ||
	    o->interval_ms < 1 || o->stream_ms > 60000)
		usage();
	g_quiet = o->quiet;
}

/* Parse "ADDR" (with port given separately) into a sockaddr_storage. */
static socklen_t make_sa(const char *addr, int port,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((unsigned short)port);
			return sizeof *s4;
		}
	}
	{
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((unsigned short)port);
			return sizeof *s6;
		}
	}
	fprintf(stderr, "peer %s: bad address '%s'\n", role, addr);
	exit(EX_USAGE_);
}

/* "10.0.0.1:4000", "[fd77::1]:4000" or "fd77::1:4000" (last colon wins) */
static socklen_t parse_bind(const char *spec, int offset,
			    struct sockaddr_storage *ss)
{
	char buf[128];
	char *colon, *host;
	char *end;
	long port;

	if (strlen(spec) >= sizeof buf)
		usage();
	strcpy(buf, spec);
	colon = strrchr(buf, ':');
	if (!colon)
		usage();
	*colon = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 0 || port > 65535)
		usage();
	if (port > 0)
		port += offset;
	if (port > 65535)
		usage();
	host = buf;
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			usage();
		host[n - 1] = '\0';
		host++;
	}
	return make_sa(host, (int)port, ss);
}

static void set_timeouts(int fd, long secs)
{
	struct timeval tv;

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		die(EX_ERR, "setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)");
}

static int send_bytes(int fd, long n, char fill)
{
	char buf[16384];     /* one send() for up to 16 KiB: full-sized segments */
	long left = n;

	while (left > 0) {
		size_t k = left > (long)sizeof buf ? sizeof buf : (size_t)left;
		ssize_t w;
		size_t j;

		for (j = 0; j < k; j++)
			buf[j] = (char)(fill + (n - left + (long)j) % 10);
		if (left == (long)k)
			buf[k - 1] = '\n';    /* last byte of the message */
		w = send(fd, buf, k, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			logmsg("send: %s", strerror(errno));
			return errno_code(errno);
		}
		left -= w;
	}
	if (n > 0)
		logmsg("sent %ld bytes", n);
	return EX_OK;
}

/* Read exactly n bytes (n >= 0) or, if n < 0, until EOF.  Returns exit code;
 * *eof set when the peer's FIN was seen. */
static int recv_bytes(int fd, long n, int *eof)
{
	char buf[4096];
	long got = 0;

	*eof = 0;
	for (;;) {
		size_t want = sizeof buf;
		ssize_t r;

		if (n >= 0) {
			if (got >= n)
				break;
			if (n - got < (long)want)
				want = (size_t)(n - got);
		}
		r = recv(fd, buf, want, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			logmsg("recv (after %ld bytes): %s", got,
			       errno == EAGAIN ? "timed out" : strerror(errno));
			return errno == EAGAIN ? EX_TIMEDOUT : errno_code(errno);
		}
		if (r == 0) {
			*eof = 1;
			break;
		}
		got += r;
	}
	logmsg("received %ld bytes%s", got, *eof ? " then EOF (peer FIN)" : "");
	return EX_OK;
}

static int finish(int fd, const struct opts *o)
{
	int eof, rc = EX_OK;

	if (o->close_at_ms && o->finish != FIN_WAIT_CLOSE) {
		sleep_until(o->close_at_ms);
		logmsg("finishing at the agreed time");
	}
	switch (o->finish) {
	case FIN_ABORT: {
		struct linger lg = { 1, 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
			die(EX_ERR, "setsockopt(SO_LINGER)");
		logmsg("SO_LINGER{1,0} + close -> RST");
		close(fd);
		return EX_OK;
	}
	case FIN_WAIT_CLOSE:
		rc = recv_bytes(fd, -1, &eof);
		sleep_ms(o->close_delay_ms);
		logmsg("close (peer closed first)");
		close(fd);
		return rc;
	case FIN_AWAIT:
		logmsg("shutdown(SHUT_WR): we send the first FIN");
		if (shutdown(fd, SHUT_WR) < 0)
			logmsg("shutdown: %s", strerror(errno));
		rc = recv_bytes(fd, -1, &eof);
		close(fd);
		logmsg("close after peer FIN (now in TIME_WAIT)");
		return rc;
	case FIN_CLOSE:
	default:
		if (!o->close_at_ms)
			sleep_ms(o->close_delay_ms);
		logmsg("close (we close first)");
		close(fd);
		return EX_OK;
	}
}

static int converse(int fd, const struct opts *o)
{
	int rc, eof = 0, one = 1;

	set_timeouts(fd, o->timeout_s);
	if (o->nodelay &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		die(EX_ERR, "setsockopt(TCP_NODELAY)");
	if (!o->server) {
		if ((rc = send_bytes(fd, o->send_n, 'a')) != EX_OK)
			goto out;
		if (o->shutdown_wr) {
			logmsg("shutdown(SHUT_WR) (half-close)");
			if (shutdown(fd, SHUT_WR) < 0)
				die(EX_ERR, "shutdown");
		}
		if (o->recv_all || o->recv_n >= 0) {
			rc = recv_bytes(fd, o->recv_all ? -1 : o->recv_n, &eof);
			if (rc != EX_OK)
				goto out;
		}
	} else {
		if (o->recv_all || o->recv_n >= 0) {
			rc = recv_bytes(fd, o->recv_all ? -1 : o->recv_n, &eof);
			if (rc != EX_OK)
				goto out;
		}
		if ((rc = send_bytes(fd, o->send_n, 'A')) != EX_OK)
			goto out;
		if (o->stream_ms > 0) {
			long start = now_ms(), sent = 0, rounds = 0;
			long max_rounds = o->stream_ms / o->interval_ms + 2;

			while (rounds < max_rounds &&
			       now_ms() - start < o->stream_ms) {
				rc = send_bytes(fd, o->chunk, '0');
				if (rc != EX_OK)
					goto out;
				sent += o->chunk;
				rounds++;
				sleep_ms(o->interval_ms);
			}
			logmsg("streamed %ld bytes in %ld chunks over %ld ms",
			       sent, rounds, now_ms() - start);
		}
	}
	sleep_ms(o->pause_ms);
	if (eof && o->finish == FIN_WAIT_CLOSE) {
		/* already saw the peer's FIN */
		sleep_ms(o->close_delay_ms);
		logmsg("close (peer closed first)");
		close(fd);
		return EX_OK;
	}
	return finish(fd, o);
out:
	close(fd);
	return rc;
}

static int connect_once(const struct opts *o, const struct sockaddr_storage *dst,
			socklen_t dlen, int *out_fd)
{
	struct sockaddr_storage bsa;
	socklen_t blen;
	int fd, one = 1, err = 0, attempts = 0;
	long start = now_ms();
	socklen_t elen = sizeof err;
	struct pollfd pfd;
	int flags;

	for (;;) {
		fd = socket(dst->ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			die(EX_ERR, "socket");
		if (o->reuseaddr &&
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
			die(EX_ERR, "setsockopt(SO_REUSEADDR)");
		if (o->no_df && dst->ss_family == AF_INET &&
		    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
			       &(int){ IP_PMTUDISC_DONT }, sizeof(int)) < 0)
			die(EX_ERR, "setsockopt(IP_MTU_DISCOVER)");
		if (o->fastopen &&
		    setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
			       sizeof one) < 0)
			die(EX_ERR, "setsockopt(TCP_FASTOPEN_CONNECT)");
		if (o->bind_spec) {
			blen = parse_bind(o->bind_spec, o->bind_offset, &bsa);
			if (bind(fd, (struct sockaddr *)&bsa, blen) < 0)
				die(EX_ERR, "bind");
		}
		flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
			die(EX_ERR, "fcntl");
		attempts++;
		if (attempts == 1 && o->connect_at_ms) {
			sleep_until(o->connect_at_ms);
			logmsg("connect at the agreed time");
		}
		if (connect(fd, (const struct sockaddr *)dst, dlen) == 0)
			break;
		if (errno == EINPROGRESS)
			break;
		/* 4-tuple still owned by a non-reusable socket: retry (bounded) */
		if ((errno == EADDRNOTAVAIL || errno == EADDRINUSE) &&
		    now_ms() - start < o->connect_timeout_s * 1000L) {
			close(fd);
			sleep_ms(20);
			continue;
		}
		logmsg("connect: %s", strerror(errno));
		err = errno;
		close(fd);
		return errno_code(err);
	}
	if (attempts > 1)
		logmsg("connect needed %d attempts (4-tuple busy)", attempts);

	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		long left = o->connect_timeout_s * 1000L - (now_ms() - start);
		int r;

		if (left <= 0) {
			logmsg("connect: gave up after %ld s (no answer)",
			       o->connect_timeout_s);
			close(fd);
			return EX_TIMEDOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(EX_ERR, "poll");
		if (r == 0)
			continue;
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		die(EX_ERR, "getsockopt(SO_ERROR)");
	if (err) {
		logmsg("connect: %s", strerror(err));
		close(fd);
		return errno_code(err);
	}
	if (fcntl(fd, F_SETFL, flags) < 0)
		die(EX_ERR, "fcntl");
	{
		struct sockaddr_storage me;
		socklen_t ml = sizeof me;
		char host[INET6_ADDRSTRLEN] = "?";
		int port = 0;

		if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0) {
			if (me.ss_family == AF_INET) {
				struct sockaddr_in *s = (struct sockaddr_in *)&me;

				inet_ntop(AF_INET, &s->sin_addr, host, sizeof host);
				port = ntohs(s->sin_port);
			} else {
				struct sockaddr_in6 *s = (struct sockaddr_in6 *)&me;

				inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof host);
				port = ntohs(s->sin6_port);
			}
		}
		logmsg("connected from %s port %d", host, port);
	}
	*out_fd = fd;
	return EX_OK;
}

static int run_client_one(const struct opts *o);

/* --parallel N: N children, child i binds port + i; all run at once */
static int run_parallel(const struct opts *o)
{
	pid_t pids[1000];
	int status[1000];
	long i, n = o->parallel, started = 0, ok = 0;
	int rc = EX_OK;

	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			logmsg("fork: %s", strerror(errno));
			break;
		}
		if (p == 0) {
			struct opts child = *o;

			child.bind_offset = (int)i;
			alarm((unsigned)o->deadline_s);  /* not inherited */
			_exit(run_client_one(&child));
		}
		pids[i] = p;
		status[i] = -1;
		started++;
	}
	for (i = 0; i < started; i++) {
		int ws;

		while (waitpid(pids[i], &ws, 0) < 0) {
			if (errno != EINTR) {
				ws = EX_ERR << 8;
				break;
			}
		}
		status[i] = WIFEXITED(ws) ? WEXITSTATUS(ws) : EX_ERR;
		if (status[i] == EX_OK)
			ok++;
		else if (rc == EX_OK)
			rc = status[i];
	}
	{
		long cnt[6] = { 0 };

		for (i = 0; i < started; i++)
			if (status[i] >= 0 && status[i] <= 5)
				cnt[status[i]]++;
		g_quiet = 0;
		logmsg("parallel: %ld of %ld connections ok (status 2:%ld "
		       "3:%ld 4:%ld 5:%ld)", ok, n, cnt[2], cnt[3], cnt[4],
		       cnt[5]);
	}
	if (started < n && rc == EX_OK)
		rc = EX_ERR;
	return rc;
}

static int run_client(const struct opts *o)
{
	if (o->parallel > 1)
		return run_parallel(o);
	return run_client_one(o);
}

static int run_client_one(const struct opts *o)
{
	struct sockaddr_storage dst;
	socklen_t dlen = make_sa(o->addr, o->port, &dst);
	long i;
	int rc = EX_OK;

	for (i = 0; i < o->repeat; i++) {
		int fd = -1;

		if (i > 0)
			sleep_ms(o->gap_ms);
		rc = connect_once(o, &dst, dlen, &fd);
		if (rc != EX_OK)
			return rc;
		rc = converse(fd, o);
		if (rc != EX_OK)
			return rc;
	}
	return rc;
}

/* --fastopen server: a TFO child is accepted in SYN_RECV; wait (bounded)
 * until the handshake has completed.  tcpi_state is the first byte of
 * struct tcp_info (not declared under _POSIX_C_SOURCE). */
static void await_established(int fd, long secs)
{
	unsigned char info[256];
	long start = now_ms();
	int waited = 0;

	for (;;) {
		socklen_t len = sizeof info;

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &len) < 0 ||
		    len < 1)
			die(EX_ERR, "getsockopt(TCP_INFO)");
		if (info[0] != 3)          /* TCP_SYN_RECV */
			break;
		if (now_ms() - start >= secs * 1000L) {
			logmsg("still in SYN_RECV after %ld s", secs);
			return;
		}
		waited = 1;
		sleep_ms(5);
	}
	if (waited)
		logmsg("TFO: accepted in SYN_RECV, ESTABLISHED after %ld ms",
		       now_ms() - start);
}

static int run_server(const struct opts *o)
{
	struct sockaddr_storage sa;
	socklen_t len = make_sa(o->addr, o->port, &sa);
	int lfd, one = 1, rc = EX_OK;
	long i;

	lfd = socket(sa.ss_family, SOCK_STREAM, 0);
	if (lfd < 0)
		die(EX_ERR, "socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		die(EX_ERR, "setsockopt(SO_REUSEADDR)");
	if (sa.ss_family == AF_INET6 &&
	    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
		die(EX_ERR, "setsockopt(IPV6_V6ONLY)");
	if (bind(lfd, (struct sockaddr *)&sa, len) < 0)
		die(EX_ERR, "bind");
	if (o->fastopen) {
		int qlen = 16;

		if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen,
			       sizeof qlen) < 0)
			die(EX_ERR, "setsockopt(TCP_FASTOPEN)");
	}
	if (listen(lfd, o->backlog) < 0)
		die(EX_ERR, "listen");
	set_timeouts(lfd, o->timeout_s);   /* accept() obeys SO_RCVTIMEO */
	logmsg("listening on %s port %d (backlog %d)", o->addr, o->port,
	       o->backlog);
	if (o->ready_file) {
		FILE *f = fopen(o->ready_file, "w");

		if (!f)
			die(EX_ERR, "ready-file");
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	if (o->no_accept) {
		logmsg("not accepting; holding the listener for %ld s",
		       o->timeout_s);
		sleep_ms(o->timeout_s * 1000L);
		close(lfd);
		return EX_OK;
	}
	for (i = 0; i < o->count; i++) {
		int fd = accept(lfd, NULL, NULL);
		int r;

		if (fd < 0) {
			logmsg("accept: %s", errno == EAGAIN ?
			       "timed out" : strerror(errno));
			close(lfd);
			return errno == EAGAIN ? EX_TIMEDOUT : EX_ERR;
		}
		logmsg("accepted connection %ld", i + 1);
		if (o->fastopen)
			await_established(fd, o->timeout_s);
		r = converse(fd, o);
		if (r != EX_OK)
			rc = r;
	}
	close(lfd);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa;

	parse(argc, argv, &o);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)o.deadline_s);
	setvbuf(stderr, NULL, _IOLBF, 0);
	return o.server ? run_server(&o) : run_client(&o);
}
