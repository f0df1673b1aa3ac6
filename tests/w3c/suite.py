"""The W3C test lists in ../shared/data/w3c/, read into plain records.

The evaluation tests come flattened into TSV (one row per test, file paths relative to the
suite folder, several files separated by spaces); the protocol tests as JSON request records.
Every file has a canonical W3C IRI: its manifest's IRI resolved against the file's name. The
tests need data under exactly those IRIs, since queries name them (FROM <data-g1.ttl>).
"""
from __future__ import annotations

import csv
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

W3C = Path(__file__).resolve().parents[3] / "shared" / "data" / "w3c"
SUITES = {"SPARQL 1.1": ("sparql11-tests.tsv", W3C / "sparql" / "sparql11"),
          "SPARQL 1.0": ("sparql10-tests.tsv", W3C / "sparql" / "sparql10")}
PROTOCOL_TESTS = W3C / "sparql11-tests-protocol.json"
PROTOCOL_DATA = SUITES["SPARQL 1.1"][1]

# IRIs, strings and comments, blanked before looking for keywords so that a `#FROM` or a
# "SERVICE" in a literal is not taken for one.
_OPAQUE = re.compile(r"""<[^<>"{}|^`\\\s]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
                     r'''|"(?:[^"\\\n]|\\.)*"|#[^\n]*''', re.DOTALL)
_DATASET_IRI = re.compile(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class GraphFile:
    """A data file and the graph IRI it is loaded under."""
    path: Path
    iri: str


@dataclass(frozen=True)
class EvaluationTest:
    id: str
    name: str
    suite: str  # a SUITES key
    query_file: Path
    query_iri: str  # the query file's canonical IRI: its base
    data: tuple[GraphFile, ...]  # the default graph
    graph_data: tuple[GraphFile, ...]  # the named graphs
    result_file: Path
    result_iri: str  # the expected result's base
    federated: bool
    entailment: bool

    @property
    def query(self) -> str:
        return self.query_file.read_text(encoding="utf-8")

    @property
    def form(self) -> str:
        """select | ask | construct | describe: the first query-form keyword outside IRIs and strings."""
        found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", keywords(self.query), re.IGNORECASE)
        return found.group(1).lower()

    @property
    def ordered(self) -> bool:
        return re.search(r"\bORDER\s+BY\b", keywords(self.query), re.IGNORECASE) is not None

    @property
    def reduced(self) -> bool:
        return re.search(r"\bREDUCED\b", keywords(self.query), re.IGNORECASE) is not None

    @property
    def has_dataset_clause(self) -> bool:
        return re.search(r"\bFROM\b", keywords(self.query), re.IGNORECASE) is not None

    def dataset_clause_files(self) -> tuple[GraphFile, ...]:
        """The files the query's own FROM / FROM NAMED name, under the IRIs the query resolves."""
        suite_folder = SUITES[self.suite][1]
        suite_iri = self.query_iri[:-len(self.query_file.relative_to(suite_folder).as_posix())]
        files = []
        for relative in _DATASET_IRI.findall(self.query):
            iri = urljoin(self.query_iri, relative)
            assert iri.startswith(suite_iri), f"{self.id}: FROM <{iri}> is outside the test suite"
            files.append(GraphFile(suite_folder / iri[len(suite_iri):], iri))
        return tuple(files)


def keywords(query: str) -> str:
    """The query with IRIs, strings and comments blanked: what is left is keywords and names."""
    return _OPAQUE.sub(" ", query)


def evaluation_tests(suite: str) -> list[EvaluationTest]:
    listing, folder = SUITES[suite]
    with (W3C / listing).open(newline="", encoding="utf-8") as rows:
        return [_evaluation_test(suite, folder, row) for row in csv.DictReader(rows, delimiter="\t")]


def _evaluation_test(suite: str, folder: Path, row: dict) -> EvaluationTest:
    manifest = row["id"].split("#")[0]
    manifest_folder = posixpath.dirname(row["query"])  # the manifest sits beside its tests' files

    def graph_file(relative: str) -> GraphFile:
        return GraphFile(folder / relative, urljoin(manifest, posixpath.relpath(relative, manifest_folder)))

    query, result = graph_file(row["query"]), graph_file(row["result"])
    return EvaluationTest(
        id=row["id"], name=row["name"], suite=suite, query_file=query.path, query_iri=query.iri,
        data=tuple(graph_file(p) for p in row["data"].split()),
        graph_data=tuple(graph_file(p) for p in row["graphData"].split()),
        result_file=result.path, result_iri=result.iri,
        federated=bool(row["serviceData"]) or re.search(r"\bSERVICE\b", keywords(query.path.read_text()),
                                                          re.IGNORECASE) is not None,
        entailment=bool(row["entailment"]))


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str  # under the server, with its query string, sent as is
    headers: dict[str, str]
    body: bytes | None
    expected_status: tuple[int, ...]  # status classes: 2 for 2xx
    expected_format: str | None  # boolean | tabular | RDF | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    id: str
    name: str
    graph_data: tuple[GraphFile, ...]
    requests: tuple[ProtocolRequest, ...]

    @property
    def is_update(self) -> bool:
        return self.id.startswith(("update_", "bad_update_"))


def protocol_tests() -> list[ProtocolTest]:
    return [ProtocolTest(t["id"], t["name"],
                         tuple(GraphFile(PROTOCOL_DATA / g["file"], g["graph"]) for g in t["graphData"]),
                         tuple(_protocol_request(r) for r in t["requests"]))
            for t in json.loads(PROTOCOL_TESTS.read_text(encoding="utf-8"))]


def _protocol_request(record: dict) -> ProtocolRequest:
    body = record["body"]
    return ProtocolRequest(
        method=record["method"], path=record["absolutePath"], headers=record["headers"],
        # The *_non_utf8 tests declare and really send UTF-16: the endpoint must refuse it.
        body=None if body is None else body.encode(record["bodyEncoding"]),
        expected_status=tuple(int(s.removeprefix("StatusCode")[0]) for s in record["expectedStatus"]),
        expected_format=record["expectedFormat"], expected_boolean=record["expectedBoolean"])
