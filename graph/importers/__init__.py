"""The importer table: every source format, looked up by name or by file suffix.

Each importer is a module with one entry point, `read(stream, source) -> Iterator[Record |
UnreadableRecord]`, that yields one item per record found in the stream: a Record (possibly
carrying problems) or an UnreadableRecord when nothing usable could be read. Importers never
raise for bad input: each reads a record through `isolated`, so that even input nobody foresaw
costs only its own record. The CLI and the HTTP ingest route use this same table.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

from kgpub.graph.record import Problem, Record, SourceRef, UnreadableRecord


@dataclass(frozen=True)
class Importer:
    name: str
    module: str
    suffixes: tuple[str, ...]
    description: str

    def load(self) -> ModuleType:
        return importlib.import_module(f"{__name__}.{self.module}")


IMPORTERS: tuple[Importer, ...] = (
    Importer("pure-page", "pure_page", (".txt",), "Pure portal page, text extracted from its HTML"),
    Importer("pure-json", "pure_json", (".json", ".jsonl"), "Pure web-service research-output JSON (API 5xx)"),
    Importer("bibtex", "bibtex", (".bib", ".bibtex"), "BibTeX and BibLaTeX (LaTeX decoded to Unicode)"),
    Importer("ris", "ris", (".ris",), "RIS (RefMan, EndNote, Zotero, Web of Science tags)"),
    Importer("csl-json", "csl_json", (".csl.json", ".csljson"), "CSL-JSON items (citeproc, Zotero, Crossref's /transform)"),
    Importer("crossref", "crossref", (".crossref.json",), "Crossref REST API works: a `message`, or its `items` list"),
    Importer("oc-meta", "oc_meta", (".csv",), "OpenCitations Meta CSV (id, title, author, pub_date, venue, …)"),
)
# A file named .json is one of three JSON formats: the first of these keys found in its head decides.
JSON_MARKERS = (
    ("crossref", (b'"message-type"', b'"reference-count"', b'"is-referenced-by-count"')),
    ("pure-json", (b'"pureId"', b'"portalUrl"', b'"managingOrganisationalUnit"')),
    ("csl-json", (b'"container-title"', b'"issued"', b'"citation-key"', b'"author"')),
)


def isolated(ref: SourceRef, read_one: Callable[..., Record | UnreadableRecord], *args
             ) -> Record | UnreadableRecord:
    """`read_one(*args)`: one record read from its part of the file. Should reading it raise
    (input no rule here foresaw), the record is rejected with the reason, named by its own line or
    index, and the importer goes on with the next record."""
    try:
        return read_one(*args)
    except Exception as err:
        return failed_record(ref, err)


def failed_record(ref: SourceRef, err: Exception) -> UnreadableRecord:
    """The record at `ref`, rejected because reading it raised `err`."""
    message = f"this record could not be read ({type(err).__name__}: {err}); the records around it were read"
    return UnreadableRecord(ref, [Problem("record", message)])


def by_name(name: str) -> Importer:
    for importer in IMPORTERS:
        if importer.name == name:
            return importer
    known = ", ".join(i.name for i in IMPORTERS)
    raise KeyError(f"unknown format {name!r}; known formats: {known}")


def for_path(path: Path) -> Importer | None:
    """The importer a file's name claims (the longest suffix wins: x.csl.json is CSL-JSON), or
    None when no importer claims it."""
    name = path.name.lower()
    claims = [(len(suffix), importer) for importer in IMPORTERS for suffix in importer.suffixes
              if name.endswith(suffix)]
    return max(claims, key=lambda claim: claim[0])[1] if claims else None


def detect(path: Path, head: bytes) -> Importer:
    """The importer for a file: by name, else by its first bytes; a .json file by what it holds."""
    importer = for_path(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if importer is not None and importer.name != "pure-json":
        return importer
    if importer is not None or text[:1] in (b"{", b"["):
        return by_name(_json_format(head))
    if text[:1] == b"@":
        return by_name("bibtex")
    if text[:2] == b"TY" and text[2:6].strip(b" ").startswith(b"-"):
        return by_name("ris")
    return by_name("pure-page")


def _json_format(head: bytes) -> str:
    for name, markers in JSON_MARKERS:
        if any(marker in head for marker in markers):
            return name
    return "pure-json"
