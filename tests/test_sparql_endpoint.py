"""/sparql through the real server: the SPARQL 1.1 Protocol, result formats, errors, limits."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import rdflib
import requests

from conftest import BASE, SEED, Cli, Server

COUNT_TITLES = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT (COUNT(?o) AS ?n) WHERE { ?o a ?type ; dcterms:title ?t }"
SEED_TITLE = "SELECT ?title WHERE { <%s> <http://purl.org/dc/terms/title> ?title }"
# Every record against every record against every record: far past any time limit.
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON = "application/sparql-results+json"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


def seed_title_query(site) -> str:
    return SEED_TITLE % site.iris[SEED.name]


def post(server, data, content_type: str, accept: str = JSON, **kwargs):
    headers = {"Content-Type": content_type, "Accept": accept, **kwargs.pop("headers", {})}
    return requests.post(server.url + "/sparql", data=data, headers=headers, timeout=60, **kwargs)


def title_of(response) -> str:
    assert response.status_code == 200, response.text
    [row] = response.json()["results"]["bindings"]
    return row["title"]["value"]


def test_get_form_post_and_direct_post_give_the_same_answer(site):
    query = seed_title_query(site)
    title = SEED.read_text().splitlines()[0]
    assert title_of(site.get("/sparql", params={"query": query}, headers={"Accept": JSON})) == title
    assert title_of(post(site, {"query": query}, "application/x-www-form-urlencoded")) == title
    assert title_of(post(site, query.encode(), "application/sparql-query")) == title
    assert title_of(site.get("/sparql/", params={"query": query}, headers={"Accept": JSON})) == title


def test_default_graph_is_the_union_of_the_record_graphs(site):
    response = site.get("/sparql", params={"query": COUNT_TITLES}, headers={"Accept": JSON})
    count = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert count >= len(site.iris), "every record's title is in the default graph"
    graphs = site.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                      headers={"Accept": JSON}).json()["results"]["bindings"]
    record_graphs = {b["g"]["value"] for b in graphs if "/graph/output/" in b["g"]["value"]}
    assert len(record_graphs) == len(site.iris), "one named graph per record"


def test_protocol_dataset_overrides_the_union(site):
    iri = site.iris[SEED.name]
    graph = iri.replace("/id/output/", "/graph/output/")
    other = next(i for i in site.iris.values() if i != iri).replace("/id/output/", "/graph/output/")
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <http://purl.org/dc/terms/title> ?t }"

    def count(**dataset) -> int:
        response = site.get("/sparql", params={"query": query, **dataset}, headers={"Accept": JSON})
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    one = count(**{"default-graph-uri": graph})
    two = count(**{"default-graph-uri": [graph, other]})
    assert 0 < one < two < count()
    assert count(**{"named-graph-uri": graph}) == 0, "named graphs only: the default graph is empty"
    from_query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{graph}> WHERE {{ ?s <http://purl.org/dc/terms/title> ?t }}"
    response = site.get("/sparql", params={"query": from_query}, headers={"Accept": JSON})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == one, "FROM is honoured"


@pytest.mark.parametrize("accept, media_type", [
    (JSON, JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", JSON),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", JSON),
])
def test_select_results_negotiated(site, accept, media_type):
    response = site.get("/sparql", params={"query": seed_title_query(site)}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Vary"] == "Accept"
    title = SEED.read_text().splitlines()[0]
    if media_type == JSON:
        assert title_of(response) == title
    elif media_type.endswith("xml"):
        literal = ET.fromstring(response.content).find(f".//{RESULTS_NS}literal")
        assert literal.text == title and literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(response.text))) == [["title"], [title]]
    else:
        assert response.text.splitlines() == ["?title", f'"{title}"@en']


def test_results_parse_in_rdflib(site):
    """Another implementation's parsers read our JSON, XML, CSV and TSV alike."""
    query = "SELECT ?s ?title WHERE { ?s <http://purl.org/dc/terms/title> ?title } ORDER BY ?s LIMIT 5"
    parsed = {}
    for name, accept in (("json", JSON), ("xml", "application/sparql-results+xml"), ("tsv", "text/tab-separated-values")):
        response = site.get("/sparql", params={"query": query}, headers={"Accept": accept})
        result = rdflib.query.Result.parse(io.BytesIO(response.content), format=name)
        parsed[name] = [tuple(row) for row in result]
    assert len(parsed["json"]) == 5
    assert parsed["json"] == parsed["xml"] == parsed["tsv"]


