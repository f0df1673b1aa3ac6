"""Seconds of SPARQL query time per client, as Wikidata's query service rations it.

Each client may use `KGPUB_QUERY_BUDGET` seconds of query time a minute (default 60). Its account
is a token bucket: it starts full, every answered query takes what it took, and it refills at the
budget's rate. A client whose bucket is empty gets `429 Too Many Requests` with `Retry-After` (the
seconds until it has time again) without its query being run. One heavy user cannot take every
query process away from everyone else, and nobody is throttled for occasional heavy queries.

A client is its IP address (IPv6: its /64 network, which one machine usually has whole). Behind a
reverse proxy, `KGPUB_PROXY_HOPS` says how many proxies' X-Forwarded-For to believe (app.py).
The accounts live in a small SQLite file that the server processes of one `kgpub serve` share
(in the server's run folder), or in memory when the app runs on its own (tests).
"""
from __future__ import annotations

import ipaddress
import math
import os
import sqlite3
import threading
import time

WINDOW_SECONDS = 60.0
EXTENSION = "kgpub.query_budget"
_SCHEMA = """CREATE TABLE IF NOT EXISTS account (client TEXT PRIMARY KEY, seconds REAL NOT NULL,
                                                 updated REAL NOT NULL)"""
_CHARGE = """INSERT INTO account (client, seconds, updated) VALUES (:client, :capacity - :cost, :now)
              ON CONFLICT (client) DO UPDATE
              SET seconds = min(:capacity, seconds + (:now - updated) * :rate) - :cost, updated = :now"""
_lock = threading.Lock()


class QueryBudget:
    def __init__(self, path: str | None, seconds_per_minute: float):
        self.capacity = seconds_per_minute
        self.rate = seconds_per_minute / WINDOW_SECONDS
        self._db = sqlite3.connect(path or ":memory:", timeout=5, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")  # accounts are not worth a disk flush
        self._db.execute(_SCHEMA)
        self._db_lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """None while the client has query time left; else the whole seconds until it has."""
        if self.capacity <= 0:
            return None
        with self._db_lock:
            row = self._db.execute("SELECT seconds, updated FROM account WHERE client = ?", (client,)).fetchone()
        if row is None:
            return None
        left = self._refilled(*row, time.time())
        return None if left > 0 else max(1, math.ceil(-left / self.rate))

    def charge(self, client: str, seconds: float) -> None:
        if self.capacity <= 0:
            return
        with self._db_lock:  # one statement: server processes charging at once add up correctly
            self._db.execute(_CHARGE, {"client": client, "cost": seconds, "now": time.time(),
                                       "capacity": self.capacity, "rate": self.rate})

    def _refilled(self, seconds: float, updated: float, now: float) -> float:
        return min(self.capacity, seconds + (now - updated) * self.rate)


def client_of(address: str | None) -> str:
    """Whose account a request is charged to: the IPv4 address, or the IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def for_app(app) -> QueryBudget:
    """This server process's handle on the accounts (opened after gunicorn's fork)."""
    with _lock:
        budget = app.extensions.get(EXTENSION)
        if budget is None or budget.pid != os.getpid():
            run_dir = app.config.get("RUN_DIR")
            budget = QueryBudget(os.path.join(run_dir, "query-budget.sqlite") if run_dir else None,
                                 app.config["QUERY_BUDGET"])
            budget.pid = os.getpid()
            app.extensions[EXTENSION] = budget
        return budget
