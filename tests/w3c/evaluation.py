"""Running one W3C query-evaluation test over HTTP, as the SPARQL 1.1 Protocol describes.

The test's dataset goes in the protocol's parameters: `default-graph-uri` for its data files,
`named-graph-uri` for its graphData, both by the files' canonical IRIs. A query with its own
FROM / FROM NAMED gets no parameters (they would override it) and its files are loaded under the
IRIs it names. The endpoint takes no base IRI, so the query is sent with a BASE declaration for
the query file's IRI, which is where its relative IRIs resolve.
"""
from __future__ import annotations

import csv
from pathlib import Path

from tests.w3c import results
from tests.w3c.suite import EvaluationTest

KNOWN_FAILURES = Path(__file__).with_name("known-failures.tsv")
# Named as the default graph when a test has no data: without any dataset parameter the
# endpoint's default graph is the union of all graphs, and the tests want it empty.
EMPTY_GRAPH = "urn:x-kgpub-test:empty-default-graph"


def known_failures() -> dict[str, str]:
    """W3C test id -> why our endpoint fails it."""
    with KNOWN_FAILURES.open(newline="", encoding="utf-8") as rows:
        return {row["id"]: row["reason"] for row in csv.DictReader(rows, delimiter="\t")}


def runnable(test: EvaluationTest) -> bool:
    """Entailment regimes and federated queries (SERVICE) are out of scope for this endpoint."""
    return not (test.entailment or test.federated)


def graph_files(test: EvaluationTest):
    return test.dataset_clause_files() if test.has_dataset_clause else test.data + test.graph_data


def request_fields(test: EvaluationTest) -> list[tuple[str, str]]:
    fields = [("query", f"BASE <{test.query_iri}>\n{test.query}")]
    if not test.has_dataset_clause:
        fields += [("default-graph-uri", f.iri) for f in test.data or ()] or [("default-graph-uri", EMPTY_GRAPH)]
        fields += [("named-graph-uri", f.iri) for f in test.graph_data]
    return fields


def accept(test: EvaluationTest) -> tuple[str, str]:
    """The media type to ask for, matching the expected file's format, and its rdflib parser."""
    suffix = test.result_file.suffix
    if test.form in ("construct", "describe"):
        return results.GRAPH_FORMATS[suffix]
    return results.RESULT_FORMATS.get(suffix, results.DEFAULT_RESULTS)


def evaluate(test: EvaluationTest, session, url: str) -> str | None:
    """None when the endpoint answers as expected, else what went wrong (its data loaded before)."""
    media_type, parser = accept(test)
    fields = request_fields(test)
    response = session.post(url + "/sparql", data=fields, headers={"Accept": media_type}, timeout=60)
    sent = f"POST /sparql Accept: {media_type} " + " ".join(f"{k}={v!r}" for k, v in fields[1:])
    if response.status_code != 200:
        return f"{sent}\nanswered {response.status_code}: {response.text[:1000]}"
    expected = results.read_expected(test.result_file, test.result_iri, test.form)
    try:
        if test.form in ("construct", "describe"):
            actual = results.parse_graph(response.content, parser, test.query_iri)
        else:
            actual = results.parse_results(response.content, parser)
    except Exception as err:  # any parser's error: the body is not what its media type says
        return f"{sent}\nthe {media_type} answer does not parse ({err}):\n{response.text[:1000]}"
    if results.results_match(expected, actual, test.ordered, test.reduced):
        return None
    return f"{sent}\n{results.difference(expected, actual)}"
