"""How deep a JSON text nests, followed chunk by chunk without parsing it.

ijson names every event by its path ("item.item.item…"): an item nested 30,000 levels deep made
30,000 paths of up to 150 KB each, and a 60 KB file took 2.3 GB; `json.loads` gives up only at
Python's recursion limit. No CSL-JSON, Crossref or Pure record nests more than a dozen levels, so
the JSON importers follow the nesting as they read and refuse what goes past MAX_DEPTH before a
parser sees it (json_stream.py). Strings are stepped over: a bracket in a title is text.
"""
from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable

MAX_DEPTH = 64
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRING_END = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # the rest of a string begun earlier
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
QUOTE, BACKSLASH = ord('"'), ord("\\")


class Nesting:
    """Where the JSON read so far stands: how deep, and whether inside a string (after a `\\`)."""

    def __init__(self, limit: int = MAX_DEPTH):
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def feed(self, chunk: bytes) -> int | None:
        """Follow the next chunk. None while it stays within the limit; else the offset of the
        bracket that goes past it, the state then being that just before the bracket."""
        before = (self.depth, self.in_string, self.escaped)
        if self._deepest(chunk) <= self.limit:
            return None
        self.depth, self.in_string, self.escaped = before
        return self.walk(chunk, lambda depth: depth > self.limit)

    def walk(self, chunk: bytes, stop: Callable[[int], bool]) -> int | None:
        """Byte by byte (for the rare chunk where the place matters): the offset of the first
        bracket that would bring the depth to one where `stop` holds, the state being that just
        before it; None when there is none (the state is then that at the chunk's end)."""
        for offset, byte in enumerate(chunk):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif byte == BACKSLASH:
                    self.escaped = True
                elif byte == QUOTE:
                    self.in_string = False
            elif byte == QUOTE:
                self.in_string = True
            elif byte in _STEP:
                if stop(self.depth + _STEP[byte]):
                    return offset
                self.depth += _STEP[byte]
        return None

    def _deepest(self, chunk: bytes) -> int:
        """Follow the chunk quickly (strings removed by a regular expression, brackets counted in
        C) and say how deep it went."""
        start = 0
        if self.in_string:
            start = 1 if self.escaped else 0
            self.escaped = False
            end = _STRING_END.match(chunk, start)
            if end is None:  # the whole chunk is inside the string
                self.escaped = _ends_escaped(chunk[start:])
                return self.depth
            start, self.in_string = end.end(), False
        outside = _STRING.sub(b"", chunk[start:])
        opened = outside.find(b'"')
        if opened >= 0:  # a string runs past the chunk's end
            outside = outside[:opened]
            self.in_string, self.escaped = True, _ends_escaped(chunk)
        depths = list(accumulate(map(_STEP.__getitem__, outside.translate(None, _NOT_BRACKETS)),
                                 initial=self.depth))
        self.depth = depths[-1]
        return max(depths)


def _ends_escaped(text: bytes) -> bool:
    """Whether the text ends in an unfinished escape (an odd run of backslashes)."""
    return (len(text) - len(text.rstrip(b"\\"))) % 2 == 1


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> int | None:
    """For a whole document: None, or the line on which it nests past the limit."""
    nesting = Nesting(limit)
    for start in range(0, len(data), 65536):
        cut = nesting.feed(data[start:start + 65536])
        if cut is not None:
            return data.count(b"\n", 0, start + cut) + 1
    return None
