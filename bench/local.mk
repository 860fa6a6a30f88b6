# bench/local.mk - the benchmark kit, pulled in by Makefile.am with
#     include bench/local.mk
# `make bench` builds the capture generator and the floor (a bare libpcap
# read loop), then runs bench/run: synfin against the floor, tcpdump,
# tcptrace and tshark on one generated capture. Not part of `make check`,
# not built by `make all`. Pass options with BENCH_ARGS, e.g.
#     make bench BENCH_ARGS="--packets 10000000 --budget 60"
# See bench/README.

# (Makefile.am sets no EXTRA_PROGRAMS; should it ever, make this "+=".)
# gen is also built by make check: tests/jobs.sh generates captures with it.
EXTRA_PROGRAMS = bench/floor
check_PROGRAMS += bench/gen

# Plain optimized builds: no sanitizers, whatever configure was given.
bench_gen_SOURCES = bench/gen.c
bench_gen_CFLAGS = -std=gnu11 -Wall -Wextra $(PCAP_CFLAGS)
bench_gen_LDFLAGS =
bench_gen_LDADD = $(PCAP_LIBS) -lm

bench_floor_SOURCES = bench/floor.c
bench_floor_CFLAGS = -std=gnu11 -Wall -Wextra $(PCAP_CFLAGS)
bench_floor_LDFLAGS =
bench_floor_LDADD = $(PCAP_LIBS)

BENCH_ARGS =

bench: bench/gen$(EXEEXT) bench/floor$(EXEEXT) synfin$(EXEEXT)
	SYNFIN=$(abs_top_builddir)/synfin$(EXEEXT) \
	GEN=$(abs_top_builddir)/bench/gen$(EXEEXT) \
	FLOOR=$(abs_top_builddir)/bench/floor$(EXEEXT) \
	bash $(abs_top_srcdir)/bench/run $(BENCH_ARGS)

.PHONY: bench

EXTRA_DIST += bench/run bench/README bench/RESULTS bench/local.mk
