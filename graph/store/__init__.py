"""Stores: the one place where a backend is chosen (base.py has the interface).

A store location is a folder (the embedded Oxigraph store, oxigraph.py) or the URL of a SPARQL
1.1 query endpoint (any SPARQL server, remote.py; its update and Graph Store endpoints and
credentials come from the environment, sparql_http.Endpoints). Nothing outside graph/store/
imports a backend module: the CLI and the server ask for a store here.
"""
from __future__ import annotations

import os
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator

from kgpub.graph.store.base import Store, StoreError, StoreLocked, storage_problem
from kgpub.graph.store.sparql_http import StoreRefused, StoreTimeout, StoreUnavailable, is_url


def is_remote(location: str | os.PathLike) -> bool:
    return is_url(str(location))


def open_store(location: str | os.PathLike) -> Store:
    """The store to write (and read): the embedded store in a folder (created when missing, held
    by this process alone), or the remote store at a URL (never a folder, whatever happens)."""
    if is_remote(location):
        return _remote(str(location))
    from kgpub.graph.store.oxigraph import OxigraphStore

    return OxigraphStore(location)


def open_reader(location: str | os.PathLike) -> Store:
    """What a server thread reads: the embedded store's newest published snapshot (followed with
    `refresh()`; the folder may be written by another process meanwhile), or the remote store."""
    if is_remote(location):
        return _remote(str(location))
    from kgpub.graph.store.oxigraph import SnapshotStore

    return SnapshotStore(location)


def open_query_reader(location: str | os.PathLike):
    """For the embedded store's query processes: `current()` is a pyoxigraph store of the newest
    snapshot, `close()`. (A remote store answers queries itself: Store.query_engine.)"""
    from kgpub.graph.store.snapshots import SnapshotReader

    return SnapshotReader(location)


@contextmanager
def held_writer(location: str | os.PathLike, wait_seconds: float) -> Iterator[Store]:
    """The store to write, held by the caller alone until the block ends (a server's write over
    HTTP). StoreLocked when another writer keeps it past wait_seconds."""
    if not is_remote(location):
        from kgpub.graph.store import oxigraph_folder

        with oxigraph_folder.held_writer(location, wait_seconds) as store:
            yield store
        return
    store = _remote(str(location))  # the server runs each request as a transaction: no lock here
    try:
        yield store
    finally:
        store.close()


def version(location: str | os.PathLike) -> str | None:
    """The store's version token: it changes with every committed write (None: nothing published)."""
    if is_remote(location):
        store = _remote(str(location))
        try:
            return store.snapshot
        finally:
            store.close()
    from kgpub.graph.store import oxigraph_folder

    return oxigraph_folder.version(location)


def local_folder(location: str | os.PathLike) -> Path:
    """Where kgpub keeps files of its own for this store on this machine (dumps): inside the
    embedded store's folder, or this machine's cache folder for a remote store."""
    if is_remote(location):
        from kgpub.graph.store.remote_search import cache_folder

        return cache_folder(str(location))
    return Path(location) / "kgpub"


@contextmanager
def dump_view(location: str | os.PathLike):
    """One version of the store to dump: (its version token, a function streaming every quad
    of the data, kgpub's own bookkeeping graphs left out)."""
    if not is_remote(location):
        from kgpub.graph.store import oxigraph_folder

        with oxigraph_folder.dump_view(location) as view:
            yield view
        return
    store = _remote(str(location))
    try:
        yield store.snapshot, store.data_quads
    finally:
        store.close()


def _remote(url: str) -> Store:
    from kgpub.graph.store.remote import RemoteStore
    from kgpub.graph.store.sparql_http import Endpoints

    return RemoteStore(Endpoints.from_environment(url))


__all__ = ["Store", "StoreError", "StoreLocked", "StoreRefused", "StoreTimeout", "StoreUnavailable", "dump_view", "held_writer", "is_remote", "local_folder",
           "open_query_reader", "open_reader", "open_store", "storage_problem", "version"]
