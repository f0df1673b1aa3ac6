"""Stable keys for IRIs (docs/modelling.md): the same work gets the same key from any source.

A research output's key comes from its DOI, else its Pure UUID, else a content key (normalised
title + year + first author). The content key is also written into the record's graph
(`kgv:contentKey`), so that a later import carrying a DOI or UUID can find the record it
corrects and keep its IRI (the store looks it up; see graph/pipeline.py).
"""
from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from urllib.parse import quote

from kgpub.graph.identifiers import valid_issn, valid_orcid
from kgpub.graph.record import Journal, Person, Record


def short_hash(text: str) -> str:
    """16 lowercase base32 characters (80 bits): short, opaque, collision-free in practice."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii")[:16].lower()


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing removed: 'Law  enforcement, Russia!' -> 'law enforcement russia'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", plain))


def slug(text: str) -> str:
    return normalise(text).replace(" ", "-") or short_hash(text)


def content_key(record: Record) -> str | None:
    """Normalised title + year + first author; None without a title. The author as the source
    wrote them whole where it did (a Pure page: "Karin Holmgren"), else the family name: the keys
    minted before names were split stay the same, and so do the IRIs made from them."""
    if not record.title:
        return None
    years = [s.date.year for s in record.statuses if s.date is not None]
    first = record.authors[0] if record.authors else None
    author = (first.name or first.family_name or "") if first else ""
    return f"{normalise(record.title)}|{min(years) if years else ''}|{normalise(author)}"


def identity_claims(record: Record) -> list[tuple[str, str]]:
    """The identifiers that name this work, strongest first: ("doi", …), ("pure", …), ("content", …)."""
    claims = []
    if record.doi:
        claims.append(("doi", record.doi))
    if record.pure_uuid:
        claims.append(("pure", record.pure_uuid.lower()))
    key = content_key(record)
    if key:
        claims.append(("content", key))
    return claims


def mint_output_key(record: Record) -> str | None:
    claims = identity_claims(record)
    if not claims:
        return None
    scheme, value = claims[0]
    return short_hash(f"{scheme}:{value}")


def journal_key(journal: Journal) -> str:
    """By ISSN (one with a right check digit: graph/identifiers.py), else Pure UUID, else title."""
    if valid_issn(journal.issn):
        return f"issn-{journal.issn.upper()}"
    if valid_issn(journal.eissn):
        return f"issn-{journal.eissn.upper()}"
    if journal.pure_uuid:
        return f"pure-{journal.pure_uuid.lower()}"
    return short_hash(f"journal:{normalise(journal.title or '')}")


def person_key(person: Person, output_key: str, position: int) -> str:
    """People without an identifier are never merged across records: their key is per record."""
    if valid_orcid(person.orcid):
        return f"orcid-{person.orcid}"
    if person.pure_uuid:
        return f"pure-{person.pure_uuid.lower()}"
    return f"{output_key}-{position}"


def is_identified_person(person_key: str) -> bool:
    """Whether a person key comes from an ORCID iD or a Pure UUID (one person across records),
    rather than from one record's author list (person_key)."""
    return person_key.startswith(("orcid-", "pure-"))


def path_segment(value: str) -> str:
    """A volume or issue number as one safe IRI path segment ('3/4' -> '3%2F4')."""
    return quote(value.strip(), safe="")
