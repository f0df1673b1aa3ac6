"""One record per work across sources: the same DOI from two formats is one record, merged field
by field in the source priority, with PROV-O on its graph naming both sources."""
from __future__ import annotations

import dataclasses

import pytest
from conftest import PURE_API
from pyoxigraph import NamedNode

from kgpub.graph import record_json, sources
from kgpub.graph.importers.pure_json import read
from kgpub.graph.namespaces import DCTERMS, FABIO, PROV
from kgpub.graph.pipeline import Ingest
from kgpub.graph.record import SourceRef
from kgpub.graph.store import open_store

BASE = "http://localhost:8080/"
ARTICLE = PURE_API / "lund-journal-article.json"


def pure_record():
    with ARTICLE.open("rb") as stream:
        [record] = list(read(stream, str(ARTICLE)))
    return record


def crossref_view(record):
    """What a Crossref work of the same DOI would say: another title, fewer fields, one more."""
    return dataclasses.replace(record, source=SourceRef("work.json", index=0, format="crossref"),
                               title="A Microcalorimetric Method (Crossref's casing)", abstract=None,
                               keywords=[], topics=[], subjects=[], article_number="e1234", problems=[])


@pytest.fixture
def store(tmp_path):
    opened = open_store(str(tmp_path / "store"))
    yield opened
    opened.close()


def graph_of(store, iri: str) -> list:
    return store.graph_triples(NamedNode(iri.replace("/id/", "/graph/")))


def values(triples, predicate, subject: str | None = None) -> set[str]:
    return {t.object.value for t in triples
            if t.predicate == predicate and (subject is None or t.subject.value == subject)}


def test_a_second_source_of_the_same_doi_merges_field_by_field(store):
    ingest = Ingest(store, BASE)
    [first] = ingest.process([pure_record()])
    [second] = ingest.process([crossref_view(pure_record())])
    assert first.status == "stored" and second.status == "updated" and first.iri == second.iri
    triples = graph_of(store, first.iri)
    assert values(triples, DCTERMS.title, first.iri) == {pure_record().title}, "Pure JSON outranks Crossref"
    assert values(triples, FABIO.hasElectronicArticleIdentifier) == {"e1234"}, "what only Crossref has is kept"
    assert values(triples, DCTERMS.abstract), "what Crossref lacks comes from Pure"
    assert values(triples, DCTERMS["format"]) == {"pure-json", "crossref"}
    graph = NamedNode(first.iri.replace("/id/", "/graph/"))
    derived = {t.object for t in triples if t.subject == graph and t.predicate == PROV.wasDerivedFrom}
    assert len(derived) == 2
    assert values(triples, DCTERMS.source) == {"lund-journal-article.json", "work.json[0]"}


def test_the_priority_is_configurable(store):
    ingest = Ingest(store, BASE, source_priority=sources.priority("crossref"))
    [first] = ingest.process([pure_record()])
    ingest.process([crossref_view(pure_record())])
    assert values(graph_of(store, first.iri), DCTERMS.title, first.iri) == {crossref_view(pure_record()).title}


def test_an_unknown_format_in_the_priority_is_refused():
    with pytest.raises(ValueError, match="unknown source format.*bibtexx"):
        sources.priority("bibtexx, crossref")


def test_importing_the_same_sources_again_changes_nothing(store):
    ingest = Ingest(store, BASE)
    ingest.process([pure_record()])
    ingest.process([crossref_view(pure_record())])
    again = ingest.process([pure_record()]) + ingest.process([crossref_view(pure_record())])
    assert [o.status for o in again] == ["unchanged", "unchanged"], "import times are kept for unchanged sources"


def test_two_sources_of_one_work_in_one_batch_are_merged_not_raced(store):
    outcomes = Ingest(store, BASE).process([pure_record(), crossref_view(pure_record())])
    assert [o.status for o in outcomes] == ["stored", "updated"]
    assert values(graph_of(store, outcomes[0].iri), DCTERMS["format"]) == {"pure-json", "crossref"}


def test_a_rejected_source_is_not_kept(store):
    ingest = Ingest(store, BASE)
    [stored] = ingest.process([pure_record()])
    broken = dataclasses.replace(crossref_view(pure_record()), title=None, language="not a language")
    broken.add_problem("title", "missing")
    [rejected] = ingest.process([broken])
    assert rejected.status == "rejected"
    assert [d.format for _, d in store.sources.of(stored.iri.rsplit("/", 1)[1])] == ["pure-json"]


def test_a_record_survives_json_and_back():
    record = pure_record()
    assert record_json.loads(record_json.dumps(record)) == record
