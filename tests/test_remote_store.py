"""A remote store as operators run it: several kgpub machines on one SPARQL server, the server
going down and coming back, wrong credentials. Real Oxigraph Server and Virtuoso processes."""
from __future__ import annotations

import os
from collections import Counter
import subprocess
import sys
import time

import requests
from conftest import BASE, REPO, SEED, Cli, Server, doc_path, remote_cli
from sparql_servers import OxigraphServer, VirtuosoServer

from bench import synthetic

TOKEN = "remote-token"


def wait_for(condition, seconds: float = 10.0) -> float:
    """How long it took for condition() to hold (AssertionError past `seconds`)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - started


def record_graphs(server) -> int:
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g <https://w3id.org/kgpub/ns#contentDigest> ?d } " \
            "FILTER(CONTAINS(STR(?g), '/graph/output/')) }"
    reply = requests.post(server.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                          timeout=30)
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def test_two_machines_serve_one_store(oxigraph_server, tmp_path):
    """A record written through one `kgpub serve` is served by another, with a local folder of its
    own and nothing shared but the store, within the freshness bound (remote.VERSION_SECONDS)."""
    first = remote_cli(oxigraph_server, tmp_path / "a")
    second = Cli(first.store, work=tmp_path / "b", env={**first.env, "KGPUB_CACHE": str(tmp_path / "b" / "cache")})
    for cli in (first, second):
        cli.work.mkdir()
    first.ingest(REPO / "examples")
    a = Server(first, workers=1, env={"KGPUB_ADMIN_TOKEN": TOKEN})
    b = Server(second, workers=1)
    try:
        assert b.get("/search?q=enforcement&format=json").json()["total"] == 0
        posted = requests.post(a.url + "/ingest", data=SEED.read_bytes(), timeout=60, headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain", "Accept": "application/json"})
        assert posted.status_code == 200, posted.text
        iri = posted.json()[0]["iri"]
        took = wait_for(lambda: b.get(doc_path(iri)).status_code == 200, seconds=5)
        assert took < 2.0, f"served by the other machine after {took:.2f} s"
        assert wait_for(lambda: b.get("/search?q=enforcement&format=json").json()["total"] == 1, seconds=5) < 2.0
        assert b.get(doc_path(iri), headers={"Accept": "text/turtle"}).text.count("Law enforcement") >= 1
    finally:
        a.stop()
        b.stop()


def test_pages_answer_503_while_the_store_is_down_and_recover(tmp_path):
    store = OxigraphServer(tmp_path / "oxigraph")
    cli = remote_cli(store, tmp_path)
    first, second = (r["iri"] for r in cli.ingest(REPO / "examples")[:2])
    site = Server(cli, workers=1)
    try:
        assert site.get(doc_path(first), headers={"Accept": "text/html"}).status_code == 200
        store.stop()
        started = time.monotonic()
        down = site.get(doc_path(second), headers={"Accept": "text/html"})
        assert down.status_code == 503 and down.headers["Retry-After"], down.text
        assert "not available" in down.text and "Traceback" not in down.text
        assert time.monotonic() - started < 15, "an answer, not a hang"
        assert site.get("/healthz").status_code == 503
        store.start()
        assert wait_for(lambda: site.get(doc_path(second)).status_code == 200, seconds=10) < 10
        assert site.get("/healthz").status_code == 200
    finally:
        site.stop()
        store.stop()


def test_an_ingest_the_store_drops_out_of_stops_and_a_rerun_finishes_it(tmp_path):
    """The server process is stopped mid-ingest: kgpub says what was stored and exits 2; run
    again, every record is stored once, nothing lost, nothing twice."""
    store = OxigraphServer(tmp_path / "oxigraph")
    cli = remote_cli(store, tmp_path)
    records = synthetic.write_jsonl(tmp_path / "many.jsonl", 2000)
    env = {**cli.env, "KGPUB_STORE": cli.store, "KGPUB_BASE": BASE}
    ingest = subprocess.Popen([sys.executable, "-m", "kgpub", "ingest", "--batch-size", "100", str(records)],
                              env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: record_graphs(store) >= 300, seconds=120)
        store.stop()
        _, stderr = ingest.communicate(timeout=120)
    finally:
        ingest.kill()
    assert ingest.returncode == 2, stderr
    assert "cannot be reached" in stderr and "Run the same command again" in stderr
    assert "stored" in stderr, "the summary of what was stored"
    store.start()
    try:
        report = cli.ingest(records, options=("--batch-size", "100"))
        counts = Counter(r["status"] for r in report)
        assert set(counts) <= {"stored", "unchanged", "updated"} and counts["stored"]
        assert counts["unchanged"] + counts["updated"] >= 300, "what was there before the store went down is kept"
        # Only the batch in flight can have been written without its copies: written again, whole.
        assert counts["updated"] <= 100, counts
        assert len(report) == 2000 and record_graphs(store) == 2000
    finally:
        store.stop()


def test_wrong_credentials_are_one_line_naming_the_endpoint(virtuoso_server, tmp_path):
    cli = remote_cli(virtuoso_server, tmp_path)
    result = cli("ingest", str(SEED), env={"KGPUB_STORE_PASSWORD": "not-the-password"}, check_exit=2)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    message = " ".join(lines)
    assert virtuoso_server.update_url in message and "refused" in message
    assert "Traceback" not in result.stderr and len(lines) <= 3  # one line, wrapped to the terminal's width


def test_an_answer_the_store_cuts_short_is_an_error_not_a_part(tmp_path):
    """Virtuoso cuts answers at ResultSetMaxRows and says so only in a header: an export must fail
    saying what to change, never write part of the store as if it were all."""
    store = VirtuosoServer(tmp_path / "virtuoso", max_rows=5)
    try:
        cli = remote_cli(store, tmp_path)
        cli.ingest(REPO / "examples")
        result = cli("export", "--format", "nquads", check_exit=2)
        assert "cut an answer at 5 rows" in result.stderr and "ResultSetMaxRows" in result.stderr
    finally:
        store.stop()


def test_a_store_url_is_never_made_a_folder(tmp_path):
    cli = Cli("http://127.0.0.1:9/query", work=tmp_path)
    result = cli("ingest", str(SEED), check_exit=2, cwd=tmp_path)
    assert "cannot be reached" in result.stderr and "http://127.0.0.1:9/query" in result.stderr
    assert "Usage:" not in result.stderr and len(result.stderr.strip().splitlines()) <= 3
    assert list(tmp_path.iterdir()) == [], "nothing created where it ran"
