# record_audit: `make demo` sets up and runs the audit on the bundled samples;
# `make test` sets up and runs the whole suite (`make test-fast`: the unit tests only).
# Everything installs into .venv/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
OUT    := out
SAMPLES := data/samples
PARTIES := --parties $(SAMPLES)/parties.csv

.PHONY: install browser demo app review test test-fast bench bench-scale bench-documents bench-generalise bench-adapt bench-deid bench-startup model data rules-doc clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks,dense]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# the report and widget tests drive Debian's Chromium (Playwright never downloads a browser here)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/python -c "from record_audit.files import make_folder; make_folder('$(OUT)')"  # owner-only
	rm -f $(OUT)/audit.sqlite $(OUT)/audit.sqlite-wal $(OUT)/audit.sqlite-shm
	$(BIN)/record-audit audit $(SAMPLES)/notes.csv $(PARTIES) --db $(OUT)/audit.sqlite --report $(OUT)/report.html
	@$(BIN)/python -m record_audit.demo $(OUT)/audit.sqlite
	$(BIN)/record-audit flag $(SAMPLES)/notes.csv $(PARTIES) -o $(OUT)/flags.jsonl
	$(BIN)/record-audit evaluate $(SAMPLES)/annotated.jsonl $(PARTIES)
	@echo
	@echo "Documents as they arrive: a court report and minutes (.docx), an assessment (.pdf, a note per page), a note (.txt)"
	rm -f $(OUT)/documents.sqlite $(OUT)/documents.sqlite-wal $(OUT)/documents.sqlite-shm
	$(BIN)/record-audit audit $(SAMPLES)/documents --db $(OUT)/documents.sqlite --report $(OUT)/documents.html
	@$(BIN)/python -m record_audit.demo $(OUT)/documents.sqlite
	$(BIN)/record-audit flag $(SAMPLES)/documents -o $(OUT)/documents.jsonl
	@echo
	@echo "Audit store:  $(OUT)/audit.sqlite   (record-audit summary --db $(OUT)/audit.sqlite --scope sample)"
	@echo "QA report:    $(OUT)/report.html    (open it in a browser; it works offline)"
	@echo "Flags:        $(OUT)/flags.jsonl"
	@echo "Documents:    $(OUT)/documents.sqlite, $(OUT)/documents.html, $(OUT)/documents.jsonl"

# the QA summary dashboard as an app: Voilà on 127.0.0.1:$(APP_PORT), widgets without code, behind a
# random token (open the URL it prints). It shows out/audit.sqlite (audited from the samples when
# missing); APP_DB=FILE shows another store.
APP_PORT ?= 8866
APP_DB   ?=
app: install
	$(BIN)/python -m record_audit.app --port $(APP_PORT) $(if $(APP_DB),--db $(APP_DB))

# the review queue as an app, the same way: one key per decision, downloads through the browser.
# REVIEW_PORT=N, APP_DB=FILE and REVIEWER=NAME (filled in) as for the dashboard.
REVIEW_PORT ?= 8867
REVIEWER    ?=
review: install
	$(BIN)/python -m record_audit.app --app review --port $(REVIEW_PORT) $(if $(APP_DB),--db $(APP_DB)) \
	  $(if $(REVIEWER),--reviewer $(REVIEWER))

# everything: unit, slow (whole data sets, training, processes, Dask) and browser tests, and the notebooks
test: install browser
	$(BIN)/python -m pytest tests --nbmake notebooks --nbmake-timeout=600 -n 2 --dist loadgroup

# the unit tests of the components, in about a minute: no slow or browser tests, no notebooks
test-fast: install
	$(BIN)/python -m pytest tests -m "not slow and not browser" -n 2

# the annotated sets are assembled from their parts (data/README.md)
data: install
	cd data && ../$(BIN)/python build_samples.py

# the shipped classifier: trained on samples + train in the design chosen on the register-held-out
# folds (make bench-generalise; bench/results/generalisation.md), scored on dev, adopted
DESIGN ?= wordchars
model: install
	$(BIN)/record-audit train $(SAMPLES)/annotated.jsonl data/corpus/train.jsonl \
	  --dev data/corpus/dev.jsonl --models-dir models --design $(DESIGN) --adopt

# the rules catalogue for trainers (docs/rules.md), from the rule files; a test fails when it is stale
rules-doc: install
	$(BIN)/python -m record_audit.rules_doc docs/rules.md

bench: install
	$(BIN)/python bench/throughput.py

# PDF libraries compared and the .docx reader measured on generated documents (Chromium prints the PDF)
bench-documents: install browser
	$(BIN)/python bench/documents.py

# 1 and 2 processes and a Dask local cluster at 10k, 100k and 1M words (about 25 min on 2 cores)
bench-scale: install
	$(BIN)/python bench/scale.py

# leave-one-register-out and leave-one-jurisdiction-out scores of the shipped design: rules fixed,
# classifier retrained per fold (about an hour on 2 cores); DESIGNS=a,b compares designs
DESIGNS ?=
bench-generalise: install
	$(BIN)/python bench/generalisation.py $(if $(DESIGNS),--designs $(DESIGNS)) \
	  --out bench/results/generalisation.md --json bench/results/generalisation.json

# adaptation to a register held out of training: review 5, 10, 20, 40 of its records through the flag and
# possible-misses queues, accept the suggestions that hold, retrain, score its other records (issue 17)
bench-adapt: install
	$(BIN)/python bench/adapt.py --out bench/results/adapt.md --json bench/results/adapt.json

# de-identification: names of thirteen origins in every position, structured identifiers, non-names
# (about 30 s; fails unless >= 0.99 of names overall and >= 0.98 of each origin's are removed and no identifier leaks)
bench-deid: install
	$(BIN)/python bench/deid.py

# start-up: `record-audit flag` on one note and `--help`, fresh processes, medians (about 1 min)
bench-startup: install
	$(BIN)/python bench/startup.py --runs 5

clean:
	rm -rf $(OUT) .pytest_cache
