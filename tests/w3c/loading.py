"""Putting the tests' data into the server under test.

The tests load data as a client would, through the SPARQL 1.1 Graph Store HTTP Protocol
(`PUT /graph-store?graph=<iri>` with the admin token). Files are parsed here, with the file's
canonical IRI as base, and sent as N-Triples: the suite's Turtle uses relative IRIs (`<a>`,
`<>`), and the base a server would give a PUT body is not what the tests assume.

`KGPUB_W3C_LOADER=store` instead writes every graph into the store before the server starts
(through the store's database): a stand-in for running without the Graph Store Protocol.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat

from tests.w3c.suite import GraphFile

ADMIN_TOKEN = "w3c-test-token"
LOADER = os.environ.get("KGPUB_W3C_LOADER", "graph-store")  # graph-store | store
RDF_FORMATS = {".ttl": RdfFormat.TURTLE, ".rdf": RdfFormat.RDF_XML, ".nt": RdfFormat.N_TRIPLES}


def triples(graph_file: GraphFile) -> list[pyoxigraph.Triple]:
    return list(pyoxigraph.parse(path=graph_file.path, format=RDF_FORMATS[graph_file.path.suffix],
                                 base_iri=graph_file.iri))


def n_triples(graph_file: GraphFile) -> bytes:
    return pyoxigraph.serialize(triples(graph_file), format=RdfFormat.N_TRIPLES)


class GraphStore:
    """The server's Graph Store Protocol, as the admin uses it."""

    def __init__(self, session, url: str):
        self.session, self.url = session, url
        self.auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def put(self, graph_file: GraphFile) -> None:
        response = self.session.put(
            f"{self.url}/graph-store?graph={quote(graph_file.iri, safe='')}", data=n_triples(graph_file),
            headers={"Content-Type": "application/n-triples", **self.auth}, timeout=30)
        assert response.status_code in (201, 204), \
            f"PUT {graph_file.iri} answered {response.status_code}: {response.text[:500]}"

    def load(self, files: Iterable[GraphFile]) -> None:
        for graph_file in files:
            self.put(graph_file)


def create_store(store_path: Path, preload: Iterable[GraphFile] = ()) -> None:
    """An empty store for `kgpub serve` (it refuses a missing one), or one with the graphs
    preloaded (KGPUB_W3C_LOADER=store), written before the server starts."""
    from kgpub.graph.store import open_store

    store = open_store(str(store_path))
    store.db.bulk_extend(Quad(t.subject, t.predicate, t.object, NamedNode(f.iri)) for f in preload for t in triples(f))
    store.db.flush()
    store.publish_snapshot()
    store.close()
