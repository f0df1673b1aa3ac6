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
RUN_ENV := KGPUB_STORE=$(STORE) KGPUB_BASE=http://localhost:$(PORT)/
REPORT := $(CURDIR)/var/ingest-report.json

run: install
	$(RUN_ENV) $(BIN)/kgpub ingest --report $(REPORT) examples/ || test $$? -eq 1
	$(RUN_ENV) $(BIN)/kgpub dump
	$(RUN_ENV) $(BIN)/kgpub warm
	@echo
	@echo "The store is $(STORE); the ingest report is $(REPORT)."
	@echo "Open http://localhost:$(PORT)/ once the server below is up (Ctrl-C stops it). In another terminal:"
	@echo "  export $(RUN_ENV)"
	@echo "  curl -L -H 'Accept: text/turtle' $$($(BIN)/python -c "import json; print(json.load(open('$(REPORT)'))[0]['iri'])")"
	@echo "  $(BIN)/kgpub ingest --report report.json path/to/your/records/"
	@echo "  $(BIN)/kgpub query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format csv"
	@echo
	$(RUN_ENV) $(BIN)/kgpub serve --port $(PORT)

test: install
	$(BIN)/pytest -n 2 --dist loadfile -q

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/sparql.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var
