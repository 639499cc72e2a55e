"""report.html: one self-contained page a press office can read, print and paste from.

The markup lives in Jinja2 templates (`templates/report.html.j2`, the chart macro in
`templates/chart.svg.j2`, the style in `templates/report.css`), rendered with autoescaping on
and undefined names an error. This module keeps only what is computed: the words for dates and
numbers, the London series, and the chart's geometry as plain data.

Everything is inline (CSS and SVG): the page fetches nothing. It is a pure function of the
figures document, the monthly counts and the signature details, so the same publication gives
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa
from markupsafe import Markup

from statement_figures.domain.periods import months, parse_month
from statement_figures.publication.figures import SYNTHETIC_CAVEAT, headline_figures
from statement_figures.publication.folders import REPORT_HTML
from statement_figures.publication.moves import Move

TEMPLATE = "report.html.j2"
AREA_TYPE_NAMES = {"london": "London", "bcu": "BCU", "borough": "Borough"}
AREA_TYPE_PLURALS = {"london": "London", "bcu": "the 12 BCUs", "borough": "the 32 boroughs"}
PERIOD_TYPE_TITLES = {
    "ytd": "year to date",
    "rolling_12m": "rolling 12 months",
    "month": "single month",
    "fytd": "financial year to date",
}


@dataclass(frozen=True)
class SignatureFacts:
    """What the report says about how to check the figures file."""

    figures_sha256: str
    key_id: str
    public_key_base64: str  # the whole key, for readers to compare with the publisher's
    demo_key: bool


# The figures sha256 as the template writes it, read back by a bounded match, never a parser.
_FIGURES_SHA256 = re.compile(rb'<code id="sha256">([0-9a-f]{64})</code>')


def report_figures_sha256(html: bytes) -> str | None:
    """The sha256 of the figures file a report names (its one `<code id="sha256">`), or None
    when it names none, or more than one."""
    found = _FIGURES_SHA256.findall(html)
    return found[0].decode("ascii") if len(found) == 1 else None


@dataclass(frozen=True)
class Series:
    """One measure's monthly London counts: the period's months and the baseline's."""

    measure: str
    label: str
    period: tuple[tuple[dt.date, int], ...]
    baseline: tuple[tuple[dt.date, int], ...]


# --- words ----------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """6 December 2021."""
    return f"{day.day} {day:%B %Y}"


def month_span(start: dt.date, end: dt.date) -> str:
    """'January to November 2021', 'December 2020 to November 2021', 'November 2021'."""
    if start == end:
        return f"{end:%B %Y}"
    if start.year == end.year:
        return f"{start:%B} to {end:%B %Y}"
    return f"{start:%B %Y} to {end:%B %Y}"


def spans(figure: dict[str, Any]) -> tuple[str, str]:
    """The period and the baseline of a figure, in words."""
    return (
        month_span(parse_month(figure["period_start"]), parse_month(figure["period_end"])),
        month_span(parse_month(figure["baseline_start"]), parse_month(figure["baseline_end"])),
    )


def number(value: int) -> str:
    """1,234."""
    return f"{value:,}"


def signed(value: int) -> str:
    """+1,234, -5 or 0."""
    return f"{value:+,}" if value else "0"


def px(value: float) -> str:
    """A coordinate in the chart, to a tenth of a unit."""
    return f"{value:.1f}"


# --- data -----------------------------------------------------------------------------------


def london_series(doc: dict[str, Any], monthly: pa.Table) -> list[Series]:
    """For each measure of the document, London's counts month by month, period and baseline."""
    counts: dict[tuple[str, dt.date], int] = {
        (row["measure"], row["month"]): int(row["count"])
        for row in monthly.to_pylist()
        if row["area_type"] == "london"
    }
    if not doc["figures"]:
        return []
    first = doc["figures"][0]
    period = months(parse_month(first["period_start"]), parse_month(first["period_end"]))
    baseline = months(parse_month(first["baseline_start"]), parse_month(first["baseline_end"]))
    return [
        Series(
            measure=measure_id,
            label=definition["label"],
            period=tuple((m, counts.get((measure_id, m), 0)) for m in period),
            baseline=tuple((m, counts.get((measure_id, m), 0)) for m in baseline),
        )
        for measure_id, definition in doc["definitions"].items()
    ]


