"""The founding example and the real Pure API records survive ingest -> store -> export.

Each test ingests through the real `kgpub` command into an on-disk store, exports N-Quads and
checks, with rdflib, that every field the source shows is in the graph with the vocabulary of docs/modelling.md.
"""
from __future__ import annotations

import datetime as dt

import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import BASE, PURE_API, SEED

PREFIXES = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX pso: <http://purl.org/spar/pso/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
PREFIX oco: <https://w3id.org/oc/ontology/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kgv: <https://w3id.org/kgpub/ns#>
"""


def exported_union(cli) -> rdflib.Graph:
    """Everything in the store, exported as N-Quads, as one rdflib graph (the union of graphs)."""
    nquads = cli("export", "--format", "nquads").stdout
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        union.add((s, p, o))
    return union


def ask(graph: rdflib.Graph, pattern: str) -> bool:
    return bool(graph.query(PREFIXES + f"ASK {{ {pattern} }}").askAnswer)


def values(graph: rdflib.Graph, pattern: str, var: str = "v") -> list[str]:
    rows = graph.query(PREFIXES + f"SELECT ?{var} WHERE {{ {pattern} }} ORDER BY ?{var}")
    return [str(row[0]) for row in rows]


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory):
    from conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("seed") / "store")
    report = cli.ingest(SEED)
    assert [r["status"] for r in report] == ["stored"]
    return exported_union(cli), report[0]


def test_seed_is_a_peer_reviewed_journal_article_of_the_pure_type(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert ask(graph, f"{output} a fabio:JournalArticle ; dcterms:type ?t . "
                      "?t skos:prefLabel 'Contribution to journal › Article'@en")
    assert ask(graph, f"{output} pso:holdsStatusInTime/pso:withStatus pso:peer-reviewed")


def test_seed_title_abstract_and_language(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert values(graph, f"{output} dcterms:title ?v") == ["Law enforcement and civil society in Russia"]
    assert ask(graph, f"{output} dcterms:title ?t FILTER(lang(?t) = 'en')")
    abstract = values(graph, f"{output} dcterms:abstract ?v")
    assert len(abstract) == 1
    assert abstract[0].startswith("Many Russian civil society organisations")
    assert abstract[0].endswith("in a more liberal, 'civil' direction.")
    assert ask(graph, f"{output} dcterms:language <http://id.loc.gov/vocabulary/iso639-1/en> ; "
                      "kgv:languageLabel 'English (US)'")


def test_seed_pages_and_page_count(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert values(graph, f"{output} prism:startingPage ?v") == ["193"]
    assert values(graph, f"{output} prism:endingPage ?v") == ["213"]
    assert ask(graph, f"{output} fabio:hasPageCount 21")


def test_seed_issue_is_part_of_the_journal_with_no_volume_invented(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert ask(graph, f"{output} frbr:partOf ?issue . ?issue a fabio:JournalIssue ; "
                      "fabio:hasSequenceIdentifier '2' ; frbr:partOf ?journal . "
                      "?journal a fabio:Journal ; dcterms:title 'Europe - Asia Studies'")
    assert not ask(graph, "?volume a fabio:JournalVolume")


def test_seed_status_and_date_keep_month_precision(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert ask(graph, f"{output} prism:publicationDate '2006-03'^^xsd:gYearMonth")
    assert ask(graph, f"{output} pso:holdsStatusInTime ?s . ?s pso:withStatus pso:published ; "
                      "dcterms:date '2006-03'^^xsd:gYearMonth")


def test_seed_scopus_citations_with_source_and_harvest_date(seed_graph):
    graph, row = seed_graph
    output = f"<{row['iri']}>"
    assert ask(graph, f"{output} c4o:hasGlobalCitationFrequency ?c . ?c a c4o:GlobalCitationCount ; "
                      "c4o:hasGlobalCountValue 40 ; c4o:hasGlobalCountSource <https://www.scopus.com/> ; "
                      "c4o:hasGlobalCountDate ?d FILTER(datatype(?d) = xsd:date)")
    harvested = dt.date.fromtimestamp(SEED.stat().st_mtime).isoformat()  # default: the file's date
    assert values(graph, f"{output} c4o:hasGlobalCitationFrequency/c4o:hasGlobalCountDate ?v") == [harvested]


def test_seed_asjc_subject_areas_resolve_to_their_codes(seed_graph):
    graph, row = seed_graph
    codes = values(graph, f"<{row['iri']}> dcterms:subject ?s . ?s skos:notation ?v")
    assert codes == ["1202", "2002", "3305", "3312"]
    names = values(graph, f"<{row['iri']}> dcterms:subject/skos:prefLabel ?v")
    assert names == ["Economics and Econometrics", "Geography, Planning and Development", "History",
                     "Sociology and Political Science"]


def test_seed_has_no_authors_and_is_warned_about_it(seed_graph):
    graph, row = seed_graph
    assert not ask(graph, f"<{row['iri']}> pro:isDocumentContextFor ?role")
    assert row["errors"] == []
    assert any("author" in w["message"].lower() for w in row["warnings"])


def test_seed_iri_is_minted_under_the_base(seed_graph):
    _, row = seed_graph
    assert row["iri"].startswith(BASE + "id/output/")


def test_export_formats_all_parse_back_to_the_same_triples(cli):
    cli.ingest(SEED, PURE_API)
    reference = exported_union(cli)
    for name, rdflib_format in (("trig", "trig"), ("jsonld", "json-ld"), ("turtle", "turtle")):
        text = cli("export", "--format", name).stdout
        if rdflib_format == "turtle":
            graph = rdflib.Graph().parse(data=text, format="turtle")
        else:
            dataset = rdflib.Dataset()
            dataset.parse(data=text, format=rdflib_format)
            graph = rdflib.Graph()
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        assert len(graph) == len(reference), name
        assert isomorphic(graph, reference), name


@pytest.fixture(scope="module")
def pure_api_graph(tmp_path_factory):
    from conftest import Cli

    cli = Cli(tmp_path_factory.mktemp("pure") / "store")
    report = cli.ingest(PURE_API)
    assert sorted(r["status"] for r in report) == ["stored"] * 3, report
    return exported_union(cli)


def doi_output(graph, doi: str) -> str:
    [iri] = values(graph, f"?v datacite:hasIdentifier ?i . ?i literal:hasLiteralValue '{doi}' ; "
                          "datacite:usesIdentifierScheme datacite:doi")
    return f"<{iri}>"


def test_umn_article_fields(pure_api_graph):
    graph = pure_api_graph
    output = doi_output(graph, "10.1103/physrevlett.117.232002")
    assert ask(graph, f"{output} owl:sameAs <https://doi.org/10.1103/physrevlett.117.232002>")
    assert ask(graph, f"{output} a fabio:JournalArticle ; fabio:hasElectronicArticleIdentifier '232002' ; "
                      "prism:publicationDate '2016-12-02'^^xsd:date")
    assert ask(graph, f"{output} frbr:partOf ?issue . ?issue fabio:hasSequenceIdentifier '23' ; "
                      "frbr:partOf ?volume . ?volume a fabio:JournalVolume ; fabio:hasSequenceIdentifier '117' ; "
                      "frbr:partOf ?journal . ?journal a fabio:Journal ; datacite:hasIdentifier ?i . "
                      "?i literal:hasLiteralValue '0031-9007'")
    assert ask(graph, f"{output} c4o:hasGlobalCitationFrequency/c4o:hasGlobalCountValue 26")
    assert values(graph, f"{output} dcterms:subject/skos:notation ?v") == ["3100"]
    first = values(graph, f"{output} pro:isDocumentContextFor ?r . FILTER NOT EXISTS {{ ?x oco:hasNext ?r }} "
                          "?r pro:isHeldBy/foaf:familyName ?v")
    assert first == ["Ablikim"]


def test_lund_article_authors_in_order_and_year_precision(pure_api_graph):
    graph = pure_api_graph
    output = doi_output(graph, "10.1016/s0964-8305(98)00042-0")
    assert ask(graph, f"{output} prism:publicationDate '1998'^^xsd:gYear ; prism:startingPage '25' ; "
                      "prism:endingPage '28'")
    chain = values(graph, f"{output} pro:isDocumentContextFor ?first . "
                          "FILTER NOT EXISTS { ?x oco:hasNext ?first } "
                          "?first oco:hasNext ?second . ?second pro:isHeldBy/foaf:familyName ?v")
    assert chain == ["Wadsö"]
    assert ask(graph, f"{output} pro:isDocumentContextFor ?r . ?r pro:withRole pro:author ; "
                      "pro:isHeldBy/foaf:familyName 'Markova' FILTER NOT EXISTS {{ ?x oco:hasNext ?r }}")


def test_lund_preprint_fields(pure_api_graph):
    graph = pure_api_graph
    [output] = values(graph, "?v a fabio:Preprint")
    output = f"<{output}>"
    assert ask(graph, f"{output} fabio:hasSubtitle ?s ; fabio:hasPageCount 15 ; "
                      "dcterms:publisher/foaf:name 'arXiv.org'")
    assert values(graph, f"{output} prism:keyword ?v") == ["AI", "language modelling", "machine learning"]
    assert not ask(graph, f"{output} pso:holdsStatusInTime/pso:withStatus pso:peer-reviewed")
