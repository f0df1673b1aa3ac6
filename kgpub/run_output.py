"""What a run of `kgpub ingest` / `validate` / `export` tells its user: a progress bar and the
rejections on the terminal, a summary, and the report file (one row per record)."""
from __future__ import annotations

import re

import json
import os
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.table import Column
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

err_console = Console(stderr=True)


@contextmanager
def report_writer(path: str | None):
    """Writes the report one row at a time, so a big run is never held in memory. A name ending
    in .jsonl or .ndjson gets JSON Lines, written as the run goes (readable while it runs and
    after it is killed); any other name a JSON array, written beside it and renamed into place
    at the end (a killed run leaves the previous report whole)."""
    if path is None:
        yield lambda row: None
        return
    lines = path.lower().endswith((".jsonl", ".ndjson"))
    written = Path(path) if lines else Path(path).with_name(Path(path).name + ".partial")
    try:
        out = open(written, "w", encoding="utf-8")
    except OSError as err:
        raise click.BadParameter(f"cannot write {path}: {err.strerror}", param_hint="--report") from None
    with out:
        separator = "" if lines else "[\n"

        def write_row(row: dict) -> None:
            nonlocal separator
            out.write(separator + json.dumps(row, ensure_ascii=False) + ("\n" if lines else ""))
            if lines:
                out.flush()
            else:
                separator = ",\n"

        yield write_row
        if not lines:
            out.write("[]\n" if separator == "[\n" else "\n]\n")
    if not lines:
        os.replace(written, path)


NAME_WIDTH = 28  # characters of a file's name the progress line shows (its end, when longer)


class FileProgress:
    """A bar over the files, and a running count of records (one file can hold thousands)."""

    def __init__(self, progress: Progress, total_files: int):
        self.progress = progress
        self.task = progress.add_task("", total=total_files, records=0)
        self.files_started = 0
        self.records = 0

    def next_file(self, path: Path) -> None:
        name = path.name if len(path.name) <= NAME_WIDTH else "…" + path.name[-(NAME_WIDTH - 1):]
        self.progress.update(self.task, completed=self.files_started, description=name)
        self.files_started += 1

    def count_record(self) -> None:
        self.records += 1
        if self.records % 100 == 0:
            self.progress.update(self.task, records=self.records)


@contextmanager
def file_progress(total_files: int, verb: str):
    # The file name gets a column of its own width: a long one must not squeeze out the bar and counts.
    name = TextColumn(f"{verb} {{task.description}}", table_column=Column(width=len(verb) + 1 + NAME_WIDTH,
                                                                          no_wrap=True, overflow="ellipsis"))
    columns = (name, BarColumn(bar_width=24), MofNCompleteColumn(), TextColumn("files, {task.fields[records]} records"),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        yield FileProgress(progress, total_files)


@contextmanager
def count_progress(verb: str):
    """A running count of records with the time taken, on a terminal (the total is not known
    before the store has been read)."""
    columns = (SpinnerColumn(), TextColumn(f"{verb}: {{task.completed}} records"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task("", total=None)
        yield lambda count: progress.update(task, completed=count)


def print_rejection(outcome) -> None:
    for problem in outcome.errors:
        read_as = f" (read as {outcome.format})" if outcome.format else ""
        err_console.print(f"[red]rejected[/red] {escape(outcome.source)}{read_as}: {escape(problem.field)}: "
                          f"{escape(problem.message)}", highlight=False, soft_wrap=True)


def print_summary(counts) -> None:
    parts = [f"{counts[s]} {s}" for s in ("stored", "updated", "unchanged", "valid", "rejected") if counts[s]]
    if counts["merged"]:
        parts.append(f"{counts['merged']} merged with a record of the same work from another source")
    parts.append(f"{counts['warnings']} with warnings")
    err_console.print(", ".join(parts) if counts else "no records found", highlight=False, soft_wrap=True)


class WarningGroups:
    """The warnings of a run by kind (field and message, its values left out), each with its count
    and the first few records: what a librarian reads on the console; the report has every one."""

    EXAMPLES, SHOWN = 3, 12
    # Quoted values, and numbers, ISSNs, DOIs, line numbers (a word starting with a digit)
    VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|(?<![\w-])\d[\w./:-]*")

    def __init__(self):
        self.groups: dict[tuple[str, str], list] = {}

    def add(self, outcome) -> None:
        for problem in outcome.warnings:
            kind = (problem.field, self.VALUES.sub("…", problem.message))
            group = self.groups.setdefault(kind, [0, []])
            group[0] += 1
            if len(group[1]) < self.EXAMPLES and outcome.source not in group[1]:
                group[1].append(outcome.source)

    def print(self) -> None:
        ranked = sorted(self.groups.items(), key=lambda item: -item[1][0])
        for (field, message), (count, examples) in ranked[:self.SHOWN]:
            err_console.print(f"[yellow]warned[/yellow] {count}× {escape(field)}: {escape(message)} "
                              f"(e.g. {escape(', '.join(examples))})", highlight=False, soft_wrap=True)
        if len(ranked) > self.SHOWN:
            err_console.print(f"… and {len(ranked) - self.SHOWN} other kinds of warning: see the report (--report)",
                              highlight=False, soft_wrap=True)
