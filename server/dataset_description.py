"""The dataset described for programs: VoID (/.well-known/void) and a DCAT catalogue (/catalog).

IRIs, all on the configured base: the dataset `{base}dataset`, the catalogue `{base}catalog`, the
SPARQL service `{base}sparql`, each dump `{base}dumps/{file}` and its DCAT distribution
`{base}dataset#dump-{format}`, the shapes `{base}shapes/{name}`. Figures come from the statistics
the last `kgpub dump` counted (graph/dataset_stats.py); before the first dump the description
says what it knows without counting, and that the figures come with the dumps.
Terms were checked against the VoID (http://rdfs.org/ns/void#), DCAT 3, SPDX 2.3 and SPARQL
Service Description vocabularies.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kgpub.graph.dataset_stats import DOI_RESOLVER
from kgpub.graph.dumps import BY_FILE, PublishedDumps
from kgpub.graph.namespaces import DCTERMS, FOAF, OWL, PREFIXES, RDF, RDFS, XSD, Namespace

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
TITLE = "Research outputs"
DESCRIPTION = ("Research outputs (articles, chapters, theses, preprints…) with their journals, authors and "
               "subjects, as linked data: one named graph per record, plus the ASJC and Pure type schemes.")
NO_FIGURES_YET = ("Counts, partitions and dumps appear once `kgpub dump` has run; they are counted while the "
                  "dumps are written, not per request.")
EXAMPLE_RESOURCES = 3


@dataclass(frozen=True)
class Service:
    title: str
    path: str  # under the base, without its leading slash
    standard: str | None = None  # what it conforms to (dcterms:conformsTo)


# Where other systems find the records besides SPARQL and the dumps: the home page lists them, the
# DCAT catalogue describes each as a dcat:DataService, VoID and the Service Description link them.
SERVICES = (
    Service("OAI-PMH (oai_dc, oai_openaire)", "oai", "http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm"),
    Service("ResourceSync", ".well-known/resourcesync", "http://www.openarchives.org/rs/1.1/resourcesync"),
    Service("Sitemap", "sitemap.xml", "https://www.sitemaps.org/protocol.html"),
    Service("Resolve a DOI, ORCID, ISSN, ISBN or Pure UUID", "resolve"),
    Service("OpenRefine reconciliation", "reconcile",
            "https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/"),
)


def service_links(base: str) -> list[Triple]:
    """`rdfs:seeAlso` from the dataset to the catalogue and to each service (VoID and the Service
    Description name the same things)."""
    dataset = dataset_iri(base)
    return [Triple(dataset, RDFS.seeAlso, NamedNode(f"{base}catalog")),
            *(Triple(dataset, RDFS.seeAlso, NamedNode(base + service.path)) for service in SERVICES)]


def dataset_iri(base: str) -> NamedNode:
    return NamedNode(f"{base}dataset")


def shapes_iri(base: str, name: str) -> NamedNode:
    return NamedNode(f"{base}shapes/{name}")


def void_triples(base: str, dumps: PublishedDumps | None, examples: list[NamedNode],
                 shapes: list[str]) -> list[Triple]:
    dataset = dataset_iri(base)
    triples = [Triple(dataset, RDF.type, VOID.Dataset), *_about(base, dataset, shapes),
               Triple(dataset, VOID.sparqlEndpoint, NamedNode(f"{base}sparql")),
               Triple(dataset, VOID.uriSpace, Literal(f"{base}id/")),
               *(Triple(dataset, VOID.exampleResource, e) for e in examples[:EXAMPLE_RESOURCES]),
               *service_links(base)]
    if dumps is None:
        return triples + [Triple(dataset, RDFS.comment, Literal(NO_FIGURES_YET, language="en"))]
    figures = dumps.statistics
    triples += [Triple(dataset, VOID.dataDump, _dump_url(base, f["file"])) for f in dumps.manifest["files"]]
    triples += [Triple(dataset, VOID.vocabulary, NamedNode(ns)) for ns in vocabularies(figures)]
    triples += [Triple(dataset, DCTERMS.modified, Literal(figures["made"], datatype=XSD.dateTime)),
                Triple(dataset, VOID.triples, _integer(figures["triples"])),
                Triple(dataset, VOID.distinctSubjects, _integer(figures["distinct_subjects"])),
                Triple(dataset, VOID.distinctObjects, _integer(figures["distinct_objects"])),
                Triple(dataset, VOID.classes, _integer(len(figures["classes"]))),
                Triple(dataset, VOID.properties, _integer(len(figures["properties"])))]
    triples += _partitions(dataset, VOID.classPartition, VOID["class"], VOID.entities, figures["classes"])
    triples += _partitions(dataset, VOID.propertyPartition, VOID.property, VOID.triples, figures["properties"])
    return triples + _doi_linkset(base, dataset, figures["doi_links"])


def vocabularies(figures: dict) -> list[str]:
    """The namespaces of graph/namespaces.py that some class or property of the data is in."""
    used = [*figures["classes"], *figures["properties"]]
    return sorted({ns for ns in PREFIXES.values() if any(term.startswith(ns) for term in used)})


def _about(base: str, dataset: NamedNode, shapes: list[str]) -> list[Triple]:
    return [Triple(dataset, DCTERMS.title, Literal(TITLE, language="en")),
            Triple(dataset, DCTERMS.description, Literal(DESCRIPTION, language="en")),
            *(Triple(dataset, DCTERMS.conformsTo, shapes_iri(base, name)) for name in shapes)]


def _partitions(dataset, link, kind, count, figures: dict[str, int]) -> list[Triple]:
    triples = []
    for n, (term, number) in enumerate(figures.items(), start=1):
        partition = BlankNode(f"{link.value.rsplit('#', 1)[1]}{n}")  # the same document, the same ETag
        triples += [Triple(dataset, link, partition), Triple(partition, kind, NamedNode(term)),
                    Triple(partition, count, _integer(number))]
    return triples


def _doi_linkset(base: str, dataset: NamedNode, links: int) -> list[Triple]:
    """The records' owl:sameAs links to their DOIs, a linkset into the DOI system."""
    linkset, dois = NamedNode(f"{base}dataset#doi-links"), NamedNode(f"{base}dataset#doi")
    return [Triple(dataset, VOID.subset, linkset), Triple(linkset, RDF.type, VOID.Linkset),
            Triple(linkset, VOID.linkPredicate, OWL.sameAs), Triple(linkset, VOID.subjectsTarget, dataset),
            Triple(linkset, VOID.objectsTarget, dois), Triple(linkset, VOID.triples, _integer(links)),
            Triple(dois, RDF.type, VOID.Dataset), Triple(dois, DCTERMS.title, Literal("DOI", language="en")),
            Triple(dois, VOID.uriSpace, Literal(DOI_RESOLVER)),
            Triple(dois, FOAF.homepage, NamedNode("https://www.doi.org/"))]


