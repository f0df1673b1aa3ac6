"""Every research output with when it last changed, withdrawn, merged and removed ones included:
what the sitemap (sitemaps.py), OAI-PMH (oai_pmh.py) and ResourceSync (resourcesync.py) list. Read through the store port once per version
of the store in each server process, not on every request: a harvest pages through it 100 at a time.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass

from flask import current_app

from kgpub.graph import iris, lifecycle
from kgpub.server import oai_sets, snapshot_view

_listed: dict[tuple, tuple[str, list[Listed]]] = {}  # (pid, store, base) -> (store version, the list)
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)  # 100k of them in each server process
class Listed:
    key: str
    changed: str  # UTC, seconds: 2026-12-05T04:31:29Z
    deleted: bool = False  # withdrawn or merged (its tombstone's time)
    sets: tuple[str, ...] = ()  # its OAI-PMH sets (oai_sets.py)
    created: str | None = None  # when first written, if the store knows (ResourceSync's created)


def listed() -> list[Listed]:
    """By key."""
    view, config = snapshot_view.current(), current_app.config
    which = (os.getpid(), config["STORE"], config["BASE"])
    with _lock:
        made = _listed.get(which)
        if made is None or made[0] != view.snapshot:
            made = _listed[which] = (view.snapshot, _read(view.store, config["BASE"]))
        return made[1]


def _read(store, base: str) -> list[Listed]:
    """Published records, then tombstones (a tombstone wins: lifecycle.py), then record graphs
    removed without one (the store's removal log)."""
    facets = store.search.facets()
    items = {}
    for stamp in store.record_stamps():
        key = _key(stamp.graph.value)
        items[key] = Listed(key, utc_seconds(stamp.modified), created=utc_seconds(stamp.created) if stamp.created else None,
                            sets=oai_sets.set_specs(base, facets.get(stamp.graph.value)))
    for iri, stone in lifecycle.tombstones(store, base).items():
        if iris.is_output(iri):
            items[_key(iri)] = Listed(_key(iri), utc_seconds(stone.invalidated), True)
    for graph, when in store.removed_since(None):
        if iris.is_record_graph(graph) and _key(graph.value) not in items:
            items[_key(graph.value)] = Listed(_key(graph.value), utc_seconds(when), True)
    return sorted(items.values(), key=lambda item: item.key)


def _key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def utc_seconds(moment: str | dt.datetime) -> str:
    """An xsd:dateTime as any backend writes it (+00:00, Z), or a datetime: W3C/OAI form in UTC."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
