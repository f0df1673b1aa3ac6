"""Shared test helpers: where the shared data lives, and running the real `kgpub` command."""
from __future__ import annotations

import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SEED = SHARED_DATA / "seed-record.txt"
PURE_API = SHARED_DATA / "real" / "pure-api"
BASE = "https://data.example.edu/"
SCRIPT_TITLE = REPO / "tests" / "fixtures" / "server" / "script-title.txt"
# A Crossref work with the DOI of a row of OpenCitations Meta's example (oc_meta-example_metadata.csv:4):
# imported after it, the two sources make one record.
CROSSREF_OF_AN_OC_META_WORK = (
    '{"status": "ok", "message-type": "work", "message": {"DOI": "10.1109/20.877674", "type": "journal-article", '
    '"title": ["An investigation of FEM-FCT method"], "container-title": ["IEEE Transactions on Magnetics"], '
    '"volume": "36"}}')
NORDIC_TOPIC = REPO / "tests" / "fixtures" / "server" / "nordic-topic.txt"  # IRIs beyond ASCII

sys.path.insert(0, str(REPO))  # so tests can use bench/synthetic.py


def pytest_configure(config):
    if not SHARED_DATA.is_dir():
        raise pytest.UsageError(f"the shared test data is missing: expected {SHARED_DATA}")


class Cli:
    """Runs `kgpub` as a user would, in a subprocess, against one store: a folder, or the URL of
    a SPARQL server (then `env` holds its other endpoints and credentials, `work` is a folder for
    reports and logs)."""

    def __init__(self, store: Path | str, work: Path | None = None, env: dict | None = None):
        self.store = store
        self.work = work or Path(store).parent
        self.env = env or {}

    def __call__(self, *args: str, check_exit: int | None = 0, env: dict | None = None,
                 **kwargs) -> subprocess.CompletedProcess:
        env = {**os.environ, "KGPUB_STORE": str(self.store), "KGPUB_BASE": BASE, **self.env, **(env or {})}
        result = subprocess.run([sys.executable, "-m", "kgpub", *args], capture_output=True,
                                text=True, env=env, timeout=600, **kwargs)
        if check_exit is not None and result.returncode != check_exit:
            raise AssertionError(f"kgpub {' '.join(args)} exited {result.returncode}, wanted {check_exit}\n"
                                 f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}")
        return result

    def ingest(self, *paths, check_exit: int | None = 0, report: Path | None = None,
               options: tuple[str, ...] = ()) -> list[dict]:
        report = report or self.work / "report.json"
        self("ingest", "--report", str(report), *options, *map(str, paths), check_exit=check_exit)
        return json.loads(report.read_text())


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path / "store")


class Server:
    """`kgpub serve` running for real (gunicorn, worker processes) on a free loopback port."""

    def __init__(self, cli: Cli, workers: int = 2, page_size: int | None = None, env: dict | None = None,
                 args: tuple[str, ...] = (), port: int | None = None):
        self.cli = cli
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KGPUB_STORE": str(cli.store), "KGPUB_BASE": BASE, **cli.env, **(env or {})}
        if page_size:
            env["KGPUB_PAGE_SIZE"] = str(page_size)
        self.log = open(cli.work / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kgpub", "serve", "--port", str(self.port), "--workers", str(workers), *args],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self, seconds: float = 30) -> None:
        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"kgpub serve exited {self.process.returncode}:\n{self.output()}")
            try:
                requests.get(self.url + "/", timeout=2)
                return
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a slow first page
                time.sleep(0.1)
        raise AssertionError(f"kgpub serve did not answer within {seconds} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-5000:]

    def get(self, path: str, **kwargs):
        import requests

        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        return requests.get(self.url + path, **kwargs)

    def get_from(self, address: str, path: str, headers: dict | None = None):
        """GET from another loopback address (127.0.0.2, …): another client than the test's own
        requests, as the server counts clients. The response, its body read into `.body`."""
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(address, 0))
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response

    def stop(self) -> None:
        """Stop it as an operator would (SIGTERM); its workers must exit cleanly."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        log = self.output()
        self.log.close()
        assert "was sent SIG" not in log and "Traceback" not in log, f"the server did not stop cleanly:\n{log}"


def thing_path(iri: str) -> str:
    """'{BASE}id/output/K' -> '/id/output/K': where the test server answers for an IRI."""
    return "/" + iri[len(BASE):]


def doc_path(iri: str) -> str:
    """'{BASE}id/output/K' -> '/doc/output/K': the IRI's document on the test server."""
    return thing_path(iri).replace("/id/", "/doc/", 1)


