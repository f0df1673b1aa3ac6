"""Dumps of the whole store (N-Quads, Turtle and JSON-LD, gzipped), and the statistics for VoID.

A dump reads one version of the store (graph.store.dump_view): for the embedded store a published
snapshot, never the live database, so it runs while the server serves and an ingest writes, and
it sees the store as it was at one commit (a remote store is read graph by graph as it is). Every
file is streamed through gzip to disk: the store is never held in memory.

Layout, inside the store's local folder (graph.store.local_folder: `{store}/kgpub` for the
embedded store, this machine's cache folder for a remote one):
    dumps/CURRENT              name of the newest complete set of dumps
    dumps/{snapshot}/          kgpub.nq.gz, kgpub.ttl.gz, kgpub.jsonld.gz,
                                     manifest.json (sizes, SHA-256), statistics.json
    dumps/.lock                held by the process making dumps
    dumps/.requested           "dump again when you are done" (refresh_in_background)
A set is written into a hidden folder, renamed into place whole, and then named in CURRENT, so a
reader sees the old set or the new one, never a mix, and a file and its checksum always agree.
The set before the newest is kept, so a download that started on it can finish.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from pyoxigraph import RdfFormat

from kgpub.graph.dataset_stats import DatasetStatistics
from kgpub.graph.namespaces import EXPORT_PREFIXES
from kgpub.graph.store import StoreError, dump_view, local_folder

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
STATISTICS = "statistics.json"
KEPT_SETS = 2  # the newest and the one before


@dataclass(frozen=True)
class DumpFormat:
    name: str
    file: str
    media_type: str
    label: str


# N-Quads first: it is the complete dataset, graph names included, and the stream that is counted.
FORMATS = (
    DumpFormat("nquads", "kgpub.nq.gz", "application/n-quads", "N-Quads"),
    DumpFormat("turtle", "kgpub.ttl.gz", "text/turtle", "Turtle (the union of all graphs)"),
    DumpFormat("jsonld", "kgpub.jsonld.gz", "application/ld+json", "JSON-LD"),
)
BY_FILE = {f.file: f for f in FORMATS}


def dumps_root(store_path: str | os.PathLike) -> Path:
    return local_folder(store_path) / "dumps"


class DumpError(RuntimeError):
    """There is nothing to dump yet (no snapshot), or the dump could not be written."""


# --- writing ------------------------------------------------------------------------------------

def write_dumps(store_path: str | os.PathLike) -> Path:
    """Dump the current snapshot and make it the current set of dumps; the set's folder."""
    root = dumps_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    try:
        with dump_view(store_path) as (snapshot, quads):
            pending = root / f".{snapshot}.{os.getpid()}.partial"
            shutil.rmtree(pending, ignore_errors=True)
            pending.mkdir()
            files, statistics = _write_files(quads, pending, _snapshot_seconds(snapshot))
    except StoreError as err:
        raise DumpError(str(err)) from None
    made = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    _write_json(pending / MANIFEST, {"snapshot": snapshot, "made": made, "files": files})
    _write_json(pending / STATISTICS, {"snapshot": snapshot, "made": made, **statistics})
    final = root / snapshot
    shutil.rmtree(final, ignore_errors=True)  # a set of the same snapshot made before
    os.replace(pending, final)
    _point_current_at(root, snapshot)
    _delete_old_sets(root)
    return final


def _write_files(quads, folder: Path, mtime: int) -> tuple[list[dict], dict]:
    statistics = DatasetStatistics()
    files = []
    for fmt in FORMATS:
        with (folder / fmt.file).open("wb") as raw:
            counted = _CountingWriter(raw)
            # Level 6 (zlib's default): half the time of gzip's 9 for a file 3 % larger.
            with gzip.GzipFile(fileobj=counted, mode="wb", compresslevel=6, mtime=mtime, filename="") as out:
                _serialize(quads(), fmt.name, out, statistics)
            raw.flush()
            os.fsync(raw.fileno())
        files.append({"file": fmt.file, "format": fmt.name, "media_type": fmt.media_type,
                      "bytes": counted.size, "sha256": counted.sha256.hexdigest()})
    return files, statistics.as_dict()


