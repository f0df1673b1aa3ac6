"""A JSON source file as a sequence of items, for the JSON importers (CSL-JSON, Crossref, Pure).

A file whose top level is an array (Zotero's and citeproc's CSL-JSON, a list of Crossref works or
of Pure research outputs; any size) is parsed with ijson one item at a time, so memory holds one
item, not the file, and a syntax error loses only the items from the broken one on. Any other
document (one item, `{"items": [...]}`, a Crossref or Pure API response: a page of at most some
thousand works) is read whole with json.loads, which names the line and column of a syntax error,
and its items are found in it (after the importer's `opened` has taken off a response envelope).
"""
from __future__ import annotations

import codecs
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson

from kgpub.graph.importers.json_nesting import MAX_DEPTH, Nesting, too_deep
from kgpub.graph.importers.text import UnreadableInput, decode_utf8, empty_or_binary, json_syntax_problem
from kgpub.graph.record import Problem, SourceRef, UnreadableRecord

HEAD_BYTES = 8192
# ijson reads this much at a time; a syntax error is placed in the lines of the last read.
READ_BYTES = 16384
Found = tuple[SourceRef, Any] | UnreadableRecord
Opened = Callable[[Any, SourceRef], Any]  # a document -> what holds the items, or an UnreadableRecord


def read_items(stream: BinaryIO, ref: SourceRef, item_keys: tuple[str, ...], head: bytes = b"",
               opened: Opened = lambda value, ref: value) -> Iterator[Found]:
    """Each item of the JSON file with its ref (the index in a list), or an UnreadableRecord
    saying why the file, or the rest of it from some item on, cannot be read. An object with one
    of `item_keys` is an item, else its "items" are. `head` is what the caller has already read
    from the stream."""
    head = _head(stream, head)
    if problem := empty_or_binary(head):
        yield UnreadableRecord(ref, [problem])
        return
    head = head.removeprefix(codecs.BOM_UTF8)
    if head.lstrip().startswith(b"["):
        yield from _array_items(_Rest(head, stream), ref)
    else:
        yield from _document_items(head + stream.read(), ref, item_keys, opened)


def items_in(value: Any, ref: SourceRef, item_keys: tuple[str, ...]) -> Iterator[tuple[SourceRef, Any]]:
    """The items of a list or of `{"items": [...]}` (unless the object has one of `item_keys`, so is
    an item itself), or the one item that `value` is; each with its ref."""
    if isinstance(value, dict) and isinstance(value.get("items"), list) and not any(k in value for k in item_keys):
        value = value["items"]
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield dataclasses.replace(ref, index=index), item
    else:
        yield ref, value


def _head(stream: BinaryIO, head: bytes) -> bytes:
    """At least HEAD_BYTES from the start of the stream, and more while they are all white space."""
    head += stream.read(max(0, HEAD_BYTES - len(head)))
    while not head.strip() and (more := stream.read(HEAD_BYTES)):
        head += more
    return head


def _array_items(stream: _Rest, ref: SourceRef) -> Iterator[Found]:
    index = 0
    while True:
        try:
            # Numbers as ijson reads them by default: whole numbers of any size (yajl's own
            # reading, use_float, stops the file at the first past 2**63), fractions as Decimals.
            for item in ijson.items(stream, "item", buf_size=READ_BYTES):
                yield dataclasses.replace(ref, index=index), item
                index += 1
            return
        except _TooDeep:
            message = (f"item [{index}] nests more than {MAX_DEPTH} levels deep (line {stream.last_lines[1]}); "
                       "no record does: it was skipped, the items after it are read")
            yield UnreadableRecord(dataclasses.replace(ref, index=index), [Problem("json", message)])
            index += 1
            if not stream.skip_item():
                return
        except (ijson.JSONError, UnicodeDecodeError) as err:
            problem = _stream_problem(err, index, stream.last_lines)
            yield UnreadableRecord(dataclasses.replace(ref, index=index), [problem])
            return


