"""How the service describes itself: the SPARQL 1.1 Service Description of /sparql."""
from __future__ import annotations

from flask import current_app
from pyoxigraph import BlankNode, NamedNode, Triple

from kgpub.graph.namespaces import RDF, Namespace

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML")


def service_description(endpoint_url: str) -> list[Triple]:
    service = NamedNode(endpoint_url)
    triples = [Triple(service, RDF.type, SD.Service), Triple(service, SD.endpoint, service),
               Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
               Triple(service, SD.feature, SD.UnionDefaultGraph)]
    if current_app.config.get("ADMIN_TOKEN"):
        triples.append(Triple(service, SD.supportedLanguage, SD.SPARQL11Update))
    triples += [Triple(service, SD.resultFormat, FORMATS_NS[name]) for name in RESULT_FORMATS]
    dataset, default_graph = BlankNode("dataset"), BlankNode("defaultGraph")
    triples += [Triple(service, SD.defaultDataset, dataset), Triple(dataset, RDF.type, SD.Dataset),
                Triple(dataset, SD.defaultGraph, default_graph), Triple(default_graph, RDF.type, SD.Graph)]
    return triples
