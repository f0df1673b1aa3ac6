"""What every backend does to record graphs beyond storing them: the `dcterms:modified` stamp
of a write and the `dcterms:created` stamp of its first write (kept when it is written again: the
change log harvesters read, ResourceSync's created/updated), and the content digest put right after a change made outside the mapping (a SPARQL
Update, a Graph Store write)."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Mapping

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph.mapping import with_digest
from kgpub.graph.namespaces import DCTERMS, KGV, XSD


STAMPS = (DCTERMS.modified, DCTERMS.created)
BOOKKEEPING = (KGV.contentDigest, *STAMPS)


def stamped(graphs: dict[NamedNode, list[Triple]], created: Mapping[NamedNode, Literal] | None = None
            ) -> dict[NamedNode, list[Triple]]:
    """Each graph with `<graph> dcterms:modified` now (the server's Last-Modified) and
    `dcterms:created`: when it was first written (`created`, read by the backend before it replaced
    the graph), else now."""
    stamp = Literal(dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    created = created or {}
    return {graph: [Triple(graph, DCTERMS.modified, stamp), Triple(graph, DCTERMS.created, created.get(graph, stamp)),
                    *(t for t in triples if not (t.subject == graph and t.predicate in STAMPS))]
            for graph, triples in graphs.items()}



def redigested(graph: NamedNode, triples: Iterable[Triple]) -> list[Triple]:
    """A record graph with its content digest computed again, after a change made outside the
    mapping; the store's bookkeeping (the old digest, the modified stamp) left out."""
    content = [t for t in triples if not (t.subject == graph and t.predicate in BOOKKEEPING)]
    return with_digest(graph, content)


def settle_after_update(store, records: list[NamedNode] | None):
    """Re-digest the record graphs an update may have changed (None: all of them) and rewrite those
    whose digest changed. Returns (changed, unchanged, gone) for a backend's derived data."""
    if records is None:
        records = store.record_graph_names()
    current = store.graphs_triples(records) if records else {}
    gone = [g for g in records if g not in current]
    changed, unchanged = {}, {}
    for graph, triples in current.items():
        fresh = redigested(graph, triples)
        if fresh[-1].object.value == _digest(graph, triples):
            unchanged[graph] = triples
        else:
            changed[graph] = fresh
    if changed:
        store.write_graphs(changed)
    return changed, unchanged, gone


def _digest(graph: NamedNode, triples: list[Triple]) -> str | None:
    return next((t.object.value for t in triples if t.subject == graph and t.predicate == KGV.contentDigest), None)
