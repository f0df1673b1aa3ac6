"""Admin writes over HTTP: the bearer token, SPARQL Update on /sparql and POST /ingest on the app
(Flask's test client), each test on a store of its own holding the seed; and, through the real
server, what happens while another process holds the store."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from conftest import PURE_API, SEED, SHARED_DATA, App, Server, doc_path
from kgpub.graph.namespaces import KGV
from kgpub.graph.store import open_store

REAL = SHARED_DATA / "real"
TOKEN = "s3cret-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {"Content-Type": "application/sparql-update"}
TITLE = "http://purl.org/dc/terms/title"
COUNT_OUTPUTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a ?class ; <http://purl.org/dc/terms/type> ?t }"


@pytest.fixture
def server(seed_copy):
    app = App(seed_copy, ADMIN_TOKEN=TOKEN, MAX_UPLOAD_BYTES=3 * 1024 * 1024)
    app.seed_iri = seed_copy.seed_iri
    return app


def update(server, text: str, headers=ADMIN, **params):
    return server.request("POST", "/sparql", params=params, data=text.encode("utf-8"),
                         headers={**UPDATE, **headers}, timeout=30)


def ask(server, query: str) -> bool:
    response = server.request("GET", "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def select_one(server, query: str) -> str:
    response = server.request("GET", "/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    row = response.json()["results"]["bindings"][0]
    return next(iter(row.values()))["value"]


def pure_json_without_title(tmp_path) -> bytes:
    record = json.loads((PURE_API / "lund-journal-article.json").read_text())
    record.pop("title")
    return json.dumps(record).encode("utf-8")


# --- the token ---------------------------------------------------------------------------------------

def test_an_update_without_the_token_is_401_and_with_a_wrong_one_403(server):
    missing = update(server, "INSERT DATA { <urn:t> <urn:p> 1 }", headers={})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="kgpub"'
    wrong = update(server, "INSERT DATA { <urn:t> <urn:p> 1 }", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert not ask(server, "ASK { <urn:t> <urn:p> 1 }")


def test_ingest_without_the_token_is_401(server):
    response = server.request("POST", "/ingest", data=SEED.read_bytes(),
                             headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 401


def test_only_the_admin_may_send_bodies_over_a_mebibyte(server):
    """The app refuses bodies over 1 MiB; the admin may send up to KGPUB_MAX_UPLOAD_BYTES (3 MiB here)."""
    two, four = b"\n" * (2 * 1024 * 1024), b"\n" * (4 * 1024 * 1024)
    assert server.request("POST", "/sparql", data=two, timeout=30,
                         headers={"Content-Type": "application/sparql-query"}).status_code == 413
    admin = server.request("POST", "/ingest", params={"name": "blank.txt"}, data=two,
                          headers={**ADMIN, "Content-Type": "text/plain"}, timeout=60)
    assert admin.status_code not in (413, 500), admin.text
    too_big = server.request("POST", "/ingest", params={"name": "blank.txt"}, data=four,
                            headers={**ADMIN, "Content-Type": "text/plain"}, timeout=60)
    assert too_big.status_code == 413


# --- SPARQL Update -----------------------------------------------------------------------------------

def test_an_update_is_204_and_the_next_query_sees_it(server):
    response = update(server, "INSERT DATA { GRAPH <http://example.org/g/notes> { <urn:note> <urn:says> 'hello' } }")
    assert response.status_code == 204, response.text
    assert ask(server, "ASK { <urn:note> <urn:says> 'hello' }")
    form = server.request("POST", "/sparql", data={"update": "DELETE DATA { GRAPH <http://example.org/g/notes> "
                                                                 "{ <urn:note> <urn:says> 'hello' } }"},
                         headers=ADMIN, timeout=30)
    assert form.status_code == 204
    assert not ask(server, "ASK { <urn:note> <urn:says> 'hello' }")


def test_a_syntax_error_is_400_with_the_parsers_message(server):
    response = update(server, "INSERT DATA { <urn:a> <urn:b> }")
    assert response.status_code == 400
    assert "not valid SPARQL" in response.text and "Traceback" not in response.text


def test_using_graph_uri_sets_the_dataset_of_the_where_clause(server):
    update(server, "INSERT DATA { GRAPH <http://example.org/g/src1> { <urn:s1> <urn:p> 'one' } "
                   "GRAPH <http://example.org/g/src2> { <urn:s2> <urn:p> 'two' } }")
    copied = update(server, "INSERT { GRAPH <http://example.org/g/dst> { ?s <urn:copied> ?o } } WHERE { ?s <urn:p> ?o }",
                    **{"using-graph-uri": "http://example.org/g/src1"})
    assert copied.status_code == 204, copied.text
    assert ask(server, "ASK { GRAPH <http://example.org/g/dst> { <urn:s1> <urn:copied> 'one' } }")
    assert not ask(server, "ASK { GRAPH <http://example.org/g/dst> { <urn:s2> <urn:copied> ?o } }")


def test_using_graph_uri_with_a_using_clause_in_the_update_is_400(server):
    update(server, "INSERT DATA { GRAPH <http://example.org/g/src1> { <urn:s1> <urn:p> 'one' } }")
    response = update(server, "DELETE { ?s ?p ?o } USING <http://example.org/g/src1> WHERE { ?s ?p ?o }",
                      **{"using-graph-uri": "http://example.org/g/src2"})
    assert response.status_code == 400
    assert "USING" in response.text
    assert ask(server, "ASK { <urn:s1> <urn:p> 'one' }"), "nothing was deleted"


def test_a_record_changed_by_an_update_is_served_with_its_new_content(server):
    document = doc_path(server.seed_iri) + ".ttl"
    assert server.get(document).status_code == 200  # read once, so a copy and a cached response exist
    graph = server.seed_iri.replace("/id/output/", "/graph/output/")
    response = update(server, f"DELETE {{ GRAPH <{graph}> {{ <{server.seed_iri}> <{TITLE}> ?t }} }} "
                              f"INSERT {{ GRAPH <{graph}> {{ <{server.seed_iri}> <{TITLE}> 'Changed by an update'@en }} }} "
                              f"WHERE {{ GRAPH <{graph}> {{ <{server.seed_iri}> <{TITLE}> ?t }} }}")
    assert response.status_code == 204, response.text
    served = Graph().parse(data=server.get(document).text, format="turtle")
    assert {str(t) for t in served.objects(URIRef(server.seed_iri), URIRef(TITLE))} == {"Changed by an update"}
    found = server.get("/search", params={"q": "Changed update", "format": "json"})
    assert server.seed_iri in found.text


def test_an_update_over_any_graph_keeps_every_record_right(server):
    graph = server.seed_iri.replace("/id/output/", "/graph/output/")
    digest_query = f"SELECT ?d WHERE {{ GRAPH <{graph}> {{ <{graph}> <{KGV.contentDigest.value}> ?d }} }}"
    before = select_one(server, digest_query)
    response = update(server, "DELETE { GRAPH ?g { ?s <http://prismstandard.org/namespaces/basic/2.0/startingPage> ?p } } "
                              "WHERE { GRAPH ?g { ?s <http://prismstandard.org/namespaces/basic/2.0/startingPage> ?p } }")
    assert response.status_code == 204
    served = server.get(doc_path(server.seed_iri) + ".nt").text
    assert "startingPage" not in served
    after = select_one(server, digest_query)
    assert len(after) == 64 and after != before, "the changed record has a new digest"


def test_load_is_refused(server):
    response = update(server, "LOAD <http://example.org/data.ttl>")
    assert response.status_code == 400 and "graph-store" in response.text


# --- POST /ingest -------------------------------------------------------------------------------------

def test_ingest_of_the_seed_answers_the_report(server):
    response = server.request("POST", "/ingest", params={"name": "seed-record.txt"}, data=SEED.read_bytes(),
                             headers={**ADMIN, "Content-Type": "text/plain"}, timeout=60)
    assert response.status_code == 200, response.text
    [row] = response.json()
    assert row["status"] in ("updated", "unchanged") and row["iri"] == server.seed_iri
    assert row["source"].startswith("seed-record.txt") and row["format"] == "pure-page"
    assert set(row) == {"source", "format", "status", "merged", "iri", "errors", "warnings"}


def test_ingest_of_several_files_stores_them_and_serves_them(server):
    files = {"a": ("lund-preprint.json", (PURE_API / "lund-preprint.json").read_bytes(), "application/json"),
             "b": ("lund-journal-article.json", (PURE_API / "lund-journal-article.json").read_bytes(),
                   "application/octet-stream")}
    response = server.request("POST", "/ingest", files=files, headers=ADMIN, timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [r["status"] for r in rows] == ["stored", "stored"]
    for row in rows:
        assert server.get(doc_path(row["iri"]) + ".ttl").status_code == 200
    metrics = server.get("/metrics").text
    assert 'kgpub_records_total{status="stored"}' in metrics


@pytest.mark.parametrize("media_type, path", [
    ("application/x-bibtex", REAL / "bib" / "commonmeta" / "pure.bib"),
    ("application/x-research-info-systems", REAL / "ris" / "commonmeta" / "pure.ris"),
    ("application/vnd.citationstyles.csl+json", REAL / "csljson" / "commonmeta" / "citeproc.json"),
    ("application/json", REAL / "crossref" / "commonmeta" / "crossref.json"),  # told by its content
    ("text/csv", REAL / "other" / "opencitations-meta" / "oc_meta-example_metadata.csv"),
])
def test_ingest_reads_each_record_format_by_its_media_type(server, media_type, path):
    body = path.read_bytes()
    if media_type == "text/csv":
        body = b"".join(body.splitlines(keepends=True)[:3])  # the header and two rows
    response = server.request("POST", "/ingest", data=body, headers={**ADMIN, "Content-Type": media_type},
                             timeout=60)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert rows and all(r["status"] in ("stored", "updated", "unchanged") for r in rows), rows
    for row in rows:
        assert server.get(doc_path(row["iri"]) + ".ttl").status_code == 200


def test_a_rejected_ingest_is_422_with_the_findings_and_stores_nothing(server, tmp_path):
    before = select_one(server, COUNT_OUTPUTS)
    body = pure_json_without_title(tmp_path)
    as_json = server.request("POST", "/ingest", params={"name": "untitled.json"}, data=body,
                            headers={**ADMIN, "Content-Type": "application/json"}, timeout=60)
    assert as_json.status_code == 422
    report = as_json.json()
    assert report["conforms"] is False
    assert report["records"][0]["status"] == "rejected"
    assert any(f["path"] == TITLE and f["severity"] == "Violation" for f in report["findings"])
    as_turtle = server.request("POST", "/ingest", params={"name": "untitled.json"}, data=body,
                              headers={**ADMIN, "Content-Type": "application/json", "Accept": "text/turtle"}, timeout=60)
    assert as_turtle.status_code == 422 and as_turtle.headers["Content-Type"].startswith("text/turtle")
    shacl = Graph().parse(data=as_turtle.text, format="turtle")
    [validation] = shacl.subjects(URIRef(str(SH) + "conforms"), Literal(False))
    assert (validation, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SH.ValidationReport) in shacl
    paths = {shacl.value(r, SH.resultPath) for r in shacl.objects(validation, SH.result)}
    assert URIRef(TITLE) in paths
    assert select_one(server, COUNT_OUTPUTS) == before, "nothing was stored"


def test_a_page_the_importer_rejects_is_422_too(server):
    broken = SEED.read_text().replace("Number of pages21", "Number of pages0")
    response = server.request("POST", "/ingest", params={"name": "broken.txt"}, data=broken.encode("utf-8"),
                             headers={**ADMIN, "Content-Type": "text/plain", "Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 422
    shacl = Graph().parse(data=response.text, format="turtle")
    messages = " ".join(str(m) for m in shacl.objects(None, SH.resultMessage))
    assert "page count is 0" in messages


def test_an_upload_of_no_known_format_is_400_naming_what_was_expected(server):
    response = server.request("POST", "/ingest", params={"name": "notes.docx"}, data=b"PK\x03\x04" + bytes(64),
                             headers={**ADMIN, "Content-Type": "application/octet-stream"}, timeout=30)
    assert response.status_code == 400
    assert "not a Pure page, BibTeX, RIS" in response.text and "ZIP archive" in response.text
    assert "?format=" in response.text and "--format" not in response.text


def test_ingest_of_an_unknown_media_type_is_415(server):
    response = server.request("POST", "/ingest", data=b"\x89PNG", headers={**ADMIN, "Content-Type": "image/png"},
                             timeout=30)
    assert response.status_code == 415


# --- another process holds the store ------------------------------------------------------------------

def test_writes_while_another_process_holds_the_store_are_503_with_retry_after(seed_copy):
    server = Server(seed_copy, env={"KGPUB_ADMIN_TOKEN": TOKEN})
    try:
        held = open_store(seed_copy.store)  # as a running `kgpub ingest` would
        try:
            with ThreadPoolExecutor() as both:  # each waits for the store a while, at the same time
                busy = both.submit(requests.post, server.url + "/sparql", timeout=30,
                                   data=b"INSERT DATA { <urn:busy> <urn:p> 1 }", headers={**UPDATE, **ADMIN})
                put = both.submit(requests.put, server.url + "/graph-store", timeout=30,
                                  params={"graph": "http://example.org/g/busy"}, data="<urn:a> <urn:p> 1 .",
                                  headers={**ADMIN, "Content-Type": "text/turtle"})
                assert server.get(doc_path(seed_copy.seed_iri) + ".ttl").status_code == 200, "reads go on"
            for refused in (busy.result(), put.result()):
                assert refused.status_code == 503 and refused.headers["Retry-After"]
        finally:
            held.close()
        again = requests.post(server.url + "/sparql", data=b"INSERT DATA { <urn:busy> <urn:p> 1 }",
                              headers={**UPDATE, **ADMIN}, timeout=30)
        assert again.status_code == 204
    finally:
        server.stop()
