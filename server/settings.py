"""Every setting of the server in one place: its environment variable, its default, and the
defaults that follow from others. `create_app` and `kgpub serve` both read them here; what a
caller gives (a test's mapping, a command-line option) wins over the environment.

docs/deploying.md and docs/sparql.md say what each one bounds.
"""
from __future__ import annotations

import os
from typing import Mapping

from kgpub import config

MEGABYTE = 1024 * 1024


def resolve(given: Mapping | None = None, workers: int = 1) -> dict:
    """The app's settings: `given` (None values ignored) over the environment over the defaults.
    `workers` is how many server processes share the machine (for the memory default)."""
    given = {name: value for name, value in (given or {}).items() if value is not None}
    env = os.environ.get
    settings = {
        "STORE": config.default_store_dir(),
        "BASE": config.default_base(),
        "SITE_NAME": "kgpub",
        # Who answers for the repository (OAI-PMH Identify's adminEmail); None: webmaster@ the base's host.
        "ADMIN_EMAIL": env("KGPUB_ADMIN_EMAIL") or None,
        "PAGE_SIZE": int(env("KGPUB_PAGE_SIZE", "100")),  # things linking to a thing, per page
        "MAX_CONTENT_LENGTH": 256 * 1024,  # bodies anyone may send: a query is 64 KiB at most
        "MAX_UPLOAD_BYTES": int(env("KGPUB_MAX_UPLOAD_BYTES", str(64 * MEGABYTE))),  # the admin's, read whole
        "ADMIN_TOKEN": env("KGPUB_ADMIN_TOKEN") or None,  # None: no writes over HTTP
        "RETRY_AFTER": 10,  # seconds, on a 503
        "RUN_DIR": None,  # a folder the server processes of one `kgpub serve` share
        "PROXY_HOPS": int(env("KGPUB_PROXY_HOPS", "0")),
        # The SPARQL endpoint (docs/sparql.md)
        "QUERY_TIMEOUT": float(env("KGPUB_QUERY_TIMEOUT", "30")),
        "SPARQL_MAX_ROWS": int(env("KGPUB_MAX_ROWS", "10000")),
        "SPARQL_MAX_QUERY_BYTES": int(env("KGPUB_MAX_QUERY_BYTES", str(64 * 1024))),
        "MAX_QUERY_DEPTH": int(env("KGPUB_MAX_QUERY_DEPTH", "64")),
        "SERVICE_ALLOW": tuple(env("KGPUB_SERVICE_ALLOW", "").replace(",", " ").split()),
        "SERVICE_ALLOW_PRIVATE": env("KGPUB_SERVICE_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes"),
        "QUERY_BUDGET": float(env("KGPUB_QUERY_BUDGET", "60")),  # seconds of query time a minute per client
        # Queries a server process runs at once, each in a query process of its own (0: in the
        # request thread, for benchmarks), how many more may wait, and for how long.
        "CONCURRENT_QUERIES": int(env("KGPUB_CONCURRENT_QUERIES", "2")),
        "QUERY_QUEUE_WAIT": 10.0,
        **given,
    }
    concurrent = settings["CONCURRENT_QUERIES"]
    settings.setdefault("QUERY_QUEUE", int(env("KGPUB_QUERY_QUEUE", str(4 * concurrent))))
    settings.setdefault("QUERY_MEMORY", memory_limit(env("KGPUB_QUERY_MEMORY"), workers * max(1, concurrent)))
    settings["BASE"] = config.normalise_base(settings["BASE"])
    return settings


def memory_limit(megabytes: str | None, query_processes: int) -> int:
    """The memory a query process may grow to, in bytes: `megabytes` when given, else half the
    machine's memory shared by all the server's query processes, between 256 MiB and 1 GiB each
    (on 24 GB with 2 workers of 2: 1 GiB)."""
    if megabytes:
        return int(float(megabytes) * MEGABYTE)
    machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(256 * MEGABYTE, min(1024 * MEGABYTE, machine // (2 * max(1, query_processes))))
