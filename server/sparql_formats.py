"""Which format a SPARQL result is sent in: by the `format`/`output` parameter SPARQLWrapper and
Fuseki users send, else by Accept with q-values. A query's form is known only once it is parsed,
so both choices are made up front: one for SELECT/ASK results, one for CONSTRUCT/DESCRIBE graphs."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kgpub.server.negotiation import FORMATS, NegotiationError, parse_accept

# name -> media types (the first is the one we send)
RESULTS = {
    "json": ("application/sparql-results+json", "application/json", "text/json"),
    "xml": ("application/sparql-results+xml", "application/xml", "text/xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
}
GRAPHS = {f.name: (f.media_type, *f.aliases) for f in FORMATS if f.rdf_format is not None}
GRAPH_FORMATS = {f.name: f for f in FORMATS if f.rdf_format is not None}
# `format=`/`output=` words clients use, per form; a media type is accepted there too.
RESULTS_WORDS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"}
GRAPH_WORDS = {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "xml": "rdfxml", "rdf": "rdfxml",
               "rdfxml": "rdfxml", "rdf/xml": "rdfxml", "json-ld": "jsonld", "jsonld": "jsonld",
               "json": "jsonld", "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples",
               "nquads": "nquads", "nq": "nquads", "trig": "trig"}


@dataclass(frozen=True)
class ResultChoice:
    results: str | None  # a RESULTS key, or None when the client accepts no results format
    graph: str | None  # a GRAPHS key, or None likewise


@lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def choose(accept_header: str | None, format_param: str | None) -> ResultChoice:
    if format_param:
        word = format_param.strip().lower()
        results = RESULTS_WORDS.get(word) or _by_media_type(RESULTS, word)
        graph = GRAPH_WORDS.get(word) or _by_media_type(GRAPHS, word)
        if results is None and graph is None:
            raise NegotiationError(406, f"unknown result format {format_param!r}; use one of json, xml, csv, "
                                        "tsv (SELECT/ASK) or turtle, ntriples, nquads, trig, jsonld, rdfxml")
        # A graph word for a SELECT (or the reverse) still gets a result: the usual default.
        return ResultChoice(results or "json", graph or "turtle")
    if not accept_header or not accept_header.strip():
        return ResultChoice("json", "turtle")
    accepted = parse_accept(accept_header)
    return ResultChoice(_best(accepted, RESULTS), _best(accepted, GRAPHS))


def _best(accepted, table: dict[str, tuple[str, ...]]) -> str | None:
    # Main media types before aliases: `*/*` or `application/*` picks the first main type.
    offered = [types[0] for types in table.values()] + [t for types in table.values() for t in types[1:]]
    best = accepted.best_match(offered)
    return _by_media_type(table, best) if best else None


def _by_media_type(table: dict[str, tuple[str, ...]], media_type: str) -> str | None:
    return next((name for name, types in table.items() if media_type in types), None)
