"""The server against an attacker (issue 11's reproductions, kept as regression tests), through the
real `kgpub serve`: no outbound requests, bounded memory, admission control and a query-time
budget, slow clients, bodies over the limit, query-parsing limits, crashes logged, and the small
things (redirects, HEAD, security headers). Fuzzing with hypothesis is in test_hostile_fuzz.py."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import PURE_API, REPO, SEED, Cli, Server, loopback_service
from kgpub.server.query_process import QueryJob, QueryProcess

JSON = "application/sparql-results+json"
TOKEN = "hostile-test-token"
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # long, but little memory
CARTESIAN_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY RAND() LIMIT 1"  # every row held at once
SECRET = b"the loopback service's secret"


def records(cli: Cli) -> Cli:
    cli.ingest(SEED, PURE_API, REPO / "examples")
    return cli


FEDERATED = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"federated"}}]}}'


@pytest.fixture(scope="module")
def secret_service():
    """A service on loopback that only the machine should reach; it counts who asks. Its paths
    with "fail" in them answer 500 with the secret."""
    with loopback_service(lambda path: (500, SECRET) if "fail" in path else (200, FEDERATED)) as found:
        yield found


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """The default settings, with writes over HTTP on and a short time for a request to arrive."""
    cli = records(Cli(tmp_path_factory.mktemp("guarded") / "store"))
    server = Server(cli, env={"KGPUB_ADMIN_TOKEN": TOKEN, "KGPUB_REQUEST_TIMEOUT": "3",
                              "KGPUB_MAX_UPLOAD_BYTES": "50000"})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """One worker, two query processes of 300 MB with one query waiting: limits that bite quickly."""
    cli = records(Cli(tmp_path_factory.mktemp("small") / "store"))
    server = Server(cli, workers=1, args=("--concurrent-queries", "2", "--query-timeout", "20"),
                    env={"KGPUB_QUERY_QUEUE": "1", "KGPUB_QUERY_MEMORY": "300", "KGPUB_QUERY_BUDGET": "0"})
    yield server
    server.stop()


def sparql(server: Server, query: str, **kwargs) -> requests.Response:
    kwargs.setdefault("headers", {"Accept": JSON})
    return server.get("/sparql", params={"query": query}, timeout=60, **kwargs)


def sparql_from(server: Server, query: str, address: str):
    """A query from another loopback address: another client than the test's own requests."""
    return server.get_from(address, "/sparql?" + urllib.parse.urlencode({"query": query}), {"Accept": JSON})


def sparql_post(server: Server, query: str) -> requests.Response:
    """For queries longer than a request line may be."""
    return requests.post(server.url + "/sparql", data=query.encode(), timeout=60,
                         headers={"Accept": JSON, "Content-Type": "application/sparql-query"})


def metric(server: Server, name: str, **labels) -> float:
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in server.get("/metrics").text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


