"""A record imported from BibTeX and exported again keeps every field BibTeX can hold: the file
read back through the bibtex importer gives the same Record fields as the original."""
from __future__ import annotations

from conftest import SHARED_DATA

from kgpub.graph.importers.bibtex import read

REAL_BIB = SHARED_DATA / "real" / "bib"
FILES = (REAL_BIB / "better-bibtex-import" / "Overline_during_Import_1467.bib", REAL_BIB / "commonmeta" / "pure.bib")


def fields_bibtex_holds(record) -> tuple:
    """What a BibTeX entry carries and our export writes; keyed by the DOI (else the title)."""
    authors = tuple((p.family_name, p.given_name, p.name) for p in record.authors)
    dates = tuple(sorted((s.kind, s.date.year if s.date else None) for s in record.statuses))
    return (record.type, record.title, record.abstract, authors, record.journal.title if record.journal else None,
            record.volume, record.issue, record.start_page, record.end_page, record.article_number,
            dates, record.doi, tuple(record.isbn_print), record.publisher, record.language,
            tuple(sorted(record.keywords)))


def read_records(path) -> dict:
    with open(path, "rb") as stream:
        records = [r for r in read(stream, str(path)) if hasattr(r, "title")]
    return {r.doi or r.title: fields_bibtex_holds(r) for r in records}


def test_bibtex_in_bibtex_out_keeps_the_fields(cli, tmp_path):
    rows = cli.ingest(*FILES)
    assert [r["status"] for r in rows] == ["stored"] * len(rows)
    exported = tmp_path / "exported.bib"
    exported.write_text(cli("export", "--format", "bibtex").stdout, encoding="utf-8")
    original = {k: v for f in FILES for k, v in read_records(f).items()}
    again = read_records(exported)
    assert len(original) == 9 and again.keys() == original.keys()
    differences = {k: [(a, b) for a, b in zip(original[k], again[k]) if a != b] for k in original}
    assert not any(differences.values()), differences
