"""`kgpub serve`: the app under gunicorn, a production WSGI server (never Flask's development one).

Worker processes, not threads, give concurrency: a pyoxigraph query holds the GIL (DESIGN.md §5),
so a heavy request in one process stalls only that process. Each worker runs one thread (the
gthread worker, for HTTP keep-alive) and reads the store through its own snapshot (reading.py).
"""
from __future__ import annotations

from typing import Mapping

from gunicorn.app.base import BaseApplication

from kgpub.server import reading
from kgpub.server.app import create_app


class Server(BaseApplication):
    def __init__(self, settings: Mapping, options: Mapping):
        self.settings = dict(settings)
        self.options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        return create_app(self.settings)


def close_store(server, worker) -> None:
    """Close the worker's snapshot before the interpreter tears down (RocksDB objects freed in
    arbitrary order at exit can crash the worker)."""
    reading.close(worker.wsgi)


def serve(settings: Mapping, host: str, port: int, workers: int, access_log: bool = False) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 1,
        "keepalive": 5,
        "timeout": 60,
        "limit_request_line": 4094,
        "accesslog": "-" if access_log else None,
        "proc_name": "kgpub",
        "control_socket_disable": True,  # one fixed path per user: two servers would collide
        "worker_exit": close_store,
    }
    Server(settings, options).run()
