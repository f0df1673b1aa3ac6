"""The query processes of one server process, and who gets them (docs/sparql.md, "Admission").

All are started at once (a spawned interpreter takes a second to start: no request should wait for
that). Admission is bounded, so that queries never hold more than `size + queue` of a worker's
request threads and documents always have the rest: `size` queries run at once, at most `queue`
more wait for a process (up to `wait` seconds), and a query beyond that is refused at once
(QueryBusy, a 503 with Retry-After). And it is fair: one client (an address) runs at most half the
processes at a time and has at most half the queue waiting; its next query is refused
(ClientBusy, a 429) while everyone else's still get in. So a client sending ten heavy queries at
once takes neither every process nor the whole queue, and a client sending a few quick ones in
parallel is only queued behind its own.
"""
from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from kgpub.server.query_process import QueryProcess


class QueryBusy(Exception):
    """Every query process of this server process is busy and the queue is full."""


class ClientBusy(Exception):
    """This client already has as many queries running or waiting here as one client may."""


class QueryPool:
    def __init__(self, store_path: str, size: int, queue: int, memory_limit: int, offline: bool = False):
        self._idle = [QueryProcess(store_path, memory_limit, offline) for _ in range(size)]
        self._queue = queue
        self.client_running = max(1, size // 2)
        self.client_total = max(2, queue // 2)
        self._waiting = 0
        self._running: Counter[str] = Counter()
        self._holding: Counter[str] = Counter()  # running or waiting, by client
        self._changed = threading.Condition()

    @contextmanager
    def process(self, client: str, wait: float) -> Iterator[QueryProcess]:
        """A query process for one query of `client`; ClientBusy or QueryBusy when it cannot have one."""
        process = self._acquire(client, wait)
        try:
            yield process
        finally:
            self._release(client, process)

    def _acquire(self, client: str, wait: float) -> QueryProcess:
        with self._changed:
            if self._holding[client] >= self.client_total:
                raise ClientBusy()
            its_turn = lambda: self._idle and self._running[client] < self.client_running  # noqa: E731
            if not its_turn() and self._waiting >= self._queue:
                raise QueryBusy()
            self._holding[client] += 1
            self._waiting += 1
            try:
                if not self._changed.wait_for(its_turn, wait):
                    self._forget(client)
                    raise QueryBusy()
            finally:
                self._waiting -= 1
            self._running[client] += 1
            return self._idle.pop()

    def _release(self, client: str, process: QueryProcess) -> None:
        with self._changed:
            self._idle.append(process)
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
            self._forget(client)
            self._changed.notify_all()  # the next in line may be any client's

    def _forget(self, client: str) -> None:
        self._holding[client] -= 1
        if not self._holding[client]:
            del self._holding[client]

    def close(self) -> None:
        with self._changed:
            for process in self._idle:
                process.stop()
            self._idle.clear()
