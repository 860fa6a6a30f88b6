/* fuzz_util.h - what the fuzz harnesses share: a loud invariant check and a
 * strict JSON (RFC 8259) validator for the report records.
 *
 * Header-only (static functions), so each harness stays one translation
 * unit that replay.c or libFuzzer can drive alone.
 */
#ifndef SYNFIN_FUZZ_UTIL_H
#define SYNFIN_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant violation is a crash, so that libFuzzer keeps the input and
 * replay.sh fails: say which one, then abort(). */
#define FUZZ_CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant violated: %s: ", \
			    __FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* The checking code is kept out of the fuzzer's coverage and comparison
 * tracing: its branches follow the report text, not the code under test,
 * and would only flood the corpus and the dictionary. (No memcmp() either:
 * libFuzzer hooks it.) */
#if defined(__clang__)
#define FZ_NOCOV __attribute__((no_sanitize("coverage"), noinline, unused))
#else
#define FZ_NOCOV __attribute__((unused))
#endif

FZ_NOCOV static bool
fz_memeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* ---- JSON (RFC 8259) validation ----------------------------------------- */

struct fz_json {
	const char *p, *end;
	int depth;
};

#define FZ_JSON_MAX_DEPTH 32

FZ_NOCOV static bool fz_json_value(struct fz_json *j);

