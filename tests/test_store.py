"""The embedded Oxigraph store: whole-graph writes, replacement, removal, lookups, and recovery
from the journal an interrupted write leaves behind."""
from __future__ import annotations

import json

import pyoxigraph
import pytest
from pyoxigraph import Literal, NamedNode, Quad, Triple

from kgpub.graph.mapping import with_digest
from kgpub.graph.namespaces import DATACITE, DCTERMS, KGV, LITERAL, RDF
from kgpub.graph.store import open_store

BASE = "https://data.example.edu/"


def record_graph(key: str, title: str, doi: str | None = None) -> tuple[NamedNode, list[Triple]]:
    graph, output = NamedNode(f"{BASE}graph/output/{key}"), NamedNode(f"{BASE}id/output/{key}")
    triples = [Triple(output, DCTERMS.type, NamedNode(BASE + "id/type/x")),
               Triple(output, DCTERMS.title, Literal(title)),
               Triple(output, KGV.contentKey, Literal(f"{title}||"))]
    if doi:
        identifier = NamedNode(output.value + "#doi")
        triples += [Triple(output, DATACITE.hasIdentifier, identifier),
                    Triple(identifier, RDF.type, DATACITE.Identifier),
                    Triple(identifier, DATACITE.usesIdentifierScheme, DATACITE.doi),
                    Triple(identifier, LITERAL.hasLiteralValue, Literal(doi))]
    return graph, with_digest(graph, triples)


def titles(store_dir) -> dict[str, str]:
    store = pyoxigraph.Store(str(store_dir))
    found = {q.graph_name.value: q.object.value for q in store.quads_for_pattern(None, DCTERMS.title, None)}
    del store
    return found


def test_graphs_are_written_replaced_whole_and_removed(tmp_path):
    store = open_store(str(tmp_path / "store"))
    a, b = record_graph("a", "First"), record_graph("b", "Second")
    store.write_graphs(dict([a, b]))
    store.write_graphs(dict([record_graph("a", "First, corrected")]))
    assert store.graph_digest(a[0]) == record_graph("a", "First, corrected")[1][-1].object.value
    store.remove_graphs([b[0]])
    assert store.graph_digest(b[0]) is None
    store.close()
    assert titles(tmp_path / "store") == {a[0].value: "First, corrected"}


def test_find_outputs_by_doi_and_content_key(tmp_path):
    store = open_store(str(tmp_path / "store"))
    store.write_graphs(dict([record_graph("a", "First", doi="10.1/a"), record_graph("b", "Second")]))
    found = store.find_outputs([("doi", "10.1/a"), ("content", "Second||"), ("doi", "10.1/unknown")])
    assert found == {("doi", "10.1/a"): "a", ("content", "Second||"): "b"}
    store.close()


def test_opening_a_store_with_a_journal_undoes_the_interrupted_batch(tmp_path):
    """What a crash mid-batch leaves: some of the batch written, a replaced graph already
    removed, and the journal. Opening the store must give back exactly the state before."""
    folder = tmp_path / "store"
    store = open_store(str(folder))
    kept, replaced = record_graph("kept", "Kept"), record_graph("old", "Old version")
    store.write_graphs(dict([kept, replaced]))
    store.close()

    raw = pyoxigraph.Store(str(folder))
    old_content = list(raw.quads_for_pattern(None, None, None, replaced[0]))
    with open(tmp_path / ".store.kgpub-journal.nq", "wb") as out:
        pyoxigraph.serialize(old_content, out, pyoxigraph.RdfFormat.N_QUADS)
    new = record_graph("new", "Half-written new record")
    (tmp_path / ".store.kgpub-journal.json").write_text(json.dumps([replaced[0].value, new[0].value]))
    raw.remove_graph(replaced[0])  # the crash came after the removal ...
    raw.extend([Quad(t.subject, t.predicate, t.object, new[0]) for t in new[1][:2]])  # ... mid-load
    del raw

    open_store(str(folder)).close()
    assert titles(folder) == {kept[0].value: "Kept", replaced[0].value: "Old version"}
    assert not (tmp_path / ".store.kgpub-journal.json").exists()
    assert not (tmp_path / ".store.kgpub-journal.nq").exists()


class CrashingBulkLoad:
    """A pyoxigraph Store whose bulk loader dies, as a killed process would, mid-batch."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def bulk_extend(self, quads):
        raise KeyboardInterrupt("killed")


def test_old_content_left_from_an_earlier_crash_is_never_restored(tmp_path):
    """A leftover old-content file (its batch never started) must not come back when a later
    batch, one that replaces nothing, is interrupted."""
    folder = tmp_path / "store"
    store = open_store(str(folder))
    current = record_graph("a", "Current")
    store.write_graphs(dict([current]))
    store.close()
    stale = record_graph("a", "Stale")
    with open(tmp_path / ".store.kgpub-journal.nq", "wb") as out:
        pyoxigraph.serialize([Quad(t.subject, t.predicate, t.object, stale[0]) for t in stale[1]], out,
                             pyoxigraph.RdfFormat.N_QUADS)

    store = open_store(str(folder))
    store._store = CrashingBulkLoad(store._store)
    with pytest.raises(KeyboardInterrupt):
        store.write_graphs(dict([record_graph("b", "New")]))
    del store

    open_store(str(folder)).close()
    raw = pyoxigraph.Store(str(folder))
    found = {(q.graph_name.value, q.object.value) for q in raw.quads_for_pattern(None, DCTERMS.title, None)}
    del raw
    assert found == {(current[0].value, "Current")}
