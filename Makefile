# rgi — the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
PY_VENV := .build-py/venv
export RGI_PYTHON := $(CURDIR)/$(PY_VENV)/bin/python

.PHONY: deps build demo test bench python clean

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

# Python reference tools for the tests (a venv, so it works with Debian's externally managed Python).
python: $(PY_VENV)/.stamp
$(PY_VENV)/.stamp: Tests/requirements.txt
	python3 -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install -q -r Tests/requirements.txt
	touch $@

demo: build
	bash scripts/demo.sh

test: deps python
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product EngineBenchmark
	LD_PRELOAD=$(CURDIR)/.build/release/libMallocInterposerSwift.so .build/release/EngineBenchmark --output docs/PERFORMANCE.md
	$(SWIFT) build -c release --product CaptureBenchmark
	.build/release/CaptureBenchmark
	$(SWIFT) build -c release --product InspectionBenchmark
	.build/release/InspectionBenchmark --model models/brick --data ../shared/data/rgi-bench/brick --output docs/PERFORMANCE.md
	$(SWIFT) build -c release --product rgid
	$(SWIFT) build -c release --product DaemonBenchmark
	.build/release/DaemonBenchmark --model models/brick --frames demo/frames --output docs/PERFORMANCE.md

clean:
	rm -rf .build .build-py
