"""Bar charts as server-side SVG, drawn by templates/_charts.html: outputs per year (columns) and
per type (rows), with the same numbers as a table for screen readers and anyone who wants them.

Geometry only: what the bars, ticks and labels are and where they go, in the units of the SVG's
viewBox (it scales to the page's width). The numbers, labels and links come from the caller. Why not
pygal or leather: docs/decisions.md ("Charts drawn by hand").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

WIDTH = 860  # viewBox units; about the width of the page's column in pixels
COLUMN_PLOT_HEIGHT = 180
COLUMN_MARGINS = (12, 8, 24, 44)  # top, right, bottom (year labels), left (count ticks)
ROW_HEIGHT, ROW_GAP = 22, 6
ROW_LABEL_WIDTH = 340  # the type's name, left of its bar
ROW_COUNT_ROOM = 60  # the count, right of the longest bar
LABEL_CHARS = 52  # longer row labels are cut (the table and the bar's tooltip have them whole)
MAX_YEARS = 80  # a chart of every year back to a mistyped 1066 would be all gap; the table has them
MIN_LABEL_SPACING = 34  # viewBox units between two year labels
COUNTS_ON_BARS = 24  # up to this many columns, each shows its count above it
MAX_STEP = 44  # a column's room at most: a few years make a narrower chart, not fat bars


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    href: str | None
    x: float
    y: float
    width: float
    height: float
    target: Box  # where a click follows `href`: the bar's whole column or row, not only its ink

    @property
    def tooltip(self) -> str:
        return f"{self.label}: {self.count:,}"


@dataclass(frozen=True)
class Text:
    text: str
    x: float
    y: float
    anchor: str = "middle"  # SVG text-anchor


@dataclass(frozen=True)
class Gridline:
    y: float
    label: Text


@dataclass(frozen=True)
class TableRow:
    label: str
    count: int
    href: str | None


@dataclass(frozen=True)
class BarChart:
    id: str  # unique in the page: the title's and description's ids derive from it
    title: str
    description: str  # what a screen reader says of the picture: the range and the highest bar
    orientation: str  # "columns" (years) or "rows" (types)
    width: float
    height: float
    bars: tuple[Bar, ...]
    labels: tuple[Text, ...]  # the axis' labels, or each row's name and count
    gridlines: tuple[Gridline, ...]
    table: tuple[TableRow, ...]  # every number, as the table below the chart shows it
    label_heading: str  # the table's first column: "Year", "Type"


def year_chart(chart_id: str, title: str, counts: Iterable[tuple[str, int]],
               href: Callable[[str], str | None] = lambda year: None) -> BarChart | None:
    """A column per year from the first to the last (the years between with none are gaps, so the
    time axis is even), at most the last MAX_YEARS of them; None without any year."""
    by_year = {int(year): count for year, count in counts if str(year).isdigit() and count > 0}
    if not by_year:
        return None
    last = max(by_year)
    first = max(min(by_year), last - MAX_YEARS + 1)
    years = list(range(first, last + 1))
    top, right, bottom, left = COLUMN_MARGINS
    step = min((WIDTH - left - right) / len(years), MAX_STEP)
    width = left + step * len(years) + right
    bar_width = max(step * 0.8, 1)
    scale, gridlines = _scale(max(by_year.values()), COLUMN_PLOT_HEIGHT, top, left)
    bars = []
    for index, year in enumerate(years):
        count = by_year.get(year, 0)
        if count:
            height = max(count * scale, 1)
            x = left + index * step
            bars.append(Bar(str(year), count, href(str(year)), x + (step - bar_width) / 2,
                            top + COLUMN_PLOT_HEIGHT - height, bar_width, height,
                            Box(x, 0, step, top + COLUMN_PLOT_HEIGHT + bottom)))
    every = next(n for n in (1, 2, 5, 10, 20, 50) if n * step >= MIN_LABEL_SPACING)
    baseline = top + COLUMN_PLOT_HEIGHT
    labels = [Text(str(year), left + (index + 0.5) * step, baseline + 16)
              for index, year in enumerate(years) if year % every == 0 or len(years) == 1]
    if len(years) <= COUNTS_ON_BARS:
        labels += [Text(f"{bar.count:,}", bar.x + bar.width / 2, bar.y - 3) for bar in bars]
    shown = f"{first} to {last}" if first != last else str(first)
    peak = max(bars, key=lambda bar: bar.count)
    description = (f"{title}, {shown}: {sum(by_year.get(y, 0) for y in years):,} in all, "
                   f"the most in {peak.label} ({peak.count:,}).")
    table = tuple(TableRow(str(year), by_year[year], href(str(year))) for year in sorted(by_year, reverse=True))
    return BarChart(chart_id, title, description, "columns", width, baseline + bottom, tuple(bars),
                    tuple(labels), gridlines, table, "Year")


def category_chart(chart_id: str, title: str, counts: Iterable[tuple[str, int, str | None]],
                   label_heading: str) -> BarChart | None:
    """A row per category (label, count, link), in the order given; None without any."""
    rows = [(label, count, href) for label, count, href in counts if count > 0]
    if not rows:
        return None
    longest = max(count for _, count, _ in rows)
    room = WIDTH - ROW_LABEL_WIDTH - ROW_COUNT_ROOM
    bars, labels = [], []
    for index, (label, count, href) in enumerate(rows):
        y = index * (ROW_HEIGHT + ROW_GAP)
        width = max(count / longest * room, 1)
        bars.append(Bar(label, count, href, ROW_LABEL_WIDTH, y, width, ROW_HEIGHT,
                        Box(0, y - ROW_GAP / 2, WIDTH, ROW_HEIGHT + ROW_GAP)))
        middle = y + ROW_HEIGHT / 2 + 5
        labels.append(Text(_cut(label), ROW_LABEL_WIDTH - 8, middle, "end"))
        labels.append(Text(f"{count:,}", ROW_LABEL_WIDTH + width + 6, middle, "start"))
    height = len(rows) * (ROW_HEIGHT + ROW_GAP) - ROW_GAP
    top_label, top_count, _ = rows[0]
    description = (f"{title}: {len(rows)} {label_heading.lower()}s, {sum(c for _, c, _ in rows):,} in all; "
                   f"the most {top_label} ({top_count:,}).")
    table = tuple(TableRow(label, count, href) for label, count, href in rows)
    return BarChart(chart_id, title, description, "rows", WIDTH, height, tuple(bars), tuple(labels), (),
                    table, label_heading)


def _scale(highest: int, plot_height: float, top: float, left: float) -> tuple[float, tuple[Gridline, ...]]:
    """Units per count, and gridlines at round counts (1, 2 or 5 times a power of ten) up to the highest."""
    step = _round_step(highest / 4)
    ceiling = math.ceil(highest / step) * step
    scale = plot_height / ceiling
    lines = tuple(Gridline(top + plot_height - n * scale, Text(f"{n:,}", left - 6, top + plot_height - n * scale + 4, "end"))
                  for n in range(0, ceiling + 1, step))
    return scale, lines


def _round_step(rough: float) -> int:
    if rough <= 1:
        return 1
    power = 10 ** math.floor(math.log10(rough))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= rough))


def _cut(label: str) -> str:
    """A label that fits: a type's group is cut before its own name is ("Chapter in Book/Report/… ›
    Conference contribution"), so that two types of one group stay apart."""
    if len(label) <= LABEL_CHARS:
        return label
    group, sep, name = label.rpartition(" › ")
    if sep and len(name) < LABEL_CHARS - 8:
        return group[:LABEL_CHARS - len(name) - 5].rstrip() + "…" + sep + name
    return label[:LABEL_CHARS - 1].rstrip() + "…"
