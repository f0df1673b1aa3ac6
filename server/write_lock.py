"""Writes from the server: the store's writer, held for the duration of one write.

graph.store.held_writer gives it (for the embedded store: the one writer of the folder, which
the server's processes and threads take turns to open; for a remote store: the server's own
transactions). When it cannot be had within a few seconds (a running `kgpub ingest` holds the
embedded store) the answer is `503` with `Retry-After`. Readers see the write at their next
request. A write that committed something (the store's version moved) asks for fresh dumps in
the background (graph/dumps.py).
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator

from flask import abort, current_app

from kgpub.graph import dumps
from kgpub.graph.store import Store, StoreError, StoreLocked, held_writer
from kgpub.server.errors import error_response

WAIT_SECONDS = 5.0


@contextmanager
def writer_store() -> Iterator[Store]:
    """The writer store, held by this request alone; 503 when it cannot be had in time."""
    location = current_app.config["STORE"]
    with ExitStack() as held:
        try:
            store = held.enter_context(held_writer(location, WAIT_SECONDS))
        except StoreLocked as err:
            unavailable(str(err))
        except StoreError as err:
            unavailable(f"the store cannot be written: {err}")
        before = store.snapshot  # read while held: no other writer moves it in between
        yield store
        wrote = store.snapshot != before
    if wrote:
        dumps.refresh_in_background(location)


def unavailable(reason: str) -> None:
    retry = current_app.config["RETRY_AFTER"]
    abort(error_response(503, "Service Unavailable", f"{reason}; try again in {retry} seconds",
                         headers={"Retry-After": str(retry)}))
