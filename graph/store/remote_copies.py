"""Verbatim copies of record graphs in a remote store, in the graph urn:kgpub:copies: each graph
that carries a content digest (records, vocabularies, the lifecycle graph) also as one N-Triples
literal, written just after the graph (its old copy dropped just before).

Why: some servers give back other terms than they were given. Virtuoso 7 returns
"100"^^xsd:decimal as an xsd:integer, "true"^^xsd:boolean as "1", language tags in lower case and
times in Z; a document, a page or a citation read from it would differ from the embedded store's.
A copy is a plain string, which every server keeps as it is, and it is one row per graph where the
triples are dozens. A copy is a node named by the digest of what it copies,
`<g> urn:kgpub:copy <urn:kgpub:copy:DIGEST>`, so that a copy counts only while that digest is the
graph's own `kgv:contentDigest` (a SPARQL Update, or another writer, may have changed the graph
since; then its triples are read, as the server gives them): two writers racing on one graph
cannot leave a copy that passes for the other's content. It is compressed (zlib, then base64): Virtuoso's time to store a literal grows
with its length (a 16 KB literal 2.8 ms, 1 KB 0.3 ms), and copies are bookkeeping no one queries. """
from __future__ import annotations

import base64
import zlib

import pyoxigraph
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from kgpub.graph.namespaces import KGV

GRAPH = NamedNode("urn:kgpub:copies")
COPY = NamedNode("urn:kgpub:copy")  # graph -> its copy node
TEXT = NamedNode("urn:kgpub:text")  # copy node -> the packed N-Triples
NODE_PREFIX = "urn:kgpub:copy:"


def copy_triples(graph: NamedNode, triples: list[Triple]) -> list[Triple]:
    """The copy of a graph about to be written (none for a graph without a digest)."""
    digest = next((t.object.value for t in triples if t.subject == graph and t.predicate == KGV.contentDigest), None)
    if digest is None:
        return []
    text = pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
    node = NamedNode(NODE_PREFIX + digest)
    return [Triple(graph, COPY, node), Triple(node, TEXT, Literal(pack(text)))]


def pack(text: str) -> str:
    """Text as a short ASCII string (zlib, base64): for the long literals kgpub keeps for itself."""
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def unpack(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode("utf-8")


def copies_query(graphs: list[NamedNode]) -> str:
    """The valid copies of these graphs: (graph, packed N-Triples) rows."""
    values = " ".join(str(g) for g in graphs)
    return (f"SELECT ?g ?text WHERE {{ VALUES ?g {{ {values} }} GRAPH {GRAPH} {{ ?g {COPY} ?node . ?node {TEXT} ?text }} "
            f"GRAPH ?g {{ ?g {KGV.contentDigest} ?d }} FILTER(STR(?node) = CONCAT('{NODE_PREFIX}', STR(?d))) }}")


def digests_query(graphs: list[NamedNode]) -> str:
    """The digests of these graphs, and whether each has a valid copy: (graph, digest, copied) rows."""
    values = " ".join(str(g) for g in graphs)
    return (f"SELECT ?g ?d ?node WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g {KGV.contentDigest} ?d }} "
            f"OPTIONAL {{ GRAPH {GRAPH} {{ ?g {COPY} ?node }} FILTER(STR(?node) = CONCAT('{NODE_PREFIX}', STR(?d))) }} }}")


def dropped(graphs: list[NamedNode]) -> str:
    """An update dropping every copy of these graphs."""
    values = " ".join(str(g) for g in graphs)
    return (f"DELETE {{ GRAPH {GRAPH} {{ ?g {COPY} ?node . ?node {TEXT} ?text }} }} WHERE {{ VALUES ?g {{ {values} }} "
            f"GRAPH {GRAPH} {{ ?g {COPY} ?node . OPTIONAL {{ ?node {TEXT} ?text }} }} }}")


def read_copy(packed: str) -> list[Triple]:
    return list(pyoxigraph.parse(unpack(packed).encode("utf-8"), RdfFormat.N_TRIPLES))
