"""Claims of a percentage change in a draft press statement, and their verdicts against figures.

Reading. A statement is split into sentences; every percentage ("32 per cent", "32%",
"32.4 per cent", "thirty-two per cent") that has a direction word beside it or in its clause is
a claim. A sentence holding several percentages is cut into one clause per percentage, at the
last "and", "while", "but", comma or semicolon between two of them (never inside a measure or
area name such as "Barking and Dagenham"). In each clause the measure is the registry alias
nearest to the percentage (the longest alias wins, so "knife crime with injury" is not "knife
crime"); the area is the one named in the clause, else the one named in the sentence before its
first measure ("In Camden, ..."), else London. Periods and baselines named anywhere in the
sentence ("this year to November 2021", "compared with the same period in 2019") are parsed
into structured fields.

Nothing is silently dropped: a percentage with a direction but no known measure is a claim
whose measure is None, judged `no_figure`. A percentage with no direction ("100 per cent
anonymous") is not a claim of a change. When a clause names a measure but no direction
("... and knife crime with injury by 20 per cent"), it takes the direction of the claim before
it in the same sentence.

Judging. A claim is `supported` only when its direction agrees and its number equals the
figure's at the precision it is stated at, never on a near miss. The matched figure is returned
with every verdict, so a caller can compare it with a recomputed figure (`revised`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

SUPPORTED = "supported"
WRONG_NUMBER = "wrong_number"
WRONG_DIRECTION = "wrong_direction"
OTHER_MEASURE = "other_measure"
NO_FIGURE = "no_figure"
SUPPRESSED = "suppressed"
VERDICTS = (SUPPORTED, WRONG_NUMBER, WRONG_DIRECTION, OTHER_MEASURE, NO_FIGURE, SUPPRESSED)

DECREASE = "decrease"
INCREASE = "increase"

# fmt: off
DECREASE_WORDS = (
    "decrease", "decreased", "decreases", "decreasing", "fell", "fall", "falls", "fallen",
    "falling", "down", "reduce", "reduced", "reduces", "reducing", "reduction", "reductions",
    "drop", "dropped", "drops", "decline", "declined", "lower", "cut",
)
INCREASE_WORDS = (
    "increase", "increased", "increases", "increasing", "rose", "rise", "rises", "risen",
    "rising", "up", "higher", "grew", "grow", "grown", "growth",
)
# fmt: on
DIRECTION_WORDS: Mapping[str, str] = dict.fromkeys(DECREASE_WORDS, DECREASE) | dict.fromkeys(
    INCREASE_WORDS, INCREASE
)
# Short words that are directions only right beside the number ("down 29 per cent", "29 per
# cent lower"), not elsewhere in a clause ("look up", "set up", "cut off").
ADJACENT_ONLY = frozenset({"up", "down", "lower", "higher", "cut"})
# Verbs that make those words part of a phrasal verb, not a change: "makes up 32 per cent".
PHRASAL_VERBS = frozenset({"make", "makes", "made", "making", "account", "accounts", "set"})

# fmt: off
UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
NUMBER_WORDS: Mapping[str, int] = {word: value for value, word in enumerate(UNITS)} | {
    word: 10 * tens for tens, word in enumerate(TENS, 2)
}
_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# A percentage: digits (with an optional decimal part, not the tail of 1,000 or 3.14) or number
# words ("thirty-two"), then "per cent", "percent" or "%". An optional sign before it.
PERCENT = re.compile(
    rf"""
    (?P<sign>[-+\u2212])?
    (?:
        (?<![\w.,])(?P<digits>\d+(?:\.\d+)?)
      | \b(?P<words>(?:{_NUMBER_WORD})(?:[-\s](?:{_NUMBER_WORD}))?)
    )
    \s*(?:%|per\s*cent\b|percent\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
WORD = re.compile(r"[a-z]+", re.IGNORECASE)
# Where a sentence's clauses meet: "and", "while", "whilst", "but", "with", a comma, a semicolon,
# a dash or a bullet between spaces (a list of bullet lines, once its line breaks are collapsed).
CLAUSE_BREAK = re.compile(r"\s(?:and|while|whilst|but|with|[-\u2013\u2014\u2022*])\s|[,;]", re.I)
# A sentence ends at . ! or ? followed by white space and then neither a small letter nor a digit
# (so neither "32.4" nor "vs. 2019" ends one), or at a blank line.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z0-9\s])|\n\s*\n")

# fmt: off
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
# fmt: on
_MONTH = r"(?:" + "|".join(MONTHS) + r")"
_YEAR = r"(?:19|20)\d{2}"

# The baseline: a year after a cue word ("compared with the same period prior to the pandemic
# in 2019", "against 2019", "than in 2019", "on the same period last year"), or "last year".
BASELINE = re.compile(
    rf"""
    \b(?:compared\s+(?:with|to)|against|versus|vs|than|prior\s+to|pre-pandemic|since
      |same\s+period)\b\.?
    [^.;:]{{0,60}}?                                  # up to 60 characters within the clause
    (?:\b(?P<year>{_YEAR})\b|\b(?P<last>last\s+year)\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Periods, tried in this order; each ends in a month and a year.
PERIODS: tuple[tuple[str | None, re.Pattern[str]], ...] = tuple(
    (period_type, re.compile(pattern + rf"\s+(?P<month>{_MONTH})\s+(?P<year>{_YEAR})", re.I))
    for period_type, pattern in (
        ("fytd", r"\bfinancial\s+year(?:\s+to\s+date)?\s+(?:to|up\s+to|ending)"),
        ("ytd", r"\b(?:this\s+year|year\s+to\s+date|calendar\s+year)\s+(?:to|up\s+to)"),
        ("rolling_12m", r"\b(?:year|12\s+months|twelve\s+months)\s+(?:to|ending(?:\s+in)?)"),
        (None, rf"\b(?P<first>{_MONTH})\s+(?:to|-|\u2013)"),  # "January to November 2021"
        ("month", r"\bin"),  # "in November 2021"
    )
)
RANGE_START_TYPES = {"january": "ytd", "april": "fytd"}


def _key(phrase: str) -> str:
    """A phrase as looked up: lower case, hyphens and runs of spaces as one space."""
    return " ".join(re.split(r"[\s-]+", phrase.lower()))


@dataclass(frozen=True)
class MeasureTerms:
    """A measure of the registry and the phrases that name it."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    area_type: str  # london, bcu, borough


@dataclass(frozen=True)
class Vocabulary:
    """The measures and areas a statement can name. Build it with `Vocabulary.of`."""

    measures: tuple[MeasureTerms, ...]
    areas: tuple[Area, ...]

    @classmethod
    def of(
        cls,
        measures: Iterable[tuple[str, str, tuple[str, ...]]],
        areas: Iterable[tuple[str, str, str]],
    ) -> Vocabulary:
        """From (id, label, aliases) measures and (code, name, area_type) areas."""
        vocabulary = cls(tuple(MeasureTerms(*m) for m in measures), tuple(Area(*a) for a in areas))
        vocabulary.london  # noqa: B018 -- fails early without a London area
        return vocabulary

    @property
    def london(self) -> Area:
        for area in self.areas:
            if area.area_type == "london":
                return area
        raise ValueError("the vocabulary has no area of type london")

    def measure_phrases(self) -> dict[str, str]:
        """Every phrase naming a measure (lower case) and the measure's id."""
        phrases: dict[str, str] = {}
        for measure in self.measures:
            for phrase in (measure.label, *measure.aliases):
                phrases[_key(phrase)] = measure.id
        return phrases

    def area_phrases(self) -> dict[str, Area]:
        """Every phrase naming an area (lower case). A BCU is named with "BCU" after its name,
        since its bare name may be a plain word ("North", "West")."""
        phrases: dict[str, Area] = {}
        for area in self.areas:
            if area.area_type == "bcu":
                names = [f"{area.name} BCU", f"{area.name} Basic Command Unit"]
            else:
                names = [area.name, area.name.replace(" and ", " & ")]
            for name in names:
                phrases[_key(name)] = area
        return phrases


@dataclass(frozen=True)
class Claim:
    """One claim of a percentage change, as the statement makes it."""

    sentence: str
    measure: str | None  # None when no measure of the registry is named
    area_code: str
    area_name: str
    claimed_change_pct: str  # the number as written, without sign: "32", "32.4"
    claimed_direction: str  # decrease or increase
    period_type: str | None = None  # ytd, rolling_12m, month or fytd, when the text names one
    period_end: str | None = None  # YYYY-MM
    baseline_year: int | None = None


@dataclass(frozen=True)
class Judgement:
    verdict: str
    figure: Mapping[str, Any] | None  # the figure of the claim's measure, area and period
    detail: str


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Whole-word matches of any phrase, the longest first; spaces and hyphens match either."""
    parts = [
        r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", phrase))
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _find(pattern: re.Pattern[str], text: str) -> list[_Match]:
    return [_Match(m.start(), m.end(), _key(m.group())) for m in pattern.finditer(text)]


def sentences(text: str) -> list[str]:
    """The sentences of a text, white space collapsed."""
    pieces = (" ".join(piece.split()) for piece in SENTENCE_END.split(text))
    return [piece for piece in pieces if piece]


def _number(match: re.Match[str]) -> str:
    if match["digits"]:
        return match["digits"]
    words = re.split(r"[-\s]+", match["words"].lower())
    return str(sum(NUMBER_WORDS[word] for word in words))


def _clause_bounds(
    sentence: str, percents: list[re.Match[str]], names: list[_Match]
) -> list[tuple[int, int]]:
    """One (start, end) per percentage: the sentence cut at the last clause break between two
    percentages that is not inside a name."""
    cuts = [0]
    for before, after in itertools.pairwise(percents):
        breaks = [
            b.start()
            for b in CLAUSE_BREAK.finditer(sentence, before.end(), after.start())
            if not any(n.start <= b.start() < n.end for n in names)
        ]
        cuts.append(breaks[-1] if breaks else after.start())
    return list(zip(cuts, [*cuts[1:], len(sentence)], strict=True))


def _direction(
    sentence: str, clause_start: int, clause_end: int, percent: re.Match[str]
) -> str | None:
    """The direction word of a clause nearest its percentage. The short words (up, down, lower,
    ...) count only right beside it: "down 29 per cent", "down by 29", "29 per cent lower", and
    not after a phrasal verb ("makes up 32 per cent")."""
    words = [
        w
        for w in WORD.finditer(sentence, clause_start, clause_end)
        if w.end() <= percent.start() or w.start() >= percent.end()
    ]
    texts = [w.group().lower() for w in words]
    last_before = sum(1 for w in words if w.end() <= percent.start()) - 1
    beside = {last_before, last_before + 1}  # the word before the number and the one after it
    if last_before >= 0 and texts[last_before] == "by":
        beside.add(last_before - 1)
    candidates: list[tuple[int, str]] = []
    for index, (word, text) in enumerate(zip(words, texts, strict=True)):
        direction = DIRECTION_WORDS.get(text)
        if direction is None:
            continue
        if text in ADJACENT_ONLY and (
            index not in beside or (index > 0 and texts[index - 1] in PHRASAL_VERBS)
        ):
            continue
        distance = max(percent.start() - word.end(), word.start() - percent.end())
        candidates.append((distance, direction))
    return min(candidates)[1] if candidates else None


def _nearest(matches: list[_Match], start: int, end: int) -> _Match | None:
    def distance(m: _Match) -> int:
        return start - m.end if m.end <= start else max(m.start - end, 0)

    return min(matches, key=distance) if matches else None


def _period(sentence: str) -> tuple[str | None, str | None, int | None]:
    """(period_type, period_end, baseline_year) named in a sentence, None where not named."""
    baseline = BASELINE.search(sentence)
    rest = sentence
    if baseline:
        # Blank the baseline phrase out so its year is not read as the period's.
        rest = sentence[: baseline.start()] + " " * len(baseline[0]) + sentence[baseline.end() :]
    period_type: str | None = None
    period_end: str | None = None
    for kind, pattern in PERIODS:
        found = pattern.search(rest)
        if found:
            month = MONTHS.index(found["month"].lower()) + 1
            period_end = f"{found['year']}-{month:02d}"
            period_type = kind
            if "first" in pattern.groupindex:
                period_type = RANGE_START_TYPES.get(found["first"].lower())
            break
    baseline_year: int | None = None
    if baseline and baseline["year"]:
        baseline_year = int(baseline["year"])
    elif baseline and period_end:  # "last year"
        baseline_year = int(period_end[:4]) - 1
    return period_type, period_end, baseline_year


def find_claims(text: str, vocabulary: Vocabulary) -> list[Claim]:
    """Every claim of a percentage change in a text, in order."""
    measure_ids = vocabulary.measure_phrases()
    areas = vocabulary.area_phrases()
    measure_pattern = _phrase_pattern(measure_ids)
    area_pattern = _phrase_pattern(areas)
    claims: list[Claim] = []
    for sentence in sentences(text):
        percents = list(PERCENT.finditer(sentence))
        if not percents:
            continue
        measures = _find(measure_pattern, sentence)
        named_areas = _find(area_pattern, sentence)
        colon = sentence.find(":")
        lead_end = min([colon if colon >= 0 else len(sentence), *(m.start for m in measures)])
        lead_areas = [a for a in named_areas if a.end <= lead_end]
        period_type, period_end, baseline_year = _period(sentence)
        previous_direction: str | None = None
        bounds = _clause_bounds(sentence, percents, [*measures, *named_areas])
        for percent, (start, end) in zip(percents, bounds, strict=True):
            in_clause = [m for m in measures if start <= m.start < end]
            measure = _nearest(in_clause, percent.start(), percent.end())
            direction = _direction(sentence, start, end, percent)
            if percent["sign"]:
                direction = INCREASE if percent["sign"] == "+" else DECREASE
            if direction is None and measure is not None:
                direction = previous_direction
            if direction is None:
                continue
            previous_direction = direction
            clause_areas = [a for a in named_areas if start <= a.start < end]
            named = _nearest(clause_areas, percent.start(), percent.end())
            area = areas[named.value] if named else None
            if area is None and lead_areas:
                area = areas[lead_areas[-1].value]
            area = area or vocabulary.london
            claims.append(
                Claim(
                    sentence=sentence,
                    measure=measure_ids[measure.value] if measure else None,
                    area_code=area.code,
                    area_name=area.name,
                    claimed_change_pct=_number(percent),
                    claimed_direction=direction,
                    period_type=period_type,
                    period_end=period_end,
                    baseline_year=baseline_year,
                )
            )
    return claims


PERIOD_NAMES = {
    "ytd": "year to date",
    "rolling_12m": "12 months",
    "month": "single month",
    "fytd": "financial year to date",
}


def _round_half_away(value: Fraction, decimals: int) -> Decimal:
    scaled = abs(value) * 10**decimals
    units = int(scaled + Fraction(1, 2))  # floor, since scaled >= 0
    return Decimal(units if value >= 0 else -units).scaleb(-decimals)


def figure_at_precision(figure: Mapping[str, Any], decimals: int) -> Decimal | None:
    """A figure's percentage change, rounded half away from zero to `decimals` places.

    Whole numbers and two decimals are the figure's own change_pct and change_pct_exact. Other
    precisions are rounded from the exact change / baseline, never from change_pct_exact again
    (-32.449 is -32.45 at two decimals but -32.4 at one).
    """
    if figure.get("change_pct_exact") is None:
        return None
    if decimals == 0:
        return Decimal(figure["change_pct"])
    if decimals == 2:
        return Decimal(figure["change_pct_exact"])
    return _round_half_away(Fraction(100 * figure["change"], figure["baseline_count"]), decimals)


def _agrees(claim: Claim, figure: Mapping[str, Any]) -> bool:
    """The claim's direction and number are the figure's, at the precision stated."""
    decimals = len(claim.claimed_change_pct.partition(".")[2])
    value = figure_at_precision(figure, decimals)
    return (
        value is not None
        and figure["direction"] == claim.claimed_direction
        and abs(value) == Decimal(claim.claimed_change_pct)
    )


def _months(first: str, last: str) -> str:
    """'January to November 2021', 'November 2021', 'April 2021 to March 2022'."""

    def name(month: str) -> str:
        return MONTHS[int(month[5:7]) - 1].capitalize()

    if first == last:
        return f"{name(last)} {last[:4]}"
    if first[:4] == last[:4]:
        return f"{name(first)} to {name(last)} {last[:4]}"
    return f"{name(first)} {first[:4]} to {name(last)} {last[:4]}"


def _change_text(direction: str, number: str) -> str:
    if direction == "no_change":
        return "no change"
    article = "an" if direction == INCREASE else "a"
    return f"{article} {direction} of {number} per cent"


def _subject(label: str, area_name: str) -> str:
    return f"{label} in {area_name}"


def describe_figure(figure: Mapping[str, Any]) -> str:
    """'Knife crime in London: a decrease of 32 per cent (-32.41), 14,206 in January to
    November 2021 against 20,890 in January to November 2019'."""
    subject = _subject(figure["label"], figure["area_name"])
    counts = (
        f"{figure['count']:,} in {_months(figure['period_start'], figure['period_end'])} "
        f"against {figure['baseline_count']:,} in "
        f"{_months(figure['baseline_start'], figure['baseline_end'])}"
    )
    if figure.get("change_pct") is None:
        return f"{subject}: {counts}, with no percentage"
    change = _change_text(figure["direction"], str(abs(figure["change_pct"])))
    return f"{subject}: {change} ({figure['change_pct_exact']}), {counts}"


def _period_agrees(claim: Claim, figure: Mapping[str, Any]) -> bool:
    """The period and baseline the claim names, where it names them, are the figure's."""
    return (
        claim.period_type in (None, figure["period_type"])
        and claim.period_end in (None, figure["period_end"])
        and claim.baseline_year in (None, int(figure["baseline_end"][:4]))
    )


def _claimed_period(claim: Claim) -> str:
    parts = []
    if claim.period_type:
        parts.append(f"the {PERIOD_NAMES[claim.period_type]}")
    if claim.period_end:
        parts.append(f"to {_months(claim.period_end, claim.period_end)}")
    if claim.baseline_year:
        parts.append(f"against {claim.baseline_year}")
    return " ".join(parts)


def _same_comparison(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("area_code", "period_type", "period_end", "baseline_start", "baseline_end")
    return all(a[key] == b[key] for key in keys)


def _label(measure: str, figures: Sequence[Mapping[str, Any]]) -> str:
    """A measure's label as the figures give it, else its id."""
    return next((str(f["label"]) for f in figures if f["measure"] == measure), measure)


def judge(claim: Claim, figures: Sequence[Mapping[str, Any]]) -> Judgement:
    """The verdict on one claim against the figures of a publication, explained in words."""
    said = _change_text(claim.claimed_direction, claim.claimed_change_pct)
    if claim.measure is None:
        return Judgement(NO_FIGURE, None, "The sentence names no measure of the registry.")
    same_area = [
        f for f in figures if f["measure"] == claim.measure and f["area_code"] == claim.area_code
    ]
    if not same_area:
        return Judgement(
            NO_FIGURE,
            None,
            f"There is no figure for {_label(claim.measure, figures).lower()} in "
            f"{claim.area_name}.",
        )
    candidates = [f for f in same_area if _period_agrees(claim, f)]
    if not candidates:
        return Judgement(
            NO_FIGURE,
            None,
            f"The statement names {_claimed_period(claim)}, but the figures for "
            f"{same_area[0]['label']} in {claim.area_name} are for other periods: "
            + "; ".join(describe_figure(f) for f in same_area)
            + ".",
        )
    if len(candidates) > 1:
        return Judgement(
            NO_FIGURE,
            None,
            f"The statement does not say which of {len(candidates)} periods it means; name the "
            "period and the baseline year.",
        )
    figure = candidates[0]
    if figure["suppressed"]:
        return Judgement(
            SUPPRESSED,
            figure,
            f"The figure for {_subject(figure['label'], figure['area_name'])} is suppressed: its "
            f"baseline of {figure['baseline_count']:,} is too small to give a percentage.",
        )
    if figure.get("change_pct") is None:
        return Judgement(
            NO_FIGURE, figure, f"There is no percentage to state: {describe_figure(figure)}."
        )
    if _agrees(claim, figure):
        return Judgement(SUPPORTED, figure, f"The figure agrees: {describe_figure(figure)}.")
    other = next(
        (
            f
            for f in figures
            if f["measure"] != claim.measure
            and _same_comparison(f, figure)
            and not f["suppressed"]
            and _agrees(claim, f)
        ),
        None,
    )
    if other is not None:
        return Judgement(
            OTHER_MEASURE,
            figure,
            f"The statement gives {said} for {figure['label'].lower()}, but that is the figure "
            f"for {other['label'].lower()}. {describe_figure(figure)}.",
        )
    verdict = WRONG_DIRECTION if figure["direction"] != claim.claimed_direction else WRONG_NUMBER
    return Judgement(
        verdict, figure, f"The statement says {said}; the figure is {describe_figure(figure)}."
    )
