"""Stores: choosing one is choosing a class (base.py has the interface)."""
from kgpub.graph.store.base import Store, StoreError, StoreLocked, storage_problem


def open_store(location: str) -> Store:
    """The embedded Oxigraph store in the folder `location` (created when missing)."""
    from kgpub.graph.store.oxigraph import OxigraphStore

    return OxigraphStore(location)


__all__ = ["Store", "StoreError", "StoreLocked", "open_store", "storage_problem"]
