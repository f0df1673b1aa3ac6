"""Ingest: files -> importer -> Record -> mapping -> SHACL -> store, one outcome per record.

Records move in batches: a batch is mapped, validated together (the fast SHACL path), and the
records that pass are written to the store as one batch of whole graphs. A rejected record is
never stored; the rest of its batch is. Everything a record did wrong is in its outcome.

With `jobs` > 1 the files are read in a process of their own and the mapping and validation of
a batch run in worker processes (graph/ingest_workers.py); this process stays the one writer and
does, in input order, all that reads or writes the store, so the outcomes are the same as with
one job.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import NamedNode

from kgpub.graph import field_names, importers, journals, keys, lifecycle, sources
from kgpub.graph.identifiers import check_identifiers
from kgpub.graph.ingest_workers import READ_CHUNK, FileReader, Workers, read_in_process, reader_worth_starting
from kgpub.graph.mapping import MappedRecord
from kgpub.graph.namespaces import compact
from kgpub.graph.record import Derivation, PartialDate, Problem, Record, SourceRef, UnreadableRecord
from kgpub.graph.store import Store
from kgpub.graph.validate import Finding, Validator
from kgpub.graph.vocabularies import ensure_vocabularies

BATCH_SIZE = 2000
HEAD_BYTES = 65536  # enough of a file to tell its format by (importers.detect)


@dataclass
class Outcome:
    """What happened to one record: the report's row."""

    source: str
    status: str  # stored | updated | unchanged | rejected | valid (validate only)
    iri: str | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    format: str | None = None  # the importer's name: what the file was read as
    merged: bool = False  # its work has records from other sources too, merged with it (sources.py)

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "status": self.status,
            "merged": self.merged,
            "iri": self.iri,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


@dataclass
class Candidate:
    record: Record
    mapped: MappedRecord | None


def source_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and in folders every file an importer claims by suffix (sorted, no hidden)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and importers.for_path(child):
                    yield child
        else:
            yield path


def read_file(path: Path, format: str | None) -> Iterator[Record | UnreadableRecord]:
    source = SourceRef(str(path))
    try:
        with path.open("rb") as stream:
            importer = importers.by_name(format) if format else importers.detect(path, stream.read(HEAD_BYTES))
            stream.seek(0)
            for item in importer.load().read(stream, str(path)):
                source = item.source
                yield item
    except OSError as err:
        yield UnreadableRecord(SourceRef(str(path)), [Problem("file", f"cannot read the file: {err.strerror}")])
    except importers.UnknownFormat as err:
        yield UnreadableRecord(SourceRef(str(path)), [Problem("file", str(err))])
    except Exception as err:  # an importer bug must cost one file, not the whole run
        message = f"reading stopped after this point, the rest of the file was not read: {err!r}"
        yield UnreadableRecord(source, [Problem("file", message)])


@functools.lru_cache(maxsize=256)
def file_date(path: str) -> PartialDate | None:
    try:
        day = dt.date.fromtimestamp(Path(path).stat().st_mtime)
    except OSError:
        return None
    return PartialDate(day.year, day.month, day.day)


# Absences that are no news for a format, by the path a SHACL minCount warning is about: BibTeX, RIS,
# CSL-JSON, Crossref and OC Meta records rarely carry an abstract or a language (of 12,316 warnings
# on the real corpora, 12,088 said so and buried the others), so they are not warned of there; Pure
# records carry both and are. A work with a Pure source among its sources is warned.
SELDOM_GIVEN = {
    "http://purl.org/dc/terms/abstract": {"bibtex", "ris", "csl-json", "crossref", "oc-meta"},
    "http://purl.org/dc/terms/language": {"bibtex", "ris", "csl-json", "crossref", "oc-meta"},
}
MIN_COUNT = "http://www.w3.org/ns/shacl#MinCountConstraintComponent"


def is_news(finding: Finding, record: Record) -> bool:
    """Whether a finding is worth telling for a record of these source formats (SELDOM_GIVEN)."""
    formats = source_formats(record)
    return not (finding.severity != "Violation" and finding.component == MIN_COUNT
                and formats <= SELDOM_GIVEN.get(finding.path or "", set()))


def names_field(said: str, names: tuple[str, ...]) -> bool:
    """Whether an importer's field ("TI", "publicationStatuses[0].publicationDate") is one of these."""
    return said in names or said.startswith(tuple(f"{name}{s}" for name in names for s in ".["))


def source_formats(record: Record) -> set[str]:
    return {d.format for d in record.derived_from} or {record.source.format}


