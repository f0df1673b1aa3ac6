"""The W3C SPARQL 1.1 Protocol tests against `kgpub serve`, requests sent byte for byte.

Each test is a sequence of requests (an update, then an ASK that checks it). The endpoint is
read-only for the public and takes updates with the admin's bearer token, so the token goes on
every request of the update tests, including the bad ones: their 4xx must come from the protocol
check, not from a missing token. All 34 tests apply to such an endpoint.
Their graphs are loaded through the Graph Store Protocol before each test (updates drop them).
"""
from __future__ import annotations

import http.client
import io

import pytest
import requests
from rdflib import Graph

from tests.conftest import Cli, Server
from tests.w3c import loading, results
from tests.w3c.suite import protocol_tests

BOOLEAN_TYPES = {"application/sparql-results+xml": "xml", "application/sparql-results+json": "json"}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/csv": "csv", "text/tab-separated-values": "tsv"}
# Endpoint bugs, strict: once fixed, the test passes and the xfail must go.
ENDPOINT_BUGS: dict[str, str] = {}  # none now: the base IRI (the endpoint's) came with the tests
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    cli = Cli(tmp_path_factory.mktemp("w3c-protocol") / "store")
    loading.create_store(cli.store)
    server = Server(cli, workers=1, env={"KGPUB_ADMIN_TOKEN": loading.ADMIN_TOKEN})
    yield server
    server.stop()


def send(server: Server, request, token: bool) -> http.client.HTTPResponse:
    """The request exactly as the test gives it: http.client adds only Host (and Content-Length),
    never an Accept or a charset, and follows no redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = dict(request.headers)
    if token:
        headers["Authorization"] = f"Bearer {loading.ADMIN_TOKEN}"
    connection.request(request.method, request.path, body=request.body, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def check_format(request, response) -> None:
    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
    if request.expected_format == "boolean":
        assert media_type in BOOLEAN_TYPES, f"a boolean result came as {media_type}"
        answer = results.parse_results(response.body, BOOLEAN_TYPES[media_type])
        assert answer is request.expected_boolean or request.expected_boolean is None
        assert isinstance(answer, bool)
    elif request.expected_format == "tabular":
        assert media_type in TABULAR_TYPES, f"a SELECT result came as {media_type}"
        assert results.parse_results(response.body, TABULAR_TYPES[media_type]) == \
            [{"value": ("literal", "1", "http://www.w3.org/2001/XMLSchema#integer", "")}]
    elif request.expected_format == "RDF":
        assert media_type in RDF_TYPES, f"a graph came as {media_type}"
        Graph().parse(io.BytesIO(response.body), format=RDF_TYPES[media_type])


def with_known_bugs(tests):
    return [pytest.param(t, id=t.id, marks=[pytest.mark.xfail(strict=True, reason=ENDPOINT_BUGS[t.id])]
                         if t.id in ENDPOINT_BUGS else []) for t in tests]


@pytest.mark.parametrize("test", with_known_bugs(protocol_tests()))
def test_w3c_protocol(server, test):
    if test.graph_data:
        loading.GraphStore(requests, server.url).load(test.graph_data)
    for number, request in enumerate(test.requests, 1):
        response = send(server, request, token=test.is_update)
        context = f"request {number} ({request.method} {request.path[:120]}): {response.status} {response.body[:300]!r}"
        assert response.status // 100 in request.expected_status, context
        if request.expected_format:
            check_format(request, response)
