"""Reading a SPARQL query's or update's text without running it.

The endpoint needs a few facts before it hands a query to the engine: whether the query names its
own dataset (FROM), which SERVICE endpoints it would call, and how deep its brackets nest. Keywords
can hide in IRIs, strings and comments, and `#` starts a comment only outside them (and outside a
prefixed name's `\\#` escape), so the text is first cut into tokens the way the SPARQL grammar cuts
it; everything here reads those tokens. A `.` is always a token of its own, also where the
grammar lets it stand inside a prefixed name (`ex:a.b`): `?s.SERVICE`, `{}.SERVICE` and
`1.SERVICE` are the keyword after a dot, and a name with `.SERVICE` inside is read on the safe
side, as the keyword. A SERVICE target spelled with dots is joined up again (`_name_at`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urljoin

_IRI = r"""<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"""
_TOKEN = re.compile(rf"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri>{_IRI})
  | (?P<word>(?:[\w?$:\-%]|\\.)+)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)
IRI_REF = re.compile(_IRI)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPENING, CLOSING = "{([", "})]"


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, word, space or other (one character)
    text: str
    start: int


@dataclass(frozen=True)
class ServiceCall:
    """A `SERVICE [SILENT] target` of the query: the IRI it calls, or None when the target is a
    variable or a prefixed name with no declared prefix."""
    written: str
    iri: str | None


def tokens(text: str) -> Iterator[Token]:
    for match in _TOKEN.finditer(text):
        yield Token(match.lastgroup, match.group(), match.start())


def significant(text: str) -> list[Token]:
    """The tokens that mean something to the parser: no white space, no comments."""
    return [token for token in tokens(text) if token.kind not in ("space", "comment")]


def blanked(text: str) -> str:
    """The text with every IRI, string and comment replaced by spaces (positions kept), so that a
    keyword search finds only keywords."""
    return "".join(" " * len(t.text) if t.kind in ("iri", "string", "comment") else t.text for t in tokens(text))


def has_keyword(text: str, keyword: str) -> bool:
    """Whether the keyword is used as a keyword (not inside an IRI, string, comment or name)."""
    if keyword.lower() not in text.lower():  # most queries: no need to tokenize
        return False
    return any(t.kind == "word" and t.text.upper() == keyword for t in tokens(text))


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset (FROM / FROM NAMED)."""
    return has_keyword(query, "FROM")


def nesting_depth(text: str) -> int:
    """How deep the query's braces, parentheses and brackets nest (outside strings and IRIs)."""
    depth = deepest = 0
    for token in tokens(text):
        if token.kind == "other":
            if token.text in OPENING:
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in CLOSING:
                depth = max(0, depth - 1)
    return deepest


def service_calls(text: str, base_iri: str | None = None) -> list[ServiceCall]:
    """Every SERVICE clause, with the IRI it calls resolved as the engine would resolve it:
    prefixed names by the query's PREFIX declarations, relative IRIs against its BASE (else
    `base_iri`), `\\u` escapes decoded."""
    if "service" not in text.lower():
        return []
    words = significant(text)
    prefixes: dict[str, str] = {}
    base = base_iri
    calls = []
    for index, token in enumerate(words):
        keyword = token.text.upper() if token.kind == "word" else ""
        following = words[index + 1:index + 3]
        if keyword == "BASE" and following and following[0].kind == "iri":
            base = _resolved(following[0].text, base)
        elif keyword == "PREFIX" and len(following) == 2 and following[0].text.endswith(":"):
            namespace = _resolved(following[1].text, base)
            if namespace is not None:
                prefixes[following[0].text[:-1]] = namespace
        elif keyword == "SERVICE":
            at = index + 2 if following and following[0].text.upper() == "SILENT" else index + 1
            calls.append(_service_call(_name_at(words, at), prefixes, base))
    return calls


def _name_at(words: list[Token], index: int) -> Token | None:
    """The token at `index`; a prefixed name with dots inside it (`ex:a.b`) as one token."""
    if index >= len(words):
        return None
    name = words[index]
    for token in words[index + 1:]:
        if token.start != name.start + len(name.text) or not (token.text == "." or token.kind == "word"):
            break
        name = Token(name.kind, name.text + token.text, name.start)
    if name.kind == "word" and name.text.endswith("."):  # a dot after a name ends the triple
        name = Token(name.kind, name.text.rstrip("."), name.start)
    return name


def _service_call(target: Token | None, prefixes: dict[str, str], base: str | None) -> ServiceCall:
    if target is None:
        return ServiceCall("", None)
    if target.kind == "iri":
        return ServiceCall(target.text, _resolved(target.text, base))
    if target.kind == "word" and ":" in target.text and not target.text.startswith(("?", "$")):
        prefix, _, local = target.text.partition(":")
        namespace = prefixes.get(prefix)
        iri = namespace + re.sub(r"\\(.)", r"\1", local) if namespace is not None else None
        return ServiceCall(target.text, iri)
    return ServiceCall(target.text, None)


def _resolved(iri_token: str, base: str | None) -> str | None:
    """The IRI as the engine reads it; None when it cannot be read (the engine refuses it too)."""
    try:
        iri = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri_token[1:-1])
        return urljoin(base, iri) if base else iri
    except ValueError:  # a code point past U+10FFFF, a broken host such as [::1
        return None
