"""How a search runs in SQL (graph/search.py): ranked by relevance, or newest first when too many
records match to rank.

FTS5 ranks by bm25 by scoring every match: ~1.3 µs a match, so a word that most records contain
costs ~25 ms at 20k records and over a second at 1M (bench/README.md, scale.py); counting them all
costs ~57 ms at 1M. So a search first counts the records that have the words as typed, up to
RANKED_MATCHES + 1 (under 1 ms). Up to RANKED_MATCHES it ranks every match (the last word also
taken as a prefix: "learn" finds "learning"); past that it walks the records newest first (the
date index) and keeps those that have the words, which stops after a page when matches are that
common, and says so (`order = "newest"`): the page asks for more words to rank by relevance.
Without filters such a search is not counted further: it has "more than 10,000" results
(`more_than`), as search engines say. The last word is not a prefix there: where a word is that
common, the records that have it already fill every page. Listings without text are newest first.
"""
from __future__ import annotations

import sqlite3

RANKED_MATCHES = 10_000
COLUMNS = "r.iri, r.title, r.authors, r.journal_title, r.year, r.doi, r.type_iri"
NEWEST = "r.date DESC, r.id DESC"


def snippet_sql(mark_start: str, mark_end: str) -> str:
    return f"snippet(texts, -1, '{mark_start}', '{mark_end}', '…', 24)"


def listing(db: sqlite3.Connection, where: list[str], params: list, limit: int, offset: int,
            count: bool) -> tuple[int | None, list[tuple]]:
    """No text: the records under the filters, newest first; rows end with a NULL snippet."""
    condition = " AND ".join(where) or "1"
    total = db.execute(f"SELECT count(*) FROM records r WHERE {condition}", params).fetchone()[0] if count else None
    rows = db.execute(f"SELECT {COLUMNS}, NULL FROM records r WHERE {condition} ORDER BY {NEWEST} LIMIT ? OFFSET ?",
                      [*params, limit, offset]).fetchall()
    return total, rows


def matches(db: sqlite3.Connection, match: str, up_to: int) -> int:
    """How many records match, counted up to `up_to` (a word in 900k records of 1M: 57 ms to count
    them all, under 1 ms to count 10,001)."""
    return db.execute("SELECT count(*) FROM (SELECT 1 FROM texts WHERE texts MATCH ? LIMIT ?)",
                      (match, up_to)).fetchone()[0]


def too_many_to_rank(db: sqlite3.Connection, match: str) -> bool:
    return matches(db, match, RANKED_MATCHES + 1) > RANKED_MATCHES


def ranked(db: sqlite3.Connection, match: str, where: list[str], params: list, weights: str, snippet: str,
           limit: int, offset: int, count: bool) -> tuple[int | None, list[tuple]]:
    """Every match scored by bm25, best first (then newest)."""
    condition = " AND ".join(["texts MATCH ?", *where])
    params = [match, *params]
    source = "texts JOIN records r ON r.id = texts.rowid"
    total = db.execute(f"SELECT count(*) FROM {source} WHERE {condition}", params).fetchone()[0] if count else None
    rows = db.execute(f"SELECT {COLUMNS}, {snippet} FROM {source} WHERE {condition} "
                      f"ORDER BY bm25(texts, {weights}), {NEWEST} LIMIT ? OFFSET ?",
                      [*params, limit, offset]).fetchall()
    return total, rows


def newest(db: sqlite3.Connection, match: str, where: list[str], params: list, snippet: str,
           limit: int, offset: int) -> tuple[int | None, list[tuple]]:
    """The matches under the filters, newest first, found by walking the records by date; their
    count under filters, None without (more than RANKED_MATCHES: counting them all would cost more
    than the page). `match` has no prefix term: FTS5 expands a prefix into every row it matches at
    each evaluation, and this one is evaluated once per record walked."""
    condition = " AND ".join(where) or "1"
    total = None if not where else db.execute(
        f"SELECT count(*) FROM records r WHERE {condition} AND r.id IN (SELECT rowid FROM texts WHERE texts MATCH ?)",
        [*params, match]).fetchone()[0]
    rows = db.execute(f"SELECT r.id, {COLUMNS} FROM records r WHERE {condition} AND EXISTS "
                      "(SELECT 1 FROM texts WHERE texts MATCH ? AND texts.rowid = r.id) "
                      f"ORDER BY {NEWEST} LIMIT ? OFFSET ?", [*params, match, limit, offset]).fetchall()
    ids = [row[0] for row in rows]
    snippets = dict(db.execute(f"SELECT rowid, {snippet} FROM texts WHERE texts MATCH ? AND rowid IN "
                               f"({', '.join('?' * len(ids))})", [match, *ids]).fetchall()) if ids else {}
    return total, [(*row[1:], snippets.get(row[0])) for row in rows]
