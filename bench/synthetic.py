"""Realistic synthetic Pure API research outputs, for the benchmark and the large-run tests.

The records have the shape of the real Pure web-service records in ../shared/data/real/pure-api/
(titles, abstracts, ordered authors, a journal with ISSN, volume, issue, pages, statuses with
dates, ASJC keyword groups, free keywords, a DOI, Scopus citations). Deterministic for a seed.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

WORDS = (
    "civil society law enforcement state police reform network model analysis data climate "
    "policy health care cell protein signal energy market risk learning language memory graph "
    "system design evidence survey trial cohort urban water soil carbon regional migration "
    "identity culture history economy trade finance quantum field particle decay detector"
).split()
GIVEN = "Anna Lars Maria Jan Sofia Peter Eva Mikko Chen Aiko Olga Ivan Fatima Omar Lucia Tom".split()
FAMILY = "Wadsö Markova Smith Ablikim Nielsen Berg Rossi Kim Tanaka Novak Garcia Müller Okafor Dubois".split()
LANGUAGES = (("en_GB", "English"), ("en_US", "English (US)"), ("sv_SE", "Swedish"), ("de_DE", "German"))
TYPE_URI = "/dk/atira/pure/researchoutput/researchoutputtypes/contributiontojournal/article"


def _text(value: str) -> dict:
    return {"formatted": False, "text": [{"locale": "en_GB", "value": value}]}


def _term(uri: str, value: str) -> dict:
    return {"uri": uri, "term": _text(value)}


def _asjc_codes() -> list[str]:
    from kgpub import ontology

    return sorted(code for code in ontology.asjc_codes() if len(code) == 4)


def _journals(rng: random.Random, count: int = 500) -> list[dict]:
    journals = []
    for n in range(count):
        title = " ".join(rng.choice(WORDS).title() for _ in range(3)) + f" Journal {n}"
        issn = f"{1000 + n:04d}-{rng.randrange(100, 999):03d}"
        journals.append({"title": title, "issn": issn + _issn_check_digit(issn)})
    return journals


def _issn_check_digit(first7: str) -> str:
    digits = [int(c) for c in first7.replace("-", "")]
    remainder = sum(d * w for d, w in zip(digits, range(8, 1, -1))) % 11
    check = (11 - remainder) % 11
    return "X" if check == 10 else str(check)


def record(n: int, rng: random.Random, journals: list[dict], codes: list[str]) -> dict:
    journal = rng.choice(journals)
    locale, language = rng.choice(LANGUAGES)
    first_page = rng.randrange(1, 900)
    year, month, day = rng.randrange(1990, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    date = rng.choice(({"year": year}, {"year": year, "month": month},
                       {"year": year, "month": month, "day": day}))
    authors = [
        {"name": {"firstName": rng.choice(GIVEN), "lastName": rng.choice(FAMILY)},
         "personRole": _term("/dk/atira/pure/researchoutput/roles/contributiontojournal/author", "Author")}
        for _ in range(rng.randrange(1, 9))
    ]
    return {
        "pureId": 100000 + n,
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "title": {"formatted": True, "value": " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()},
        "peerReview": rng.random() < 0.9,
        "totalScopusCitations": rng.randrange(0, 300),
        "pages": f"{first_page}-{first_page + rng.randrange(1, 40)}",
        "volume": str(rng.randrange(1, 120)),
        "journalNumber": str(rng.randrange(1, 13)),
        "journalAssociation": {"title": {"value": journal["title"]}, "issn": {"value": journal["issn"]}},
        "type": _term(TYPE_URI, "Article"),
        "language": _term(f"/dk/atira/pure/core/languages/{locale}", language),
        "abstract": _text(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(60, 200))).capitalize() + "."),
        "publicationStatuses": [{"current": True, "publicationDate": date,
                                 "publicationStatus": _term("/dk/atira/pure/researchoutput/status/published",
                                                            "Published")}],
        "personAssociations": authors,
        "electronicVersions": [{"doi": f"https://doi.org/10.5555/kgpub.{n}"}],
        "keywordGroups": [
            {"logicalName": "ASJCSubjectAreas",
             "type": _term("/dk/atira/pure/subjectarea/asjc", "ASJC Scopus subject areas"),
             "keywordContainers": [
                 {"structuredKeyword": _term(f"/dk/atira/pure/subjectarea/asjc/{code}", "")}
                 for code in rng.sample(codes, rng.randrange(1, 4))]},
            {"logicalName": "keywordContainers", "type": {"term": _text("Free keywords")},
             "keywordContainers": [{"freeKeywords": [
                 {"locale": "en_GB", "freeKeywords": rng.sample(WORDS, rng.randrange(1, 6))}]}]},
        ],
    }


def records(count: int, seed: int = 1) -> Iterator[dict]:
    rng = random.Random(seed)
    journals, codes = _journals(rng), _asjc_codes()
    for n in range(count):
        yield record(n, rng, journals, codes)


def write_jsonl(path: Path, count: int, seed: int = 1) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for item in records(count, seed):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return path
