# tests/fuzz/local.mk - the fuzz harnesses (included at the end of the top
# Makefile.am: it appends to AM_CFLAGS, check_PROGRAMS, TESTS, EXTRA_DIST).
#
# Always: tests/fuzz/replay_{pipeline,decode,fsm,pcapng}, each harness linked with
# replay.c (a plain main()), and `make check` replays the committed corpus
# tests/fuzz/corpus/TARGET/ through them (tests/fuzz/replay.sh).
#
# With ./configure --enable-fuzzing CC=clang: tests/fuzz/fuzz_{...} are
# libFuzzer binaries, and `make fuzz` runs each for FUZZ_SECONDS. The whole
# tree, libsynfin.a included, is then compiled with coverage
# instrumentation and ASan+UBSan, so the fuzzer sees and checks the
# library's code, not just the harness.

FUZZ_TARGETS = pipeline decode fsm pcapng
FUZZ_SECONDS = 60
FUZZ_FLAGS =
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer

if ENABLE_FUZZING
AM_CFLAGS += -fsanitize=fuzzer-no-link $(FUZZ_SAN)
AM_LDFLAGS += $(FUZZ_SAN)
endif

FUZZ_LDADD = libsynfin.a $(GLIB_LIBS) $(PCAP_LIBS)

# ---- replays (make check) ---------------------------------------------------
check_PROGRAMS += tests/fuzz/replay_pipeline tests/fuzz/replay_decode \
	tests/fuzz/replay_fsm tests/fuzz/replay_pcapng
tests_fuzz_replay_pipeline_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_pipeline.c tests/fuzz/fuzz_util.h
tests_fuzz_replay_pipeline_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_pipeline_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_decode_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_decode.c tests/fuzz/fuzz_util.h
tests_fuzz_replay_decode_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_decode_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_fsm_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_fsm.c tests/fuzz/fuzz_util.h
tests_fuzz_replay_fsm_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_fsm_LDADD = $(FUZZ_LDADD)
tests_fuzz_replay_pcapng_SOURCES = tests/fuzz/replay.c \
	tests/fuzz/fuzz_pcapng.c tests/fuzz/fuzz_util.h
tests_fuzz_replay_pcapng_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_pcapng_LDADD = $(FUZZ_LDADD)

TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/README tests/fuzz/corpus

# ---- libFuzzer binaries (--enable-fuzzing CC=clang) ------------------------
if ENABLE_FUZZING
noinst_PROGRAMS = tests/fuzz/fuzz_pipeline tests/fuzz/fuzz_decode \
	tests/fuzz/fuzz_fsm tests/fuzz/fuzz_pcapng
endif
tests_fuzz_fuzz_pipeline_SOURCES = tests/fuzz/fuzz_pipeline.c \
	tests/fuzz/fuzz_util.h
tests_fuzz_fuzz_pipeline_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pipeline_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pipeline_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_decode_SOURCES = tests/fuzz/fuzz_decode.c \
	tests/fuzz/fuzz_util.h
tests_fuzz_fuzz_decode_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_decode_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_decode_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_fsm_SOURCES = tests/fuzz/fuzz_fsm.c tests/fuzz/fuzz_util.h
tests_fuzz_fuzz_fsm_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_fsm_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_fsm_LDADD = $(FUZZ_LDADD)
tests_fuzz_fuzz_pcapng_SOURCES = tests/fuzz/fuzz_pcapng.c \
	tests/fuzz/fuzz_util.h
tests_fuzz_fuzz_pcapng_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pcapng_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_pcapng_LDADD = $(FUZZ_LDADD)

# make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS=fsm] [FUZZ_FLAGS=-jobs=2]:
# new inputs go to tests/fuzz/work/TARGET (the committed corpus is read,
# never written), crashes to tests/fuzz/artifacts/TARGET-crash-*.
.PHONY: fuzz clean-fuzz
if ENABLE_FUZZING
fuzz: $(noinst_PROGRAMS)
	@for t in $(FUZZ_TARGETS); do \
	  $(MKDIR_P) tests/fuzz/work/$$t tests/fuzz/artifacts || exit 1; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  ./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=tests/fuzz/artifacts/$$t- $(FUZZ_FLAGS) \
	    tests/fuzz/work/$$t $(srcdir)/tests/fuzz/corpus/$$t || exit 1; \
	done
else
fuzz:
	@echo "make fuzz needs: ./configure --enable-fuzzing CC=clang" >&2; \
	exit 1
endif

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/work tests/fuzz/artifacts
