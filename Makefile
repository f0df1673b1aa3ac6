# Two entry points (see README): `make run` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= $(CURDIR)/var/store

.PHONY: run test install bench clean

$(BIN)/kgpub: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/kgpub

PORT ?= 8080

# The main job on the embedded default: load the bundled example records into the store and
# serve them as Linked Data on http://localhost:$(PORT)/ (Ctrl-C stops the server).
run: install
	KGPUB_STORE=$(STORE) KGPUB_BASE=http://localhost:$(PORT)/ $(BIN)/kgpub ingest --report $(CURDIR)/var/ingest-report.json examples/ || test $$? -eq 1
	KGPUB_STORE=$(STORE) KGPUB_BASE=http://localhost:$(PORT)/ $(BIN)/kgpub serve --port $(PORT)

test: install
	$(BIN)/pytest -n 2 --dist loadfile -q

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/sparql.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var
