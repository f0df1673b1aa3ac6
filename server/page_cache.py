"""Record pages kept once rendered, on this machine, for every worker (issue 16).

A record page costs ~15 ms to make (four citation styles by citeproc-py, the view, the template)
and depends only on its document (the record's graph and the labels of what it points to:
rdf_documents.py) and on how pages are made (the templates, the site's settings, the prefix it is
served under). Both go into the key, so a page is made again exactly when one of them changed:
a record rewritten by any path (ingest, POST /ingest, Graph Store, SPARQL Update), a changed ASJC
or type label, a new template or a new kgpub. Nothing is ever invalidated by hand. Pages nobody asks
for again (an old version of a record) stay in the file until it is deleted: it is a cache, and
`kgpub warm` fills it again.

The page's Link header (its Signposting: the record read again) is kept with it; so are a record
document's Link header in the RDF formats (linked_data.record_links) and each citation at its own
URL (cite_pages.py), each under a path of its own in the key.

One SQLite file per store on this machine (graph/store local_folder: inside the embedded store,
or the machine's cache folder for a remote store), shared by the workers: one process's page is
every process's. Pages are zlib-compressed (a fifth of their size). A write that finds the file
busy is skipped, never waited for: the page was served anyway.
"""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import zlib
from importlib import metadata
from pathlib import Path
from typing import Callable

from flask import Flask, current_app, request

from kgpub.graph.store import local_folder

FILE_NAME = "pages.sqlite"
SCHEMA = "CREATE TABLE IF NOT EXISTS pages (key BLOB PRIMARY KEY, html BLOB NOT NULL) WITHOUT ROWID"
EXTENSION = "kgpub.page_version"  # app.extensions[EXTENSION]: how this app makes pages, as a digest
SETTINGS_SHOWN = ("BASE", "SITE_NAME", "ADMIN_EMAIL")  # the settings templates show


class PageCache:
    """The pages of one store on this machine; one connection per thread (sqlite3's rule)."""

    def __init__(self, folder: Path):
        self.path = folder / FILE_NAME
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection | None:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=0.05, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=OFF")  # a cache: a lost page is made again
                connection.execute(SCHEMA)
            except sqlite3.Error:
                return None  # an unwritable folder: pages are made every time, as before
            self._local.connection = connection
        return connection

    def get(self, key: bytes) -> tuple[str, str] | None:
        """(the page, its Link header) as made before; None when not made yet."""
        connection = self._connection()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT html FROM pages WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        html, _, link = zlib.decompress(row[0]).decode("utf-8").partition("\0")
        return html, link

    def put(self, key: bytes, html: str, link: str) -> None:
        connection = self._connection()
        if connection is None:
            return
        try:
            connection.execute("INSERT OR REPLACE INTO pages VALUES (?, ?)",
                               (key, zlib.compress(f"{html}\0{link}".encode(), 1)))
        except sqlite3.Error:
            pass  # busy or full: this page is made again next time


_caches: dict[str, PageCache] = {}
_caches_lock = threading.Lock()


def pages() -> PageCache:
    """The page cache of the store this app serves."""
    store = str(current_app.config["STORE"])
    with _caches_lock:
        if store not in _caches:
            _caches[store] = PageCache(local_folder(store))
        return _caches[store]


def kept(triples, stem: str, make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """(a page, its Link header) for what it is made from: as made before, or made now and kept."""
    key = page_key(triples, stem)
    cache = pages()
    found = cache.get(key)
    if found is None:
        found = make()
        cache.put(key, *found)
    return found


def page_key(triples, stem: str) -> bytes:
    """What a page is made from: its document's triples (in any order), its path, and how this
    app makes pages (templates, settings, kgpub's version) under this prefix."""
    digest = hashlib.sha256(page_version(current_app).encode())
    digest.update(request.script_root.encode() + b"\0" + stem.encode() + b"\0")
    for line in sorted(str(t) for t in triples):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.digest()


def page_version(app: Flask) -> str:
    """A digest of every template's source, the settings pages show, and kgpub's version; made
    once per app (a template changes with a deployment, and a deployment starts new workers)."""
    version = app.extensions.get(EXTENSION)
    if version is None:
        digest = hashlib.sha256(metadata.version("kgpub").encode())
        loader = app.jinja_env.loader
        for name in sorted(loader.list_templates()):
            source, _, _ = loader.get_source(app.jinja_env, name)
            digest.update(f"\0{name}\0{source}".encode())
        for name in SETTINGS_SHOWN:
            digest.update(f"\0{name}={app.config.get(name)}".encode())
        version = app.extensions[EXTENSION] = digest.hexdigest()
    return version
