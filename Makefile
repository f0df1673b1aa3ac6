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

# The main job on the embedded default: load the bundled example records into the store.
run: install
	KGPUB_STORE=$(STORE) $(BIN)/kgpub ingest --report $(CURDIR)/var/ingest-report.json examples/ || test $$? -eq 1
	KGPUB_STORE=$(STORE) $(BIN)/kgpub query \
	  'SELECT ?title ?date WHERE { ?o <http://purl.org/dc/terms/title> ?title ; <http://prismstandard.org/namespaces/basic/2.0/publicationDate> ?date } ORDER BY ?date' --format tsv

test: install
	$(BIN)/pytest -n 2 -q

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) var
