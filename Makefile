# qbnet — top-level convenience targets. `make run` and `make test` work on a fresh Debian machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DEB_PACKAGES = cmake g++ make libeigen3-dev libboost-dev catch2 libspdlog-dev libfmt-dev \
               libtomlplusplus-dev libcli11-dev nlohmann-json3-dev gnuplot-nox \
               libopenmpi-dev openmpi-bin \
               pybind11-dev python3-dev python3-numpy python3-pytest python3-qutip python3-matplotlib
EXAMPLE ?= examples/cascaded_nc_n2.toml
# ccache (Debian package `ccache`), when installed, caches compiled objects across clones: paths are made
# relative to the clone (CCACHE_BASEDIR) so a second clone of the same commit, or CI after a local run,
# reuses them. Without ccache the builds are unchanged.
CCACHE := $(shell command -v ccache 2>/dev/null)
ifneq ($(CCACHE),)
LAUNCHER = -DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
endif

.PHONY: all deps configure build run test validate bench install clean fuzz sanitize

all: build

# Install missing Debian packages when running as root; otherwise just report what is missing.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "qbnet: installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "qbnet: missing Debian packages:$$missing (run 'make deps' as root or install them with apt-get)"; exit 1; \
	  fi; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/qbnet run $(EXAMPLE)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

validate: build
	./validation/run_all.sh $(BUILD_DIR)/qbnet

bench: deps
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DQBNET_NATIVE=ON -DQBNET_BUILD_BENCH=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-bench -j $(JOBS)
	./bench/run_bench.sh build-bench

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)

# Scenario fuzzer (issue 18, tests/fuzz/): >= 1000 mutants on every engine; FUZZ_ARGS=--seed N to vary.
FUZZ_COUNT ?= 1000
FUZZ_ARGS ?=
fuzz: build
	python3 tests/fuzz/fuzz_scenarios.py --qbnet $(BUILD_DIR)/qbnet --count $(FUZZ_COUNT) --jobs 2 $(FUZZ_ARGS)

# AddressSanitizer + UndefinedBehaviorSanitizer (cmake/Sanitizers.cmake) in build-sanitize, build type Sanitize
# (-O1 -g1: the instrumented build is the cost, so optimise little and keep only line tables). Built: the
# library, the CLI and the SANITIZE_TESTS programs; run: their tests without the slow ones, then 40 fuzz
# mutants on every engine. Left out: the golden physics regression (slow under ASan), the ulimit -v tests
# (ASan reserves terabytes of address space and cannot start under ulimit -v), the 20000-battery refusals
# (same limit). detect_leaks=0: OpenMP's thread pool is reported as leaked. .ci/run runs it after make test.
SANITIZE_DIR ?= build-sanitize
SANITIZE_TESTS ?= test_model test_observables test_gaussian test_regression
SANITIZE_CTEST ?= ^(model|observables|gaussian|regression):
SANITIZE_SKIP ?= Golden|ulimit|20000
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
sanitize: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Sanitize -DQBNET_SANITIZE=ON -DQBNET_NATIVE=OFF \
	  -DQBNET_BUILD_BENCH=OFF -DQBNET_PYTHON=OFF $(LAUNCHER) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS) --target qbnet_cli $(SANITIZE_TESTS)
	cd $(SANITIZE_DIR) && $(SANITIZE_ENV) ctest --output-on-failure -j $(JOBS) -R '$(SANITIZE_CTEST)' -E '$(SANITIZE_SKIP)'
	$(SANITIZE_ENV) python3 tests/fuzz/fuzz_scenarios.py --qbnet $(SANITIZE_DIR)/qbnet --count 40 --seed 7 --jobs 2 \
	  --timeout 60 --mem-mb 0
