"""Our vocabularies (ontology/*.ttl) in the store, each in its own named graph under the base."""
from __future__ import annotations

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from kgpub import ontology
from kgpub.graph.mapping import with_digest
from kgpub.graph.store import Store


def vocabulary_graphs(base: str) -> dict[NamedNode, list[pyoxigraph.Triple]]:
    """Graph name -> triples; relative IRIs in the files resolve against the base."""
    graphs = {}
    for name, path in ontology.VOCAB_GRAPHS.items():
        quads = pyoxigraph.parse(path=str(path), format=RdfFormat.TURTLE, base_iri=base)
        graph = NamedNode(base + name)
        graphs[graph] = with_digest(graph, [q.triple for q in quads])
    return graphs


def ensure_vocabularies(store: Store, base: str) -> None:
    """Write the vocabulary graphs that are missing or differ from the files; cheap when current."""
    stale = {g: t for g, t in vocabulary_graphs(base).items() if store.graph_digest(g) != t[-1].object.value}
    if stale:
        store.write_graphs(stale)
