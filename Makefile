# Entry points. `make up` starts a local cluster; `make test` runs every test. Both install
# what they need first (scripts/install-deps) and build with ccache.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build up test unit integration bench clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: CMakeLists.txt
	@$(MAKE) --no-print-directory deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

up: build
	$(BUILD)/bin/nordlys up

# The benchmarks are built too (not run): they are outside the default build, and a change that
# breaks them should fail here rather than at the next measurement.
test: build
	cmake --build $(BUILD) -j $(JOBS) --target bench
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE integration

integration: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration

bench: deps configure
	cmake --build $(BUILD) -j $(JOBS) --target bench
	$(BUILD)/bench/micro_bench
	$(BUILD)/bench/storage_bench

clean:
	rm -rf $(BUILD)
