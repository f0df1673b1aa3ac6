"""Search over a remote store: the same SQLite FTS5 index as the embedded store (graph/search.py),
kept by each kgpub machine for itself as a cache that follows the remote store.

Why a cache and not the engine's own text search: the index ranks by bm25 over title, keywords,
authors and abstract as the record reader reads them, and gives the home page's figures; the
same code on every backend gives the same results and the same figures (docs/decisions.md).

Following: whenever the store's version token (remote.py) has moved, the graphs written since the
last look (their `dcterms:modified`, with a margin for clocks of other writers) are indexed again
and the graphs removed since (urn:kgpub:removed) are dropped. A missing cache is built from the
whole store. One process of the machine follows at a time (a file lock); the others read the
index as it is, so a search is at most one follow behind. A version token older than the last one seen (the store
restored from a backup) builds the index again, whole. The cache holds nothing the store does
not: delete it and it is built again.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
from pathlib import Path


from kgpub.graph.namespaces import DCTERMS, XSD
from kgpub.graph.search import REBUILD_BATCH, SearchIndex

CLOCK_MARGIN = dt.timedelta(seconds=120)  # writers on other machines stamp with their own clocks
STATE_FILE = "followed"  # "<version token> <time of the look>" of the last follow


def stamped_graph(modified: str) -> str:
    """The pattern of a graph ?g with its own `dcterms:modified`. (Virtuoso 7 answers `GRAPH ?g { ?g
    dcterms:modified ?m }` with the subject for ?g whatever graph the triple is in, so the removal
    log's `<g> dcterms:modified` would read as a live graph; it also rewrites `FILTER(?s = ?g)` into
    the same pattern, so the two are compared as strings.)"""
    return f"GRAPH ?g {{ ?s {DCTERMS.modified} {modified} }} FILTER(STR(?s) = STR(?g))"


def cache_folder(location: str) -> Path:
    """KGPUB_CACHE, else $XDG_CACHE_HOME/kgpub (~/.cache/kgpub); a folder per store URL."""
    root = os.environ.get("KGPUB_CACHE") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgpub")
    return Path(root) / hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]


class FollowingSearch(SearchIndex):
    def __init__(self, store, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "search.sqlite").exists():  # a deleted cache is built again, whole
            (folder / STATE_FILE).unlink(missing_ok=True)
        super().__init__(folder / "search.sqlite")
        self.store = store
        self.folder = folder

    def search(self, *args, **kwargs):
        self.follow()
        return super().search(*args, **kwargs)

    def figures(self):
        self.follow()
        return super().figures()

    def facets(self):
        self.follow()
        return super().facets()

    def years(self, **filters):
        self.follow()
        return super().years(**filters)

    def follow(self) -> None:
        """Bring the index up to the store's current version (unless another process is at it)."""
        version = self.store.snapshot
        state = self._state()
        if state and state[0] == version:
            return
        with (self.folder / "follow.lock").open("a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # another process follows; this search reads the index as it is
            state = self._state()
            if state and state[0] == version:
                return
            looked = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
            if state is None or int(version) < int(state[0]):  # new, or the store restored from a backup
                self.rebuild(self.store.output_graphs())
            else:
                self._catch_up(dt.datetime.fromisoformat(state[1]) - CLOCK_MARGIN)
            self._save_state(version, looked)

    def _catch_up(self, since: dt.datetime) -> None:
        stamp = since.isoformat()
        self.remove([g for g, _ in self.store.removed_since(stamp)])
        written = self.store.graph_list(f'{stamped_graph("?m")} FILTER(?m >= "{stamp}"^^{XSD.dateTime})')
        for start in range(0, len(written), REBUILD_BATCH):
            self.update(self.store.graphs_triples(written[start:start + REBUILD_BATCH]))

    def _state(self) -> tuple[str, str] | None:
        try:
            version, looked = (self.folder / STATE_FILE).read_text().split()
            return version, looked
        except (FileNotFoundError, ValueError):
            return None

    def _save_state(self, version: str, looked: dt.datetime) -> None:
        pending = self.folder / f"{STATE_FILE}.tmp"
        pending.write_text(f"{version} {looked.isoformat()}")
        os.replace(pending, self.folder / STATE_FILE)
