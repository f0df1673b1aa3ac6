"""The full-text search index and the home page's figures: SQLite FTS5, beside the store.

SPARQL CONTAINS over 100k records takes seconds, so every record graph is also
indexed here: one row of display fields per research output, its ASJC codes, and an FTS5 table
(title, keywords, authors, abstract) ranked by bm25. One SQLite file in WAL mode: the ingest
process writes, the server's worker processes read (`read_only=True`) at the same time, each
read seeing the last committed write. The index is derived data: `rebuild` makes it again
from the store.

User text never reaches FTS5's query syntax: it is cut into words here and every word (or
balanced "quoted phrase") is quoted, so quotes, AND/OR/NEAR, `*`, `:` and brackets are just
text, and all words must match.
"""
from __future__ import annotations

import html
import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Mapping

from pyoxigraph import NamedNode, Triple

from kgpub.graph import iris
from kgpub.graph import search_plans as plans
from kgpub.graph.namespaces import DCTERMS
from kgpub.graph.record_reader import TripleIndex, read_record
from kgpub.graph.sqlite import Transaction, check_readable, open_database

MAX_QUERY_CHARS = 500
MAX_LIMIT = 1000
REBUILD_BATCH = 1000
# bm25 weights, in the column order of the FTS table: a word in the title counts most.
COLUMN_WEIGHTS = {"title": 10.0, "keywords": 5.0, "authors": 3.0, "abstract": 1.0}
# Snippet markers: control characters that cannot stay in indexed text (see clean_text), so the
# snippet can be HTML-escaped first and the markers turned into <mark> afterwards.
MARK_START, MARK_END = "\x02", "\x03"
WORD = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer cuts words
PHRASE = re.compile(r'"([^"]*)"')

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY, graph TEXT NOT NULL UNIQUE, iri TEXT NOT NULL, title TEXT,
    authors TEXT NOT NULL, journal_iri TEXT, journal_title TEXT, year TEXT, date TEXT,
    doi TEXT, type_iri TEXT);
