"""report.html: one self-contained page a press office can read, print and paste from.

Everything is inline (CSS, and SVG charts drawn here): the page fetches nothing. It is a pure
function of the figures document, the monthly counts and the signature details, so the same
publication gives the same bytes. Every piece of text from the data is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from statement_figures.domain.periods import months, parse_month
from statement_figures.publication.figures import headline_figures
from statement_figures.publication.folders import REPORT_HTML

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
    demo_key: bool


@dataclass(frozen=True)
class Series:
    """One measure's monthly London counts: the period's months and the baseline's."""

    measure: str
    label: str
    period: tuple[tuple[dt.date, int], ...]
    baseline: tuple[tuple[dt.date, int], ...]


# --- words ----------------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


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
    return f"{value:,}"


def signed(value: int) -> str:
    return f"{value:+,}" if value else "0"


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


# --- the chart ------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 720, 300
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 64, 12, 40, 36


def nice_ticks(largest: int) -> list[int]:
    """Round tick values from 0 covering `largest`: steps of 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power >= rough)
    top = math.ceil(largest / step) * step
    return list(range(0, top + 1, step))


def chart_svg(series: Series, period_words: str, baseline_words: str) -> str:
    """Paired bars: each month of the period beside the same month of the baseline."""
    ticks = nice_ticks(max(c for _, c in (*series.period, *series.baseline)))
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    floor = PLOT_TOP + plot_height

    def y(value: int) -> float:
        return floor - plot_height * value / ticks[-1]

    slot = plot_width / len(series.period)
    bar = slot * 0.36
    ident = f"chart-{series.measure}"
    total_period = sum(c for _, c in series.period)
    total_baseline = sum(c for _, c in series.baseline)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        f'aria-labelledby="{esc(ident)}-title {esc(ident)}-desc" '
        f'data-measure="{esc(series.measure)}">',
        f'<title id="{esc(ident)}-title">{esc(series.label)} in London by month</title>',
        f'<desc id="{esc(ident)}-desc">Monthly counts of {esc(series.label.lower())} in London: '
        f"{esc(period_words)} (total {number(total_period)}) beside {esc(baseline_words)} "
        f"(total {number(total_baseline)}).</desc>",
    ]
    for tick in ticks:
        parts.append(
            f'<line class="grid" x1="{PLOT_LEFT}" x2="{CHART_WIDTH - PLOT_RIGHT}" '
            f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{PLOT_LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{number(tick)}</text>'
        )
    pairs = zip(series.baseline, series.period, strict=True)
    for index, ((base_month, base_count), (this_month, this_count)) in enumerate(pairs):
        left = PLOT_LEFT + index * slot + (slot - 2 * bar) / 2
        for kind, x, when, count in (
            ("baseline", left, base_month, base_count),
            ("period", left + bar, this_month, this_count),
        ):
            parts.append(
                f'<rect class="bar {kind}" x="{x:.1f}" y="{y(count):.1f}" width="{bar:.1f}" '
                f'height="{floor - y(count):.1f}" data-month="{when:%Y-%m}" data-count="{count}">'
                f"<title>{when:%b %Y}: {number(count)}</title></rect>"
            )
        parts.append(
            f'<text class="month" x="{PLOT_LEFT + (index + 0.5) * slot:.1f}" '
            f'y="{floor + 16}" text-anchor="middle">{this_month:%b}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{PLOT_LEFT}" x2="{CHART_WIDTH - PLOT_RIGHT}" '
        f'y1="{floor}" y2="{floor}"/>'
        f'<text class="axis-label" x="14" y="{PLOT_TOP + plot_height / 2:.1f}" '
        f'text-anchor="middle" transform="rotate(-90 14 {PLOT_TOP + plot_height / 2:.1f})">'
        "Count per month</text>"
        f'<text class="axis-label" x="{PLOT_LEFT + plot_width / 2:.1f}" y="{CHART_HEIGHT - 4}" '
        f'text-anchor="middle">Month recorded</text>'
    )
    legend = ((PLOT_LEFT, "baseline", baseline_words), (PLOT_LEFT + 300, "period", period_words))
    for x, kind, words in legend:
        parts.append(
            f'<rect class="bar {kind} key" x="{x}" y="12" width="14" height="14"/>'
            f'<text class="legend" x="{x + 20}" y="24">{esc(words)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- the page -------------------------------------------------------------------------------

STYLE = """
:root { --ink: #1a1a1a; --muted: #555; --line: #c8c8c8; --period: #1f4e79; --baseline: #9a9a9a;
  --mark: #8a4b00; --paper: #fff; --soft: #f3f5f8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: var(--ink);
  background: var(--paper); font: 16px/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid var(--period); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.3rem; }
