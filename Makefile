# The one front door. `make` lists the targets; every Python tool runs through uv.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

UV_VERSION := 0.13.8
# uv from PATH when present; otherwise the copy that .uv installs with pip.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --locked --no-sync
SPECTRAL := node_modules/.bin/spectral
SPEC := openapi/maas_kl.yaml

.PHONY: help
help:  ## List the targets, one line each (coloured only on a terminal)
	@if [ -t 1 ]; then on=$$'\033[36m'; off=$$'\033[0m'; else on=''; off=''; fi; \
		grep -hE '^[a-zA-Z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | sort \
		| awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "}; {n[NR] = $$1; t[NR] = $$2; if (length($$1) > w) w = length($$1)} \
			END {for (i = 1; i <= NR; i++) printf "  %s%-" w "s%s  %s\n", on, n[i], off, t[i]}'

# --- private set-up steps -------------------------------------------------------------------
.PHONY: .uv .sync .npm .setup
.uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.sync: .uv
	@$(UV) sync --locked --quiet

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

.npm: node_modules/.package-lock.json

.setup: .sync .npm

# Debian's chromium for the inspector's browser tests (tests/inspector), installed when missing where apt runs
# as root (CI, a fresh machine); elsewhere those tests skip with this hint, and fail under CI=true.
.PHONY: .browser
.browser:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the inspector's browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }; \
	else \
		echo "note: no chromium here; the inspector's browser tests skip (and fail under CI=true):" \
			"sudo apt-get install -y chromium"; \
	fi

# --- checks ----------------------------------------------------------------------------------
.PHONY: lint
lint: .setup  ## Ruff (lint and format) on hand-written code, Spectral on the spec
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(SPECTRAL) lint $(SPEC) --ruleset .spectral.yaml --fail-severity=hint

.PHONY: typecheck
typecheck: .sync  ## mypy --strict on every package in place: the SDK (hand-written and generated), the mock, the interpreter, the tools
	$(RUN) mypy generated_client/maas_kl_client mock_server specfacts/src/maas_kl_specfacts generator contract_tests demo bench tests

.PHONY: spec
spec: .sync  ## Spec gates: OpenAPI validity, examples, traceability, cross-field rules
	$(RUN) openapi-spec-validator $(SPEC)
	$(RUN) pytest tests/spec -q

# pytest-xdist workers for `make unit` (PYTEST_WORKERS=0 runs in one process). contract-ci stays in one
# process: schemathesis gives its generated tests one node id at collection, and xdist runs one of them.
# Most tests wait on subprocesses and sockets, so two per core keep a 2-core machine busy;
# conftest.py keeps a module's tests together where they share set-up (--dist loadgroup).
PYTEST_WORKERS ?= 4
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

.PHONY: unit
unit: .sync .npm .browser  ## Every pytest suite (spec gates included; the inspector's in a real Chromium), in parallel (PYTEST_WORKERS, default 4)
	$(RUN) openapi-spec-validator $(SPEC)
	$(RUN) pytest -q $(XDIST)

.PHONY: test
test: lint typecheck check-generated check-changes unit contract-ci  ## Every check; what .ci/run runs

# --- products (filled in by their issues) ----------------------------------------------------
.PHONY: demo
demo: .sync  ## The SDK end to end on a local mock (or the real service with MAAS_KL_API_KEY; YES=1 skips the question)
	@$(RUN) python -m demo $(if $(YES),--yes) $(DEMO_ARGS)

.PHONY: mock
mock: .sync  ## Start the standalone mock on 127.0.0.1:4010 (MOCK_ARGS="--fault-rate 0.2 ..." adds flags)
	$(RUN) maas-kl-mock serve --host 127.0.0.1 --port 4010 $(MOCK_ARGS)

.PHONY: generate
generate: .sync  ## Rewrite every file derived from the spec (listed in GENERATED): the SDK's generated modules, the API reports, the mock's spec
	$(RUN) python -m generator

.PHONY: check-generated
check-generated: .sync  ## Fail, with a diff, when a file listed in GENERATED differs from a fresh generation
	$(RUN) python -m generator --check

.PHONY: changes
changes: .sync  ## What changed for users since the last release in CHANGELOG.md (or BASE=<git rev>), graded, with a changelog draft
	@$(RUN) python -m generator.api_changes.changes $(if $(BASE),--base $(BASE))

.PHONY: check-changes
check-changes: .sync  ## Version gate: breaking changes need a version bump and a CHANGELOG.md entry naming them (needs git history)
	$(RUN) python -m generator.api_changes.changes --gate

