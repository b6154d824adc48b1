# rfm_kmeans: PGXS build.
#
#   make                 build the extension
#   make install         install it into the PostgreSQL found by PG_CONFIG
#   make installcheck    pg_regress tests (sql/ + expected/) on a running server
#   make unit            C unit tests of src/core/ under ASan + UBSan
#   make unit-tsan       the multi-threaded ones under ThreadSanitizer
#   make dist            the release archive for PGXN (rfm_kmeans-<version>.zip)
#
# The full suite (packages, throwaway cluster, all tests): scripts/test.sh

EXTENSION = rfm_kmeans
# one source of truth for the version: the control file
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = rfm_kmeans
CORE_SRCS = $(sort $(wildcard src/core/*.c))
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)) $(CORE_SRCS))
DATA = $(sort $(wildcard src/$(EXTENSION)--*.sql))

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=.

PG_CPPFLAGS = -I$(srcdir)/src
# PostgreSQL's own headers trip -Wunused-parameter (inline functions in ilist.h,
# bufpage.h), so that one warning is off; everything else is an error.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter
# the core's passes run on a few threads (src/core/parallel_for.h)
SHLIB_LINK = -pthread

EXTRA_CLEAN = test/unit/bin test/unit/tsan test/fuzz/bin

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies: rebuild every object when any of
# our headers changes (a struct's layout must never disagree between files).
$(OBJS): $(wildcard src/*.h src/core/*.h)

# ---------------------------------------------------------------------------
# Unit tests of the numeric core: plain C, no server, sanitizers on.
# ---------------------------------------------------------------------------
UNIT_CC ?= gcc
UNIT_CFLAGS = -std=c99 -g -O1 -Wall -Wextra -Werror -Isrc \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -pthread
UNIT_TESTS = $(patsubst test/unit/%.c,test/unit/bin/%,$(filter-out test/unit/tap.c,$(wildcard test/unit/test_*.c)))

test/unit/bin/%: test/unit/%.c test/unit/*.h $(CORE_SRCS) src/core/*.h
	@mkdir -p test/unit/bin
	$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $< $(CORE_SRCS) -lm

.PHONY: unit
unit: $(UNIT_TESTS)
	prove -v -e '' $(UNIT_TESTS)

# The tests that run the core's passes on several threads, again under
# ThreadSanitizer (it cannot be combined with ASan).
TSAN_CFLAGS = -std=c99 -g -O1 -Wall -Wextra -Werror -Isrc -fsanitize=thread -pthread
TSAN_TESTS = $(patsubst %,test/unit/tsan/%,test_parallel_for test_distance_quantiles test_kmeans test_weighted_kmeans test_spherical_kmeans test_centroid_ranks test_exact_sum test_scaler test_working_set test_clv_fit)

test/unit/tsan/%: test/unit/%.c test/unit/*.h $(CORE_SRCS) src/core/*.h
	@mkdir -p test/unit/tsan
	$(UNIT_CC) $(TSAN_CFLAGS) -o $@ $< $(CORE_SRCS) -lm

.PHONY: unit-tsan
unit-tsan: $(TSAN_TESTS)
	TSAN_OPTIONS=halt_on_error=1 prove -v -e '' $(TSAN_TESTS)

# ---------------------------------------------------------------------------
# libFuzzer targets over the core (clang): each runs FUZZ_SECONDS from the
# seed corpus in test/fuzz/corpus/<target>; new inputs go to a temporary
# directory, so the checkout is not modified.
# ---------------------------------------------------------------------------
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = $(patsubst test/fuzz/fuzz_%.c,%,$(wildcard test/fuzz/fuzz_*.c))

test/fuzz/bin/%: test/fuzz/fuzz_%.c $(CORE_SRCS) src/core/*.h test/unit/*.h
	@mkdir -p test/fuzz/bin
	$(FUZZ_CC) -g -O1 -Isrc -Itest/unit -pthread -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(CORE_SRCS) -lm

.PHONY: fuzz
fuzz: $(addprefix test/fuzz/bin/,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		work=$$(mktemp -d); \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		dict=""; [ -f test/fuzz/$$t.dict ] && dict=-dict=test/fuzz/$$t.dict; \
		test/fuzz/bin/$$t $$work test/fuzz/corpus/$$t $$dict -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=$$work/ 2>&1 | grep -E "Done|stat::number_of_executed_units|ERROR|oracle" || true; \
		test/fuzz/bin/$$t -runs=0 $$work test/fuzz/corpus/$$t >/dev/null 2>&1 || { echo "fuzz target $$t failed; see $$work"; exit 1; }; \
		if ls $$work/crash-* $$work/leak-* $$work/timeout-* >/dev/null 2>&1; then echo "fuzz target $$t found a failure in $$work"; exit 1; fi; \
		rm -rf $$work; \
	done

# ---------------------------------------------------------------------------
# The regression suite against a server under valgrind memcheck (slow).
# ---------------------------------------------------------------------------
.PHONY: valgrind
valgrind:
	scripts/valgrind.sh

# ---------------------------------------------------------------------------
# The release archive PGXN takes: HEAD's tracked files, META.json included,
# under one top directory named after the release.
# ---------------------------------------------------------------------------
.PHONY: dist
dist:
	git archive --format zip --prefix $(EXTENSION)-$(EXTVERSION)/ -o $(EXTENSION)-$(EXTVERSION).zip HEAD
