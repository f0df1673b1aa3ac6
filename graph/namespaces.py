"""The vocabularies kgpub writes, as pyoxigraph terms, with their prefixes (docs/modelling.md)."""
from __future__ import annotations

from pyoxigraph import NamedNode

PREFIXES = {
    "fabio": "http://purl.org/spar/fabio/",
    "frbr": "http://purl.org/vocab/frbr/core#",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "dcterms": "http://purl.org/dc/terms/",
    "c4o": "http://purl.org/spar/c4o/",
    "pso": "http://purl.org/spar/pso/",
    "pro": "http://purl.org/spar/pro/",
    "datacite": "http://purl.org/spar/datacite/",
    "literal": "http://www.essepuntato.it/2010/06/literalreification/",
    "oco": "https://w3id.org/oc/ontology/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "kgv": "https://w3id.org/kgpub/ns#",
}


def compact(iri: str) -> str:
    """'http://purl.org/dc/terms/title' -> 'dcterms:title', as a librarian reads it; any other IRI as it is."""
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and "/" not in local:
            return f"{prefix}:{local}"
    return iri


class Namespace:
    """`FABIO.JournalArticle` or `PSO["peer-reviewed"]` gives the NamedNode; terms are cached."""

    def __init__(self, iri: str):
        self.iri = iri
        self._terms: dict[str, NamedNode] = {}

    def __getitem__(self, name: str) -> NamedNode:
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = NamedNode(self.iri + name)
        return term

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


FABIO, FRBR, PRISM, DCTERMS, C4O, PSO, PRO, DATACITE, LITERAL, OCO, FOAF, SKOS, SCHEMA, OWL, RDF, RDFS, XSD, KGV, PROV = (
    Namespace(PREFIXES[p])
    for p in (
        "fabio", "frbr", "prism", "dcterms", "c4o", "pso", "pro", "datacite", "literal",
        "oco", "foaf", "skos", "schema", "owl", "rdf", "rdfs", "xsd", "kgv", "prov",
    )
)


# Prefixes worth writing into Turtle/TriG exports, dumps and documents (the ones our data uses).
EXPORT_PREFIXES = {p: iri for p, iri in PREFIXES.items() if p not in ("rdfs", "schema")}