.PHONY: contract
contract: .sync  ## schemathesis CLI against BASE_URL with MAAS_KL_API_KEY [MAAS_KL_ENDPOINT_PATH] (CONTRACT_ARGS="--allow-create")
	@$(RUN) python -m contract_tests.against_server $(CONTRACT_ARGS)

# The contract suite's tests; CONTRACT_TESTS=contract_tests/test_scenarios.py runs one module under the same gate.
CONTRACT_TESTS ?= contract_tests

.PHONY: contract-ci
contract-ci: .sync  ## Contract suite (spec x SDK x mock), profile ci, coverage gated; JUnit and coverage in reports/; part of make test
	MAAS_KL_CONTRACT_PROFILE=ci MAAS_KL_CONTRACT_COVERAGE=gate $(RUN) pytest $(CONTRACT_TESTS) -q --junitxml=reports/contract-ci-junit.xml

.PHONY: contract-recorded
contract-recorded: .sync  ## Check every exchange of a recording (DIR=cassettes from `maas-kl-mock proxy --record`) against the spec
	@test -n "$(DIR)" || { echo "usage: make contract-recorded DIR=path/to/cassettes"; exit 2; }
	$(RUN) python -m contract_tests.recorded $(DIR)

.PHONY: contract-deep
contract-deep: .sync  ## Contract suite with the deep profile: many more examples (nightly or manual); coverage reported
	MAAS_KL_CONTRACT_PROFILE=deep MAAS_KL_CONTRACT_COVERAGE=report $(RUN) pytest contract_tests -q

.PHONY: fuzz
fuzz: .sync  ## The mock's byte-level and structured fuzzing at depth (over 100,000 inputs); prints the count
	MAAS_KL_FUZZ=deep $(RUN) pytest tests/reliability/test_fuzz_mock.py -q

.PHONY: bench
bench: bench-sdk bench-mock bench-load bench-video bench-wait bench-batch bench-validation  ## Every benchmark, with ratios against baselines (never part of make test), then the issue-22 target table
	@$(RUN) python -m bench.targets

.PHONY: bench-sdk
bench-sdk: .sync  ## SDK per-call overhead against raw httpx, and the SDK's import time
	$(RUN) python -m bench.sdk_bench

bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	cd bench && npm ci --no-audit --no-fund --loglevel=error

.PHONY: bench-mock
bench-mock: .sync bench/node_modules/.package-lock.json  ## Mock vs Prism vs bare ASGI (autocannon); writes reports/bench-mock.json
	$(RUN) python -m bench.bench_mock $(BENCH_ARGS)

.PHONY: bench-validation
bench-validation: .sync  ## Mock validate stage in process: a valid vs an invalid create, and jsonschema-rs vs specfacts (F6)
	$(RUN) python -m bench.bench_validation

.PHONY: bench-core
bench-core: .sync  ## MockCore.handle in process (create, query, control, video file), A/B against BENCH_REF (default main)
	$(RUN) python bench/bench_core.py --against $(or $(BENCH_REF),main) $(BENCH_ARGS)

.PHONY: bench-wait
bench-wait: .sync  ## Default poll schedule vs a fixed 5 s poll: requests per task, median/p95 delay (simulated time)
	$(RUN) python -m bench.bench_wait $(BENCH_ARGS)
.PHONY: bench-batch
bench-batch: .sync  ## Async client.batch of 40 jobs vs asyncio.gather of create_and_wait, 150 ms away (a served mock)
	$(RUN) python -m bench.bench_batch $(BENCH_ARGS)
.PHONY: bench-video
bench-video: .sync  ## Video cost: muxer vs encoder, produce+serve 10 s and longest, RSS under 50 downloads, download_video vs curl
	$(RUN) python -m bench.bench_video $(BENCH_ARGS)

.PHONY: chaos
chaos: .sync  ## 500 async SDK flows against the faulty mock subprocess (BATCH=1: as one client.batch); prints faults, retries, duplicates, losses
	$(RUN) python -m bench.chaos --flows $(or $(FLOWS),500) --concurrency $(or $(CHAOS_LIMIT),20) $(if $(BATCH),--batch)

.PHONY: bench-load
bench-load: .sync bench/node_modules/.package-lock.json  ## 60 s of concurrent creates and queries on the mock: req/s, p99, errors, RSS over time
	$(RUN) python -m bench.bench_load $(BENCH_ARGS)

.PHONY: clean
clean:  ## Remove the virtualenv, node_modules and caches (never out/ or reports/: your videos and reports)
	rm -rf .venv node_modules bench/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