def descendants(pid: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(re.search(r"^PPid:\s+(\d+)", (entry / "status").read_text(), re.M).group(1))
            except (OSError, AttributeError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def resident_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            total += int(re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
        except (OSError, AttributeError):
            pass
    return total / 1024


def query_processes(server: Server) -> list[int]:
    """The spawned query processes: grandchildren of the gunicorn master."""
    workers = set(descendants(server.process.pid)) - set(
        pid for worker in descendants(server.process.pid) for pid in descendants(worker))
    return [pid for worker in workers for pid in descendants(worker)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


# --- 1. No outbound requests ---------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}x> { ?s ?p ?o } }",
    "PREFIX l: <{url}> SELECT * WHERE { SERVICE l:x { ?s ?p ?o } }",
    "BASE <{url}> select * where { service <x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <{url}\\u0078> { ?s ?p ?o } }",
    "PREFIX e: <http://e/> SELECT * WHERE { OPTIONAL { ?s e:a\\# ?o } SERVICE <{url}x> {} }",
])
def test_service_is_refused_and_nothing_is_fetched(guarded, secret_service, query):
    url, asked = secret_service
    before = len(asked)
    response = sparql(guarded, query.replace("{url}", url))
    assert response.status_code == 400
    assert "does not run federated queries" in response.text
    assert SECRET.decode() not in response.text
    assert len(asked) == before, "the server made a request"


def test_query_processes_have_no_network_when_no_endpoint_is_allowed(guarded, secret_service, tmp_path):
    """The second wall: were a SERVICE call ever to get past the text check, the query process
    that would make it has no network to make it on."""
    own = os.readlink("/proc/self/ns/net")

    def offline() -> list[bool]:
        return [os.readlink(f"/proc/{pid}/ns/net") != own for pid in query_processes(guarded)]

    can_leave = subprocess.run([sys.executable, "-c", "import sys; from kgpub.server.query_process import "
                                "leave_the_network as leave; sys.exit(0 if leave() else 1)"]).returncode == 0
    if not can_leave:
        pytest.skip("this machine lets no process leave the network namespace (unshare is not allowed)")
    deadline = time.monotonic() + 15  # a query process leaves once it has started (about a second)
    while not (len(offline()) == 4 and all(offline())) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert offline() == [True] * 4
    url, asked = secret_service
    job = QueryJob(f"SELECT * WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }}", None, None, "json", None, 10)
    process = QueryProcess(str(guarded.cli.store), 512 << 20, offline=True)
    try:
        before = len(asked)
        answer = process.run(job, 10)  # straight to the process: no text check in between
        assert answer.status >= 400 and len(asked) == before
    finally:
        process.stop()


def test_service_in_an_admin_update_is_refused_too(guarded, secret_service):
    url, asked = secret_service
    before = len(asked)
    response = requests.post(guarded.url + "/sparql", headers={"Authorization": f"Bearer {TOKEN}"},
                             data={"update": f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}x> "
                                             "{ ?s ?p ?o } }"}, timeout=30)
    assert response.status_code == 400 and "does not run federated queries" in response.text
    assert len(asked) == before


def test_an_allowed_endpoint_is_called_and_its_error_bodies_are_never_passed_on(tmp_path, secret_service):
    url, asked = secret_service
    cli = Cli(tmp_path / "store")
    cli.ingest(SEED)
    server = Server(cli, workers=1, env={"KGPUB_SERVICE_ALLOW": url, "KGPUB_SERVICE_ALLOW_PRIVATE": "1"})
    try:
        response = sparql(server, f"SELECT ?x WHERE {{ SERVICE <{url}ok> {{ ?x ?p ?o }} }}")
        assert response.json()["results"]["bindings"] == [{"x": {"type": "literal", "value": "federated"}}]
        failed = sparql(server, f"SELECT ?x WHERE {{ SERVICE <{url}fail> {{ ?x ?p ?o }} }}")
        assert failed.status_code == 502 and f"<{url}fail>" in failed.text and "not passed on" in failed.text
        assert SECRET.decode() not in failed.text
        elsewhere = sparql(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/x> { ?s ?p ?o } }")
        assert elsewhere.status_code == 400 and "not one of the endpoints" in elsewhere.text
    finally:
        server.stop()
    assert [path for path in asked if path.startswith(("/ok", "/fail"))]


# --- 4. Query-parsing limits, crashes ------------------------------------------------------------

def test_deep_nesting_is_refused_with_the_reason_and_crashes_nothing(guarded):
    before = metric(guarded, "kgpub_sparql_stopped_total", reason="crashed")
    deep = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(sparql_post(guarded, deep))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [400] * 8
    assert "3000 levels deep" in answers[0].text
    assert metric(guarded, "kgpub_sparql_stopped_total", reason="crashed") == before
    assert metric(guarded, "kgpub_sparql_refused_total", reason="limits") >= 8


def test_long_flat_chains_that_recurse_in_the_engine_do_not_crash_it(guarded):
    """A sum of 10,000 ones or 20,000 negations (no brackets to count) overflowed the usual 8 MB
    stack of a query process; they answer in a thread with a large one."""
    plus = "ASK { FILTER(" + "+".join(["1"] * 10000) + " > 0) }"
    negations = "ASK { FILTER(" + "!" * 20000 + "true) }"
    for query in (plus, negations):
        response = sparql_post(guarded, query)
        assert response.status_code == 200, response.text
    assert metric(guarded, "kgpub_sparql_stopped_total", reason="crashed") == 0


def test_a_values_block_as_large_as_a_query_may_be_is_answered(guarded):
    values = " ".join(f"<e:{n}>" for n in range(7200))
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {values} }} OPTIONAL {{ ?s ?p ?o }} }}"
    assert 60_000 < len(query) < 65_536
    began = time.monotonic()
    response = sparql_post(guarded, query)
    assert response.status_code == 200 and response.json()["results"]["bindings"][0]["n"]["value"] == "7200"
    assert time.monotonic() - began < 5