FZ_NOCOV static void
fz_json_ws(struct fz_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

FZ_NOCOV static bool
fz_json_lit(struct fz_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || !fz_memeq(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

FZ_NOCOV static bool
fz_json_string(struct fz_json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end) {
		unsigned char ch = (unsigned char)*j->p++;
		if (ch == '"')
			return true;
		if (ch < 0x20)
			return false;	/* control characters must be escaped */
		if (ch != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		ch = (unsigned char)*j->p++;
		if (ch == 'u') {
			for (int i = 0; i < 4; i++, j->p++)
				if (j->p >= j->end || !((*j->p >= '0' &&
				    *j->p <= '9') || (*j->p >= 'a' &&
				    *j->p <= 'f') || (*j->p >= 'A' &&
				    *j->p <= 'F')))
					return false;
		} else if (!strchr("\"\\/bfnrt", ch) || ch == 0) {
			return false;
		}
	}
	return false;
}

FZ_NOCOV static bool
fz_json_digits(struct fz_json *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

FZ_NOCOV static bool
fz_json_number(struct fz_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;		/* no leading zeros */
	else if (!fz_json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!fz_json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!fz_json_digits(j))
			return false;
	}
	return true;
}

FZ_NOCOV static bool
fz_json_container(struct fz_json *j, char open, char close)
{
	bool obj = open == '{';

	if (++j->depth > FZ_JSON_MAX_DEPTH)
		return false;
	j->p++;			/* the opening bracket */
	fz_json_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		fz_json_ws(j);
		if (obj) {
			if (!fz_json_string(j))
				return false;
			fz_json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!fz_json_value(j))
			return false;
		fz_json_ws(j);
		if (j->p >= j->end)
			return false;
		char ch = *j->p++;
		if (ch == close)
			break;
		if (ch != ',')
			return false;
	}
	j->depth--;
	return true;
}

FZ_NOCOV static bool
fz_json_value(struct fz_json *j)
{
	fz_json_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return fz_json_container(j, '{', '}');
	case '[':
		return fz_json_container(j, '[', ']');
	case '"':
		return fz_json_string(j);
	case 't':
		return fz_json_lit(j, "true");
	case 'f':
		return fz_json_lit(j, "false");
	case 'n':
		return fz_json_lit(j, "null");
	default:
		return fz_json_number(j);
	}
}

/* Is [s, s+len) exactly one JSON object (surrounding blanks allowed)? */
FZ_NOCOV static bool
fz_json_is_object(const char *s, size_t len)
{
	struct fz_json j = { s, s + len, 0 };

	fz_json_ws(&j);
	if (j.p >= j.end || *j.p != '{' || !fz_json_value(&j))
		return false;
	fz_json_ws(&j);
	return j.p == j.end;
}

/* Does the record contain "key": (the SPEC's keys are all present, absent
 * values being null)? */
FZ_NOCOV static bool
fz_json_has_key(const char *s, size_t len, const char *key)
{
	char pat[64];
	int n = snprintf(pat, sizeof(pat), "\"%s\":", key);

	if (n <= 0 || (size_t)n >= sizeof(pat) || (size_t)n > len)
		return false;
	for (size_t i = 0; i + (size_t)n <= len; i++)
		if (s[i] == '"' && fz_memeq(s + i, pat, (size_t)n))
			return true;
	return false;
}

/* Every key of a SPEC.md "conn" record. */
static const char *const fz_conn_keys[] __attribute__((unused)) = {
	"type", "id", "ts", "duration", "client", "server", "addr", "port",
	"handshake", "outcome", "syn_ts", "synack_ts", "ack_ts", "client_isn",
	"server_isn", "syn_count", "synack_count", "rtt", "syn_synack",
	"synack_ack", "client_options", "server_options", "teardown",
	"initiator", "reset_by", "client_fin_ts", "server_fin_ts",
	"last_ack_ts", "states", "packets", "payload_bytes",
	"retransmissions", "zeek", "conn_state", "history", "anomalies",
};

/* And of an anomaly inside it. */
static const char *const fz_anom_keys[] __attribute__((unused)) = {
	"name", "severity", "frame", "ts", "from", "detail",
};

/* And of the closing "summary" record. */
static const char *const fz_summary_keys[] __attribute__((unused)) = {
	"type", "packets", "tcp_packets", "connections", "handshake",
	"teardown", "anomalies", "decode_errors", "dropped", "evicted",
};

/* Check one "conn" line: valid JSON, every SPEC key, sane state names. */
FZ_NOCOV static void
fz_check_conn_json(const char *s, size_t len, unsigned nanoms)
{
	static const char *const states[] = {
		"\"CLOSED\"", "\"SYN_SENT\"", "\"SYN_RECEIVED\"",
		"\"ESTABLISHED\"", "\"FIN_WAIT_1\"", "\"FIN_WAIT_2\"",
		"\"CLOSE_WAIT\"", "\"CLOSING\"", "\"LAST_ACK\"",
		"\"TIME_WAIT\"",
	};
	const char *k = "\"states\":{\"client\":";

	FUZZ_CHECK(len > 0 && s[len - 1] == '\n', "record not one line: %.*s",
	    (int)len, s);
	FUZZ_CHECK(memchr(s, '\n', len - 1) == NULL,
	    "newline inside a record: %.*s", (int)len, s);
	FUZZ_CHECK(fz_json_is_object(s, len), "invalid JSON: %.*s", (int)len,
	    s);
	FUZZ_CHECK(len > 15 && fz_memeq(s, "{\"type\":\"conn\",", 15),
	    "not a conn record: %.*s", (int)len, s);
	for (size_t i = 0; i < sizeof(fz_conn_keys) / sizeof(*fz_conn_keys);
	    i++)
		FUZZ_CHECK(fz_json_has_key(s, len, fz_conn_keys[i]),
		    "key \"%s\" missing: %.*s", fz_conn_keys[i], (int)len, s);
	if (nanoms > 0)
		for (size_t i = 0;
		    i < sizeof(fz_anom_keys) / sizeof(*fz_anom_keys); i++)
			FUZZ_CHECK(fz_json_has_key(s, len, fz_anom_keys[i]),
			    "anomaly key \"%s\" missing: %.*s",
			    fz_anom_keys[i], (int)len, s);
	/* "states":{"client":"X","server":"Y"}: SPEC spellings only
	 * (LISTEN is never inferred). */
	const char *st = NULL;
	size_t kl = strlen(k);
	for (size_t i = 0; i + kl <= len; i++)
		if (fz_memeq(s + i, k, kl)) {
			st = s + i + kl;
			break;
		}
	FUZZ_CHECK(st != NULL, "no states object: %.*s", (int)len, s);
	for (int side = 0; side < 2; side++) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(states) / sizeof(*states); i++) {
			size_t n = strlen(states[i]);
			if ((size_t)(s + len - st) >= n &&
			    fz_memeq(st, states[i], n)) {
				st += n;
				ok = true;
				break;
			}
		}
		FUZZ_CHECK(ok, "bad state name at \"%.20s\"", st);
		if (side == 0) {
			const char *sv = ",\"server\":";
			FUZZ_CHECK((size_t)(s + len - st) >= strlen(sv) &&
			    fz_memeq(st, sv, strlen(sv)),
			    "states object malformed: %.*s", (int)len, s);
			st += strlen(sv);
		}
	}
}

#endif
