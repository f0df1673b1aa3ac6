"""One record per work across sources (docs/sources.md).

Every accepted source record of a work is kept, one per source format (the newest import of a
format replaces the one before), in SQLite beside the store. A work's Record is merged from its
source records field by field: each field comes from the highest-priority source that has it
(DEFAULT_PRIORITY; KGPUB_SOURCE_PRIORITY or `kgpub ingest --source-priority` change it). The
merged Record lists what it was derived from, which the mapping writes as PROV-O on the work's
named graph.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import threading
from pathlib import Path

from kgpub.graph import record_json
from kgpub.graph.record import Derivation, Record
from kgpub.graph.sqlite import Transaction, open_database

DEFAULT_PRIORITY = ("pure-json", "pure-page", "crossref", "csl-json", "oc-meta", "bibtex", "ris")
PRIORITY_ENV = "KGPUB_SOURCE_PRIORITY"
# Fields that describe one reading of one source, never merged.
NOT_MERGED = {"source", "problems", "derived_from"}


def priority(text: str | None = None) -> tuple[str, ...]:
    """'crossref, pure-json' -> those first, then the rest of the default order."""
    text = text if text is not None else os.environ.get(PRIORITY_ENV, "")
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in DEFAULT_PRIORITY]
    if unknown:
        raise ValueError(f"unknown source format(s) {', '.join(unknown)} in the source priority; "
                         f"known: {', '.join(DEFAULT_PRIORITY)}")
    return chosen + tuple(name for name in DEFAULT_PRIORITY if name not in chosen)


def merge(current: Record, others: list[Record], order: tuple[str, ...]) -> Record:
    """The work as its sources together describe it. The report speaks of `current` (the
    record being imported): its source and its problems are the merged record's."""
    ranked = sorted([current, *others], key=lambda r: _rank(r, order))
    merged = dataclasses.replace(current)
    for spec in dataclasses.fields(Record):
        if spec.name in NOT_MERGED:
            continue
        value = next((getattr(r, spec.name) for r in ranked if _present(getattr(r, spec.name))), None)
        setattr(merged, spec.name, value if value is not None else getattr(current, spec.name))
    return merged


def _rank(record: Record, order: tuple[str, ...]) -> int:
    fmt = record.source.format
    return order.index(fmt) if fmt in order else len(order)


def _present(value) -> bool:
    return value not in (None, "", [])


class SourceRecords:
    """The source records of every work, by work key and format (the writer's side file)."""

    def __init__(self, path: Path):
        self._db = open_database(path)
        self._lock = threading.Lock()
        self._db.execute("CREATE TABLE IF NOT EXISTS source (key TEXT, format TEXT, location TEXT, "
                         "imported TEXT, digest TEXT, record TEXT, PRIMARY KEY (key, format))")

    def prefetch(self, keys) -> None:
        """Nothing to do: a lookup here is an index read (a remote store reads a batch's works at once)."""

    def of(self, key: str) -> list[tuple[Record, Derivation]]:
        rows = self._db.execute("SELECT record, format, location, imported FROM source WHERE key = ? "
                                "ORDER BY format", (key,)).fetchall()
        return [(record_json.loads(text), Derivation(fmt, location, imported)) for text, fmt, location, imported in rows]

    def derivation(self, key: str, record: Record) -> Derivation:
        """How `record` would be listed: with the time of the first import of this same content."""
        row = self._db.execute("SELECT imported, digest FROM source WHERE key = ? AND format = ?",
                               (key, record.source.format)).fetchone()
        unchanged = row is not None and row[1] == record_digest(record_text(record))
        return derivation_of(record, row[0] if unchanged else None)

    def keep(self, items: list[tuple[str, Record, Derivation]]) -> None:
        """Remember accepted source records (before their graphs are written: a crash between
        the two leaves a source record the next import of the work merges again)."""
        rows = []
        for key, record, derivation in items:
            text = record_text(record)
            rows.append((key, derivation.format, derivation.location, derivation.imported, record_digest(text), text))
        with Transaction(self._db, self._lock, "BEGIN IMMEDIATE"):
            self._db.executemany("INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()


def derivation_of(record: Record, imported: str | None = None) -> Derivation:
    """How a record is listed among a work's sources: its format, 'refs.bib:12' (the file's name
    only: the import machine's folders are nobody's business) and when it was imported (now)."""
    imported = imported or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    location = str(dataclasses.replace(record.source, path=Path(record.source.path).name))
    return Derivation(record.source.format or "unknown", location, imported)


def record_text(record: Record) -> str:
    """The record as read: what a later import is compared with."""
    return record_json.dumps(dataclasses.replace(record, problems=[], derived_from=[]))


def record_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
