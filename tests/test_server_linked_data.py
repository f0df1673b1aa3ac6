"""Dereferencing and content negotiation. The HTTP contract is tested on the app (`web`, Flask's
test client); what depends on the real server (`site`, gunicorn) goes through it: paths exactly as
sent on the wire, X-Forwarded-Proto from a trusted proxy, and JSON-LD whose @context a parser fetches."""
from __future__ import annotations

import http.client
import json

import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

from conftest import BASE, REPO, App, Cli, doc_path, thing_path

TURTLE = {"Accept": "text/turtle"}


def seed_iri(web) -> str:
    return web.iris["seed-record.txt"]


def parse(response, format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.content, format=format)


def test_thing_iri_answers_303_to_its_document(web):
    response = web.get(thing_path(seed_iri(web)), headers=TURTLE)
    assert response.status_code == 303
    assert response.headers["Location"] == doc_path(seed_iri(web))
    assert response.headers["Vary"] == "Accept"
    assert 'rel="describedby"' in response.headers["Link"]


@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("text/html", "text/html"),
    ("text/turtle;q=0.5, application/n-triples;q=0.9", "application/n-triples"),
    ("application/xml;q=0.1, text/turtle;q=0.2, */*;q=0.05", "text/turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("*/*", "text/html"),
    ("application/*", "application/ld+json"),
])
def test_documents_negotiate_by_accept_with_q_values(web, accept, media_type):
    doc = doc_path(seed_iri(web))
    response = web.get(doc, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("suffix, rdflib_format", [
    (".ttl", "turtle"), (".jsonld", "json-ld"), (".rdf", "xml"), (".nt", "nt"), (".nq", "nquads"), (".trig", "trig"),
])
def test_every_rdf_variant_holds_the_same_graph(site, suffix, rdflib_format):
    doc = doc_path(seed_iri(site))
    reference = parse(site.get(doc + ".ttl"), "turtle")
    response = site.get(doc + suffix)
    assert response.headers["Content-Location"] == doc + suffix
    graph = rdflib.Dataset().parse(data=response.content, format=rdflib_format) if rdflib_format in ("nquads", "trig") \
        else parse(response, rdflib_format)
    triples = rdflib.Graph()
    for s, p, o, *_ in (graph.quads() if isinstance(graph, rdflib.Dataset) else graph):
        triples.add((s, p, o))
    assert len(triples) > 40 and isomorphic(triples, reference)


def test_format_parameter_overrides_accept(web):
    doc = doc_path(seed_iri(web))
    response = web.get(doc + "?format=nt", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"].startswith("application/n-triples")


def test_unknown_accept_gets_406_listing_variants(web):
    doc = doc_path(seed_iri(web))
    response = web.get(doc, headers={"Accept": "image/png"})
    assert response.status_code == 406
    for suffix in (".html", ".ttl", ".jsonld", ".rdf", ".nt", ".nq", ".trig"):
        assert doc + suffix in response.text
    assert web.get(doc + "?format=pdf", headers={"Accept": "text/plain"}).status_code == 406


def test_record_document_is_self_sufficient(web):
    """The seed's Turtle names its journal, subject areas and type: no second request needed."""
    graph = parse(web.get(doc_path(seed_iri(web)) + ".ttl"), "turtle")
    labels = {str(o) for o in graph.objects(None, rdflib.SKOS.prefLabel)}
    assert {"Geography, Planning and Development", "History", "Sociology and Political Science",
            "Economics and Econometrics"} <= labels
    assert "Contribution to journal › Article" in labels
    titles = {str(o) for o in graph.objects(None, rdflib.DCTERMS.title)}
    assert "Europe - Asia Studies" in titles
    doc = rdflib.URIRef(seed_iri(web).replace("/id/", "/doc/"))
    assert graph.value(doc, rdflib.FOAF.primaryTopic) == rdflib.URIRef(seed_iri(web))


def test_jsonld_is_compact_and_expands_to_the_turtle_graph(web):
    doc = doc_path(seed_iri(web))
    compact = web.get(doc, headers={"Accept": "application/ld+json"}).json()
    assert compact["@context"] == web.url + "/context/v1.jsonld"
    context = web.get("/context/v1.jsonld")
    assert context.headers["Access-Control-Allow-Origin"] == "*"
    assert "immutable" in context.headers["Cache-Control"]
    assert any("title" in node for node in compact["@graph"]), "terms from our context, not full IRIs"

    def load_over_http(url, options=None):
        response = web.get(url[len(web.url):])
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": response.json()}

    expanded = jsonld.expand(compact, {"documentLoader": load_over_http})
    from_jsonld = rdflib.Graph().parse(data=json.dumps(expanded), format="json-ld")
    assert isomorphic(from_jsonld, parse(web.get(doc + ".ttl"), "turtle"))


def test_jsonld_profile_expanded_is_honoured(web):
    doc = doc_path(seed_iri(web))
    accept = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
    body = web.get(doc, headers={"Accept": accept}).json()
    assert isinstance(body, list) and "@context" not in json.dumps(body)
    assert any("http://purl.org/dc/terms/title" in node for node in body)


def test_etag_and_last_modified_give_304(web):
    doc = doc_path(seed_iri(web))
    first = web.get(doc + ".ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith('W/')
    assert "max-age" in first.headers["Cache-Control"]
    assert web.get(doc + ".ttl", headers={"If-None-Match": etag}).status_code == 304
    assert web.get(doc + ".ttl", headers={"If-Modified-Since": modified}).status_code == 304
    other = web.get(doc + ".nt").headers["ETag"]
    assert other != etag, "each representation has its own ETag"
    assert web.get(doc + ".nt", headers={"If-None-Match": etag}).status_code == 200


def test_link_headers_name_alternates_canonical_and_doi(web):
    lund = web.iris["lund-journal-article.json"]
    response = web.get(doc_path(lund), headers=TURTLE)
    links = response.headers["Link"]
    assert '<https://doi.org/10.1016/s0964-8305(98)00042-0>; rel="cite-as"' in links
    assert f'<{lund.replace("/id/", "/doc/")}>; rel="canonical"' in links
    for suffix in (".html", ".ttl", ".jsonld", ".rdf", ".nt", ".nq", ".trig"):
        assert f'{doc_path(lund)}{suffix}>; rel="alternate"' in links
    assert 'rel="describedby"' in links


def test_cors_on_reads_and_preflight(web):
    doc = doc_path(seed_iri(web))
    response = web.get(doc, headers=TURTLE)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert {"Link", "ETag", "Content-Location"} <= set(response.headers["Access-Control-Expose-Headers"].split(", "))
    preflight = web.options(doc, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "accept"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_unknown_key_is_404_as_html_or_text(web):
    html = web.get("/id/output/no-such-record", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "text/html" in html.headers["Content-Type"]
    assert "/id/output/no-such-record" in html.text
    rdf = web.get("/doc/output/no-such-record", headers=TURTLE)
    assert rdf.status_code == 404 and rdf.headers["Content-Type"].startswith("text/turtle")
    comment = parse(rdf, "turtle").value(rdflib.URIRef(BASE + "doc/output/no-such-record"), rdflib.RDFS.comment)
    assert "nothing published at /id/output/no-such-record" in str(comment)
    assert web.get("/id/journal/nope", headers={"Accept": "application/n-triples"}).status_code == 404


@pytest.mark.parametrize("path, status", [
    ("/id/output/" + "x" * 5000, 414),
    ("/doc/output/../../etc/passwd", 400),
    ("/doc/output/a/./b", 400),
    ('/doc/output/"quoted"', 400),
    ("/doc/output/<angle>", 400),
    ("/doc/output/%22quoted%22", 404),
    ("/doc/nonsense/key", 404),
    ("/doc/output", 404),
    ("/doc/asjc/3312?page=abc", 400),
    ("/doc/asjc/3312?page=0", 400),
    ("/doc/asjc/3312?page=%C2%B2", 400),
    ("/search?page=%C2%B2", 400),
    ("/cite/output/a%20b/apa", 404),
    ("/cite/output/%3C/apa", 404),
    ("/cite/output/%FF/apa", 404),
    ("/doc/output/%FF%FE", 404),
    ("/no/such/route", 404),
])
def test_odd_paths_get_a_clear_4xx(site, path, status):
    response = raw_get(site, path)
    body = response.body.decode("utf-8", "replace")
    assert response.status == status, body[:300]
    assert "Traceback" not in body


@pytest.mark.parametrize("accept", ["garbage", ";;;", "text/turtle;q=abc"])
def test_malformed_accept_is_400(web, accept):
    response = web.get(doc_path(seed_iri(web)), headers={"Accept": accept})
    assert response.status_code == 400
    assert "Accept" in response.text


def test_things_other_than_records_are_documents_listing_what_links_to_them(web):
    concept = web.get("/doc/asjc/3312", headers=TURTLE)  # Sociology and Political Science: the seed
    graph = parse(concept, "turtle")
    concept_iri = rdflib.URIRef(BASE + "id/asjc/3312")
    assert str(graph.value(concept_iri, rdflib.SKOS.prefLabel)) == "Sociology and Political Science"
    assert (rdflib.URIRef(seed_iri(web)), rdflib.DCTERMS.subject, concept_iri) in graph
    record = parse(web.get(doc_path(seed_iri(web)) + ".ttl"), "turtle")
    issue = record.value(rdflib.URIRef(seed_iri(web)), rdflib.URIRef("http://purl.org/vocab/frbr/core#partOf"))
    assert web.get(thing_path(str(issue)), headers=TURTLE).status_code == 303
    issue_doc = parse(web.get(doc_path(str(issue)), headers=TURTLE), "turtle")
    assert (rdflib.URIRef(seed_iri(web)), rdflib.URIRef("http://purl.org/vocab/frbr/core#partOf"), issue) in issue_doc


def test_script_in_a_title_is_inert_in_rdf(web):
    response = web.get(doc_path(web.iris["script-title.txt"]) + ".ttl")
    titles = [str(o) for o in parse(response, "turtle").objects(None, rdflib.DCTERMS.title)]
    assert 'Clay <script>alert("pwned")</script> plaster & "quotes"' in titles


def test_paginated_links_with_rel_next(tmp_path):
    cli = Cli(tmp_path / "store")
    cli.ingest(REPO / "examples")
    app = App(cli, PAGE_SIZE=1)
    first = app.get("/doc/type/contributiontojournal/article", headers=TURTLE)
    listed = lambda r: {s for s, p, o in parse(r, "turtle") if str(p) == "http://purl.org/dc/terms/type"}
    if 'rel="next"' not in first.headers["Link"]:
        pytest.fail(f"expected more than 1 article among the examples: {first.headers['Link']}")
    next_url = next(part.split(">")[0].lstrip(" <") for part in first.headers["Link"].split(",")
                    if 'rel="next"' in part)
    second = app.get(next_url, headers=TURTLE)
    assert second.status_code == 200 and 'rel="prev"' in second.headers["Link"]
    assert second.headers["Content-Location"] == "/doc/type/contributiontojournal/article.ttl?page=2"
    assert listed(first) and listed(second) and not listed(first) & listed(second)


def test_head_answers_like_get_without_a_body(web):
    doc = doc_path(seed_iri(web)) + ".ttl"
    head, get = web.head(doc), web.get(doc)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_iris_beyond_ascii_dereference(web):
    """A topic slug keeps its letters (…/id/topic/bæredygtighed); clients send them encoded."""
    record = parse(web.get(doc_path(web.iris["nordic-topic.txt"]) + ".ttl"), "turtle")
    topic = next(str(o) for o in record.objects() if "/id/topic/" in str(o))
    assert topic == BASE + "id/topic/bæredygtighed"
    encoded = "/id/topic/b%C3%A6redygtighed"
    assert web.get(encoded, headers=TURTLE).status_code == 303
    doc = web.get(encoded.replace("/id/", "/doc/"), headers=TURTLE)
    assert doc.status_code == 200
    assert (rdflib.URIRef(topic), rdflib.SKOS.prefLabel, rdflib.Literal("Bæredygtighed", lang="en")) in parse(doc, "turtle")


def raw_get(site, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """GET with the path exactly as written (requests would normalise and quote it)."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()
    return response


def test_escaped_paths_name_the_same_document_cached_or_not(site):
    doc = doc_path(seed_iri(site))
    key = doc.rsplit("/", 1)[1]
    escaped = "/doc/output/" + "".join(f"%{ord(c):02x}" for c in key) + ".nt"
    first = raw_get(site, escaped)  # before the plain path is cached
    plain = site.get(doc + ".nt")
    second = raw_get(site, escaped)
    assert first.status == second.status == plain.status_code == 200
    assert first.getheader("Content-Location") == plain.headers["Content-Location"] == doc + ".nt"
    assert raw_get(site, "/doc/topic/b%c3%a6redygtighed", TURTLE).status == 200


def test_cached_responses_keep_their_scheme(site):
    doc = doc_path(seed_iri(site))
    secure = site.get(doc + ".jsonld", headers={"X-Forwarded-Proto": "https"}).json()["@context"]
    plain = site.get(doc + ".jsonld").json()["@context"]
    assert secure.startswith("https://") and plain.startswith("http://")


def test_redirects_keep_the_query_and_errors_vary_by_accept(web):
    thing = thing_path(seed_iri(web))
    assert web.get(thing + "?format=ttl").headers["Location"].endswith("?format=ttl")
    missing = web.get("/doc/output/no-such-record", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.headers["Vary"] == "Accept"
    assert web.get("/doc/output/x", headers={"Accept": "image/png"}).headers["Vary"] == "Accept"
