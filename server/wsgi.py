"""`kgpub serve`: the app under gunicorn, a production WSGI server (never Flask's development one).

Worker processes give concurrency: a pyoxigraph query holds the GIL (docs/architecture.md), so a heavy
request in one process stalls only that process. Each worker also runs several threads (gunicorn's
gthread worker, with HTTP keep-alive, reading each request before a thread takes it:
http_worker.py): SPARQL queries run in query processes (query_process.py), a thread waiting for
one holds no GIL, and queries may hold only some of the threads, so documents and pages never
wait behind them. The threads of a worker share its open snapshot (snapshot_view.py).
"""
from __future__ import annotations

from typing import Mapping

from gunicorn.app.base import BaseApplication

from kgpub.server import metrics, query_runner, snapshot_view
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
    snapshot_view.close(worker.wsgi)
    query_runner.close_pool(worker.wsgi)


def start_query_processes(worker) -> None:
    query_runner.start_pool(worker.wsgi)


def forget_worker(server, worker) -> None:
    metrics.worker_exit(worker.pid)


def serve(settings: Mapping, host: str, port: int, workers: int, threads: int, access_log: bool = False) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "kgpub.server.http_worker.BufferingWorker",  # gthread, reading requests first
        "threads": threads,
        "keepalive": 5,
        "timeout": 60,
        "limit_request_line": 8190,  # the most gunicorn allows: SPARQL queries come by GET too
        "accesslog": "-" if access_log else None,
        "proc_name": "kgpub",
        "control_socket_disable": True,  # one fixed path per user: two servers would collide
        "post_worker_init": start_query_processes,
        "worker_exit": close_store,
        "child_exit": forget_worker,
    }
    Server(settings, options).run()
