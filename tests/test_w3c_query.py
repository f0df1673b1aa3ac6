"""The W3C SPARQL 1.1 and 1.0 query-evaluation tests, over HTTP against `kgpub serve`.

One server for the session; each test's data is loaded through the Graph Store Protocol the first
time a test needs it (tests/w3c/loading.py), the query is sent with the test's dataset in the
protocol's parameters (tests/w3c/evaluation.py), and the answer is compared with the expected
result up to blank-node renaming (tests/w3c/results.py).

tests/w3c/known-failures.tsv lists the tests our endpoint fails, each with the reason. A test
not listed must pass; a listed one must still fail (remove it once it passes).
Entailment-regime tests and federated queries (SERVICE) are not run: the endpoint offers neither.
"""
from __future__ import annotations

import pytest
import requests

from tests.conftest import Cli, Server
from tests.w3c import evaluation, loading
from tests.w3c.suite import SUITES, evaluation_tests

ALL_TESTS = {suite: evaluation_tests(suite) for suite in SUITES}
RUNNABLE = [t for tests in ALL_TESTS.values() for t in tests if evaluation.runnable(t)]
KNOWN_FAILURES = evaluation.known_failures()


class Endpoint:
    """The server under test, with every test's data loaded, and each test's outcome, evaluated once."""

    def __init__(self, server: Server):
        self.server = server
        self.session = requests.Session()
        self.outcomes: dict[str, str | None] = {}

    def outcome(self, test) -> str | None:
        if test.id not in self.outcomes:
            self.outcomes[test.id] = evaluation.evaluate(test, self.session, self.server.url)
        return self.outcomes[test.id]


@pytest.fixture(scope="session")
def endpoint(tmp_path_factory):
    """Many tests share data files: each (file, graph) is loaded once, all before the first query."""
    cli = Cli(tmp_path_factory.mktemp("w3c-query") / "store")
    files = list(dict.fromkeys(f for t in RUNNABLE for f in evaluation.graph_files(t)))
    loading.create_store(cli.store, preload=files if loading.LOADER == "store" else ())
    endpoint = Endpoint(Server(cli, workers=1, env={"KGPUB_ADMIN_TOKEN": loading.ADMIN_TOKEN}))
    if loading.LOADER == "graph-store":
        loading.GraphStore(endpoint.session, endpoint.server.url).load(files)
    yield endpoint
    endpoint.session.close()
    endpoint.server.stop()


def short_id(test) -> str:
    """'…/data-sparql11/aggregates/manifest#agg01' -> 'sparql11/aggregates#agg01'."""
    folder = test.query_file.parent
    return f"{folder.parent.name}/{folder.name}#{test.id.split('#')[1]}"


@pytest.mark.parametrize("test", RUNNABLE, ids=short_id)
def test_w3c_query_evaluation(endpoint, test):
    failure = endpoint.outcome(test)
    if test.id in KNOWN_FAILURES:
        assert failure is not None, f"{test.id} passes now: remove it from tests/w3c/known-failures.tsv"
    else:
        assert failure is None, f"{test.id} ({test.name}):\n{failure}"


def test_graph_store_put_keeps_exactly_the_triples_sent(endpoint):
    triple = "<http://example.org/s> <http://example.org/p> \"o\" .\n"
    graph = "http://example.org/w3c-harness/put-check"
    put = endpoint.session.put(f"{endpoint.server.url}/graph-store", params={"graph": graph}, data=triple,
                               headers={"Content-Type": "application/n-triples",
                                        "Authorization": f"Bearer {loading.ADMIN_TOKEN}"}, timeout=30)
    assert put.status_code in (201, 204)
    got = endpoint.session.get(f"{endpoint.server.url}/graph-store", params={"graph": graph},
                               headers={"Accept": "application/n-triples"}, timeout=30)
    assert got.text == triple


def test_known_failures_are_runnable_tests_with_a_reason():
    runnable = {t.id for t in RUNNABLE}
    assert not set(KNOWN_FAILURES) - runnable, "known failures that are not (runnable) W3C tests"
    assert all(reason.strip() for reason in KNOWN_FAILURES.values())


@pytest.mark.parametrize("suite", SUITES)
def test_w3c_pass_counts(endpoint, suite, request):
    """Prints e.g. 'SPARQL 1.1: 225/232 passed (70 entailment, 7 federated not run)'."""
    tests = ALL_TESTS[suite]
    runnable = [t for t in tests if evaluation.runnable(t)]
    passed = sum(endpoint.outcome(t) is None for t in runnable)
    line = (f"{suite}: {passed}/{len(runnable)} passed ({sum(t.entailment for t in tests)} entailment, "
            f"{sum(t.federated for t in tests)} federated not run)")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    print(line)
    assert passed == len(runnable) - sum(t.id in KNOWN_FAILURES for t in runnable), line
