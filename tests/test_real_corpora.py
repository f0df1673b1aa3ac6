"""The real corpora ingested as a research office would (issue 15, "Done when"): every BibTeX, RIS,
Crossref, CSL-JSON, OpenCitations Meta and Pure API file in ../shared/data/real at once, into one
store (about 3 minutes). The figures are pinned: a change to an importer, the journal matching or the
messages shows here as a changed figure, to be explained in its commit.

Before issue 15: 1,228 journals, 160 groups of them sharing a name (as `kgpub journals` counts them), 12,316 warnings (12,088 of them
"no language" or "no abstract"), problems named by RDF terms."""
from __future__ import annotations

import collections
import json

import pytest
from conftest import SHARED_DATA, Cli

REAL = SHARED_DATA / "real"
CORPORA = [REAL / "bib", REAL / "ris", REAL / "crossref", REAL / "csljson", REAL / "other" / "opencitations-meta",
           REAL / "pure-api"]
RDF_PREFIXES = ("dcterms:", "prism:", "pro:", "frbr:", "fabio:", "foaf:", "datacite:", "literal:", "pso:", "c4o:",
                "schema:", "kgv:", "oco:", "skos:")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Cli, list[dict]]:
    cli = Cli(tmp_path_factory.mktemp("real-corpora") / "store")
    return cli, cli.ingest(*CORPORA, check_exit=1)  # some entries have no title: exit status 1


def test_the_records_stored_merged_and_rejected(corpus):
    _, report = corpus
    assert collections.Counter(row["status"] for row in report) == {"stored": 13971, "updated": 1383, "rejected": 465}
    assert sum(row["merged"] for row in report) == 4


def test_warnings_are_few_named_as_the_sources_name_them_and_one_per_problem(corpus):
    _, report = corpus
    warnings = [w for row in report for w in row["warnings"]]
    assert (len(warnings), sum(1 for row in report if row["warnings"])) == (1963, 1647)
    assert not [w for w in warnings if w.get("term") in ("dcterms:abstract", "dcterms:language")]
    problems = [p for row in report for p in row["warnings"] + row["errors"]]
    assert not [p for p in problems if p["field"].startswith(RDF_PREFIXES)]
    assert collections.Counter(p["field"] for p in problems if p.get("term") == "prism:publicationDate") == {
        "year": 229, "pub_date": 19, "date": 15, "PY": 1}
    for row in report:  # one message per field: an importer's and SHACL's on one field are one
        fields = [p["field"] for p in row["warnings"] + row["errors"] if p.get("term")]
        assert len(fields) == len(set(fields)), row


def test_one_journal_per_journal(corpus):
    cli, _ = corpus
    found = json.loads(cli("journals", "--json").stdout)
    assert (found["journals"], len(found["suspected_duplicates"]), len(found["mixed_titles"])) == (1027, 15, 15)
    for name in ("appl phys lett", "nano lett", "phys rev b", "j appl phys", "j cryst growth", "phys rev lett"):
        rows = cli("query", "--format", "json",
                   "SELECT ?j (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?j a <http://purl.org/spar/fabio/Journal> ; "
                   f"<https://w3id.org/kgpub/ns#nameKey> \"{name}\" }} }} GROUP BY ?j").stdout
        sizes = sorted(int(b["n"]["value"]) for b in json.loads(rows)["results"]["bindings"])
        assert len([n for n in sizes if n >= 20]) == 1, (name, sizes)  # the rest: a wrong ISSN or two
