"""What a process opens once and all its threads share, closed when the last of them lets go.

Each open read-only database keeps caches of its own (RocksDB's block cache and table readers,
SQLite's page cache and its memory map): opened per request thread, 16 threads made a serve worker
1 GB (bench/README.md). Keyed by process as well: gunicorn forks its workers, and a database opened
before the fork must not be shared with them.
"""
from __future__ import annotations

import os
import threading
from typing import Callable, Hashable


class SharedOpens:
    def __init__(self, close: Callable[[object], None]):
        self._close = close
        self._open: dict[tuple[int, Hashable], list] = {}  # (pid, key): [the thing, holders]
        self._lock = threading.Lock()

    def hold(self, key: Hashable, open_: Callable[[], object]):
        """The thing open under key (opened now if nobody holds it), held until `let_go(key)`."""
        with self._lock:
            entry = self._open.get((os.getpid(), key))
            if entry is None:
                entry = self._open[(os.getpid(), key)] = [open_(), 0]
            entry[1] += 1
            return entry[0]

    def let_go(self, key: Hashable) -> None:
        with self._lock:
            entry = self._open[(os.getpid(), key)]
            entry[1] -= 1
            if entry[1] == 0:
                del self._open[(os.getpid(), key)]
                self._close(entry[0])
