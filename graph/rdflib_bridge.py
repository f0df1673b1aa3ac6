"""The one place where RDF terms cross between pyoxigraph and rdflib.

The two libraries disagree on one thing that matters for validation: pyoxigraph gives a plain
literal the datatype xsd:string, while rdflib keeps `Literal("en")` and
`Literal("en", datatype=XSD.string)` apart (so `sh:in`, `sh:hasValue` and equality break).
Here every xsd:string literal becomes a plain rdflib Literal. Lexical forms are kept as they are.
"""
from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
import rdflib

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def ox_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        # normalize=False: rdflib would otherwise rewrite "01"^^xsd:integer to "1".
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise TypeError(f"cannot convert {term!r} to rdflib: only IRIs, blank nodes and literals")


def rdflib_to_ox(term: rdflib.term.Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is None or str(term.datatype) == XSD_STRING:
            return ox.Literal(str(term))
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph: only IRIs, blank nodes and literals")


def triples_to_rdflib_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """A plain in-memory rdflib Graph (never an oxrdflib-backed one: pyshacl misjudges those)."""
    graph = rdflib.Graph()
    for triple in triples:
        graph.add((ox_to_rdflib(triple.subject), ox_to_rdflib(triple.predicate), ox_to_rdflib(triple.object)))
    return graph


def rdflib_graph_to_triples(graph: rdflib.Graph) -> list[ox.Triple]:
    return [ox.Triple(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o)) for s, p, o in graph]
