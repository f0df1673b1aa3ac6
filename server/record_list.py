"""Every research output with when it last changed, withdrawn and merged ones included: what the
sitemap (sitemaps.py) and OAI-PMH (oai_pmh.py) list. Read through the store port once per version
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


@dataclass(frozen=True)
class Listed:
    key: str
    changed: str  # UTC, seconds: 2026-12-05T04:31:29Z
    deleted: bool = False  # withdrawn or merged (its tombstone's time)
    sets: tuple[str, ...] = ()  # its OAI-PMH sets (oai_sets.py)


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
    facets = store.search.facets()
    items = [Listed(iris.output_of_graph(graph).value.rsplit("/", 1)[-1], utc_seconds(stamp),
                    sets=oai_sets.set_specs(base, facets.get(graph.value)))
             for graph, stamp in store.record_stamps()]
    items += [Listed(iri.rsplit("/", 1)[-1], utc_seconds(stone.invalidated), True)
              for iri, stone in lifecycle.tombstones(store, base).items() if iris.is_output(iri)]
    return sorted(items, key=lambda item: item.key)


def utc_seconds(moment: str | dt.datetime) -> str:
    """An xsd:dateTime as any backend writes it (+00:00, Z), or a datetime: W3C/OAI form in UTC."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