def by_measure(figures: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The figures in their order, in runs of one measure (one table body each)."""
    return [(m, list(run)) for m, run in itertools.groupby(figures, key=lambda f: f["measure"])]


def input_lines(doc: dict[str, Any]) -> list[str]:
    """Each contributing extract: its name, rows and sha256."""
    return [
        f"{i['name']}: {number(int(i['rows']))} rows, sha256 {i['sha256']}" for i in doc["inputs"]
    ]


# --- the chart's geometry -------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The fixed layout of every chart: the view box and the plot area inside it."""

    width: int = 720
    height: int = 300
    left: int = 64  # x of the value axis
    right: int = 708  # x where the plot ends
    top: int = 40  # y of the plot's top
    floor: int = 264  # y of the zero line

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.floor - self.top

    @property
    def middle(self) -> tuple[float, float]:
        """The plot's centre, where the axis titles are centred."""
        return self.left + self.plot_width / 2, self.top + self.plot_height / 2

    @property
    def tick_x(self) -> int:
        """Where the tick numbers end, just left of the value axis."""
        return self.left - 6

    @property
    def month_y(self) -> int:
        """The baseline of the month names under the bars."""
        return self.floor + 16

    @property
    def title_y(self) -> int:
        """The baseline of the horizontal axis title."""
        return self.height - 4


FRAME = Frame()


@dataclass(frozen=True)
class LegendKey:
    """A coloured square above the plot and the span it stands for beside it."""

    kind: str
    x: int

    @property
    def text_x(self) -> int:
        return self.x + 20


LEGEND = (LegendKey("baseline", FRAME.left), LegendKey("period", FRAME.left + 300))


@dataclass(frozen=True)
class Tick:
    """One grid line of the value axis: its value and height."""

    value: int
    y: float

    @property
    def label_y(self) -> float:
        """The baseline of the tick's number, centred on its line."""
        return self.y + 4


@dataclass(frozen=True)
class Bar:
    """One month's count drawn as a bar; `kind` is 'period' or 'baseline'."""

    kind: str
    month: dt.date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Slot:
    """One month of the period: its pair of bars (baseline, then period) and its name's x."""

    month: dt.date
    x: float
    bars: tuple[Bar, Bar]


@dataclass(frozen=True)
class Chart:
    """Everything the chart macro draws for one series, positions already worked out."""

    series: Series
    frame: Frame
    ticks: tuple[Tick, ...]
    slots: tuple[Slot, ...]
    total_period: int
    total_baseline: int


def nice_ticks(largest: int) -> list[int]:
    """Round tick values from 0 covering `largest`: steps of 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= rough)
    top = math.ceil(largest / step) * step
    return list(range(0, top + 1, step))


def height_of(value: int, top: int) -> float:
    """The y of `value` on an axis from 0 at the floor to `top` at the plot's top."""
    return FRAME.floor - FRAME.plot_height * value / top


def bar(kind: str, month: dt.date, count: int, x: float, width: float, top: int) -> Bar:
    """A bar standing on the floor, as tall as `count` on an axis up to `top`."""
    y = height_of(count, top)
    return Bar(kind, month, count, x, y, width, FRAME.floor - y)


def slots(series: Series, top: int) -> list[Slot]:
    """Each month of the baseline beside the same month of the period, in equal slots."""
    slot = FRAME.plot_width / len(series.period)
    width = slot * 0.36
    found: list[Slot] = []
    pairs = zip(series.baseline, series.period, strict=True)
    for index, ((base_month, base_count), (this_month, this_count)) in enumerate(pairs):
        left = FRAME.left + index * slot + (slot - 2 * width) / 2
        pair = (
            bar("baseline", base_month, base_count, left, width, top),
            bar("period", this_month, this_count, left + width, width, top),
        )
        found.append(Slot(this_month, FRAME.left + (index + 0.5) * slot, pair))
    return found


def chart(series: Series) -> Chart:
    """Paired bars: each month of the period beside the same month of the baseline."""
    ticks = nice_ticks(max(c for _, c in (*series.period, *series.baseline)))
    return Chart(
        series=series,
        frame=FRAME,
        ticks=tuple(Tick(t, height_of(t, ticks[-1])) for t in ticks),
        slots=tuple(slots(series, ticks[-1])),
        total_period=sum(c for _, c in series.period),
        total_baseline=sum(c for _, c in series.baseline),
    )


# --- the page -------------------------------------------------------------------------------


def escape(value: object) -> Markup:
    """Text for the page: kept if already markup (a macro's output), otherwise HTML-escaped.

    Jinja's `finalize`: runs on every `{{ ... }}` before autoescaping, so the entities are the
    standard library's (`&quot;`, `&#x27;`), the same as the page has always used.
    """
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


@cache
def environment() -> jinja2.Environment:
    """The templates beside this module; autoescaping on, an undefined name an error."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("statement_figures.publication", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, signed=signed, px=px)
    return env


def page_context(
    doc: dict[str, Any],
    monthly: pa.Table,
    signature: SignatureFacts,
    moves: Sequence[Move] = (),
) -> dict[str, Any]:
    """What the template is given: the document, and the words and charts computed from it."""
    spec = doc["spec"]
    first = doc["figures"][0] if doc["figures"] else None
    period_words, baseline_words = spans(first) if first else ("", "")
    return {
        "doc": doc,
        "signature": signature,
        "min_base": int(spec["min_base"]),
        "as_of": long_date(dt.date.fromisoformat(doc["as_of"])),
        "period_words": period_words,
        "baseline_words": baseline_words,
        "title": f"{period_words} against {baseline_words}",
        "areas": ", ".join(AREA_TYPE_PLURALS.get(a, a) for a in spec["area_types"]),
        "kind": PERIOD_TYPE_TITLES.get(spec["period_type"], spec["period_type"]),
        "headlines": headline_figures(doc),
        "charts": [chart(series) for series in london_series(doc, monthly)],
        "legend": LEGEND,
        "measures": by_measure(doc["figures"]),
        "area_type_names": AREA_TYPE_NAMES,
        "inputs": input_lines(doc),
        "synthetic_caveat": SYNTHETIC_CAVEAT,
        "moves": [move.line() for move in moves],
    }


def render_report(
    doc: dict[str, Any],
    monthly: pa.Table,
    signature: SignatureFacts,
    moves: Sequence[Move] = (),
) -> str:
    """The whole page as text; `moves`: the headlines flagged against the previous publication."""
    context = page_context(doc, monthly, signature, moves)
    return environment().get_template(TEMPLATE).render(context)


def write_report(
    folder: Path,
    doc: dict[str, Any],
    monthly: pa.Table,
    signature: SignatureFacts,
    moves: Sequence[Move] = (),
) -> Path:
    """report.html in `folder`, with Unix line ends whatever the platform."""
    path = folder / REPORT_HTML
    page = render_report(doc, monthly, signature, moves)
    path.write_text(page, encoding="utf-8", newline="\n")
    return path
