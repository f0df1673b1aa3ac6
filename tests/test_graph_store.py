"""The SPARQL 1.1 Graph Store HTTP Protocol at /graph-store, on the app (Flask's test client), each
test on a store of its own holding the seed."""
from __future__ import annotations

import time

import pytest
from rdflib import Graph, Literal, URIRef

from conftest import App, doc_path
from kgpub.graph.namespaces import KGV

TOKEN = "s3cret-graph-store-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
TITLE = URIRef("http://purl.org/dc/terms/title")
DIGEST = URIRef(KGV.contentDigest.value)


@pytest.fixture
def server(seed_copy):
    app = App(seed_copy, ADMIN_TOKEN=TOKEN)
    app.seed_iri = seed_copy.seed_iri
    return app


def gsp(server, method: str, params, **kwargs):
    return server.request(method, "/graph-store", params=params, **kwargs)


def turtle_graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_put_of_a_new_graph_is_201_and_it_reads_back_in_each_format(server):
    graph = "http://example.org/g/put-new"
    body = "<http://example.org/a> <http://example.org/p> 'one' ."
    created = gsp(server, "PUT", {"graph": graph}, data=body, headers={**ADMIN, **TURTLE})
    assert created.status_code == 201, created.text
    read = gsp(server, "GET", {"graph": graph}, headers={"Accept": "text/turtle"})
    assert read.status_code == 200 and read.headers["Content-Type"].startswith("text/turtle")
    assert (URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("one")) in turtle_graph(read.text)
    ntriples = gsp(server, "GET", {"graph": graph}, headers={"Accept": "application/n-triples"})
    assert ntriples.headers["Content-Type"].startswith("application/n-triples")
    assert '<http://example.org/a> <http://example.org/p> "one"' in ntriples.text
    head = gsp(server, "HEAD", {"graph": graph}, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    html = gsp(server, "GET", {"graph": graph}, headers={"Accept": "text/html"})
    assert html.status_code == 406


def test_put_replaces_an_existing_graph_with_204_and_post_merges(server):
    graph = "http://example.org/g/replace"
    first = gsp(server, "PUT", {"graph": graph}, data="<urn:a> <urn:p> 1 .", headers={**ADMIN, **TURTLE})
    assert first.status_code == 201
    replaced = gsp(server, "PUT", {"graph": graph}, data="<urn:a> <urn:p> 2 .", headers={**ADMIN, **TURTLE})
    assert replaced.status_code == 204
    merged = gsp(server, "POST", {"graph": graph}, data='<urn:a> <urn:p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                 headers={**ADMIN, "Content-Type": "application/n-triples"})
    assert merged.status_code == 204
    values = {o.toPython() for _, p, o in turtle_graph(gsp(server, "GET", {"graph": graph}).text)
              if p == URIRef("urn:p")}
    assert values == {2, 3}


def test_post_to_a_new_graph_creates_it_with_201(server):
    response = gsp(server, "POST", {"graph": "http://example.org/g/post-new"},
                   data='{"@id": "urn:x", "urn:p": "json-ld"}', headers={**ADMIN, "Content-Type": "application/ld+json"})
    assert response.status_code == 201
    assert "json-ld" in gsp(server, "GET", {"graph": "http://example.org/g/post-new"}).text


def test_delete_removes_the_graph_and_unknown_graphs_are_404(server):
    graph = "http://example.org/g/delete-me"
    gsp(server, "PUT", {"graph": graph}, data="<urn:a> <urn:p> 1 .", headers={**ADMIN, **TURTLE})
    assert gsp(server, "DELETE", {"graph": graph}, headers=ADMIN).status_code == 204
    assert gsp(server, "GET", {"graph": graph}).status_code == 404
    assert gsp(server, "DELETE", {"graph": graph}, headers=ADMIN).status_code == 404
    assert gsp(server, "HEAD", {"graph": "http://example.org/g/never"}).status_code == 404


def test_the_request_must_name_exactly_one_graph(server):
    assert gsp(server, "GET", {}).status_code == 400
    assert gsp(server, "GET", {"graph": "http://example.org/g", "default": ""}).status_code == 400
    assert gsp(server, "GET", {"graph": "not an iri"}).status_code == 400


def test_writes_need_the_bearer_token(server):
    graph = {"graph": "http://example.org/g/no-token"}
    missing = gsp(server, "PUT", graph, data="<urn:a> <urn:p> 1 .", headers=TURTLE)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="kgpub"'
    wrong = gsp(server, "PUT", graph, data="<urn:a> <urn:p> 1 .",
                headers={"Authorization": "Bearer not-the-token", **TURTLE})
    assert wrong.status_code == 403
    assert gsp(server, "DELETE", graph, headers={"Authorization": "Basic eDp5"}).status_code == 401
    assert gsp(server, "GET", graph).status_code == 404, "nothing was written"


def test_writes_are_disabled_without_a_configured_token(web):
    response = web.request("PUT", "/graph-store", params={"graph": "http://example.org/g"},
                           data="<urn:a> <urn:p> 1 .", headers={**ADMIN, **TURTLE})
    assert response.status_code == 403
    assert "disabled" in response.text


def test_dataset_formats_and_other_media_types_are_415(server):
    graph = {"graph": "http://example.org/g/formats"}
    nquads = gsp(server, "PUT", graph, data="<urn:a> <urn:p> 1 <urn:g> .",
                 headers={**ADMIN, "Content-Type": "application/n-quads"})
    assert nquads.status_code == 415
    trig = gsp(server, "PUT", graph, data="<urn:g> { <urn:a> <urn:p> 1 }",
               headers={**ADMIN, "Content-Type": "application/trig"})
    assert trig.status_code == 415
    assert gsp(server, "PUT", graph, data="a,b", headers={**ADMIN, "Content-Type": "text/csv"}).status_code == 415


def test_a_body_that_does_not_parse_is_400_with_the_line(server):
    body = "<urn:a> <urn:p> 1 .\n<urn:a> <urn:p> .\n"
    response = gsp(server, "PUT", {"graph": "http://example.org/g/broken"}, data=body,
                   headers={**ADMIN, **TURTLE, "Accept": "text/plain"})
    assert response.status_code == 400
    assert "line" in response.text and "Traceback" not in response.text
    assert gsp(server, "GET", {"graph": "http://example.org/g/broken"}).status_code == 404


def test_default_is_the_stores_own_default_graph_not_the_union(server):
    put = gsp(server, "PUT", {"default": ""}, data="<urn:default:a> <urn:p> 'in the default graph' .",
              headers={**ADMIN, **TURTLE})
    assert put.status_code == 204
    default = turtle_graph(gsp(server, "GET", {"default": ""}).text)
    assert (URIRef("urn:default:a"), URIRef("urn:p"), Literal("in the default graph")) in default
    assert not list(default.triples((URIRef(server.seed_iri), None, None))), "record graphs are not in it"
    # /sparql's default graph is the union, so it sees both.
    ask = server.get("/sparql", params={"query": "ASK { <urn:default:a> <urn:p> ?o }"},
                     headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    assert gsp(server, "DELETE", {"default": ""}, headers=ADMIN).status_code == 204
    assert len(turtle_graph(gsp(server, "GET", {"default": ""}).text)) == 0


def test_a_record_graph_put_here_is_served_with_its_new_content_and_digest(server):
    graph = server.seed_iri.replace("/id/output/", "/graph/output/")
    current = gsp(server, "GET", {"graph": graph}, headers={"Accept": "text/turtle"})
    record = turtle_graph(current.text)
    record.remove((URIRef(server.seed_iri), TITLE, None))
    record.add((URIRef(server.seed_iri), TITLE, Literal("Retitled through the Graph Store Protocol")))
    put = gsp(server, "PUT", {"graph": graph}, data=record.serialize(format="turtle"), headers={**ADMIN, **TURTLE})
    assert put.status_code == 204
    document = server.get(doc_path(server.seed_iri) + ".ttl")
    titles = {str(o) for o in turtle_graph(document.text).objects(URIRef(server.seed_iri), TITLE)}
    assert titles == {"Retitled through the Graph Store Protocol"}
    stored = turtle_graph(gsp(server, "GET", {"graph": graph}).text)
    digests = list(stored.objects(URIRef(graph), DIGEST))
    assert len(digests) == 1 and digests[0] != next(record.objects(URIRef(graph), DIGEST))
    stamps = list(stored.objects(URIRef(graph), URIRef("http://purl.org/dc/terms/modified")))
    assert len(stamps) == 1, "a record graph carries one fresh stamp (the page's Last-Modified)"
    found = server.get("/search", params={"q": "Retitled", "format": "json"})
    assert server.seed_iri in found.text, "the search index follows the write"


def test_a_write_brings_fresh_dumps(server):
    from kgpub.graph.dumps import dumps_root

    current = dumps_root(server.cli.store) / "CURRENT"
    before = current.read_text() if current.exists() else None
    put = gsp(server, "PUT", {"graph": "http://example.org/g/dumped"}, data="<urn:dumped> <urn:p> 1 .",
              headers={**ADMIN, **TURTLE})
    assert put.status_code == 201
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not current.exists() or current.read_text() == before):
        time.sleep(0.5)
    assert current.exists() and current.read_text() != before, "a dump of the new snapshot was made"
