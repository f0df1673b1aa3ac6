"""VoID, the DCAT catalogue, the shapes and the Service Description, from the app (Flask's test client).

The figures are checked against SPARQL COUNTs run through `kgpub query`, not against the code
that counted them.
"""
from __future__ import annotations

import csv
import hashlib
import io

import pytest
import rdflib
from rdflib import Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from conftest import BASE, PURE_API, REPO, SEED, App, Cli, thing_path

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef(f"{BASE}dataset")
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def described(tmp_path_factory):
    cli = Cli(tmp_path_factory.mktemp("described") / "store")
    cli.ingest(SEED, PURE_API, REPO / "examples")
    app = App(cli)
    app.before = graph(app.get("/.well-known/void"))
    cli("dump")
    return app


def graph(response, format: str = "turtle") -> rdflib.Graph:
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format=format)


def count(cli: Cli, sparql: str) -> list[dict]:
    out = cli("query", sparql, "--format", "csv").stdout
    return list(csv.DictReader(io.StringIO(out)))


def one(cli: Cli, where: str) -> int:
    """COUNT(*) of the distinct solutions of `where` over every graph, through `kgpub query`."""
    return int(count(cli, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {where} }} }}")[0]["n"])


def value(g: rdflib.Graph, subject, predicate) -> int:
    return int(g.value(subject, predicate))


def test_void_is_turtle_by_default_and_names_the_dataset(described):
    response = described.get("/.well-known/void")
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert response.headers["Vary"] == "Accept"
    void = graph(response)
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    assert str(void.value(DATASET, VOID.uriSpace)) == f"{BASE}id/"
    assert described.get("/dataset").headers["Location"] == "/.well-known/void"


def test_void_counts_equal_sparql_counts(described):
    void, cli = graph(described.get("/.well-known/void")), described.cli
    triples = "GRAPH ?g { ?s ?p ?o }"
    assert value(void, DATASET, VOID.triples) == one(cli, f"SELECT DISTINCT ?s ?p ?o WHERE {{ {triples} }}")
    assert value(void, DATASET, VOID.distinctSubjects) == one(cli, f"SELECT DISTINCT ?s WHERE {{ {triples} }}")
    assert value(void, DATASET, VOID.distinctObjects) == one(cli, f"SELECT DISTINCT ?o WHERE {{ {triples} }}")
    links = void.value(predicate=VOID.linkPredicate, object=OWL.sameAs)
    assert (links, RDF.type, VOID.Linkset) in void and (DATASET, VOID.subset, links) in void
    assert value(void, links, VOID.triples) == one(
        cli, "SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { ?s owl:sameAs ?o } FILTER STRSTARTS(STR(?o), 'https://doi.org/') }"
        .replace("owl:sameAs", f"<{OWL.sameAs}>")) > 0


def test_void_partitions_equal_sparql_counts(described):
    void, cli = graph(described.get("/.well-known/void")), described.cli
    classes = count(cli, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c")
    partitions = {str(void.value(p, VOID["class"])): value(void, p, VOID.entities)
                  for p in void.objects(DATASET, VOID.classPartition)}
    assert partitions == {row["c"]: int(row["n"]) for row in classes}
    assert partitions["http://purl.org/spar/fabio/JournalArticle"] >= 3
    properties = count(cli, "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
                            " GROUP BY ?p")
    partitions = {str(void.value(p, VOID.property)): value(void, p, VOID.triples)
                  for p in void.objects(DATASET, VOID.propertyPartition)}
    assert partitions == {row["p"]: int(row["n"]) for row in properties}


def test_void_names_dumps_vocabularies_examples_and_shapes(described):
    void = graph(described.get("/.well-known/void"))
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}dumps/{name}" for name in ("kgpub.nq.gz", "kgpub.ttl.gz", "kgpub.jsonld.gz")}
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {"http://purl.org/spar/fabio/", "http://purl.org/dc/terms/", "http://purl.org/spar/pro/"} <= vocabularies
    assert "https://schema.org/" not in vocabularies or any(
        str(p).startswith("https://schema.org/") for p in void.objects(None, VOID.property))
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert examples and all(described.get(thing_path(str(e)), headers=TURTLE).status_code == 303 for e in examples)
    shapes = void.value(DATASET, DCTERMS.conformsTo)
    assert str(shapes) == f"{BASE}shapes/records"


def test_void_before_any_dump_says_the_counts_come_with_the_dumps(described):
    before = described.before
    assert (DATASET, RDF.type, VOID.Dataset) in before
    assert before.value(DATASET, VOID.triples) is None and before.value(DATASET, VOID.dataDump) is None
    assert "kgpub dump" in str(before.value(DATASET, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))


