/*
 * vlantag.c - put an 802.1Q tag on everything an interface sends and take
 * it off what it receives, for the vlan scenario of pcaps/lab/run.sh.
 *
 * The lab kernel is built without CONFIG_VLAN_8021Q (no "ip link add ...
 * type vlan") and without the tc vlan action, so this program does the
 * tagging with two tiny eBPF programs attached with tcx (Linux >= 6.6) to
 * the interface:
 *   egress:  bpf_skb_vlan_push(skb, 0x8100, VID)   every frame leaves tagged
 *   ingress: if the frame carries tag VID: bpf_skb_vlan_pop(skb)
 *            (frames with another tag, or none, go on unchanged)
 * The programs stay attached while this process runs; they are detached
 * when it exits (the bpf links are not pinned), after --timeout seconds or
 * on SIGTERM/SIGINT.  The programs are written as raw eBPF instructions, so
 * nothing but the C library and the kernel headers is needed.
 *
 * Build: gcc -std=c11 -Wall -Wextra -O2 -o vlantag vlantag.c
 * Usage: vlantag --dev IF --vid N [--timeout S] [--ready-file PATH]
 * Exit status: 0 ok (detached), 1 usage, 2 cannot load/attach.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* not in the Debian 12 (6.1) uapi headers */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS  47
#endif

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

static int load(const struct bpf_insn *insns, unsigned n, const char *name)
{
	static char log[65536];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	snprintf(a.prog_name, sizeof a.prog_name, "%s", name);
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		fprintf(stderr, "vlantag: BPF_PROG_LOAD %s: %s\n%s\n", name,
			strerror(errno), log);
		exit(2);
	}
	return fd;
}

static int attach(int prog, unsigned ifindex, unsigned type, const char *what)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.target_ifindex = ifindex;
	a.link_create.attach_type = type;
	fd = (int)sys_bpf(BPF_LINK_CREATE, &a);
	if (fd < 0) {
		fprintf(stderr, "vlantag: BPF_LINK_CREATE (tcx %s): %s\n", what,
			strerror(errno));
		exit(2);
	}
	return fd;
}

static long num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "vlantag: bad %s '%s'\n", what, s);
		exit(1);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *ready = NULL;
	long vid = -1, timeout_s = 60;
	unsigned ifindex;
	int i, pe, pi, le, li;
	struct sigaction sa;
	struct timespec end, now;

	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			goto usage;
		if (!strcmp(argv[i], "--dev"))
			dev = v;
		else if (!strcmp(argv[i], "--vid"))
			vid = num(v, 1, 4094, "vid");
		else if (!strcmp(argv[i], "--timeout"))
			timeout_s = num(v, 1, 3600, "timeout");
		else if (!strcmp(argv[i], "--ready-file"))
			ready = v;
		else
			goto usage;
		i++;
	}
	if (!dev || vid < 0)
		goto usage;
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		fprintf(stderr, "vlantag: no interface '%s'\n", dev);
		return 2;
	}

	{
		/* egress: r0 = bpf_skb_vlan_push(ctx, htons(0x8100), vid);
		 *         return TCX_PASS (0) */
		const struct bpf_insn push[] = {
			/* r1 = ctx already */
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0,
			     0x0081),                  /* htons(ETH_P_8021Q) */
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0,
			     (int32_t)vid),
			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_vlan_push),
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		/* ingress: if (skb->vlan_present && (skb->vlan_tci & 0xfff) == vid)
		 *              bpf_skb_vlan_pop(ctx);
		 *          return TCX_PASS */
		const struct bpf_insn pop[] = {
			INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
			     offsetof(struct __sk_buff, vlan_present), 0),
			INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, 4, 0),
			INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1,
			     offsetof(struct __sk_buff, vlan_tci), 0),
			INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0x0fff),
			INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 1,
			     (int32_t)vid),
			INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_vlan_pop),
			INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};

		pe = load(push, sizeof push / sizeof push[0], "sflab_vlan_push");
		pi = load(pop, sizeof pop / sizeof pop[0], "sflab_vlan_pop");
	}
	le = attach(pe, ifindex, BPF_TCX_EGRESS, "egress");
	li = attach(pi, ifindex, BPF_TCX_INGRESS, "ingress");
	fprintf(stderr, "vlantag: %s: egress push 802.1Q %ld, ingress pop %ld "
		"(for at most %ld s)\n", dev, vid, vid, timeout_s);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f) {
			perror("vlantag: ready-file");
			return 2;
		}
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_s;
	while (!stop_sig) {
		struct timespec ts = { 0, 100 * 1000000L };

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		nanosleep(&ts, NULL);
	}
	close(li);
	close(le);
	close(pi);
	close(pe);
	fprintf(stderr, "vlantag: %s: detached\n", dev);
	return 0;

usage:
	fputs("usage: vlantag --dev IF --vid N [--timeout S] [--ready-file PATH]\n",
	      stderr);
	return 1;
}
