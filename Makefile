# qbnet — top-level convenience targets. `make run` and `make test` work on a fresh Debian machine.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DEB_PACKAGES = cmake g++ make libeigen3-dev libboost-dev catch2 libspdlog-dev libfmt-dev \
               libtomlplusplus-dev libcli11-dev nlohmann-json3-dev gnuplot-nox \
               pybind11-dev python3-dev python3-numpy python3-pytest python3-qutip
EXAMPLE ?= examples/cascaded_nc_n2.toml

.PHONY: all deps configure build run test validate bench install clean

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
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/qbnet run $(EXAMPLE)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

validate: build
	./validation/run_all.sh $(BUILD_DIR)/qbnet

bench: build
	./bench/run_bench.sh $(BUILD_DIR)

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
