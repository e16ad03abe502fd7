# Two commands on a fresh machine:
#   make run   — set up (virtual environment, install), generate the demo region, run the pipeline
#   make test  — set up (plus headless Chromium for browser tests) and run the whole test suite
# Both are idempotent: a second call reuses the environment and the demo data.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo/ground_truth.json

.PHONY: setup run test test-fast browser demo bench bench-national clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" >/dev/null
	touch $(STAMP)

$(DEMO): $(STAMP) $(wildcard src/workbench/demo/*.py)
	$(BIN)/workbench demo --schools 600 --seed 2026 --out data/demo --params params/demo.yaml

demo: $(DEMO)

run: $(DEMO)
	$(BIN)/workbench run params/demo.yaml
	@echo "Справки: outputs/demo/briefings/index.html"

# Headless Chromium for the browser tests (Debian package; Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Устанавливаю chromium (Debian)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider

# The national run as users run it (xlsx and Parquet inputs, notebooks on) against the read
# floor of the same files, then the per-stage benchmark at several sizes (docs/performance.md).
bench: bench-national
	$(BIN)/python benchmarks/run.py

bench-national: $(STAMP)
	$(BIN)/python benchmarks/bench_national.py

clean:
	rm -rf $(VENV) outputs/* data/demo