def problems_of(record: Record, findings: list[Finding]) -> list[Problem]:
    """The importer's problems and the SHACL findings worth telling, one per field: a finding on a
    field the importer already spoke of joins that message (its severity, if higher, and its term)."""
    problems = list(record.problems)
    formats = source_formats(record)
    for finding in findings:
        if not is_news(finding, record):
            continue
        term = compact(finding.path) if finding.path else None
        severity = "error" if finding.severity == "Violation" else "warning"
        field = field_names.record_field(finding.path, finding.focus)
        names = field_names.source_names(field, formats) if field else (term or finding.focus,)
        same = next((n for n, p in enumerate(problems) if p.term is None and names_field(p.field, names)), None)
        if same is None:
            problems.append(Problem(names[0], finding.message, severity, term))
        else:
            said = problems[same]
            problems[same] = Problem(said.field, said.message, "error" if "error" in (severity, said.severity)
                                     else said.severity, term)
    return problems


class Ingest:
    """One ingest (or validate) run. `store=None` validates only: nothing is looked up or written."""

    def __init__(self, store: Store | None, base: str, harvest_date: PartialDate | None = None,
                 batch_size: int | None = None, validator: Validator | None = None,
                 source_priority: tuple[str, ...] | None = None, jobs: int = 1):
        self.store = store
        self.source_priority = source_priority or sources.priority()
        self.base = base
        self.harvest_date = harvest_date
        self.batch_size = batch_size or BATCH_SIZE
        self.validator = validator or Validator()
        self.journals = journals.JournalIndex(store, base)
        self.workers = Workers(jobs, base, self.validator)
        if store is not None:
            ensure_vocabularies(store, base)

    def run(self, paths: Iterable[Path], format: str | None = None,
            on_file: Callable[[Path], None] | None = None) -> Iterator[Outcome]:
        files = list(source_files(paths))
        reader = None
        if reader_worth_starting(self.workers.jobs, files):
            reader = FileReader(files, format, read_file, ahead=-(-self.batch_size // READ_CHUNK) + 1)
        batch: list[Record | UnreadableRecord] = []
        try:
            for item in reader.items() if reader else read_in_process(files, format, read_file):
                if isinstance(item, Path):  # a file begins
                    if on_file:
                        on_file(item)
                    continue
                batch.append(item)
                if len(batch) >= self.batch_size:
                    yield from self.process(batch)
                    batch = []
            if batch:
                yield from self.process(batch)
        finally:
            if reader:
                reader.close()
            self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started (a run started again starts them again)."""
        self.workers.close()

    def process(self, items: list[Record | UnreadableRecord]) -> list[Outcome]:
        """Outcomes in the order of the items; unreadable ones are rejected as they are."""
        records = [item for item in items if isinstance(item, Record)]
        outcomes = iter(self.process_records(records))
        return [next(outcomes) if isinstance(item, Record)
                else Outcome(str(item.source), "rejected", errors=list(item.problems), format=item.source.format)
                for item in items]

    def process_records(self, records: list[Record]) -> list[Outcome]:
        # Identity claim -> key: what the store knows, then what this batch adds (earlier
        # batches are in the store by now, so this stays one batch in size).
        for record in records:
            check_identifiers(record)
        known_keys = {}
        if self.store is not None:
            known_keys = self.store.find_outputs(c for r in records for c in keys.identity_claims(r))
        work_keys = [self.known_key(record, known_keys) for record in records]
        # A second record of the same work in this batch (another source, say) waits for the
        # next round, so that it merges with the first as stored.
        seen, now, later = set(), [], []
        for n, key in enumerate(work_keys):
            (later if key is not None and key in seen else now).append(n)
            seen.add(key)
        outcomes = dict(zip(now, self.process_works([records[n] for n in now], [work_keys[n] for n in now])))
        if later:
            outcomes.update(zip(later, self.process_records([records[n] for n in later])))
        return [outcomes[n] for n in range(len(records))]

    def process_works(self, records: list[Record], work_keys: list[str | None]) -> list[Outcome]:
        """Records of distinct works: merged with their other sources, mapped, validated, stored."""
        for record in records:
            self.date_citations(record)
        if self.store is not None:
            self.store.sources.prefetch(work_keys)
        merged = [self.merged(record, key) for record, key in zip(records, work_keys)]
        journal_keys = self.journals.keys_for(m for m, _ in merged)
        # Each record is validated under a name of its own: two records of the same work in one
        # batch share a graph IRI but are judged apart.
        checked = self.workers.map_and_validate([m for m, _ in merged], work_keys, journal_keys)
        candidates = [Candidate(m, mapped) for (m, _), (mapped, _) in zip(merged, checked)]
        outcomes, accepted, sources = [], {}, []
        if self.store is not None:  # read for the whole batch at once: a remote store answers each read over HTTP
            buried = lifecycle.tombstones(self.store, self.base)
            digests = self.store.graph_digests([c.mapped.graph for c in candidates if c.mapped])
        for n, candidate in enumerate(candidates):
            outcome = self.judge(candidate, checked[n][1])
            outcome.merged = len(candidate.record.derived_from) > 1
            if outcome.status != "rejected" and self.store is not None:
                self.refuse_if_buried(outcome, buried)
            if outcome.status != "rejected" and self.store is not None:
                mapped = candidate.mapped
                outcome.status = self.change_kind(mapped, accepted, digests)
                sources.append((mapped.key, records[n], merged[n][1]))
                if outcome.status != "unchanged":
                    accepted[mapped.graph] = mapped.triples
            outcomes.append(outcome)
        if sources:
            self.store.sources.keep(sources)
        if accepted:
            self.store.write_graphs(accepted)
        return outcomes

    def merged(self, record: Record, key: str | None) -> tuple[Record, Derivation]:
        """The work as all its sources describe it, listing what it was derived from
        (graph/sources.py); and how this record is listed there."""
        if self.store is None or key is None:
            record.derived_from = [sources.derivation_of(record)]
            return record, record.derived_from[0]
        own = self.store.sources.derivation(key, record)
        others = [(r, d) for r, d in self.store.sources.of(key) if d.format != own.format]
        result = sources.merge(record, [r for r, _ in others], self.source_priority)
        result.derived_from = sorted([own, *(d for _, d in others)], key=lambda d: d.format)
        return result, own

    def date_citations(self, record: Record) -> None:
        """Citation counts without a harvest date get the run's (or the file's): part of the
        source record as kept, so that importing it again finds it unchanged."""
        for citation in record.citations:
            if citation.harvested is None:
                citation.harvested = self.harvest_date or file_date(record.source.path)

    @staticmethod
    def known_key(record: Record, known_keys: dict[tuple[str, str], str]) -> str | None:
        """The key this work already has (graph/keys.py), by its strongest known claim; else a new
        one. Its claims are remembered, so a duplicate later in the batch gets the same key.
        Claims that name two different works are reported, and the strongest one wins."""
        claims = keys.identity_claims(record)
        named = [known_keys[c] for c in claims if c in known_keys]
        key = named[0] if named else keys.mint_output_key(record)
        if len(set(named)) > 1:
            record.add_problem("record", "its identifiers name different stored works (keys "
                               f"{', '.join(sorted(set(named)))}); it is kept with {key}, not merged", "warning")
        strong = [c for c in claims if c[0] != "content"]
        for claim in strong or claims:  # a content key only names works known by nothing stronger
            known_keys.setdefault(claim, key)
        return key

    def judge(self, candidate: Candidate, findings: list[Finding]) -> Outcome:
        record, mapped = candidate.record, candidate.mapped
        problems = problems_of(record, findings)
        if mapped is None and not record.errors:
            problems.append(Problem("title", "the record has no title, DOI or Pure UUID to identify it"))
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        status = "rejected" if errors else "valid"
        iri = mapped.iri.value if mapped else None
        return Outcome(str(record.source), status, iri if not errors else None, errors, warnings,
                       record.source.format)

    @staticmethod
    def refuse_if_buried(outcome: Outcome, buried: dict[str, lifecycle.Tombstone]) -> None:
        """A withdrawn or merged record stays down: re-importing its source must not revive it."""
        stone = buried.get(outcome.iri)
        if stone is None:
            return
        if stone.replaced_by:
            message = f"this work was merged into {stone.replaced_by}; import changes to that record instead"
        else:
            message = f"this work was withdrawn from publication on {stone.invalidated:%Y-%m-%d}"
            message += f" ({stone.reason})" if stone.reason else ""
        outcome.errors.append(Problem("record", message))
        outcome.status, outcome.iri = "rejected", None

    @staticmethod
    def change_kind(mapped: MappedRecord, pending: dict[NamedNode, list], digests: dict[NamedNode, str]) -> str:
        if mapped.graph in pending:
            return "updated"
        stored_digest = digests.get(mapped.graph)
        if stored_digest is None:
            return "stored"
        return "unchanged" if stored_digest == mapped.digest else "updated"
