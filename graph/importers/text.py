"""Turning a source's bytes into text, with the errors a librarian can act on."""
from __future__ import annotations

import codecs

from kgpub.graph.record import Problem


class UnreadableInput(Exception):
    """The bytes are not text we can read; `problem` says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def decode_utf8(data: bytes) -> str:
    """UTF-8 (a BOM is allowed) or a clear error: empty, binary, or not UTF-8 at a byte offset."""
    if not data.strip():
        raise UnreadableInput(Problem("file", "the file is empty"))
    if b"\x00" in data[:8192]:
        raise UnreadableInput(Problem("file", "the file is binary, not text"))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise UnreadableInput(
            Problem("file", f"not UTF-8: byte 0x{data[err.start]:02x} at line {line} cannot be decoded")
        ) from None
