"""What a remote SPARQL server answers, read as pyoxigraph's own result objects, so that the
endpoint's code (server/query_process.run) serves them as it serves the embedded store's."""
from __future__ import annotations

import re

import pyoxigraph
from pyoxigraph import QueryResultsFormat, RdfFormat

from kgpub.graph.store.sparql_http import QueryRefused

SELECT_JSON = "application/sparql-results+json"
SELECT_XML = "application/sparql-results+xml"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
RESULTS_ACCEPT = f"{SELECT_JSON}, {SELECT_XML};q=0.9, {GRAPH_ACCEPT}"
MEDIA = {"json": SELECT_JSON, "xml": SELECT_XML, "csv": "text/csv", "tsv": "text/tab-separated-values",
         "turtle": "text/turtle", "ntriples": "application/n-triples"}
_VIRTUOSO_BNODE = re.compile(rb'(?<=[">])nodeID://')


def parsed(media_type: str, body: bytes):
    """QuerySolutions or QueryBoolean for SPARQL results, ResultTriples for a graph."""
    kind = media_type.split(";")[0].strip()
    body = readable(body)
    if kind == SELECT_JSON:
        return pyoxigraph.parse_query_results(body, QueryResultsFormat.JSON)
    if kind == SELECT_XML:
        return pyoxigraph.parse_query_results(body, QueryResultsFormat.XML)
    return ResultTriples(pyoxigraph.parse(body, RdfFormat.TURTLE if kind == "text/turtle" else RdfFormat.N_TRIPLES))


class TimedQueries:
    """Public queries sent to the remote server, shaped like pyoxigraph.Store.query (what
    server/query_process.run evaluates), the protocol's dataset as the protocol's parameters."""

    def __init__(self, store, timeout: float):  # store: a RemoteStore
        self.store, self.timeout = store, timeout

    def query(self, sparql: str, base_iri: str | None = None, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False):
        params = [("default-graph-uri", g.value) for g in default_graph or ()]
        params += [("named-graph-uri", g.value) for g in named_graphs or ()]
        if base_iri:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        try:
            return self.store.query(sparql, timeout=self.timeout, params=params)
        except QueryRefused as err:  # the query's fault, in the server's words (not the store's address)
            raise ValueError(err.detail) from None


class ResultTriples:
    """A graph result read from the server, shaped like pyoxigraph's QueryTriples (iterable,
    serializable)."""

    def __init__(self, triples):
        self._triples = list(triples)

    def __iter__(self):
        return iter(self._triples)

    def serialize(self, output=None, format=RdfFormat.N_TRIPLES):
        return pyoxigraph.serialize(self._triples, output, format)


def readable(body: bytes) -> bytes:
    """Virtuoso names blank nodes in results `nodeID://b10001`, which is not a blank node label
    (pyoxigraph refuses it): the prefix is dropped."""
    return _VIRTUOSO_BNODE.sub(b"", body)
