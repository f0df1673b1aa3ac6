"""Reading a query's text before it runs (graph/sparql_text.py), and what the public endpoint
refuses because of it (server/query_limits.py). The SERVICE cases are the ways a federated call
can be written that the engine accepts: each was checked against pyoxigraph (see
test_every_way_of_writing_service_that_the_engine_runs_is_found)."""
from __future__ import annotations

import os

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import loopback_service
from kgpub.graph import sparql_text
from kgpub.server import query_limits
from kgpub.server.query_limits import QueryRefused

ENDPOINT = "http://data.example.edu/sparql"
WAYS_OF_CALLING = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "lower case": "select * where { service <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "no spaces": "SELECT * WHERE{SERVICE<{url}>{?s ?p ?o}}",
    "comment between": "SELECT * WHERE { SERVICE # the target\n <{url}> { ?s ?p ?o } }",
    "prefixed name": "PREFIX x: <{root}> SELECT * WHERE { SERVICE x:x { ?s ?p ?o } }",
    "relative to BASE": "BASE <{root}> SELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",
    "escaped IRI": "SELECT * WHERE { SERVICE <{root}\\u0078> { ?s ?p ?o } }",
    "after an escaped name": "PREFIX e: <http://e/> SELECT * WHERE { OPTIONAL { ?s e:a\\# ?o } SERVICE <{url}> {} }",
    "right after a dot": "ASK { {}.SERVICE <{url}> {} }",
    "after a variable and a dot": "SELECT * WHERE { OPTIONAL { ?s ?p ?o.SERVICE <{url}> {} } }",
    "in ASK": "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "in a subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
}


def written(way: str, root: str) -> str:
    return WAYS_OF_CALLING[way].replace("{url}", root + "x").replace("{root}", root)


@pytest.fixture(scope="module")
def listener():
    """A loopback service counting the requests it gets (a federated call answered with no rows)."""
    with loopback_service(lambda path: (200, b'{"head":{"vars":["s","p","o"]},"results":{"bindings":[]}}')) as found:
        yield found


@pytest.mark.parametrize("way", WAYS_OF_CALLING)
def test_every_way_of_writing_service_that_the_engine_runs_is_found(way, listener):
    root, hits = listener
    query = written(way, root)
    before = len(hits)
    result = pyoxigraph.Store().query(query)
    list(result) if not isinstance(result, pyoxigraph.QueryBoolean) else bool(result)
    assert len(hits) == before + 1, "the engine does call out for this way of writing it"
    assert [call.iri for call in sparql_text.service_calls(query, ENDPOINT)] == [root + "x"]


GLUE = ["", " ", "\n", "#c\n", "\t"]
PIECES = ["{}", "{", "}", ".", ";", "?c", "$c", "1", "1.5", "a", "<http://e/p>", "e:a", "e:a.b", "SILENT", "OPTIONAL",
          "UNION", "FILTER(true)", "BIND(1 AS ?z)", "VALUES ?v {1}", '"s"', "GRAPH ?g", "[]", "()", "_:b", "e:a\\#",
          "?s ?p ?o", "{}.", "?s ?p ?o.", "?s ?p <http://e/o>.", "?s ?p 1.", "?s ?p e:a.", "FILTER(true)."]
CALLS = ["SERVICE <{url}x> {}", "service <{url}x> {}", "SERVICE SILENT <{url}x> {}", "SERVICE l:x {}",
         "SERVICE l:x.y {}", "SERVICE <x> {}"]


@settings(max_examples=int(os.environ.get("KGPUB_FUZZ_EXAMPLES", "300")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.tuples(st.sampled_from(GLUE), st.sampled_from(PIECES)), max_size=6),
       glue=st.sampled_from(GLUE), call=st.sampled_from(CALLS),
       after=st.lists(st.tuples(st.sampled_from(GLUE), st.sampled_from(PIECES)), max_size=4))
