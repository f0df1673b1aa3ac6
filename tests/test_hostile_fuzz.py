"""Fuzzing the real server with hypothesis: whatever a client sends (queries made of SPARQL's own
tokens, paths, Accept headers, upload bodies), the answer is never a 5xx other than the 503s the
limits give, and the server is still up afterwards. A few dozen cases by default; set
KGPUB_FUZZ_EXAMPLES=2000 for a long run."""
from __future__ import annotations

import json
import os
import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PURE_API, SEED, Cli, Server

EXAMPLES = int(os.environ.get("KGPUB_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TOKEN = "fuzz-token"
CLIENT_ERRORS_AND_LIMITS = {400, 404, 405, 406, 410, 413, 414, 415, 422, 429, 503}
SPARQL_TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",",
                 "?s", "?p", "?o", "$x", "*", "a", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE",
                 "BIND", "AS", "VALUES", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET", "DISTINCT", "COUNT",
                 "REGEX", "STR", "CONCAT", "IF", "EXISTS", "NOT", "FROM", "NAMED", "PREFIX", "BASE", "dcterms:title",
                 "<http://purl.org/dc/terms/title>", "<x>", "<>", '"text"', "'x'", '"""long"""', "1", "-2.5e3",
                 "true", "+", "-", "/", "|", "^", "!", "&&", "||", "=", "<", ">", "#comment\n", "\\u0053", "_:b",
                 "@en", "^^", "SILENT", "INSERT DATA", "LOAD", "CLEAR ALL", "\x00", "é", "\U0001F600"]


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    cli = Cli(tmp_path_factory.mktemp("fuzz") / "store")
    cli.ingest(SEED, PURE_API)
    server = Server(cli, args=("--query-timeout", "2"),
                    env={"KGPUB_QUERY_BUDGET": "0", "KGPUB_ADMIN_TOKEN": TOKEN, "KGPUB_MAX_UPLOAD_BYTES": "20000"})
    yield server
    assert server.get("/healthz").status_code == 200, "the server is still up"
    server.stop()


def assert_handled(response: requests.Response) -> None:
    assert response.status_code < 500 or response.status_code == 503, \
        f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        assert response.text.strip(), "an error says why"


@FUZZ
@given(st.lists(st.sampled_from(SPARQL_TOKENS), min_size=1, max_size=40).map(" ".join))
def test_queries_of_sparql_tokens_never_break_the_endpoint(target, query):
    response = requests.post(target.url + "/sparql", data=query.encode("utf-8", "surrogatepass"), timeout=30,
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
    assert_handled(response)


SEGMENT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@FUZZ
@given(prefix=st.sampled_from(["/doc/output/", "/id/output/", "/doc/journal/", "/id/person/", "/cite/output/",
                               "/search?q=", "/dumps/", "/graph-store?graph=", "/sparql?query=", "/static/",
                               "/context/", "/doc/asjc/", "/linkset/output/", "/resolve?doi=",
                               "/resolve?isbn=", "/resolve?orcid=", "/resolve?pure=", "/oai?verb=",
                               "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=", "/sitemap-", "/",
                               "/oai?verb=ListRecords&metadataPrefix=oai_openaire&set=",
                               "/resourcesync/resourcelist-", "/resourcesync/changelist-",
                               "/reconcile?queries=", "/reconcile?extend=", "/reconcile/suggest/entity?prefix=",
                               "/reconcile/suggest/type?prefix=", "/reconcile/preview?id=", "/reconcile/flyout?id=",
                               "/reconcile/properties?type="]),
       rest=st.lists(SEGMENT, max_size=3).map("/".join),
       accept=st.one_of(st.none(), st.text(string.ascii_letters + string.digits + "/*;=.,+-_ \"'()", max_size=40)
                        .map(str.strip),
                        st.sampled_from(["text/turtle", "application/ld+json;profile=x", "*/*;q=abc", "text/html"])))
def test_any_path_and_accept_header_get_an_answer(target, prefix, rest, accept):
    url = target.url + prefix + requests.utils.quote(rest, safe="/?=&")
    headers = {"Accept": accept} if accept is not None else {}
    assert_handled(requests.get(url, headers=headers, timeout=30, allow_redirects=False))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=4),
                    max_leaves=20)
RECONCILIATION_QUERY = st.fixed_dictionaries({}, optional={
    "query": st.text(max_size=80) | JSON,
    "type": st.sampled_from(["output", "person", "journal", "asjc", "type/contributiontojournal/article", "x"]) | JSON,
    "limit": st.integers(-3, 10 ** 9) | JSON,
    "properties": st.lists(st.fixed_dictionaries({
        "pid": st.sampled_from(["doi", "year", "journal", "issn", "author", "orcid", "subject", "x"]) | JSON,
        "v": st.text(max_size=40) | JSON})) | JSON})
EXTENSION_QUERY = st.fixed_dictionaries({
    "ids": st.lists(st.text(max_size=40) | st.just("output/x"), max_size=5) | JSON,
    "properties": st.lists(st.fixed_dictionaries({"id": st.text(max_size=10) | JSON}, optional={"settings": JSON}))})


@FUZZ
@given(field=st.sampled_from(["queries", "extend"]),
       body=st.dictionaries(st.text(max_size=8), RECONCILIATION_QUERY | JSON, max_size=5) | EXTENSION_QUERY | JSON)
def test_any_reconciliation_request_is_answered_or_refused(target, field, body):
    response = requests.post(target.url + "/reconcile", data={field: json.dumps(body)}, timeout=30)
    assert_handled(response)


@FUZZ
@given(body=st.binary(max_size=3000),
       media_type=st.sampled_from(["text/plain", "application/x-bibtex", "application/x-research-info-systems",
                                   "application/json", "text/csv", "application/vnd.citationstyles.csl+json",
                                   "application/octet-stream", "image/png", ""]))
def test_any_upload_is_read_or_refused_never_a_failure(target, body, media_type):
    response = requests.post(target.url + "/ingest", data=body, timeout=60,
                             headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": media_type})
    assert_handled(response)