def _serialize(quads, format: str, out, statistics: DatasetStatistics) -> None:
    if format == "nquads":
        pyoxigraph.serialize(statistics.counting(quads), out, RdfFormat.N_QUADS)
    elif format == "turtle":
        # Turtle has no graphs: every graph's triples, streamed. A triple several graphs share
        # is written once per graph, which is still the same RDF graph (as `kgpub export`).
        pyoxigraph.serialize((q.triple for q in quads), out, RdfFormat.TURTLE, prefixes=EXPORT_PREFIXES)
    else:
        pyoxigraph.serialize(quads, out, RdfFormat.JSON_LD)


class _CountingWriter:
    """Passes bytes to a file, counting them and hashing them, so the manifest needs no re-read."""

    def __init__(self, raw):
        self.raw = raw
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _snapshot_seconds(snapshot: str) -> int:
    """A snapshot's name is the time it was published, in nanoseconds (snapshots.publish)."""
    return int(snapshot) // 1_000_000_000


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _point_current_at(root: Path, name: str) -> None:
    pending = root / f"{CURRENT}.{os.getpid()}.tmp"
    pending.write_text(name)
    os.replace(pending, root / CURRENT)


def _delete_old_sets(root: Path) -> None:
    sets = sorted((p for p in root.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
    for old in sets[:-KEPT_SETS]:
        shutil.rmtree(old, ignore_errors=True)


# --- one dumper at a time -----------------------------------------------------------------------

@contextmanager
def _dump_lock(store_path, wait: bool):
    """The exclusive lock of the dumper; yields False when another process holds it and not waiting."""
    root = dumps_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True  # closing the file releases the lock


def dump_store(store_path: str | os.PathLike) -> Path:
    """`kgpub dump`: wait for any dump in progress, then dump the current snapshot."""
    with _dump_lock(store_path, wait=True):
        (dumps_root(store_path) / ".requested").unlink(missing_ok=True)
        return write_dumps(store_path)


def refresh_in_background(store_path: str | os.PathLike) -> None:
    """Ask for fresh dumps after a write, without waiting for them.

    Marks the request, then starts a dumper in a new interpreter (spawned: a fork of a server
    process would inherit its open databases) unless one is running: that one sees the mark when
    it finishes and dumps again, so a write during a dump is never missed and dumps never pile up.
    """
    root = dumps_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    (root / ".requested").touch()
    with _dump_lock(store_path, wait=False) as free:
        if not free:
            return
    subprocess.Popen([sys.executable, "-m", "kgpub.graph.dumps", str(store_path)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def dump_while_requested(store_path: str | os.PathLike) -> None:
    """The background dumper: dump as long as someone asked again meanwhile."""
    requested = dumps_root(store_path) / ".requested"
    while requested.exists():
        with _dump_lock(store_path, wait=False) as mine:
            if not mine:
                return  # another dumper runs and will see the request
            while requested.exists():
                requested.unlink(missing_ok=True)
                write_dumps(store_path)


# --- reading ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedDumps:
    folder: Path
    manifest: dict
    statistics: dict

    def file(self, name: str) -> dict | None:
        return next((f for f in self.manifest["files"] if f["file"] == name), None)


_published: dict[str, tuple[str, PublishedDumps]] = {}


def published(store_path: str | os.PathLike) -> PublishedDumps | None:
    """The current set of dumps and its statistics; None before the first dump. Read again only
    when CURRENT names another set (one small read per call), so a server may call it on every
    request. By name, not by stat: see snapshots.SnapshotReader.current."""
    pointer = dumps_root(store_path) / CURRENT
    try:
        name = pointer.read_text().strip()
        cached = _published.get(str(pointer))
        if cached and cached[0] == name:
            return cached[1]
        folder = pointer.parent / name
        dumps = PublishedDumps(folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8")),
                               json.loads((folder / STATISTICS).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    _published[str(pointer)] = (name, dumps)
    return dumps


if __name__ == "__main__":
    dump_while_requested(sys.argv[1])
