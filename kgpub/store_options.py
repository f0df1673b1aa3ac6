"""The store options every `kgpub` command shares, and opening the store they name.

`--store` is a folder (the embedded store) or the URL of a SPARQL 1.1 query endpoint; a remote
store's update and Graph Store endpoints come from `--update-endpoint`/`--graph-store-endpoint` or
the environment, its credentials from the environment only (graph/store/sparql_http.py).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import click

from kgpub import config
from kgpub.graph.store import StoreError, StoreLocked, is_remote, open_store


def _endpoint_to_environment(ctx, param, value: str | None) -> None:
    """Where a remote store's other endpoints are: passed on in the environment, which is how
    graph/store/sparql_http.py reads them (in this process and in the server's workers)."""
    if value:
        if not is_remote(value):
            raise click.BadParameter(f"{value!r} is not an http:// or https:// URL")
        os.environ[param.envvar] = value


def store_option(command):
    """--store (a folder or a SPARQL endpoint's URL) and a remote store's other two endpoints.
    Credentials come only from KGPUB_STORE_USER / KGPUB_STORE_PASSWORD, never the command line."""
    for option in reversed((
        click.option("--store", "store_dir", default=config.default_store_dir,
                     show_default="$KGPUB_STORE or ~/.local/share/kgpub/store",
                     help="Folder of the embedded store, or the URL of a SPARQL 1.1 query endpoint "
                          "(any SPARQL server: docs/deploying.md)."),
        click.option("--update-endpoint", envvar="KGPUB_UPDATE_ENDPOINT", expose_value=False,
                     callback=_endpoint_to_environment, show_default="…/update when --store ends in /query",
                     help="With a URL --store: the SPARQL 1.1 Update endpoint."),
        click.option("--graph-store-endpoint", envvar="KGPUB_GRAPH_STORE_ENDPOINT", expose_value=False,
                     callback=_endpoint_to_environment, show_default="…/store when --store ends in /query",
                     help="With a URL --store: the SPARQL 1.1 Graph Store Protocol endpoint."),
    )):
        command = option(command)
    return command


class StoreProblem(click.ClickException):
    """The store cannot be opened, or stopped answering (down, wrong credentials, a full disk):
    the machine's to fix, said in one line, exit 2."""
    exit_code = 2


def must_exist(store_dir: str) -> None:
    if not is_remote(store_dir) and not Path(store_dir).is_dir():
        raise StoreProblem(f"there is no store at {store_dir}: load one with `kgpub ingest`, or give --store")


@contextmanager
def opened_store(store_dir: str, create: bool = False, writes: bool = False):
    if not create:
        must_exist(store_dir)
    try:
        store = open_store(store_dir)
        if is_remote(store_dir):
            store.check(write=create or writes)  # down, or wrong credentials: said now, in one line, before any work
    except StoreLocked as err:
        raise click.UsageError(f"{err}: wait for it to finish (a `kgpub ingest`, `withdraw`, `merge`, or a "
                               "write over HTTP)") from None
    except StoreError as err:
        raise StoreProblem(str(err)) from None
    try:
        yield store
    finally:
        store.close()
