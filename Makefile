# CQX — the two commands a user needs are `make run` and `make test`; both set up what is missing.
SHELL := /bin/bash
PY_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GEN := build/gen
PROTOS := $(shell find protos -name '*.proto')
STAMP_INSTALL := $(VENV)/.installed
STAMP_PROTOS := $(GEN)/.stamp
PYTEST_ARGS ?=

.PHONY: setup sources-path protos lint test bench infra-up infra-down clean run demo tools

setup: $(STAMP_INSTALL) $(STAMP_PROTOS) sources-path

$(VENV)/bin/python:
	$(PY_SYS) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip==25.3

# Generated code is build output: made here from protos/, git-ignored, never committed.
$(STAMP_PROTOS): $(PROTOS) $(VENV)/bin/python
	rm -rf $(GEN) && mkdir -p $(GEN)
	$(PY) -c "import grpc_tools" 2>/dev/null || $(PY) -m pip install -q grpcio-tools==1.85.1 mypy-protobuf==5.1.0
	$(PY) -m grpc_tools.protoc -I protos --python_out=$(GEN) --grpc_python_out=$(GEN) \
	  --plugin=protoc-gen-mypy=$(VENV)/bin/protoc-gen-mypy --mypy_out=$(GEN) \
	  --plugin=protoc-gen-mypy_grpc=$(VENV)/bin/protoc-gen-mypy_grpc --mypy_grpc_out=$(GEN) $(PROTOS)
	find $(GEN)/cqx -type d -exec touch {}/__init__.py \;
	touch $(GEN)/cqx/py.typed $@

protos: $(STAMP_PROTOS)

# The editable install brings the pinned dependencies.
$(STAMP_INSTALL): pyproject.toml $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# Every source root on the path (cheap, so always): a service added later imports at once.
sources-path: $(STAMP_INSTALL)
	@$(PY) -c "import site, pathlib; r = pathlib.Path.cwd(); \
	  roots = [r / 'libs', r / 'build/gen', *sorted((r / 'services').glob('*/'))]; \
	  pathlib.Path(site.getsitepackages()[0], 'cqx-sources.pth').write_text( \
	  ''.join(f'{p}\\n' for p in roots))"

# Editable install must see build/gen/cqx, so protos come first on a fresh clone.
$(STAMP_INSTALL): | $(STAMP_PROTOS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs bench $(wildcard services/*/cqx_*)
	$(VENV)/bin/lint-imports

# Third-party clients the tests use as users would: grpcurl (Go module proxy, pinned).
GRPCURL_VERSION := v1.9.4
GRPCURL := .run/tools/grpcurl
$(GRPCURL):
	mkdir -p .run/tools
	GOBIN=$(abspath .run/tools) go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)

tools: $(GRPCURL)

test: setup tools
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m bench

# CQX on localhost with a seeded demo market; Ctrl-C stops it.
run: setup
	$(PY) -m cqx_local run

# While `make run` is up: trade a simulated day and print the trades, the close, the positions.
demo: setup
	$(PY) -m cqx_local demo

infra-up: setup
	$(PY) -m cqx_infra up

infra-down: setup
	$(PY) -m cqx_infra down

clean:
	-$(PY) -m cqx_infra down 2>/dev/null
	rm -rf $(GEN) $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