@pytest.mark.parametrize("accept, suffix, format", [
    ("application/ld+json", ".jsonld", "json-ld"), ("application/rdf+xml", ".rdf", "xml"),
    ("application/n-triples", ".nt", "nt"), ("text/turtle", ".ttl", "turtle")])
def test_void_negotiates_every_rdf_format(described, accept, suffix, format):
    reference = graph(described.get("/.well-known/void.ttl"))
    by_accept = described.get("/.well-known/void", headers={"Accept": accept})
    assert by_accept.headers["Content-Location"] == f"/.well-known/void{suffix}"
    assert isomorphic(described.graph(by_accept, format), reference)
    assert isomorphic(described.graph(described.get(f"/.well-known/void{suffix}"), format), reference)


def test_void_unacceptable_gets_406_listing_variants(described):
    response = described.get("/.well-known/void", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "/.well-known/void.ttl" in response.text and "application/ld+json" in response.text
    assert described.get("/.well-known/void.png").status_code == 404


def test_dcat_sizes_and_checksums_are_the_files(described):
    dcat = graph(described.get("/catalog"))
    catalog = URIRef(f"{BASE}catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in dcat and (catalog, DCAT.dataset, DATASET) in dcat
    distributions = list(dcat.objects(DATASET, DCAT.distribution))
    assert len(distributions) == 3
    for distribution in distributions:
        url = str(dcat.value(distribution, DCAT.downloadURL))
        body = described.get("/" + url[len(BASE):]).content
        assert value(dcat, distribution, DCAT.byteSize) == len(body)
        assert dcat.value(distribution, DCAT.byteSize).datatype == rdflib.XSD.nonNegativeInteger
        checksum = dcat.value(distribution, SPDX.checksum)
        assert dcat.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(dcat.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert str(dcat.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")


def test_dcat_data_service_serves_the_dataset(described):
    dcat = graph(described.get("/catalog"))
    service = URIRef(f"{BASE}sparql")
    assert (service, RDF.type, DCAT.DataService) in dcat
    assert (service, DCAT.endpointURL, service) in dcat and (service, DCAT.servesDataset, DATASET) in dcat


HARVESTING = {"oai": "http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm",
              ".well-known/resourcesync": "http://www.openarchives.org/rs/1.1/resourcesync",
              "sitemap.xml": "https://www.sitemaps.org/protocol.html", "resolve": None,
              "reconcile": "https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/"}


def test_the_catalogue_void_and_service_description_link_every_way_in(described):
    dcat, void = graph(described.get("/catalog")), graph(described.get("/.well-known/void"))
    sd = graph(described.get("/sparql", headers=TURTLE))
    for path, standard in HARVESTING.items():
        service = URIRef(BASE + path)
        assert (URIRef(f"{BASE}catalog"), DCAT.service, service) in dcat
        assert (service, RDF.type, DCAT.DataService) in dcat and (service, DCAT.servesDataset, DATASET) in dcat
        assert standard is None or (service, DCTERMS.conformsTo, URIRef(standard)) in dcat
        assert (DATASET, RDFS.seeAlso, service) in void
        assert (URIRef(f"{BASE}sparql"), RDFS.seeAlso, service) in sd
        assert described.get("/" + path).status_code in (200, 400), "each is served"


def test_shapes_are_published_at_their_own_iri(described):
    from kgpub import shapes

    reference = rdflib.Graph().parse(shapes.HERE / "records.ttl", format="turtle")
    response = described.get("/shapes/records")
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert response.content == (shapes.HERE / "records.ttl").read_bytes()
    assert isomorphic(graph(described.get("/shapes/records.nt"), "nt"), reference)
    assert described.get("/shapes/nothing").status_code == 404


def test_service_description_lists_named_graphs_with_their_counts(described):
    sd = graph(described.get("/sparql", headers=TURTLE))
    listed = {str(sd.value(named, SD.name)): value(sd, sd.value(named, SD.graph), VOID.triples)
              for named in sd.subjects(RDF.type, SD.NamedGraph)}
    expected = count(described.cli, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert listed == {row["g"]: int(row["n"]) for row in expected}
    assert f"{BASE}graph/asjc" in listed
    dataset = sd.value(predicate=RDF.type, object=SD.Dataset)
    default_graph = sd.value(dataset, SD.defaultGraph)
    assert value(sd, default_graph, VOID.triples) == value(graph(described.get("/.well-known/void")), DATASET,
                                                           VOID.triples)


def test_conditional_get_of_void_is_304(described):
    response = described.get("/.well-known/void")
    again = described.get("/.well-known/void", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
