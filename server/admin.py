"""`POST /ingest` for the admin (docs/sparql.md, "Writes over HTTP"): the importers, mapping,
SHACL and store of `kgpub ingest`, through the store's one writer opened for the duration of the
write (write_lock.py); the bearer token is auth.py's, SPARQL Update sparql_update.py's.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections import Counter
from pathlib import Path

import pyoxigraph
from flask import Blueprint, Response, abort, current_app, request
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kgpub.graph import importers
from kgpub.graph.pipeline import BATCH_SIZE, HEAD_BYTES, Ingest, Outcome
from kgpub.graph.record import PartialDate
from kgpub.graph.validate import Finding, Validator
from kgpub.server import auth, metrics, write_lock
from kgpub.server.errors import error_response

bp = Blueprint("admin", __name__)

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# Media types that name a source format; anything else is told by ?format=, the name or the content.
SOURCE_MEDIA_TYPES = {
    "text/plain": "pure-page",
    "application/x-ndjson": "pure-json",
    "application/jsonl": "pure-json",
    "application/x-bibtex": "bibtex",
    "text/x-bibtex": "bibtex",
    "application/x-research-info-systems": "ris",
    "application/vnd.citationstyles.csl+json": "csl-json",
    "text/csv": "oc-meta",
}
# Told by ?format=, the file name or the content (JSON: Pure, Crossref or CSL-JSON; importers.detect).
UNSURE_MEDIA_TYPES = ("", "application/octet-stream", "application/json")


def bad_request(message: str) -> Response:
    return error_response(400, "Bad Request", message, kind="text/plain")


# --- POST /ingest -----------------------------------------------------------------------------------

class FindingsRecorder:
    """The ingest's validator, keeping every finding for the report of a rejected request."""

    def __init__(self, validator: Validator):
        self.validator = validator
        self.findings: list[Finding] = []

    def validate(self, graphs):
        found = self.validator.validate(graphs)
        self.findings += [finding for findings in found.values() for finding in findings]
        return found


@functools.lru_cache(maxsize=1)
def shared_validator() -> Validator:
    """The shapes compiled once per process (a Validator holds no state between batches)."""
    return Validator()


@bp.post("/ingest")
def ingest() -> Response:
    auth.require_admin()
    uploads = read_uploads()
    harvest_date = read_harvest_date()
    recorder = FindingsRecorder(shared_validator())
    with write_lock.writer_store() as store:
        run = Ingest(store, current_app.config["BASE"], harvest_date=harvest_date, validator=recorder)
        outcomes = [outcome for upload in uploads for outcome in ingest_upload(run, *upload)]
    for status, count in Counter(o.status for o in outcomes).items():
        metrics.count_records(status, count)
    if any(o.status != "rejected" for o in outcomes):
        return Response(json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False), 200,
                        mimetype="application/json")
    return rejection(outcomes, recorder.findings)


def read_uploads() -> list[tuple[str, str | None, bytes]]:
    """(name, source format or None to detect, bytes) for each file sent."""
    data = auth.upload_body()  # read (and size-checked) before the multipart parser sees it
    forced = request.args.get("format")
    if forced is not None:
        try:
            importers.by_name(forced)
        except KeyError as err:
            abort(bad_request(err.args[0]))
    if request.mimetype == "multipart/form-data":
        files = [f for f in request.files.values() if f.filename or f.content_length]
        if not files:
            abort(bad_request("the multipart body holds no files"))
        return [(f.filename or "upload", forced or source_format(f.mimetype, f.filename), f.read()) for f in files]
    if not data:
        abort(bad_request("the request has no body: send one record file, or several as multipart/form-data"))
    name = request.args.get("name") or "upload"
    return [(name, forced or source_format(request.mimetype, name), data)]


def source_format(media_type: str | None, name: str | None) -> str | None:
    media_type = (media_type or "").lower()
    if media_type in SOURCE_MEDIA_TYPES:
        return SOURCE_MEDIA_TYPES[media_type]
    if media_type not in UNSURE_MEDIA_TYPES:
        known = ", ".join(SOURCE_MEDIA_TYPES)
        abort(error_response(415, "Unsupported Media Type", f"{media_type} is not a record format; send {known}, "
                                                            "or say which with ?format=", kind="text/plain"))
    importer = importers.for_path(Path(name or ""))
    return importer.name if importer else None  # None: told by the content