def _document_items(data: bytes, ref: SourceRef, item_keys: tuple[str, ...], opened: Opened
                    ) -> Iterator[Found]:
    if problem := nesting_problem(data):
        yield UnreadableRecord(ref, [problem])
        return
    try:
        value = json.loads(decode_utf8(data))
    except UnreadableInput as err:
        yield UnreadableRecord(ref, [err.problem])
        return
    except json.JSONDecodeError as err:
        yield UnreadableRecord(ref, [json_syntax_problem(err)])
        return
    value = opened(value, ref)
    if isinstance(value, UnreadableRecord):
        yield value
    else:
        yield from items_in(value, ref, item_keys)


def nesting_problem(data: bytes, line_offset: int = 0) -> Problem | None:
    """A problem when a JSON document nests past MAX_DEPTH (before a parser tries it)."""
    line = too_deep(data)
    if line is None:
        return None
    return Problem("json", f"the JSON nests more than {MAX_DEPTH} levels deep at line {line + line_offset}; "
                           "no record does")


def _stream_problem(err: Exception, index: int, lines: tuple[int, int]) -> Problem:
    """'invalid JSON in item [3], lines 12–40: parse error: …, near `{"a": 1 x`; the items before
    it are read'. ijson's C parser (yajl) says what is wrong and shows the text around it, but not
    where: the lines are those of the last block it read."""
    detail = err.args[0] if err.args else str(err)
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", errors="replace")
    if isinstance(err, UnicodeDecodeError) or "UTF8" in str(detail):
        reason, context = "not UTF-8", ""
    else:
        reason, _, rest = str(detail).strip().partition("\n")
        context = rest.partition("\n")[0].strip() if rest else ""
    near = f", near `{context[:80]}`" if context else ""
    first, last = lines
    where = f"line {first}" if first == last else f"lines {first}–{last}"
    return Problem("json", f"invalid JSON in item [{index}], {where}: {reason}{near}; the items before it are read")


class _TooDeep(Exception):
    """Raised to ijson from _Rest.read: the item being read nests past MAX_DEPTH."""


class _Rest:
    """The head the reader has already taken, then the rest of the stream: what ijson reads.
    Counts lines, so that `last_lines` are the first and last line of the last block read.

    Follows the nesting as it goes: the bytes of a block up to a bracket nesting past MAX_DEPTH go
    to ijson (which yields the items before it), the next read raises _TooDeep, and `skip_item`
    passes over the rest of that item so that ijson starts again with the next one."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self._head = head
        self._stream = stream
        self.last_lines = (1, 1)
        self._nesting = Nesting()
        self._past_limit: bytes | None = None  # the rest of a block from a bracket too deep

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to tell bytes from text
            return b""
        if self._past_limit is not None:
            raise _TooDeep()
        if self._head:
            chunk, self._head = self._head, b""
        else:
            chunk = self._stream.read(size)
        cut = self._nesting.feed(chunk)
        if cut is not None:
            chunk, self._past_limit = chunk[:cut], chunk[cut:]
            if not chunk:  # ijson takes an empty read for the end of the file
                raise _TooDeep()
        self._count_lines(chunk)
        return chunk

    def skip_item(self) -> bool:
        """After _TooDeep: pass over the rest of the item; True when another item follows (the
        next read then starts a new array with it), False at the array's end."""
        data, self._past_limit = self._past_limit or b"", None
        while (end := self._nesting.walk(data, lambda depth: depth <= 1)) is None:
            self._count_lines(data)
            if not (data := self._stream.read(READ_BYTES)):
                return False
        self._count_lines(data[:end])
        rest = data[end + 1:].lstrip()
        while not rest and (more := self._stream.read(READ_BYTES)):
            rest = more.lstrip()
        if not rest.startswith(b","):
            return False
        self._head, self._nesting = b"[" + rest[1:], Nesting()
        return True

    def _count_lines(self, chunk: bytes) -> None:
        if chunk:
            first = self.last_lines[1]
            self.last_lines = (first, first + chunk.count(b"\n"))
