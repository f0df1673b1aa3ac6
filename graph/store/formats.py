"""Writing a stream of quads in one of the export formats, the same from every backend."""
from __future__ import annotations

from typing import BinaryIO, Iterable

import pyoxigraph
from pyoxigraph import Quad, RdfFormat

from kgpub.graph.namespaces import EXPORT_PREFIXES

RDF_FORMATS = {
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "ntriples": RdfFormat.N_TRIPLES,
}


def write_quads(quads: Iterable[Quad], output: BinaryIO, format: str) -> None:
    """Formats with graphs keep them. Formats without get the triples of every graph, streamed:
    a triple several record graphs share (a journal's title) is written once per graph, still the
    same RDF graph, and no set of every triple held in memory to drop the repeats."""
    rdf_format = RDF_FORMATS[format]
    prefixes = EXPORT_PREFIXES if format in ("trig", "turtle") else None
    if not rdf_format.supports_datasets:
        quads = (q.triple for q in quads)
    pyoxigraph.serialize(quads, output, rdf_format, prefixes=prefixes)
