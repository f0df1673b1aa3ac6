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


class UnknownFormat(ValueError):
    """Neither a file's name nor its first bytes say which format it is in: the file is refused
    whole, rather than read as the likeliest format and rejected record by record for reasons that
    would only confuse (docs/sources.md)."""


def expected_formats() -> str:
    return "not a Pure page, BibTeX, RIS, CSL-JSON, Crossref, Pure JSON or OpenCitations Meta file"


def detect(path: Path, head: bytes) -> Importer:
    """The importer for a file: by name, else by its first bytes; a .json file by what it holds.
    Raises UnknownFormat when neither says it with confidence."""
    importer = for_path(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if importer is not None and importer.name not in ("pure-json", "pure-page"):
        return importer
    if text[:1] in (b"{", b"["):
        return by_name(_json_format(head))
    if importer is not None and importer.name == "pure-json":
        raise UnknownFormat(f"{expected_formats()}: its name says JSON, but it does not start with {{ or [")
    if text[:1] == b"@":
        return by_name("bibtex")
    if text[:2] == b"TY" and text[2:6].strip(b" ").startswith(b"-"):
        return by_name("ris")
    if importer is not None or PURE_PAGE_MARKER in head:  # a .txt file, or text with a Pure page's type line
        return by_name("pure-page")
    raise UnknownFormat(f"{expected_formats()} ({_what_it_looks_like(text)}); give its format with --format "
                        f"({', '.join(i.name for i in IMPORTERS)})")


PURE_PAGE_MARKER = b"Research output:"


def _json_format(head: bytes) -> str:
    # First: its items say "creatorType": "author", which would read as CSL-JSON's "author".
    if b'"BetterBibTeX JSON"' in head or (b'"config"' in head and b'"itemType"' in head):
        raise UnknownFormat("a Better BibTeX JSON export (Zotero's own items), which kgpub does not read: export "
                            "the collection as Better CSL JSON (.csl.json) or Better BibTeX (.bib) instead")
    for name, markers in JSON_MARKERS:
        if any(marker in head for marker in markers):
            return name
    raise UnknownFormat(f"{expected_formats()}: JSON, but none of the fields that tell Crossref, Pure JSON or "
                        "CSL-JSON apart; give its format with --format")


def _what_it_looks_like(text: bytes) -> str:
    if text[:4] == b"PK\x03\x04":
        return "it is a ZIP archive: a Word, OpenDocument or Excel file? Save it as text first"
    if text[:5] == b"%PDF-":
        return "it is a PDF"
    if b"\x00" in text[:4096]:
        return "it is binary"
    return "its first line is " + repr(text.split(b"\n", 1)[0][:60].decode("utf-8", "replace"))