def read_harvest_date() -> PartialDate:
    """When the citation counts were harvested: ?harvest-date=, else today (the file has no date here)."""
    value = request.args.get("harvest-date")
    try:
        day = dt.date.fromisoformat(value) if value else dt.date.today()
    except ValueError:
        abort(bad_request(f"harvest-date {value!r} is not a date like 2026-11-24"))
    return PartialDate(day.year, day.month, day.day)


def ingest_upload(run: Ingest, name: str, format: str | None, data: bytes) -> list[Outcome]:
    try:
        importer = importers.by_name(format) if format else importers.detect(Path(name), data[:HEAD_BYTES])
    except importers.UnknownFormat as err:
        abort(bad_request(f"{name}: " + str(err).replace("--format", "?format=")))
    items = list(importer.load().read(io.BytesIO(data), name))
    return [o for start in range(0, len(items), BATCH_SIZE) for o in run.process(items[start:start + BATCH_SIZE])]


# --- 422: the validation report ---------------------------------------------------------------------

def rejection(outcomes: list[Outcome], findings: list[Finding]) -> Response:
    """Nothing could be stored: the findings in JSON, or as a sh:ValidationReport in Turtle."""
    best = request.accept_mimetypes.best_match(["application/json", "text/turtle"], default="application/json")
    if best == "text/turtle":
        report = validation_report(outcomes, findings)
        return Response(pyoxigraph.serialize(report, format=pyoxigraph.RdfFormat.TURTLE,
                                             prefixes={"sh": SH}), 422, mimetype="text/turtle")
    body = {"conforms": False, "records": [o.as_dict() for o in outcomes],
            "findings": [finding.__dict__ for finding in findings]}
    return Response(json.dumps(body, ensure_ascii=False), 422, mimetype="application/json")


def validation_report(outcomes: list[Outcome], findings: list[Finding]) -> list[Triple]:
    report = BlankNode()
    triples = [Triple(report, RDF_TYPE, sh("ValidationReport")),
               Triple(report, sh("conforms"), Literal(False))]
    for finding in findings:
        triples += result_triples(report, finding)
    # Problems found before SHACL (an unreadable file, an impossible date) have no focus node of
    # their own: the source they were found in stands for it.
    shacl_messages = {f.message for f in findings}
    for outcome in outcomes:
        for problem in outcome.errors:
            if problem.message not in shacl_messages:
                triples += problem_triples(report, outcome.source, problem)
    return triples


def result_triples(report: BlankNode, finding: Finding) -> list[Triple]:
    result = BlankNode()
    values = [(RDF_TYPE, sh("ValidationResult")),
              (sh("focusNode"), term(finding.focus)),
              (sh("resultSeverity"), sh(finding.severity)),
              (sh("sourceConstraintComponent"), NamedNode(finding.component)),
              (sh("resultMessage"), Literal(finding.message))]
    if finding.path and iri_or_none(finding.path):
        values.append((sh("resultPath"), NamedNode(finding.path)))
    if finding.value is not None:
        values.append((sh("value"), term(finding.value)))
    if finding.shape and not finding.shape.startswith("_:"):
        values.append((sh("sourceShape"), NamedNode(finding.shape)))
    return [Triple(report, sh("result"), result), *(Triple(result, p, o) for p, o in values)]


def problem_triples(report: BlankNode, source: str, problem) -> list[Triple]:
    result = BlankNode()
    return [Triple(report, sh("result"), result), Triple(result, RDF_TYPE, sh("ValidationResult")),
            Triple(result, sh("focusNode"), Literal(source)),
            Triple(result, sh("resultSeverity"), sh("Violation")),
            Triple(result, sh("resultMessage"), Literal(f"{problem.field}: {problem.message}"))]


def sh(name: str) -> NamedNode:
    return NamedNode(SH + name)


def iri_or_none(text: str) -> NamedNode | None:
    try:
        return NamedNode(text)
    except ValueError:
        return None


def term(text: str):
    """A finding's term: an IRI as it is, anything else in N-Triples form (Finding's convention)."""
    if not text.startswith(("_:", '"', "<")):
        return iri_or_none(text) or Literal(text)
    quads = pyoxigraph.parse(f"<urn:x:s> <urn:x:p> {text} .".encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return next(iter(quads)).object
