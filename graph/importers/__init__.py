"""The importer table: every source format, looked up by name or by file suffix.

Each importer is a module with one entry point, `read(stream, source) -> Iterator[Record |
UnreadableRecord]`, that yields one item per record found in the stream: a Record (possibly
carrying problems) or an UnreadableRecord when nothing usable could be read. Importers never
raise for bad input; the CLI and the HTTP ingest route use this same table.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType


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
)


def by_name(name: str) -> Importer:
    for importer in IMPORTERS:
        if importer.name == name:
            return importer
    known = ", ".join(i.name for i in IMPORTERS)
    raise KeyError(f"unknown format {name!r}; known formats: {known}")


def for_path(path: Path) -> Importer | None:
    """The importer a file's suffix names, or None when no importer claims it."""
    suffix = path.suffix.lower()
    for importer in IMPORTERS:
        if suffix in importer.suffixes:
            return importer
    return None


def detect(path: Path, head: bytes) -> Importer:
    """The importer for a file: by suffix, else by its first bytes (JSON or page text)."""
    importer = for_path(path)
    if importer is not None:
        return importer
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return by_name("pure-json")
    return by_name("pure-page")