def test_a_query_process_that_dies_is_logged_with_the_query_hash_and_replaced(small):
    result = {}
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # still running when killed
    heavy = threading.Thread(target=lambda: result.update(response=sparql(small, endless)))
    heavy.start()
    time.sleep(1.5)
    for pid in query_processes(small):
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
    heavy.join()
    digest = hashlib.sha256(endless.encode()).hexdigest()[:16]
    assert result["response"].status_code == 500
    assert f"sha256:{digest}" in result["response"].text
    assert f"sha256:{digest}" in small.output()
    assert metric(small, "kgpub_sparql_stopped_total", reason="crashed") >= 1
    assert sparql(small, "ASK { ?s ?p ?o }").json()["boolean"] is True, "fresh processes answer"


# --- 2. Bounded memory ---------------------------------------------------------------------------

def test_two_cartesian_products_are_stopped_at_the_memory_limit(small):
    pids = lambda: [small.process.pid, *descendants(small.process.pid)]
    idle = resident_mb(pids())
    answers, peak = [], [idle]
    threads = [threading.Thread(target=lambda: answers.append(sparql(small, CARTESIAN_SORT))) for _ in range(2)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak.append(resident_mb(pids()))
        time.sleep(0.05)
    assert [a.status_code for a in answers] == [503, 503]
    assert all("too expensive" in a.text and "300 MB" in a.text for a in answers)
    assert max(peak) < idle + 2 * 300 + 300, f"the server grew from {idle:.0f} MB to {max(peak):.0f} MB"
    assert metric(small, "kgpub_sparql_stopped_total", reason="memory") >= 2
    assert sparql(small, "ASK { ?s ?p ?o }").json()["boolean"] is True


# --- 3. Fair under load --------------------------------------------------------------------------

def test_queries_beyond_the_processes_and_the_queue_are_refused_at_once_and_pages_still_answer(small):
    answers, started = [], time.monotonic()

    def heavy(client: str):
        response = sparql_from(small, CARTESIAN_COUNT, client)
        answers.append((response, time.monotonic() - started))

    # five clients: 2 run, 1 waits, 2 are refused
    threads = [threading.Thread(target=heavy, args=(f"127.0.0.{n}",)) for n in range(2, 7)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    page_times = []
    for _ in range(10):
        began = time.monotonic()
        assert small.get("/").status_code == 200
        assert small.get("/healthz").status_code == 200
        page_times.append(time.monotonic() - began)
    for thread in threads:
        thread.join()
    # A running query may end in a 503 of its own (past its memory or time limit): the refusals are
    # the answers that say the queue is full. They come at once: before the waiting query's answer,
    # which needs a running one to end first (a bound in seconds failed on a loaded machine).
    seen = [(r.status, r.body[:120], round(t, 2)) for r, t in answers]
    refused = [(r, t) for r, t in answers if r.status == 503 and b"queue is full" in r.body]
    served = [t for r, t in answers if (r, t) not in refused]
    assert len(refused) >= 2, seen
    assert all(r.getheader("Retry-After") for r, _ in refused), seen
    assert max(t for _, t in refused) < max(served), seen
    assert max(page_times) < 1.0, f"pages waited behind the queries: {page_times}"


def test_a_client_past_its_query_time_budget_gets_429_and_others_do_not(tmp_path):
    cli = Cli(tmp_path / "store")
    cli.ingest(SEED, PURE_API)
    server = Server(cli, workers=1, args=("--proxy-hops", "1"), env={"KGPUB_QUERY_BUDGET": "1"})
    try:
        alice = {"Accept": JSON, "X-Forwarded-For": "198.51.100.7"}
        statuses = [sparql(server, CARTESIAN_COUNT, headers=alice).status_code for _ in range(3)]
        refused = sparql(server, "ASK {}", headers=alice)
        assert refused.status_code == 429, statuses
        assert int(refused.headers["Retry-After"]) >= 1 and "seconds of query time" in refused.text
        bob = sparql(server, "ASK {}", headers={"Accept": JSON, "X-Forwarded-For": "203.0.113.9"})
        assert bob.status_code == 200
        assert server.get("/").status_code == 200, "pages are not rationed"
        assert metric(server, "kgpub_sparql_refused_total", reason="budget") >= 1
    finally:
        server.stop()


def test_one_client_takes_neither_every_query_process_nor_the_whole_queue(small):
    """Ten heavy queries at once from one client: one runs, one waits (the queue here is 1), eight
    are refused with 429; another client's query still gets the second process at once."""
    alice = {"Accept": JSON}
    answers, started = [], time.monotonic()

    def heavy():
        response = sparql(small, CARTESIAN_COUNT, headers=alice)
        answers.append((response.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=heavy) for _ in range(10)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    began = time.monotonic()
    other = sparql_from(small, "ASK { ?s ?p ?o }", "127.0.0.9")
    took = time.monotonic() - began
    for thread in threads:
        thread.join()
    refused = [t for status, t in answers if status == 429]
    assert len(refused) == 8 and all(t < 1 for t in refused), answers
    assert other.status == 200 and json.loads(other.body)["boolean"] is True
    assert took < 2, f"the other client waited {took:.1f} s"
    assert metric(small, "kgpub_sparql_refused_total", reason="client") >= 8


# --- 3. Slow clients -----------------------------------------------------------------------------

ATTACKER = "127.0.0.2"  # loopback too, but another client than the tests' own requests


def slow_client(server: Server, start: bytes = b"GET / HTTP/1.1\r\n") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), source_address=(ATTACKER, 0))
    sock.sendall(start)
    return sock


def test_two_hundred_slow_clients_cost_normal_traffic_nothing(guarded):
    """200 connections from one address sending a header byte at a time: the first 32 per worker
    are held by the event loop (never a thread) until they get 408; the rest get 429 at once."""
    slow = [slow_client(guarded) for _ in range(200)]
    times, deadline = [], time.monotonic() + 2.5
    while time.monotonic() < deadline:
        for index, sock in enumerate(slow):
            try:
                sock.send(b"X")
            except OSError:  # refused: open another, as an attacker would
                slow[index] = slow_client(guarded)
        began = time.monotonic()
        assert guarded.get("/healthz", timeout=10).status_code == 200
        assert guarded.get("/", timeout=10).status_code == 200
        times.append(time.monotonic() - began)
        time.sleep(0.2)
    assert max(times) < 1.0, f"normal requests waited: {times}"
    time.sleep(3.5)  # past KGPUB_REQUEST_TIMEOUT=3
    answers = []
    for sock in slow:
        sock.settimeout(5)
        try:
            answers.append(sock.recv(100)[:32])
        except OSError:
            answers.append(b"reset")
        sock.close()
    assert answers.count(b"HTTP/1.1 408 Request Timeout\r\nCo") >= 32, set(answers)
    assert set(answers) <= {b"HTTP/1.1 408 Request Timeout\r\nCo", b"HTTP/1.1 429 Too Many Requests\r\n", b"reset"}


def test_a_client_pipelining_a_slow_request_holds_no_thread(small):
    """A whole request and the start of the next in one go: the next one waits in the event loop.
    (One worker, so that no request of the test's can go to a worker the attack missed.)"""
    assert_pages_served_during(small, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n")


def test_a_slow_chunked_body_holds_no_thread(small):
    """A chunk that says it is 1 MiB long, then a byte now and then: the body has not arrived."""
    start = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n100000\r\n0\r\n\r\n")
    assert_pages_served_during(small, start)


def assert_pages_served_during(server: Server, start: bytes) -> None:
    """30 clients that sent `start` and then go slowly: the home page still comes within a second."""
    slow = [slow_client(server, start) for _ in range(30)]
    time.sleep(1)
    began = time.monotonic()
    assert server.get("/", timeout=10).status_code == 200
    assert time.monotonic() - began < 1.0
    for sock in slow:
        sock.close()


def test_a_slow_body_does_not_hold_a_thread_either(small):
    slow = [slow_client(small, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: 100\r\n\r\nASK") for _ in range(30)]
    time.sleep(0.5)
    began = time.monotonic()
    assert sparql(small, "ASK {}").json()["boolean"] is True
    assert time.monotonic() - began < 1.0
    for sock in slow:
        sock.close()


# --- 2. Bodies over the limit --------------------------------------------------------------------

def stored_outputs(server: Server) -> int:
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/graph/output/')) }"
    return int(sparql(server, query).json()["results"]["bindings"][0]["n"]["value"])


def test_a_chunked_upload_over_the_limit_is_refused_whole(guarded):
    entries = "".join(f"@article{{k{i}, title={{Chunked entry number {i}}}, author={{Doe, Jane}}, year={{2020}}, "
                      f"journal={{J}}}}\n" for i in range(1500)).encode()
    assert len(entries) > 50000
    before = stored_outputs(guarded)
    chunks = (entries[i:i + 8192] for i in range(0, len(entries), 8192))
    response = requests.post(guarded.url + "/ingest?format=bibtex", data=chunks, timeout=60,
                             headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-bibtex"})
    assert response.status_code == 413 and "nothing was done" in response.text
    assert stored_outputs(guarded) == before


def test_a_small_upload_nested_deep_costs_no_memory(guarded):
    """issue 11: a 48 KB JSON file of nested arrays through POST /ingest left a worker at 1.37 GB."""
    def upload(body: bytes) -> requests.Response:
        return requests.post(guarded.url + "/ingest?format=csl-json", data=body, timeout=60,
                             headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})

    for _ in range(2):  # each worker loads the importers and the shapes once
        upload(b'[{"type": "article-journal", "title": "Warm-up"}]')
    before = resident_mb([guarded.process.pid, *descendants(guarded.process.pid)])
    response = upload(b"[" + b"[" * 24000 + b"]" * 24000 + b"]")
    assert response.status_code == 422 and "nests more than 64 levels deep" in response.text
    grown = resident_mb([guarded.process.pid, *descendants(guarded.process.pid)]) - before
    assert grown < 100, f"the server grew by {grown:.0f} MB"


def test_a_chunked_query_body_over_the_public_limit_is_refused(guarded):
    body = b"ASK {} #" + b"x" * (1024 * 1024 + 10)
    response = requests.post(guarded.url + "/sparql", data=(body[i:i + 65536] for i in range(0, len(body), 65536)),
                             headers={"Content-Type": "application/sparql-query"}, timeout=60)
    assert response.status_code == 413


# --- 6. The smaller points -----------------------------------------------------------------------

def test_redirects_never_take_their_host_from_the_request(guarded):
    response = guarded.get("/dumps", headers={"Host": "evil.example.com"})
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == "/dumps/"


def test_head_answers_wherever_get_does(guarded):
    iri = next(line for line in sparql(guarded, "SELECT ?s WHERE { ?s a <http://purl.org/spar/fabio/JournalArticle> } "
                                       "LIMIT 1", headers={"Accept": "text/csv"}).text.splitlines()[1:])
    key = iri.strip().rsplit("/", 1)[1]
    paths = ["/", "/search?q=climate", "/sparql?query=ASK%7B%7D", "/sparql", f"/doc/output/{key}",
             f"/doc/output/{key}.ttl", f"/id/output/{key}", f"/cite/output/{key}/apa", "/healthz", "/metrics",
             "/.well-known/void", "/catalog", "/shapes/records", "/context/v1.jsonld", "/dumps/", "/static/kgpub.css",
             "/graph-store?default", "/doc/output/nothing-here"]
    for path in paths:
        get = guarded.get(path)
        head = requests.head(guarded.url + path, timeout=30, allow_redirects=False)
        assert head.status_code == get.status_code, path
        assert head.content == b""
        assert head.headers.get("Content-Type") == get.headers.get("Content-Type"), path


def test_pages_carry_security_headers(guarded):
    for path in ("/", "/sparql", "/search?q=x", "/doc/output/nothing-here"):
        response = guarded.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert guarded.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON}
                       ).headers["X-Content-Type-Options"] == "nosniff"


def test_a_store_whose_files_cannot_be_read_answers_503_not_500(tmp_path):
    cli = Cli(tmp_path / "store")
    cli.ingest(SEED)
    server = Server(cli, workers=1)
    try:
        (cli.store / "kgpub" / "search.sqlite").write_bytes(b"not a database" * 100)
        for path in ("/", "/search?q=climate"):
            response = server.get(path)
            assert response.status_code == 503, path
            assert "data store is not available" in response.text and response.headers["Retry-After"]
        health = server.get("/healthz")
        assert health.status_code == 503 and "cannot read the store" in health.text
    finally:
        server.stop()
