"""Real SPARQL clients against /sparql: SPARQLWrapper with its defaults, rdflib's SPARQLStore
(GET and POST) and Comunica v4. Each must get the answers the data holds."""
from __future__ import annotations

import json
import subprocess

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper, TURTLE

from conftest import SEED
from test_server_clients import CLIENTS, comunica_command, node  # noqa: F401 (node is a fixture)

SEED_TITLE = SEED.read_text().splitlines()[0]
SUBJECTS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?code ?name WHERE { <%s> dcterms:subject ?s . ?s skos:notation ?code ; skos:prefLabel ?name }
ORDER BY ?name"""


def seed_subjects() -> list[str]:
    """The ASJC subject names the seed page lists ("  • History"), from its text."""
    lines = SEED.read_text().splitlines()
    start = lines.index("ASJC Scopus subject areas")
    return sorted(line.strip().lstrip("•").strip() for line in lines[start + 1:] if line.strip().startswith("•"))


def endpoint(site) -> str:
    return site.url + "/sparql"


def test_sparqlwrapper_defaults_read_xml_results(site):
    client = SPARQLWrapper(endpoint(site))  # GET, XML results: its defaults
    client.setQuery(SUBJECTS % site.iris[SEED.name])
    document = client.query().convert()  # an xml.dom.minidom document
    names = [b.getElementsByTagName("literal")[0].firstChild.data
             for b in document.getElementsByTagName("binding") if b.getAttribute("name") == "name"]
    assert names == seed_subjects()


def test_sparqlwrapper_json_and_post(site):
    client = SPARQLWrapper(endpoint(site), returnFormat=JSON)
    client.setMethod("POST")
    client.setQuery(f"SELECT ?t WHERE {{ <{site.iris[SEED.name]}> <http://purl.org/dc/terms/title> ?t }}")
    [row] = client.query().convert()["results"]["bindings"]
    assert row["t"]["value"] == SEED_TITLE


def test_sparqlwrapper_construct_as_turtle(site):
    client = SPARQLWrapper(endpoint(site), returnFormat=TURTLE)
    iri = site.iris[SEED.name]
    client.setQuery(f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}")
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert graph.value(rdflib.URIRef(iri), rdflib.namespace.DCTERMS.title).value == SEED_TITLE


def test_sparqlwrapper_ask(site):
    client = SPARQLWrapper(endpoint(site), returnFormat=JSON)
    client.setQuery(f"ASK {{ <{site.iris[SEED.name]}> ?p ?o }}")
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(site, method):
    store = SPARQLStore(endpoint(site), method=method, returnFormat="xml")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(SUBJECTS % site.iris[SEED.name]))
    assert [str(name) for _code, name in rows] == seed_subjects()
    assert all(str(code).isdigit() for code, _name in rows)
    assert all(name.language == "en" for _code, name in rows)
    iri = rdflib.URIRef(site.iris[SEED.name])
    assert (iri, rdflib.namespace.DCTERMS.title, None) in graph, "triple patterns go through the endpoint too"


def test_comunica_queries_the_endpoint(node, site):  # noqa: F811
    command = comunica_command(node, f"sparql@{endpoint(site)}", SUBJECTS % site.iris[SEED.name])
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=CLIENTS)
    assert result.returncode == 0, result.stderr[-3000:]
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == seed_subjects()
    assert {b["name"]["xml:lang"] for b in bindings} == {"en"}
