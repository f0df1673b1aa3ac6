"""Snapshots: how server processes read a store that `kgpub ingest` is writing.

pyoxigraph allows one read-write opener of a database, and reading a database another process
writes is undefined behaviour (docs/architecture.md, "Facts"). So readers never open the live database. After each
committed write the writer publishes a checkpoint (`Store.backup`: hard links, about a millisecond
even for millions of quads) and points `CURRENT` at it; readers open the checkpoint read-only and
move to the next one when `CURRENT` changes. A checkpoint never changes, so a reader sees every
record wholly as it was at one commit, and a new commit is visible at the reader's next request.

Layout, inside the store folder (RocksDB ignores names it does not own):
    kgpub/snapshots/CURRENT          name of the newest snapshot
    kgpub/snapshots/{n}/             a checkpoint
    kgpub/snapshots/{n}.lock         readers hold a shared lock on it while they use {n}
Old snapshots are deleted by the writer once no reader holds their lock.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph

from kgpub.graph.store.shared_opens import SharedOpens

CURRENT = "CURRENT"
OPEN_ATTEMPTS = 5  # a reader that keeps losing the race to newer snapshots gives up after this


def snapshot_root(store_path: str | os.PathLike) -> Path:
    return Path(store_path) / "kgpub" / "snapshots"


def publish(store: pyoxigraph.Store, store_path: str | os.PathLike) -> Path:
    """Checkpoint the store, make it the current snapshot, and delete unused older ones."""
    root = snapshot_root(store_path)
    root.mkdir(parents=True, exist_ok=True)
    name = str(time.time_ns())
    (root / f"{name}.lock").touch()
    store.backup(str(root / name))
    pending = root / f"{CURRENT}.tmp"
    pending.write_text(name)
    os.replace(pending, root / CURRENT)  # readers see the old name or the new one, never a torn file
    _delete_unused(root, keep=name)
    return root / name


def _delete_unused(root: Path, keep: str) -> None:
    for lock_path in root.glob("*.lock"):
        name = lock_path.name.removesuffix(".lock")
        if name == keep:
            continue
        with lock_path.open("rb") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader is still on it; a later publish deletes it
            shutil.rmtree(root / name, ignore_errors=True)
            lock_path.unlink(missing_ok=True)


class SnapshotReader:
    """One reader's hold on the current snapshot of a store (a request thread's, a query
    process's, a dump's).

    `current()` is cheap when nothing changed (one small read), so call it per request. The readers
    of one process share each snapshot's open database (shared_opens.py); a reader moving on lets
    go of the one it held before, so keep one reader per thread.
    """

    def __init__(self, store_path: str | os.PathLike):
        self.root = snapshot_root(store_path).resolve()
        self.name: str | None = None
        self._store: pyoxigraph.Store | None = None

    def current(self) -> pyoxigraph.Store:
        # CURRENT's content, not its stat: inode numbers are reused by the next publish but one,
        # and on file systems with coarse timestamps (1 s on small ext4) two publishes share an
        # mtime, so (inode, mtime) can repeat while the name never does.
        for attempt in range(OPEN_ATTEMPTS):
            try:
                name = (self.root / CURRENT).read_text().strip()
            except FileNotFoundError:
                raise FileNotFoundError(f"no snapshot has been published in {self.root}: open the store "
                                        "once for writing (`kgpub ingest`, or `kgpub serve` does it)") from None
            try:
                snapshot = _open_snapshots.hold((self.root, name), lambda: _OpenSnapshot.of(self.root, name))
                break
            except OSError:
                # Superseded and deleted between reading CURRENT and locking it: read it again.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
        if name == self.name:
            _open_snapshots.let_go((self.root, name))  # held once already
        else:
            self.close()
            self.name, self._store = name, snapshot.store
        return self._store

    def close(self) -> None:
        if self.name is not None:
            self._store = None
            _open_snapshots.let_go((self.root, self.name))
            self.name = None


@dataclass
class _OpenSnapshot:
    store: pyoxigraph.Store | None
    lock: BinaryIO  # a shared flock on {name}.lock: the writer deletes the snapshot only without one

    @classmethod
    def of(cls, root: Path, name: str) -> _OpenSnapshot:
        lock = (root / f"{name}.lock").open("rb")
        try:
            fcntl.flock(lock, fcntl.LOCK_SH)
            return cls(pyoxigraph.Store.read_only(str(root / name)), lock)
        except BaseException:
            lock.close()
            raise

    def close(self) -> None:
        self.store = None  # pyoxigraph closes the database when the object goes
        self.lock.close()  # closing the file releases the shared lock


_open_snapshots = SharedOpens(close=_OpenSnapshot.close)
