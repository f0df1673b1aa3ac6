"""Reconciliation candidates for one query, scored 0–100, with a match decision (docs/serving.md,
"Reconciliation (OpenRefine)").

Finding: an identifier in the query (a DOI, ORCID or ISSN among its properties or as its text, or
one of our ids) names its entity exactly, through the store's identifier nodes. Outputs and persons
are found by the search index (graph/search.py), which needs every word of its text: all words of
the query first; when nothing found is close, parts of it (search_with_fallback), so that a
misspelt word does not hide the record. Journals are matched against the list of them, subjects against the ASJC.

Scoring: each candidate gets features, 0–100: `name` (the query against its title or name,
server/reconcile_similarity.py) and one per property the query gives and the candidate has (a
property the candidate has no value for is left out, neither for nor against it). The score is
their mean weighted by WEIGHTS: identifiers weigh most, a year least. A candidate an identifier
names scores 100.

Matching: `match` is true for the one candidate an identifier names; without one, for the top
candidate when it scores at least MATCH_SCORE and the next one is at least MATCH_GAP behind.
Namesakes (two records titled "Editorial", two people called "J. Smith" without ORCIDs) are
therefore never matched: the client decides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from rapidfuzz import fuzz, process
from stdnum import issn as stdnum_issn

from kgpub import ontology
from kgpub.graph import iris
from kgpub.graph.importers.fields import orcid as bare_orcid
from kgpub.graph.importers.text import clean_doi, clean_issn
from kgpub.graph.keys import normalise
from kgpub.graph.namespaces import DATACITE
from kgpub.graph.record_reader import StoredRecord
from kgpub.graph.search import WORD, Hit, year_of
from kgpub.server import reconcile_entities as entities
from kgpub.server.reconcile_requests import EntityValue, Query, Value
from kgpub.server.reconcile_schema import KINDS, MAX_QUERY_CHARS, EntityType, find_type
from kgpub.server.reconcile_similarity import label_similarity, person_similarity, title_similarity
from kgpub.server.resolver import find as find_by_identifier

FETCH = 20  # hits asked of the search index for the whole text
FALLBACK_FETCH = 50  # and for each part of it: fewer words match more records
FALLBACK_PARTS = 3  # runs of words searched without, then alone, when the whole text finds nothing close
SHORT_TEXT = 6  # words: a text this short is searched without each word in turn instead
PREFIX_CHARS = 4  # a single misspelt word is searched by its start
GOOD_ENOUGH = 90.0  # a search whose best hit scores this needs no fallback
KEEP_ABOVE = 30.0  # a thing found by part of the query, or a namesake, whose name scores less is no candidate
MATCH_SCORE = 90.0
MATCH_GAP = 10.0
WEIGHTS = {"name": 1.0, "doi": 4.0, "orcid": 2.0, "issn": 1.0, "journal": 0.5, "author": 0.5, "year": 0.25,
           "subject": 0.25}
YEAR = re.compile(r"^\s*(\d{4})")


@dataclass
class Candidate:
    id: str
    name: str
    types: tuple[EntityType, ...]
    description: str = ""
    features: dict[str, float] = field(default_factory=dict)
    exact: bool = False  # an identifier in the query names it
    score: float = 0.0
    match: bool = False

    def as_json(self) -> dict:
        found = {"id": self.id, "name": self.name, "score": round(self.score, 1), "match": self.match,
                 "type": [t.reference() for t in self.types],
                 "features": [{"id": name, "value": round(value, 1)} for name, value in self.features.items()]}
        if self.description:
            found["description"] = self.description
        return found


def reconcile(query: Query) -> list[Candidate]:
    """The best `query.limit` candidates, best first, the top one matched when unambiguous."""
    found: dict[str, Candidate] = {}
    for kind in query.kinds:
        for candidate in FINDERS[kind](query):
            candidate.score = 100.0 if candidate.exact else weighted_mean(candidate.features)
            if candidate.id not in found or candidate.score > found[candidate.id].score:
                found[candidate.id] = candidate
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.name, c.id))
    decide_match(ranked)
    return ranked[:query.limit]


def weighted_mean(features: dict[str, float]) -> float:
    total = sum(WEIGHTS[name] for name in features)
    return sum(WEIGHTS[name] * value for name, value in features.items()) / total if total else 0.0


def decide_match(ranked: list[Candidate]) -> None:
    named = [c for c in ranked if c.exact]
    if named:
        named[0].match = len(named) == 1
        return
    if ranked and ranked[0].score >= MATCH_SCORE and (len(ranked) == 1 or
                                                      ranked[0].score - ranked[1].score >= MATCH_GAP):
        ranked[0].match = True


def strings(values: Iterable[Value]) -> list[str]:
    return [v for v in values if isinstance(v, str) and v]


def entity_ids(values: Iterable[Value]) -> set[str]:
    return {v.id for v in values if isinstance(v, EntityValue)}


def asked_entity(query: Query, kind: str) -> str | None:
    """The query text when it is an id of ours (`output/K`) or a thing IRI of ours."""
    if not query.text:
        return None
    stem = entities.entity_id(query.text) or query.text
    return stem if entities.kind_of(stem) == kind and entities.entity_iri(stem) is not None else None


def search_with_fallback(text: str, closeness: Callable[[Hit], float], column: str, **filters) -> list[Hit]:
    """Hits for all words of `text` in one column of the index (titles, authors); when none is
    close enough, hits for parts of it (fallback_word_sets: one misspelt word leaves one of them
    clean, and for a long text two misspelt words leave one run clean), until one of them finds a
    close hit. Not counted: only the best hits are wanted."""
    index = entities.store().search
    hits = list(index.search(text, limit=FETCH, column=column, count=False, **filters).hits)
    if max(map(closeness, hits), default=0) >= GOOD_ENOUGH:
        return hits
    for words in fallback_word_sets(WORD.findall(text)):
        more = [hit for hit in index.search(" ".join(words), limit=FALLBACK_FETCH, column=column, count=False,
                                            **filters).hits
                if closeness(hit) >= KEEP_ABOVE]  # a part of the text finds much that is not like the whole
        hits += more
        if max(map(closeness, more), default=0) >= GOOD_ENOUGH:
            break
    unique: dict[str, Hit] = {}
    for hit in hits:
        unique.setdefault(hit.iri, hit)
    return list(unique.values())


def fallback_word_sets(words: list[str]) -> list[list[str]]:
    """A short text without each of its words in turn; a longer one without each of FALLBACK_PARTS
    runs of words, then each run alone. One word: its start, as a prefix (the index takes the last
    word of a text as the start of a word)."""
    if len(words) == 1:
        return [[words[0][:PREFIX_CHARS]]] if len(words[0]) > PREFIX_CHARS else []
    size = 1 if len(words) <= SHORT_TEXT else -(-len(words) // FALLBACK_PARTS)  # ceiling division
    runs = [words[i:i + size] for i in range(0, len(words), size)]
    without = [[w for j, run in enumerate(runs) if j != i for w in run] for i in range(len(runs))]
    return without + (runs if size > 1 else [])


# --- research outputs ---------------------------------------------------------------------------

@dataclass
class OutputFacts:
    """What scoring needs of an output: the search index's row, and the whole record only when a
    property asks for more (ORCIDs, ISSNs, subjects, reconciled authors or journals)."""
    iri: str
    title: str | None
    authors: tuple[str, ...]
    journal_title: str | None
    year: str | None
    doi: str | None
    type_iri: str | None
    _record: StoredRecord | None = None

    @classmethod
    def of_hit(cls, hit: Hit) -> OutputFacts:
        return cls(hit.iri, hit.title, hit.authors, hit.journal_title, hit.year, hit.doi, hit.type_iri)

    @classmethod
    def of_record(cls, record: StoredRecord) -> OutputFacts:
        return cls(record.iri, record.full_title, tuple(a.name for a in record.authors),
                   record.journal.title if record.journal else None, year_of(record.publication_date), record.doi,
                   record.type.iri if record.type else None, record)

    @property
    def record(self) -> StoredRecord | None:
        if self._record is None:
            self._record = entities.read_output(self.iri)
        return self._record

    def description(self) -> str:
        where = ", ".join(filter(None, (self.journal_title, self.year)))
        people = ", ".join(self.authors[:3]) + (" et al." if len(self.authors) > 3 else "")
        return " · ".join(filter(None, (where, people)))

    def types(self) -> tuple[EntityType, ...]:
        stem = entities.entity_id(self.type_iri) if self.type_iri else None
        pure_type = find_type(stem) if stem else None
        return (KINDS["output"], pure_type) if pure_type else (KINDS["output"],)


def find_outputs(query: Query) -> list[Candidate]:
    outputs = {iri: OutputFacts.of_record(record) for iri in identified_outputs(query)
               if (record := entities.read_output(iri)) is not None}
    named = set(outputs)
    for hit in searched_outputs(query):
        outputs.setdefault(hit.iri, OutputFacts.of_hit(hit))
    return [Candidate(entities.entity_id(iri) or iri, facts.title or entities.entity_id(iri) or iri, facts.types(),
                      facts.description(), output_features(query, facts), iri in named)
            for iri, facts in outputs.items()]


def identified_outputs(query: Query) -> set[str]:
    """Outputs named by a DOI (among the properties, or as the query text) or by our id."""
    dois = {d for v in [*strings(query.values_of("doi")), query.text or ""] if (d := clean_doi(v))}
    found = {iri for doi in dois for iri in find_by_identifier([doi], (DATACITE.doi,)) if iris.is_output(iri)}
    if stem := asked_entity(query, "output"):
        found.add(entities.entity_iri(stem).value)
    return found


def searched_outputs(query: Query) -> list[Hit]:
    """Hits for the title; a query of properties only searches by author name, else by year."""
    pure_keys = [t.pure_key for t in query.types if t.kind == "output"]
    type_filters = [None] if None in pure_keys else [entities.type_iri(key) for key in pure_keys]
    hits: list[Hit] = []
    for type_iri in type_filters:
        if query.text:
            hits += search_with_fallback(query.text, lambda h: title_similarity(query.text, h.title), "title",
                                         type=type_iri)
        elif names := strings(query.values_of("author")):
            hits += entities.store().search.search(" ".join(names)[:MAX_QUERY_CHARS], limit=FETCH, type=type_iri,
                                                   column="authors", count=False).hits
        elif years := [m.group(1) for v in strings(query.values_of("year")) if (m := YEAR.match(v))]:
            hits += entities.store().search.search("", year=years[0], limit=FETCH, type=type_iri, count=False).hits
    return hits


def output_features(query: Query, facts: OutputFacts) -> dict[str, float]:
    features = {"name": title_similarity(query.text, facts.title)} if query.text else {}
    for constraint in query.constraints:
        value = OUTPUT_PROPERTIES[constraint.property.id](constraint.values, facts)
        if value is not None:
            features[constraint.property.id] = max(value, features.get(constraint.property.id, 0.0))
    return features


def doi_agreement(values, facts: OutputFacts) -> float | None:
    asked = {d for v in strings(values) if (d := clean_doi(v))}
    if not facts.doi or not strings(values):
        return None
    return 100.0 if facts.doi.lower() in asked else 0.0


def year_agreement(values, facts: OutputFacts) -> float | None:
    """Same year 100; a year apart 50 (a preprint, an online-first article); else 0."""
    asked = [int(m.group(1)) for v in strings(values) if (m := YEAR.match(v))]
    if not facts.year or not facts.year.isdigit() or not strings(values):
        return None
    gap = min((abs(int(facts.year) - year) for year in asked), default=99)
    return 100.0 if gap == 0 else 50.0 if gap == 1 else 0.0


def journal_agreement(values, facts: OutputFacts) -> float | None:
    """A reconciled journal, an ISSN of the journal, or its title."""
    if not facts.journal_title and not (facts.record and facts.record.journal):
        return None
    journal = facts.record.journal if facts.record else None
    best = 0.0
    for value in values:
        if isinstance(value, EntityValue):
            agrees = journal is not None and entities.entity_id(journal.iri) == value.id
            best = max(best, 100.0 if agrees else 0.0)
        elif issn := checked_issn(value):
            best = max(best, 100.0 if journal and issn in journal.values("issn", "eissn") else 0.0)
        else:
            best = max(best, label_similarity(value, facts.journal_title))
    return best


def issn_agreement(values, facts: OutputFacts) -> float | None:
    journal = facts.record.journal if facts.record else None
    known = journal.values("issn", "eissn") if journal else ()
    if not known:
        return None
    return 100.0 if any(checked_issn(v) in known for v in strings(values)) else 0.0


def author_agreement(values, facts: OutputFacts) -> float | None:
    """A reconciled person among the authors, or the name closest to one of theirs."""
    if not facts.authors:
        return None
    best = 0.0
    people = entity_ids(values)
    if people and facts.record:
        best = 100.0 if people & {entities.entity_id(a.iri) for a in facts.record.authors} else 0.0
    return max([best] + [person_similarity(v, name) for v in strings(values) for name in facts.authors])


def orcid_agreement(values, facts: OutputFacts) -> float | None:
    known = {a.orcid for a in facts.record.authors if a.orcid} if facts.record else set()
    if not known:
        return None
    return 100.0 if {bare_orcid(v) for v in strings(values)} & known else 0.0


def subject_agreement(values, facts: OutputFacts) -> float | None:
    known = {s.code for s in facts.record.subjects} if facts.record else set()
    if not known:
        return None
    return 100.0 if {subject_code(v) for v in values} & known else 0.0


OUTPUT_PROPERTIES = {"doi": doi_agreement, "year": year_agreement, "journal": journal_agreement,
                     "issn": issn_agreement, "author": author_agreement, "orcid": orcid_agreement,
                     "subject": subject_agreement}


def checked_issn(value: Value) -> str | None:
    return clean_issn(value) if isinstance(value, str) and stdnum_issn.is_valid(value.strip()) else None


def subject_code(value: Value) -> str | None:
    """"3305", "Geography, Planning and Development" or a reconciled `asjc/3305` -> "3305"."""
    if isinstance(value, EntityValue):
        return value.id.removeprefix("asjc/")
    return ontology.resolve_asjc(value if value.isdigit() else None, value)


# --- persons ------------------------------------------------------------------------------------

def find_persons(query: Query) -> list[Candidate]:
    named = {iri for v in [*strings(query.values_of("orcid")), query.text or ""] if (o := bare_orcid(v))
             for iri in find_by_identifier([o], (DATACITE.orcid,))}
    if stem := asked_entity(query, "person"):
        named.add(entities.entity_iri(stem).value)
    people: dict[str, tuple[str, str | None, str]] = {}  # iri -> name, ORCID, description
    for iri in named:
        if person := entities.read_thing(iri):
            people[iri] = (person.name or iri, next(iter(person.values("orcid")), None), "")
    if query.text:
        people |= {iri: found for iri, found in searched_persons(query.text).items() if iri not in people}
    asked_orcids = {bare_orcid(v) for v in strings(query.values_of("orcid"))}
    candidates = []
    for iri, (name, orcid, description) in people.items():
        features = {"name": person_similarity(query.text, name)} if query.text else {}
        if asked_orcids and orcid:
            features["orcid"] = 100.0 if orcid in asked_orcids else 0.0
        if iri in named or features.get("name", 100.0) >= KEEP_ABOVE:
            described = f"ORCID {orcid}" if orcid else description
            candidates.append(Candidate(entities.entity_id(iri) or iri, name, (KINDS["person"],), described,
                                        features, iri in named))
    return candidates


def searched_persons(text: str) -> dict[str, tuple[str, str | None, str]]:
    """Authors of the outputs the name finds whose names are close to it."""
    def closeness(hit: Hit) -> float:
        return max((person_similarity(text, name) for name in hit.authors), default=0.0)
    people = {}
    for hit in search_with_fallback(text, closeness, "authors"):
        if closeness(hit) < KEEP_ABOVE or (record := entities.read_output(hit.iri)) is None:
            continue
        for author in record.authors:
            if person_similarity(text, author.name) >= KEEP_ABOVE and author.iri not in people:
                people[author.iri] = (author.name, author.orcid, f"author of “{record.full_title}”")
    return people


# --- journals and subjects ----------------------------------------------------------------------

def find_journals(query: Query) -> list[Candidate]:
    listed = entities.journal_list()
    asked_issns = {i for v in [*strings(query.values_of("issn")), query.text or ""] if (i := checked_issn(v))}
    named = {j.iri for issn in asked_issns for j in listed.by_issn.get(issn, ())}
    if stem := asked_entity(query, "journal"):
        named.add(entities.entity_iri(stem).value)
    chosen = {j.iri: j for j in listed.journals if j.iri in named}
    if query.text:
        for _, _, index in process.extract(normalise(query.text), listed.normalised_titles, scorer=fuzz.WRatio,
                                           limit=FETCH, score_cutoff=KEEP_ABOVE):
            chosen.setdefault(listed.journals[index].iri, listed.journals[index])
    candidates = []
    for iri, journal in chosen.items():
        issns = journal.values("issn", "eissn")
        features = {"name": label_similarity(query.text, journal.name)} if query.text else {}
        if asked_issns and issns:
            features["issn"] = 100.0 if asked_issns & set(issns) else 0.0
        candidates.append(Candidate(entities.entity_id(iri) or iri, journal.name or iri, (KINDS["journal"],),
                                    " · ".join(f"ISSN {i}" for i in issns), features, iri in named))
    return candidates


def find_subjects(query: Query) -> list[Candidate]:
    if not query.text:
        return []
    listed = entities.subjects()
    stem = asked_entity(query, "asjc")
    code = stem.removeprefix("asjc/") if stem else query.text if query.text.isdigit() else None
    chosen = {s.code: s for s in listed if s.code == code}
    for _, _, index in process.extract(normalise(query.text), [s.normalised for s in listed], scorer=fuzz.WRatio,
                                       limit=FETCH, score_cutoff=KEEP_ABOVE):
        chosen.setdefault(listed[index].code, listed[index])
    return [Candidate(f"asjc/{s.code}", s.label, (KINDS["asjc"],), f"ASJC {s.code} · {s.area}",
                      {"name": label_similarity(query.text, s.label)}, s.code == code)
            for s in chosen.values()]


FINDERS: dict[str, Callable[[Query], list[Candidate]]] = {
    "output": find_outputs, "person": find_persons, "journal": find_journals, "asjc": find_subjects}