@contextmanager
def loopback_service(answer: Callable[[str], tuple[int, bytes]]):
    """An HTTP service on loopback, as a machine's private services are: it answers each path with
    `answer(path)` (status, SPARQL JSON body) and records the paths it was asked for. Yields its
    URL (ending in /) and that list."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            status, body = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def required_client(name: str, found: bool, how: str) -> None:
    """A real client the tests need: missing in CI is a failure, locally a skip with the reason."""
    if found:
        return
    message = f"{name} is not installed ({how})"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


class Reply:
    """A test client's response, read as tests read a `requests` response."""

    def __init__(self, response, url: str):
        self.status_code, self.headers, self.content, self.url = response.status_code, response.headers, \
            response.data, url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content)


class App:
    """The Flask app itself over a store, through its test client, with the `get` a Server has:
    for tests of the HTTP contract, where the WSGI server is not what is tested. SPARQL queries
    run in the request thread (no query processes)."""

    url = "http://localhost"

    def __init__(self, cli: Cli, **settings):
        from kgpub.server.app import create_app

        self.cli = cli
        self.app = create_app({"STORE": str(cli.store), "BASE": BASE, "CONCURRENT_QUERIES": 0, **settings})
        self.client = self.app.test_client()

    def request(self, method: str, path: str, headers: dict | None = None, params: dict | None = None,
                allow_redirects: bool = False, data=None, files: dict | None = None, timeout=None) -> Reply:
        """As `requests.request(method, url, …)`; `files` as requests takes them: name -> (file name, bytes, type)."""
        if files:
            data = {name: (io.BytesIO(body), filename, kind) for name, (filename, body, kind) in files.items()}
        response = self.client.open(path, method=method, headers=headers, query_string=params, data=data,
                                    follow_redirects=allow_redirects)
        return Reply(response, self.url + path)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs) -> Reply:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs) -> Reply:
        return self.request("OPTIONS", path, **kwargs)

    def graph(self, reply: Reply, format: str):
        """The RDF a response holds, as an rdflib Graph. A JSON-LD @context of this app is read
        from the app, as a client would fetch it over HTTP."""
        import rdflib

        data = reply.content
        if format == "json-ld":
            document = json.loads(data)
            context = document.get("@context")
            if isinstance(context, str) and context.startswith(self.url):
                document["@context"] = self.get(context[len(self.url):]).json()["@context"]
            data = json.dumps(document)
        return rdflib.Graph().parse(data=data, format=format)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Cli:
    """A store holding the seed, made once; a test that writes takes a copy of its own (seed_copy)."""
    cli = Cli(tmp_path_factory.mktemp("seed") / "store")
    cli.seed_iri = cli.ingest(SEED)[0]["iri"]
    return cli


@pytest.fixture
def seed_copy(seed_store, tmp_path) -> Cli:
    """A store of this test's own, holding the seed (`.seed_iri`)."""
    cli = Cli(tmp_path / "store")
    shutil.copytree(seed_store.store, cli.store)
    cli.seed_iri = seed_store.seed_iri
    return cli


@pytest.fixture(scope="session")
def site_store(tmp_path_factory) -> Cli:
    """A store of the seed, the real Pure API records, the examples and a hostile title;
    `site_store.iris` maps each source file name to its IRI."""
    cli = Cli(tmp_path_factory.mktemp("site") / "store")
    report = cli.ingest(SEED, PURE_API, REPO / "examples", SCRIPT_TITLE, NORDIC_TOPIC)
    cli.iris = {row["source"].split("/")[-1].split(":")[0]: row["iri"] for row in report}
    return cli


@pytest.fixture(scope="session")
def site(site_store) -> Server:
    """`kgpub serve` over the site store, shared by the tests that only read."""
    server = Server(site_store)
    server.iris = site_store.iris
    yield server
    server.stop()


@pytest.fixture(scope="session")
def web(site_store) -> App:
    """The app over the site store, through Flask's test client."""
    app = App(site_store)
    app.iris = site_store.iris
    return app


# --- real SPARQL servers behind the remote store (tests/sparql_servers.py) ---------------------

@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    from sparql_servers import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    from sparql_servers import VirtuosoServer

    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def remote_cli(server, work: Path) -> Cli:
    """A Cli on an emptied remote server, with a cache folder of its own."""
    server.clear()
    return Cli(server.query_url, work=work, env={**server.env, "KGPUB_CACHE": str(work / "cache")})