.kicker, .meta, .note { color: var(--muted); }
.kicker { text-transform: uppercase; letter-spacing: 0.05em; font-size: 0.8rem; margin: 0; }
.warning { border: 3px solid #b00020; padding: 0.6rem 0.8rem; font-weight: 600; color: #b00020; }
blockquote.sentence { margin: 0.5rem 0; padding: 0.7rem 1rem; font-size: 1.2rem;
  background: var(--soft); border-left: 6px solid var(--period); user-select: all; }
blockquote.sentence p { margin: 0; }
figure { margin: 1rem 0 1.5rem; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 0.2rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e2e2e2; stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg text { font: 12px system-ui, Arial, sans-serif; fill: var(--ink); }
svg .legend { font-size: 13px; }
svg .bar.period { fill: var(--period); }
svg .bar.baseline { fill: var(--baseline); }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { padding: 0.25rem 0.45rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody.measure tr:first-child td { border-top: 2px solid var(--ink); }
tr.suppressed td, tr.no-baseline td { color: var(--mark); }
.tag { font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 0.85rem; }
pre { background: var(--soft); padding: 0.6rem 0.8rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
dt { font-weight: 600; margin-top: 0.5rem; }
dd { margin-left: 1rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.85rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2 { break-after: avoid; }
  tr, blockquote, figure, pre { break-inside: avoid; }
  thead { display: table-header-group; }
}
""".strip()


def _headlines(doc: dict[str, Any], min_base: int) -> list[str]:
    """Each headline measure's sentence ready to paste with its numbers, or why it has none."""
    parts: list[str] = []
    for figure in headline_figures(doc):
        counts = (
            f"{number(figure['count'])}, against {number(figure['baseline_count'])} in the "
            f"baseline period: a change of {signed(figure['change'])}"
        )
        if figure["sentence"]:
            parts.append(
                f'<blockquote class="sentence"><p>{esc(figure["sentence"])}.</p></blockquote>'
                f'<p class="note">{counts} ({esc(figure["change_pct_exact"])} per cent).</p>'
            )
            continue
        if figure["suppressed"]:
            reason = f"its baseline is below the minimum of {min_base}"
        else:
            reason = "its baseline is zero, so there is no percentage"
        parts.append(
            f'<p class="note">No sentence for {esc(figure["label"])}: {reason} ({counts}).</p>'
        )
    if not parts:
        parts.append('<p class="note">This statement has no headline measures.</p>')
    return parts


def _percent_cell(figure: dict[str, Any], min_base: int) -> tuple[str, str, str]:
    """(row class, change % cell, note) for one figure."""
    if figure["suppressed"]:
        note = f"Baseline under {min_base}."
        return "suppressed", '<span class="tag">suppressed †</span>', note
    if figure["change_pct"] is None:
        return "no-baseline", '<span class="tag">no baseline ‡</span>', "Baseline is zero."
    exact = esc(figure["change_pct_exact"])
    return "", f'{signed(figure["change_pct"])}% <span class="note">({exact})</span>', ""


def _figure_rows(figures: Sequence[dict[str, Any]], min_base: int) -> list[str]:
    rows: list[str] = []
    current = None
    for figure in figures:
        if figure["measure"] != current:
            if current is not None:
                rows.append("</tbody>")
            current = figure["measure"]
            rows.append(f'<tbody class="measure" data-measure="{esc(current)}">')
        row_class, percent, note = _percent_cell(figure, min_base)
        area_type = AREA_TYPE_NAMES.get(figure["area_type"], figure["area_type"])
        rows.append(
            f'<tr class="{row_class}">'
            f"<td>{esc(figure['label'])}</td><td>{esc(area_type)}</td>"
            f'<td>{esc(figure["area_name"])} <span class="note">{esc(figure["area_code"])}'
            f"</span></td>"
            f'<td class="n">{number(figure["count"])}</td>'
            f'<td class="n">{number(figure["baseline_count"])}</td>'
            f'<td class="n">{signed(figure["change"])}</td>'
            f'<td class="n">{percent}</td><td>{esc(note)}</td></tr>'
        )
    if current is not None:
        rows.append("</tbody>")
    return rows


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def render_report(doc: dict[str, Any], monthly: pa.Table, signature: SignatureFacts) -> str:
    """The whole page as text."""
    spec = doc["spec"]
    min_base = int(spec["min_base"])
    as_of = long_date(dt.date.fromisoformat(doc["as_of"]))
    first = doc["figures"][0] if doc["figures"] else None
    period_words, baseline_words = spans(first) if first else ("", "")
    areas = ", ".join(AREA_TYPE_PLURALS.get(a, a) for a in spec["area_types"])
    kind = PERIOD_TYPE_TITLES.get(spec["period_type"], spec["period_type"])
    title = f"{period_words} against {baseline_words}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Figures: {esc(title)}, as of {esc(as_of)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="kicker">Statement figures · {esc(spec["name"])}</p>',
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">As of <strong>{esc(as_of)}</strong> (the data held on that date) · '
        f"{esc(kind)} · {esc(areas)} · counted by the month a crime was recorded</p>",
    ]
    if signature.demo_key:
        out.append(
            '<p class="warning" id="demo-key">Signed with a DEMO key: for testing only. '
            "Do not use these figures in a public statement.</p>"
        )
    out += [
        "</header>",
        "<main>",
        '<section id="headlines">',
        "<h2>Headline sentences</h2>",
        f'<p class="note">London, {esc(period_words)} compared with {esc(baseline_words)}, '
        f"as of {esc(as_of)}. Click a sentence to select it for copying.</p>",
        *_headlines(doc, min_base),
        "</section>",
        '<section id="charts">',
        "<h2>Month by month in London</h2>",
    ]
    for series in london_series(doc, monthly):
        out.append(
            f"<figure><figcaption>{esc(series.label)}</figcaption>"
            f"{chart_svg(series, period_words, baseline_words)}</figure>"
        )
    out += [
        "</section>",
        '<section id="figures">',
        "<h2>Every figure</h2>",
        f"<table><caption>{esc(period_words)} against {esc(baseline_words)}, as of "
        f"{esc(as_of)}</caption>",
        '<thead><tr><th>Measure</th><th>Area type</th><th>Area</th><th class="n">Count</th>'
        '<th class="n">Baseline</th><th class="n">Change</th><th class="n">Change %</th>'
        "<th>Note</th></tr></thead>",
        *_figure_rows(doc["figures"], min_base),
        "</table>",
        f'<p class="note">† Suppressed: the baseline count is below the minimum of {min_base}, '
        "so no percentage or sentence is published for it. ‡ No baseline: the baseline count "
        "is zero, so a percentage cannot be given. Change % is rounded half away from zero; "
        "the exact value is in brackets.</p>",
        "</section>",
        '<section id="definitions">',
        "<h2>What is counted</h2>",
        "<dl>",
        *(
            f"<dt>{esc(d['label'])}</dt><dd>{esc(d['definition'])}</dd>"
            for d in doc["definitions"].values()
        ),
        "</dl>",
        "<h2>Caveats</h2>",
        _list(doc["caveats"]),
        "</section>",
        *_verify_section(doc, signature),
        "</main>",
        f"<footer>Code version {esc(doc['code_version'])} · figures file schema "
        f"{esc(doc['schema_version'])} · source {esc(doc['source'])}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _verify_section(doc: dict[str, Any], signature: SignatureFacts) -> list[str]:
    inputs = [
        f"{i['name']}: {number(int(i['rows']))} rows, sha256 {i['sha256']}" for i in doc["inputs"]
    ]
    return [
        '<section id="verify">',
        "<h2>How to verify this file</h2>",
        "<p>The figures on this page come from <code>figures.json</code> in the same folder. "
        "Both files are signed (<code>figures.json.minisig</code>, "
        "<code>report.html.minisig</code>). Before quoting a figure, check them: in the "
        "publication folder, run either</p>",
        "<pre>figures verify figures.json --public-key figures.pub\n"
        "figures verify report.html --public-key figures.pub</pre>",
        "<p>or, with the standard minisign tool,</p>",
        "<pre>minisign -Vm figures.json -p figures.pub\n"
        "minisign -Vm report.html -p figures.pub</pre>",
        "<p>Each says whether the file is exactly what was signed. The copy of "
        "<code>figures.pub</code> in the folder only proves the files were not changed after "
        "signing, not who signed them: to know the figures are ours, use the public key you "
        "were given by us instead of that copy, and check that its key ID is the one below.</p>",
        "<dl>",
        f'<dt>figures.json sha256</dt><dd><code id="sha256">{esc(signature.figures_sha256)}'
        "</code></dd>",
        f'<dt>Signing key ID</dt><dd><code id="key-id">{esc(signature.key_id)}</code>'
        + (" (DEMO key: for testing only)" if signature.demo_key else "")
        + "</dd>",
        "</dl>",
        "<h3>Inputs</h3>",
        _list(inputs),
        "</section>",
    ]


def write_report(
    folder: Path, doc: dict[str, Any], monthly: pa.Table, signature: SignatureFacts
) -> Path:
    path = folder / REPORT_HTML
    path.write_text(render_report(doc, monthly, signature), encoding="utf-8", newline="\n")
    return path
