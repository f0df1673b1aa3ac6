"""Things joined whenever they share a key, directly or through others (union-find): the journals
that share a name (journal_report.py), the namesakes that share a co-author or journal
(person_report.py)."""
from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

T = TypeVar("T")


def linked_groups(items: list[T], keys_of: Callable[[T], Iterable[Hashable]]) -> list[list[T]]:
    """The groups of two or more, each in the items' order, in the order of their first member."""
    parent = list(range(len(items)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = n = parent[parent[n]]
        return n

    first_with: dict[Hashable, int] = {}
    for n, item in enumerate(items):
        for key in keys_of(item):
            parent[root(n)] = root(first_with.setdefault(key, n))
    groups: dict[int, list[T]] = {}
    for n, item in enumerate(items):
        groups.setdefault(root(n), []).append(item)
    return [members for members in groups.values() if len(members) > 1]
