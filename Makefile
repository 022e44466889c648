# Two commands: `make run` (set up + extract the bundled corpus + summary report) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "error: CUDA packages were installed; torch must stay on the CPU wheel (torch<=2.13.0)"; exit 1; fi
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/jixiao extract corpus/raw -o out/ --format xlsx --format parquet --format csv
	$(BIN)/jixiao audit out/extract.jsonl -o out/audit/
	$(BIN)/jixiao summarize out/extract.jsonl -o report/ --audit out/audit/

# The tests also run `--engine ray` on a local Ray instance (issue 15), so they install the ray extra (CPU only).
RAYSTAMP := $(VENV)/.installed-ray
$(RAYSTAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,ray]'
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qi '^nvidia-'; then \
		echo "error: CUDA packages were installed with ray"; exit 1; fi
	touch $(RAYSTAMP)

test: $(RAYSTAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/jixiao bench

clean:
	rm -rf out report .pytest_cache