def test_whenever_the_engine_calls_out_the_call_is_found(listener, before, glue, call, after):
    """The engine is the judge: any text it makes a request for must show a SERVICE call here."""
    root, hits = listener
    body = "".join(g + p for g, p in before) + glue + call.replace("{url}", root) + "".join(g + p for g, p in after)
    query = f"BASE <{root}> PREFIX e: <http://e/> PREFIX l: <{root}> SELECT * WHERE {{ {body} }}"
    asked = len(hits)
    try:
        result = pyoxigraph.Store().query(query)
        list(result) if not isinstance(result, pyoxigraph.QueryBoolean) else bool(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    calls = sparql_text.service_calls(query, ENDPOINT)
    if len(hits) > asked:
        assert calls, f"the engine called out for {query!r}, which was not found"


def test_service_in_strings_iris_and_comments_is_not_a_call():
    query = ('SELECT * WHERE { ?s <http://e/SERVICE> "SERVICE <http://x/>" . # SERVICE <http://y/>\n'
             '?s <http://e/p> """SERVICE\n<http://z/>""" . ?s e:SERVICE ?SERVICE }')
    assert sparql_text.service_calls(query, ENDPOINT) == []


def test_a_variable_service_has_no_iri():
    [call] = sparql_text.service_calls("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", ENDPOINT)
    assert call.iri is None and call.written == "?endpoint"


def test_nesting_depth_counts_brackets_outside_strings_and_iris():
    assert sparql_text.nesting_depth('SELECT * WHERE { { FILTER((1)) } } ') == 4
    assert sparql_text.nesting_depth('SELECT * WHERE { ?s ?p "{{{{{{" . ?s ?p <http://e/(((> }') == 1
    assert sparql_text.nesting_depth("SELECT * WHERE " + "{" * 3000 + "}" * 3000) == 3000


def test_dataset_clause_is_a_keyword_not_a_word_in_a_string():
    assert sparql_text.has_dataset_clause("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    assert sparql_text.has_dataset_clause("select * from named <http://g> { graph ?g { ?s ?p ?o } }")
    assert not sparql_text.has_dataset_clause('SELECT * WHERE { ?s <http://e/from> "FROM" . ?s e:FROM ?o }')


def test_blanked_keeps_positions_and_hides_iris_strings_comments():
    text = 'SELECT ?s WHERE { ?s <http://e/WHERE> "WHERE" } # WHERE'
    blank = sparql_text.blanked(text)
    assert len(blank) == len(text) and blank.count("WHERE") == 1 and blank.index("WHERE") == text.index("WHERE")


# --- what the endpoint refuses -------------------------------------------------------------------

def config(**overrides) -> dict:
    return {"SERVICE_ALLOW": (), "SERVICE_ALLOW_PRIVATE": False, "MAX_QUERY_DEPTH": 64, **overrides}


@pytest.mark.parametrize("way", WAYS_OF_CALLING)
def test_service_is_refused_when_no_endpoint_is_allowed(way):
    with pytest.raises(QueryRefused, match="does not run federated queries"):
        query_limits.check(written(way, "http://127.0.0.1:9934/"), ENDPOINT, config())


def test_an_allowed_endpoint_must_match_scheme_host_port_and_path():
    allowed = config(SERVICE_ALLOW=("https://query.example.org/sparql",), SERVICE_ALLOW_PRIVATE=True)
    assert query_limits.check("SELECT * { SERVICE <https://query.example.org/sparql> {} }", ENDPOINT,
                              allowed) == ["https://query.example.org/sparql"]
    assert query_limits.check("SELECT * { SERVICE <https://query.example.org/sparql/sub> {} }", ENDPOINT, allowed)
    for other in ("https://query.example.org.evil.test/sparql", "http://query.example.org/sparql",
                  "https://query.example.org:8443/sparql", "https://query.example.org/other",
                  "https://user@query.example.org/sparql", "https://query.example.org/sparqlx",
                  "https://query.example.org/sparql/../admin", "https://query.example.org/sparql/%2e%2e/admin"):
        with pytest.raises(QueryRefused, match="not one of the endpoints"):
            query_limits.check(f"SELECT * {{ SERVICE <{other}> {{}} }}", ENDPOINT, allowed)


def test_an_allowed_endpoint_on_a_loopback_or_private_address_is_refused_unless_said():
    for url in ("http://127.0.0.1:9934/sparql", "http://localhost:9934/sparql", "http://10.1.2.3/sparql",
                "http://[::1]:9934/sparql", "http://169.254.169.254/latest"):
        allowed = config(SERVICE_ALLOW=(url,))
        with pytest.raises(QueryRefused, match="not a public address"):
            query_limits.check(f"SELECT * {{ SERVICE <{url}> {{}} }}", ENDPOINT, allowed)
        assert query_limits.check(f"SELECT * {{ SERVICE <{url}> {{}} }}", ENDPOINT,
                                  config(SERVICE_ALLOW=(url,), SERVICE_ALLOW_PRIVATE=True)) == [url]


def test_a_variable_service_is_refused_even_with_an_allow_list():
    with pytest.raises(QueryRefused, match="not a variable"):
        query_limits.check("SELECT * { SERVICE ?e {} }", ENDPOINT, config(SERVICE_ALLOW=("https://q.example.org/",)))


def test_a_service_iri_the_engine_cannot_read_is_refused_not_a_failure():
    for target in ("<http://[::1>", "<http://a/\\U0011FFFF>"):
        with pytest.raises(QueryRefused):
            query_limits.check(f"SELECT * WHERE {{ SERVICE {target} {{}} }}", ENDPOINT,
                               config(SERVICE_ALLOW=("http://a/",)))
    with pytest.raises(QueryRefused):
        query_limits.check("BASE <http://[x/> SELECT * WHERE { SERVICE <y> {} }", ENDPOINT, config())


def test_deep_nesting_is_refused_with_the_depth_and_the_limit():
    with pytest.raises(QueryRefused, match="3000 levels deep; this endpoint takes at most 64"):
        query_limits.check("SELECT * WHERE " + "{" * 3000 + "}" * 3000, ENDPOINT, config())
    assert query_limits.check("SELECT * WHERE " + "{" * 64 + "}" * 64, ENDPOINT, config()) == []