def dcat_triples(base: str, dumps: PublishedDumps | None, shapes: list[str]) -> list[Triple]:
    catalog, dataset, service = NamedNode(f"{base}catalog"), dataset_iri(base), NamedNode(f"{base}sparql")
    triples = [Triple(catalog, RDF.type, DCAT.Catalog),
               Triple(catalog, DCTERMS.title, Literal(f"{TITLE}: catalogue", language="en")),
               Triple(catalog, DCAT.dataset, dataset), Triple(catalog, DCAT.service, service),
               Triple(dataset, RDF.type, DCAT.Dataset), *_about(base, dataset, shapes),
               Triple(service, RDF.type, DCAT.DataService),
               Triple(service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", language="en")),
               Triple(service, DCAT.endpointURL, service), Triple(service, DCAT.endpointDescription, service),
               Triple(service, DCTERMS.conformsTo, NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
               Triple(service, DCAT.servesDataset, dataset),
               *(t for other in SERVICES for t in _data_service(base, catalog, dataset, other))]
    if dumps is None:
        return triples + [Triple(dataset, RDFS.comment, Literal(NO_FIGURES_YET, language="en"))]
    for entry in dumps.manifest["files"]:
        triples += _distribution(base, dataset, entry, dumps.manifest["made"])
    return triples


def _data_service(base: str, catalog: NamedNode, dataset: NamedNode, service: Service) -> list[Triple]:
    node = NamedNode(base + service.path)
    triples = [Triple(catalog, DCAT.service, node), Triple(node, RDF.type, DCAT.DataService),
               Triple(node, DCTERMS.title, Literal(service.title, language="en")),
               Triple(node, DCAT.endpointURL, node), Triple(node, DCAT.servesDataset, dataset)]
    if service.standard:
        triples.append(Triple(node, DCTERMS.conformsTo, NamedNode(service.standard)))
    return triples


def _distribution(base: str, dataset: NamedNode, entry: dict, made: str) -> list[Triple]:
    distribution = NamedNode(f"{base}dataset#dump-{entry['format']}")
    checksum = NamedNode(f"{base}dataset#dump-{entry['format']}-sha256")
    url = _dump_url(base, entry["file"])
    return [Triple(dataset, DCAT.distribution, distribution), Triple(distribution, RDF.type, DCAT.Distribution),
            Triple(distribution, DCTERMS.title, Literal(BY_FILE[entry["file"]].label + ", gzip", language="en")),
            Triple(distribution, DCAT.downloadURL, url), Triple(distribution, DCAT.accessURL, url),
            Triple(distribution, DCAT.mediaType, NamedNode(IANA_MEDIA_TYPES + entry["media_type"])),
            Triple(distribution, DCAT.compressFormat, NamedNode(IANA_MEDIA_TYPES + "application/gzip")),
            Triple(distribution, DCAT.byteSize, Literal(str(entry["bytes"]), datatype=XSD.nonNegativeInteger)),
            Triple(distribution, DCTERMS.issued, Literal(made, datatype=XSD.dateTime)),
            Triple(distribution, SPDX.checksum, checksum), Triple(checksum, RDF.type, SPDX.Checksum),
            Triple(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            Triple(checksum, SPDX.checksumValue, Literal(entry["sha256"], datatype=XSD.hexBinary))]


def _dump_url(base: str, file: str) -> NamedNode:
    return NamedNode(f"{base}dumps/{file}")


def _integer(number: int) -> Literal:
    return Literal(str(number), datatype=XSD.integer)
