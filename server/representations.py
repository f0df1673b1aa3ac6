"""Triples to bytes in each RDF format of negotiation.FORMATS.

pyoxigraph writes every format (fast, in Rust). JSON-LD is then compacted with pyld against our
published context, and the context is referred to by its URL, so clients get short keys and the
document still expands to exactly the graph the Turtle has.
"""
from __future__ import annotations

import json
from functools import lru_cache

import pyoxigraph
from pyld import jsonld
from pyoxigraph import Triple

from kgpub import ontology
from kgpub.graph.namespaces import EXPORT_PREFIXES
from kgpub.server.negotiation import JSONLD_EXPANDED, Format

CONTEXT_PATH = "/context/v1.jsonld"


@lru_cache(maxsize=1)
def context() -> dict:
    return json.loads(ontology.JSONLD_CONTEXT_V1.read_text(encoding="utf-8"))


def rdf_bytes(triples: list[Triple], fmt: Format, context_url: str, profile: str | None = None) -> bytes:
    if fmt.name == "jsonld":
        return jsonld_bytes(triples, context_url, profile)
    prefixes = EXPORT_PREFIXES if fmt.name in ("turtle", "trig", "rdfxml") else None
    # Documents are graphs: N-Quads and TriG carry them in the default graph, so dataset-aware
    # clients (Comunica) query them like any other document. Named graphs are the endpoint's.
    return pyoxigraph.serialize(triples, format=fmt.rdf_format, prefixes=prefixes)


def jsonld_bytes(triples: list[Triple], context_url: str, profile: str | None = None) -> bytes:
    expanded = json.loads(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.JSON_LD))
    if profile == JSONLD_EXPANDED:
        return _dump(expanded)
    compacted = jsonld.compact(expanded, context())
    compacted["@context"] = context_url
    return _dump(compacted)


def _dump(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
