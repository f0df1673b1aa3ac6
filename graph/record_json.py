"""A Record as JSON and back, so that each source record of a work can be kept (graph/sources.py)."""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from functools import lru_cache

from kgpub.graph.record import Record


def dumps(record: Record) -> str:
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Record:
    return _decode(Record, json.loads(text))


@lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _decode(kind, value):
    """value (plain JSON) as `kind`: a dataclass, a list of them, an optional one, or a plain value."""
    if value is None:
        return None
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{name: _decode(hints[name], v) for name, v in value.items() if name in hints})
    origin = typing.get_origin(kind)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, v) for v in value]
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        classes = [a for a in options if dataclasses.is_dataclass(a)]
        return _decode(classes[0], value) if classes and isinstance(value, dict) else value
    return value
