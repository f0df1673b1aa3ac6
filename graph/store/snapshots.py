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
from pathlib import Path

import pyoxigraph

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
    """The current snapshot of one store, opened read-only, for one reader process.

    `current()` is cheap when nothing changed (one small read), so call it per request. Not for use by
    several threads at once: a reader moving on releases the snapshot it used before.
    """

    def __init__(self, store_path: str | os.PathLike):
        self.root = snapshot_root(store_path)
        self.name: str | None = None
        self._store: pyoxigraph.Store | None = None
        self._lock = None

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
                self._open(name)
                return self._store
            except OSError:
                # Superseded and deleted between reading CURRENT and locking it: read it again.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise

    def _open(self, name: str) -> None:
        if name == self.name:
            return
        lock = (self.root / f"{name}.lock").open("rb")
        try:
            fcntl.flock(lock, fcntl.LOCK_SH)
            store = pyoxigraph.Store.read_only(str(self.root / name))
        except BaseException:
            lock.close()
            raise
        self.close()
        self.name, self._store, self._lock = name, store, lock

    def close(self) -> None:
        self._store = None  # pyoxigraph closes the database when the object goes
        if self._lock is not None:
            self._lock.close()  # closing the file releases the shared lock
            self._lock = None
        self.name = None
