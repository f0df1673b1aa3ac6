"""Verbatim copies of record graphs in a remote store, in the graph urn:kgpub:copies: each graph
that carries a content digest (records, vocabularies, the lifecycle graph) also as one N-Triples
literal, written in the same request as the graph itself.

Why: some servers give back other terms than they were given. Virtuoso 7 returns
"100"^^xsd:decimal as an xsd:integer, "true"^^xsd:boolean as "1", language tags in lower case and
times in Z; a document, a page or a citation read from it would differ from the embedded store's.
A copy is a plain string, which every server keeps as it is, and it is one row per graph where the
triples are dozens. It is compressed (zlib, then base64): Virtuoso's time to store a literal grows
with its length (a 16 KB literal 2.8 ms, 1 KB 0.3 ms), and copies are bookkeeping no one queries. A copy counts only while its digest is the graph's own `kgv:contentDigest` (a
SPARQL Update may have changed the graph since; then its triples are read, as the server gives them).
"""
from __future__ import annotations

import base64
import zlib

import pyoxigraph
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from kgpub.graph.namespaces import KGV

GRAPH = NamedNode("urn:kgpub:copies")
COPY = NamedNode("urn:kgpub:copy")
COPY_DIGEST = NamedNode("urn:kgpub:copyDigest")


def copy_triples(graph: NamedNode, triples: list[Triple]) -> list[Triple]:
    """The copy of a graph about to be written (none for a graph without a digest)."""
    digest = next((t.object.value for t in triples if t.subject == graph and t.predicate == KGV.contentDigest), None)
    if digest is None:
        return []
    text = pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
    return [Triple(graph, COPY, Literal(pack(text))), Triple(graph, COPY_DIGEST, Literal(digest))]


def pack(text: str) -> str:
    """Text as a short ASCII string (zlib, base64): for the long literals kgpub keeps for itself."""
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


def copies_query(graphs: list[NamedNode]) -> str:
    """The valid copies of these graphs: (graph, N-Triples) rows."""
    values = " ".join(str(g) for g in graphs)
    return (f"SELECT ?g ?copy WHERE {{ VALUES ?g {{ {values} }} GRAPH {GRAPH} {{ ?g {COPY} ?copy ; {COPY_DIGEST} ?d }} "
            f"GRAPH ?g {{ ?g {KGV.contentDigest} ?d }} }}")


def read_copy(packed: str) -> list[Triple]:
    return list(pyoxigraph.parse(unpack(packed).encode("utf-8"), RdfFormat.N_TRIPLES))