def test_ask(site):
    query = f"ASK {{ <{site.iris[SEED.name]}> ?p ?o }}"
    response = site.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.json() == {"head": {}, "boolean": True}
    response = site.get("/sparql", params={"query": "ASK { <urn:nothing> ?p ?o }"},
                        headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(response.content).find(f"{RESULTS_NS}boolean").text == "false"


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/n-quads", "nquads"), ("application/trig", "trig"),
])
def test_construct_in_every_graph_format(site, accept, rdflib_format):
    iri = site.iris[SEED.name]
    query = f"CONSTRUCT {{ <{iri}> ?p ?o }} WHERE {{ <{iri}> ?p ?o }}"
    response = site.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    graph = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else rdflib.Graph()
    graph.parse(data=response.content, format=rdflib_format)
    assert (rdflib.URIRef(iri), rdflib.namespace.DCTERMS.title, None) in graph
    turtle = rdflib.Graph().parse(data=site.get("/sparql", params={"query": query},
                                                headers={"Accept": "text/turtle"}).content, format="turtle")
    assert len(graph) == len(turtle)


def test_describe(site):
    iri = site.iris[SEED.name]
    response = site.get("/sparql", params={"query": f"DESCRIBE <{iri}>"}, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert (rdflib.URIRef(iri), rdflib.namespace.DCTERMS.title, None) in graph


@pytest.mark.parametrize("param, value, media_type", [
    ("format", "json", JSON), ("output", "json", JSON), ("format", "xml", "application/sparql-results+xml"),
    ("format", "csv", "text/csv"), ("format", "text/tab-separated-values", "text/tab-separated-values"),
])
def test_format_parameter_wins_over_accept(site, param, value, media_type):
    response = site.get("/sparql", params={"query": seed_title_query(site), param: value},
                        headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_format_parameter_for_graphs(site):
    iri = site.iris[SEED.name]
    query = f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}"
    for value, media_type in (("xml", "application/rdf+xml"), ("turtle", "text/turtle"),
                              ("json-ld", "application/ld+json"), ("ntriples", "application/n-triples")):
        response = site.get("/sparql", params={"query": query, "format": value})
        assert response.headers["Content-Type"].split(";")[0] == media_type, value


def test_not_acceptable_result_is_406(site):
    response = site.get("/sparql", params={"query": seed_title_query(site)}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    response = site.get("/sparql", params={"query": seed_title_query(site), "format": "pdf"})
    assert response.status_code == 406


@pytest.mark.parametrize("query", ["SELECT * WHERE { ?s ?p }", "ASK {", "SELEKT * {}", "SELECT * { ?s ?p ?o } LIMIT x"])
def test_syntax_errors_are_400_with_the_parsers_message(site, query):
    response = site.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 400
    assert "not valid SPARQL" in response.text and "error at 1:" in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize("method, kwargs, status", [
    ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("get", {"params": {"update": "CLEAR ALL"}}, 400),
    ("post", {"data": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("post", {"data": b"ASK {}", "headers": {"Content-Type": ""}}, 415),
    ("post", {"data": "ASK {}".encode("utf-16"), "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ("post", {"data": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("post", {"data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
    ("put", {"params": {"query": "ASK {}"}}, 405),
])
def test_protocol_errors(site, method, kwargs, status):
    response = getattr(requests, method)(site.url + "/sparql", timeout=30, **kwargs)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_updates_are_forbidden_without_writes_configured(site):
    for data, content_type in (({"update": "CLEAR ALL"}, "application/x-www-form-urlencoded"),
                               ("CLEAR ALL", "application/sparql-update")):
        response = requests.post(site.url + "/sparql", data=data, headers={"Content-Type": content_type}, timeout=30)
        assert response.status_code == 403
    response = site.get("/sparql", params={"query": COUNT_TITLES}, headers={"Accept": JSON})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) >= len(site.iris), "nothing was cleared"


def test_request_size_limit(site):
    query = "ASK {} #" + "x" * 70_000
    response = post(site, query.encode(), "application/sparql-query")
    assert response.status_code == 413


def test_service_description_on_a_bare_get(site):
    response = site.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(BASE + "sparql")
    assert (service, rdflib.RDF.type, sd.Service) in graph
    assert (service, sd.endpoint, service) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) not in graph, "no writes configured"
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    formats = set(graph.objects(service, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats


def test_browsers_get_the_query_page(site):
    response = site.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text


def test_cross_origin_post_is_allowed(site):
    response = requests.options(site.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert response.status_code == 200
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_conditional_get(site):
    params = {"query": seed_title_query(site)}
    first = site.get("/sparql", params=params, headers={"Accept": JSON})
    again = site.get("/sparql", params=params, headers={"Accept": JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_metrics_count_queries(site):
    site.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    text = site.get("/metrics").text
    assert 'kgpub_sparql_query_seconds_count{form="ask"}' in text
    assert 'route="/sparql"' in text
    assert site.get("/healthz").status_code == 200


# --- Limits: row cap and timeout, on a server of their own -------------------------------------------

@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    cli = Cli(tmp_path_factory.mktemp("limited") / "store")
    cli.ingest(SEED)
    server = Server(cli, workers=1, env={"KGPUB_MAX_ROWS": "7"}, args=("--query-timeout", "2"))
    yield server
    server.stop()


def test_row_cap_cuts_results_and_says_so(limited):
    response = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert len(response.json()["results"]["bindings"]) == 7
    assert response.headers["X-SPARQL-MaxRows"] == "7"
    response = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert len(response.text.strip().splitlines()) == 7
    response = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}, headers={"Accept": JSON})
    assert len(response.json()["results"]["bindings"]) == 3 and "X-SPARQL-MaxRows" not in response.headers
    response = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 7"}, headers={"Accept": JSON})
    assert len(response.json()["results"]["bindings"]) == 7 and "X-SPARQL-MaxRows" not in response.headers, \
        "exactly the cap is not a cut result"


def test_row_cap_holds_in_every_format(limited):
    """The cap is counted on TSV / N-Triples lines; the other formats are converted from them."""
    select = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"}
    csv_rows = limited.get("/sparql", params=select, headers={"Accept": "text/csv"}).text.strip().split("\r\n")
    tsv_rows = limited.get("/sparql", params=select, headers={"Accept": "text/tab-separated-values"}).text.strip()
    xml = limited.get("/sparql", params=select, headers={"Accept": "application/sparql-results+xml"}).text
    assert len(csv_rows) == 8 and len(tsv_rows.split("\n")) == 8 and xml.count("<result>") == 7
    turtle = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/turtle"})
    assert turtle.headers["X-SPARQL-MaxRows"] == "7"
    assert len(rdflib.Graph().parse(data=turtle.text, format="turtle")) == 7


def timeouts(server) -> float:
    line = next((l for l in server.get("/metrics").text.splitlines()
                 if l.startswith('kgpub_sparql_stopped_total{reason="timeout"} ')), "none 0")
    return float(line.split()[1])


def test_a_query_past_the_time_limit_is_stopped_with_503(limited):
    before = timeouts(limited)
    started = time.monotonic()
    response = limited.get("/sparql", params={"query": CARTESIAN}, headers={"Accept": JSON})
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "did not finish within 2 seconds" in response.text
    assert elapsed < 6, "the answer comes at the limit, not when the query would have finished"
    again = limited.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    assert again.json()["boolean"] is True, "the endpoint answers after a stopped query"
    assert timeouts(limited) == before + 1


def test_others_get_answers_while_a_cartesian_product_runs(limited):
    """One worker process: without the query processes the heavy query would hold its GIL and
    every other request would wait for it. (Another client: one client's own queries wait for each
    other, docs/sparql.md "Admission".)"""
    heavy = threading.Thread(target=lambda: limited.get("/sparql", params={"query": CARTESIAN},
                                                        headers={"Accept": JSON}))
    heavy.start()
    time.sleep(0.3)  # let it start
    latencies = []
    for _ in range(10):
        started = time.monotonic()
        response = limited.get_from("127.0.0.2", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                                    {"Accept": JSON})
        latencies.append(time.monotonic() - started)
        assert json.loads(response.body)["boolean"] is True
        page = limited.get("/")
        assert page.status_code == 200
    heavy.join()
    assert max(latencies) < 1.0, f"lookups waited behind the heavy query: {latencies}"


def child_pids(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in result.stdout.split()]


def test_query_processes_are_children_of_the_workers(limited):
    limited.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
    assert [pid for worker in child_pids(limited.process.pid) for pid in child_pids(worker)]


def test_without_query_processes_queries_run_in_the_worker(tmp_path):
    """The benchmark's baseline (bench/sparql.py): same answers, no query process started."""
    cli = Cli(tmp_path / "store")
    cli.ingest(SEED)
    server = Server(cli, workers=1, args=("--no-query-processes",))
    try:
        response = server.get("/sparql", params={"query": SEED_TITLE % cli.ingest(SEED)[0]["iri"]},
                              headers={"Accept": JSON})
        assert title_of(response) == SEED.read_text().splitlines()[0]
        workers = child_pids(server.process.pid)
        assert workers and not [pid for worker in workers for pid in child_pids(worker)], \
            "no query process was started"
    finally:
        server.stop()
