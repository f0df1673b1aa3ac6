"""Shared test helpers: where the shared data lives, and running the real `kgpub` command."""
from __future__ import annotations

import http.server
import json
import os
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
NORDIC_TOPIC = REPO / "tests" / "fixtures" / "server" / "nordic-topic.txt"  # IRIs beyond ASCII

sys.path.insert(0, str(REPO))  # so tests can use bench/synthetic.py


def pytest_configure(config):
    if not SHARED_DATA.is_dir():
        raise pytest.UsageError(f"the shared test data is missing: expected {SHARED_DATA}")


NOT_GROUPED = ("pytest-xdist did not keep this module's tests on one worker (--dist loadgroup), so they "
               "would fail at random: this pytest and pytest-xdist do not work together (pytest 9.2 broke "
               "grouping for xdist 3.8; see pyproject.toml)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Some modules share one server and build on what earlier tests wrote (xdist_group). Under
    `--dist loadgroup` xdist marks their node ids with '@group'; when it did not, each such test
    fails with the reason rather than at random (see require_grouping)."""
    if getattr(config.option, "loadgroup", False):
        for item in items:
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
                item.add_marker(pytest.mark.not_grouped)


@pytest.fixture(autouse=True)
def require_grouping(request):
    if request.node.get_closest_marker("not_grouped"):
        pytest.fail(NOT_GROUPED)


class Cli:
    """Runs `kgpub` as a user would, in a subprocess, against one store folder."""

    def __init__(self, store: Path):
        self.store = store

    def __call__(self, *args: str, check_exit: int | None = 0, env: dict | None = None,
                 **kwargs) -> subprocess.CompletedProcess:
        env = {**os.environ, "KGPUB_STORE": str(self.store), "KGPUB_BASE": BASE, **(env or {})}
        result = subprocess.run([sys.executable, "-m", "kgpub", *args], capture_output=True,
                                text=True, env=env, timeout=600, **kwargs)
        if check_exit is not None and result.returncode != check_exit:
            raise AssertionError(f"kgpub {' '.join(args)} exited {result.returncode}, wanted {check_exit}\n"
                                 f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}")
        return result

    def ingest(self, *paths, check_exit: int | None = 0, report: Path | None = None) -> list[dict]:
        report = report or self.store.parent / "report.json"
        self("ingest", "--report", str(report), *map(str, paths), check_exit=check_exit)
        return json.loads(report.read_text())


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path / "store")


class Server:
    """`kgpub serve` running for real (gunicorn, worker processes) on a free loopback port."""

    def __init__(self, cli: Cli, workers: int = 2, page_size: int | None = None, env: dict | None = None,
                 args: tuple[str, ...] = ()):
        self.cli = cli
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KGPUB_STORE": str(cli.store), "KGPUB_BASE": BASE, **(env or {})}
        if page_size:
            env["KGPUB_PAGE_SIZE"] = str(page_size)
        self.log = open(cli.store.parent / "server.log", "w+")
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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Server:
    """One server over the seed, the real Pure API records, the examples and a hostile title,
    shared by the tests that only read; `site.iris` maps each source file name to its IRI."""
    cli = Cli(tmp_path_factory.mktemp("site") / "store")
    report = cli.ingest(SEED, PURE_API, REPO / "examples", SCRIPT_TITLE, NORDIC_TOPIC)
    server = Server(cli)
    server.iris = {row["source"].split("/")[-1].split(":")[0]: row["iri"] for row in report}
    yield server
    server.stop()