CREATE INDEX IF NOT EXISTS records_by_date ON records (date, id);
CREATE INDEX IF NOT EXISTS records_by_year ON records (year, date);
CREATE INDEX IF NOT EXISTS records_by_journal ON records (journal_iri, date);
CREATE INDEX IF NOT EXISTS records_by_type ON records (type_iri, date);
CREATE TABLE IF NOT EXISTS subjects (record INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (code, record))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subjects_by_record ON subjects (record);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5 (
    {", ".join(COLUMN_WEIGHTS)}, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
"""


class SearchError(ValueError):
    """A search the index cannot answer as asked (text too long, a bad limit); says what to change."""


@dataclass(frozen=True)
class Hit:
    iri: str
    title: str | None
    authors: tuple[str, ...]
    journal_title: str | None
    year: str | None
    doi: str | None
    type_iri: str | None
    snippet: str | None  # HTML-safe, matches in <mark>…</mark>; None for filter-only listings


@dataclass(frozen=True)
class SearchResults:
    total: int | None  # every match, for pagination (None: not counted); `hits` is one page of them
    hits: tuple[Hit, ...]
    query: str
    order: str = "relevance"  # or "newest": no text, or too many matches to rank (search_plans.py)
    more_than: bool = False  # `total` is a lower bound: more records match than were counted


@dataclass(frozen=True)
class Facets:
    type_iri: str | None
    year: str | None
    subjects: tuple[str, ...]  # ASJC codes


@dataclass(frozen=True)
class Figures:
    outputs: int
    by_year: tuple[tuple[str, int], ...]  # newest first
    by_journal: tuple[tuple[str, str | None, int], ...]  # (iri, title, count), the top 50 by count
    by_subject: tuple[tuple[str, int], ...]  # (ASJC code, count), by count
    by_type: tuple[tuple[str, int], ...]  # (type IRI, count), by count


@dataclass(frozen=True)
class IndexedRecord:
    """What one record graph contributes to the index."""

    graph: str
    iri: str
    title: str | None
    keywords: tuple[str, ...]
    authors: tuple[str, ...]
    abstract: str | None
    journal_iri: str | None
    journal_title: str | None
    date: str | None
    doi: str | None
    type_iri: str | None
    subjects: tuple[str, ...]


def is_record_graph(graph) -> bool:
    return isinstance(graph, NamedNode) and iris.is_record_graph(graph)


def extract(graph: NamedNode, triples: Iterable[Triple]) -> IndexedRecord:
    """The searchable text and display fields of one record graph (record_reader.py)."""
    g = TripleIndex(triples)
    record = read_record(g, _output(g, graph).value)
    topics = [c.label for c in (*record.subjects, *record.fingerprint) if c.label]
    facets = facets_of(record)
    return IndexedRecord(
        graph=graph.value, iri=record.iri, title=record.full_title,
        keywords=tuple(dict.fromkeys([*record.keywords, *topics])),
        authors=tuple(author.name for author in record.authors),
        abstract=record.abstract,
        journal_iri=record.journal.iri if record.journal else None,
        journal_title=record.journal.title if record.journal else None,
        date=record.publication_date, doi=record.doi, type_iri=facets.type_iri, subjects=facets.subjects)


def facets_of(record) -> Facets:
    """What a stored record (record_reader.py) is filed under: its type, year and ASJC codes."""
    return Facets(record.type.iri if record.type else None, year_of(record.publication_date),
                  tuple(dict.fromkeys(s.code for s in record.subjects)))


def year_of(date: str | None) -> str | None:
    return date[:4] if date and date[:4].isdigit() else None


def _output(g: TripleIndex, graph: NamedNode) -> NamedNode:
    """A record graph describes its output (iris.output_of_graph); else (a graph written by hand,
    over the Graph Store Protocol) the titled thing with a dcterms:type."""
    derived = iris.output_of_graph(graph)
    if g.objects(derived, DCTERMS.title) or g.objects(derived, DCTERMS.type):
        return derived
    typed = sorted((s for s in g.subjects() if isinstance(s, NamedNode) and g.objects(s, DCTERMS.type)
                    and g.objects(s, DCTERMS.title)), key=lambda s: s.value)
    return typed[0] if typed else derived


def clean_text(text: str | None) -> str:
    """Text for the FTS table: without the control characters the snippet markers use."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text or "")


def match_expression(text: str, prefix: bool = True) -> str | None:
    """User text as a safe FTS5 query: every word, or balanced "phrase", quoted; all must match;
    with `prefix`, the last word also matches as a prefix while it is being typed. None when there
    is no word."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"the search text is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed")
    phrases = [" ".join(WORD.findall(p)) for p in PHRASE.findall(text)]
    words = WORD.findall(PHRASE.sub(" ", text))
    terms = [f'"{p}"' for p in phrases if p] + [f'"{w}"' for w in words]
    if not terms:
        return None
    if prefix and words and text[-1:].isalnum() and len(words[-1]) > 1:  # still typing the last word
        terms[-1] += "*"
    return " AND ".join(terms)


def highlighted(snippet: str | None) -> str | None:
    if snippet is None:
        return None
    return html.escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


class SearchIndex:
    """The search index file. Writable: one process, creates the schema. `read_only=True`:
    any number of processes, each seeing the last committed write."""

    def __init__(self, path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()  # one connection, shared by a process's threads
        self._figures: tuple[int, Figures] | None = None
        if read_only and not self.path.exists():
            raise SearchError(f"there is no search index at {self.path}; "
                              "opening the store for writing (kgpub ingest) creates it")
        self._db = open_database(self.path, read_only)
        if read_only:
            return
        try:
            self._db.executescript(SCHEMA)
        except sqlite3.OperationalError as err:
            raise SearchError(f"cannot create the search index at {self.path}: {err} "
                              "(the SQLite library must have FTS5)") from None

    def check(self) -> None:
        check_readable(self._db, self._lock)

    # --- writing ----------------------------------------------------------------------------

    def update(self, graphs: Mapping[NamedNode, Iterable[Triple]]) -> None:
        """Index these record graphs, replacing what was indexed for them, in one transaction."""
        records = [extract(g, triples) for g, triples in graphs.items() if is_record_graph(g)]
        with self._writing():
            self._store(records)

    def remove(self, graphs: Iterable[NamedNode]) -> None:
        with self._writing():
            self._delete([g.value for g in graphs])

    def clear(self) -> None:
        with self._writing():
            self._clear()

    def rebuild(self, graphs: Iterable[tuple[NamedNode, Iterable[Triple]]]) -> int:
        """Index a whole store again; the number of records indexed. Graphs are read in batches,
        never all at once; it is one transaction, so readers see the old index until it is done."""
        count, stream = 0, ((g, t) for g, t in graphs if is_record_graph(g))
        with self._writing():
            self._clear()
            while batch := list(islice(stream, REBUILD_BATCH)):
                self._store([extract(g, triples) for g, triples in batch])
                count += len(batch)
            self._db.execute("INSERT INTO texts (texts) VALUES ('optimize')")  # one b-tree: faster queries
        with self._lock:  # the whole index went through the WAL file: move it into the database
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    def _writing(self):
        if self.read_only:
            raise SearchError(f"the search index {self.path} is open read-only")
        self._figures = None
        return Transaction(self._db, self._lock, "BEGIN IMMEDIATE")

    def _clear(self) -> None:
        self._db.execute("DELETE FROM records")
        self._db.execute("DELETE FROM subjects")
        self._db.execute("DELETE FROM texts")

    def _delete(self, graphs: list[str]) -> None:
        ids = [(row[0],) for g in graphs for row in self._db.execute("SELECT id FROM records WHERE graph = ?", (g,))]
        self._db.executemany("DELETE FROM texts WHERE rowid = ?", ids)
        self._db.executemany("DELETE FROM subjects WHERE record = ?", ids)
        self._db.executemany("DELETE FROM records WHERE id = ?", ids)

    def _store(self, records: list[IndexedRecord]) -> None:
        self._delete([r.graph for r in records])
        for r in records:
            year = year_of(r.date)
            (row_id,) = self._db.execute(
                "INSERT INTO records (graph, iri, title, authors, journal_iri, journal_title, year, date, doi,"
                " type_iri) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (r.graph, r.iri, r.title, json.dumps(r.authors, ensure_ascii=False), r.journal_iri,
                 r.journal_title, year, r.date, r.doi, r.type_iri)).fetchone()
            self._db.execute("INSERT INTO texts (rowid, title, keywords, authors, abstract) VALUES (?, ?, ?, ?, ?)",
                             (row_id, clean_text(r.title), clean_text("; ".join(r.keywords)),
                              clean_text(", ".join(r.authors)), clean_text(r.abstract)))
            self._db.executemany("INSERT INTO subjects (record, code) VALUES (?, ?)",
                                 [(row_id, code) for code in r.subjects])

    # --- reading ----------------------------------------------------------------------------

    def search(self, text: str = "", *, year: str | None = None, journal: str | None = None,
               subject: str | None = None, type: str | None = None, limit: int = 20,
               offset: int = 0, column: str | None = None, count: bool = True) -> SearchResults:
        """One page of the records matching all words of `text` (best first; newest first when
        more than search_plans.RANKED_MATCHES match, as `order` says) and every filter given (year
        "2006", journal IRI, ASJC code "3305", type IRI). Without text: the filtered records, newest
        first. `column` ("title", "authors"…) looks for the words there only, and
        without `count` the total is not counted (None): what finding candidates needs, several
        times faster where most records share the words (bench/README.md, reconcile.py)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise SearchError(f"offset must be 0 or more, not {offset}")
        match = match_expression(text)
        if match is None and text.strip():
            return SearchResults(0, (), text)  # only punctuation or symbols: nothing to look for
        where, params = filter_clause(year=year, journal=journal, subject=subject, type=type)
        if column is not None and match is not None:
            if column not in COLUMN_WEIGHTS:
                raise SearchError(f"there is no column {column!r} to search; there are {', '.join(COLUMN_WEIGHTS)}")
            match = f"{column} : ({match})"
        weights = ", ".join(map(str, COLUMN_WEIGHTS.values()))
        snippet = plans.snippet_sql(MARK_START, MARK_END)
        order, more = "relevance", False
        with Transaction(self._db, self._lock, "BEGIN"):  # count and page from one snapshot
            if match is None:
                order = "newest"
                total, rows = plans.listing(self._db, where, params, limit, offset, count)
            elif column is None and count and plans.too_many_to_rank(self._db, exact := match_expression(text, False)):
                order = "newest"
                total, rows = plans.newest(self._db, exact, where, params, snippet, limit, offset)
                if total is None:
                    total, more = plans.RANKED_MATCHES, True
            else:
                total, rows = plans.ranked(self._db, match, where, params, weights, snippet, limit, offset, count)
        hits = tuple(Hit(iri, title, tuple(json.loads(authors)), journal_title, year_, doi_, type_iri,
                         highlighted(snip)) for iri, title, authors, journal_title, year_, doi_, type_iri, snip in rows)
        return SearchResults(total, hits, text, order, more)

    def facets(self) -> dict[str, Facets]:
        """Record graph IRI -> what OAI-PMH sets are made of, for every indexed record (one read)."""
        with Transaction(self._db, self._lock, "BEGIN"):
            rows = self._db.execute("SELECT r.graph, r.type_iri, r.year, group_concat(s.code) FROM records r "
                                    "LEFT JOIN subjects s ON s.record = r.id GROUP BY r.id").fetchall()
        return {graph: Facets(type_iri, year, tuple(sorted(codes.split(","))) if codes else ())
                for graph, type_iri, year, codes in rows}

    def years(self, **filters: str | None) -> tuple[tuple[str, int], ...]:
        """(year, count) of the records filed under these filters (as `search` takes them: journal
        IRI, ASJC code, type IRI), newest first: a journal's or a subject area's outputs per year."""
        where, params = filter_clause(**filters)
        condition = " AND ".join(["r.year IS NOT NULL", *where])
        with Transaction(self._db, self._lock, "BEGIN"):
            rows = self._db.execute(f"SELECT r.year, count(*) FROM records r WHERE {condition} "
                                    "GROUP BY r.year ORDER BY r.year DESC", params).fetchall()
        return tuple((year, count) for year, count in rows)

    def figures(self) -> Figures:
        """Counts for the home page; computed again only after the index has changed."""
        with Transaction(self._db, self._lock, "BEGIN"):
            (version,) = self._db.execute("PRAGMA data_version").fetchone()
            if self._figures and self._figures[0] == version:
                return self._figures[1]
            query = self._db.execute
            figures = Figures(
                outputs=query("SELECT count(*) FROM records").fetchone()[0],
                by_year=tuple(query("SELECT year, count(*) FROM records WHERE year IS NOT NULL "
                                    "GROUP BY year ORDER BY year DESC")),
                by_journal=tuple(query("SELECT journal_iri, max(journal_title), count(*) AS n FROM records "
                                       "WHERE journal_iri IS NOT NULL GROUP BY journal_iri "
                                       "ORDER BY n DESC, journal_iri LIMIT 50")),
                by_subject=tuple(query("SELECT code, count(*) AS n FROM subjects GROUP BY code ORDER BY n DESC, code")),
                by_type=tuple(query("SELECT type_iri, count(*) AS n FROM records WHERE type_iri IS NOT NULL "
                                    "GROUP BY type_iri ORDER BY n DESC, type_iri")))
        self._figures = (version, figures)
        return figures

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def filter_clause(**filters: str | None) -> tuple[list[str], list[str]]:
    conditions = {"year": "r.year = ?", "journal": "r.journal_iri = ?", "type": "r.type_iri = ?",
                  "subject": "r.id IN (SELECT record FROM subjects WHERE code = ?)"}
    where, params = [], []
    for name, value in filters.items():
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > MAX_QUERY_CHARS or not value.isprintable():
            raise SearchError(f"the {name} filter must be a short line of text, not {str(value)[:80]!r}")
        if name == "subject":  # an ASJC concept IRI names its code too
            value = value.rstrip("/").rsplit("/", 1)[-1]
        where.append(conditions[name])
        params.append(value)
    return where, params
