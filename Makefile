# record_audit: `make demo` sets up and runs the audit on the bundled samples;
# `make test` sets up and runs the whole suite. Everything installs into .venv/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    := out

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p $(OUT)
	$(BIN)/record-audit flag data/samples/notes.csv -o $(OUT)/flags.jsonl
	@echo
	$(BIN)/python -m record_audit.demo $(OUT)/flags.jsonl
	@echo
	$(BIN)/record-audit evaluate data/samples/annotated.jsonl

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(OUT) .pytest_cache
