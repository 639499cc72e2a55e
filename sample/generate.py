"""The built-in sample: synthetic incident extracts in the contract format (brief 3.1 and 7).

Three entry points share one row builder (`_build_batch`) and one writer (`_write_extract`):

- `generate_sample`: one full snapshot, 2019-01 to 2021-11 as of 2021-12-06 by default, with
  realistic borough shares and seasonality, every kind of row the measures must leave out, and
  London totals chosen (not sampled) so that January to November 2021 against the same months
  of 2019 gives knife crime -32 per cent and knife injury victims aged under 25 -29 per cent
  for any seed.
- `generate_nightly`: nightly delta extracts that continue the sample, with new, late-recorded,
  reclassified, cancelled crimes and victims added to existing crimes.
- `generate_scaled`: a full snapshot with an exact number of crimes, for benchmarks, written in
  bounded chunks.

Randomness only allocates: boroughs, days, offence groups, flags and victim attributes. Every
random draw comes from one `numpy.random.Generator` seeded by the caller, so a seed always
gives byte-identical files.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from schemas.crimes import OFFENCE_GROUPS, STATUSES
from schemas.rules import EARLIEST_DATE
from statement_figures.domain.areas import BOROUGHS
from statement_figures.domain.sources import SYNTHETIC_REF_PREFIX
from statement_figures.sources.incidents.ingest import COLUMNS

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
IntArray = npt.NDArray[np.int64]
SmallIntArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]
FloatArray = npt.NDArray[np.float64]

# --- File format (brief 3.1) ---------------------------------------------------------------------

CRIME_COLUMNS = COLUMNS["crimes"]
VICTIM_COLUMNS = COLUMNS["victims"]
CRIME_SCHEMA = pa.schema(
    [
        ("crime_ref", pa.string()),
        ("recorded_date", pa.date32()),
        ("offence_group", pa.string()),
        ("knife_flag", pa.bool_()),
        ("domestic_abuse", pa.bool_()),
        ("borough_code", pa.string()),
        ("status", pa.string()),
    ]
)
VICTIM_SCHEMA = pa.schema(
    [
        ("crime_ref", pa.string()),
        ("victim_ref", pa.string()),
        ("age", pa.int16()),
        ("injured", pa.bool_()),
    ]
)
CRIME_REF_PREFIX = SYNTHETIC_REF_PREFIX  # marks the files as synthetic (domain/sources.py)
CRIME_REF_DIGITS = 9  # "SAMPLE-000000001": room for 999,999,999 crimes, under 32 characters
VICTIM_REF_PREFIX = "V"

# --- Offence groups and the kinds of crime the measures count or leave out -----------------------

# Indices into OFFENCE_GROUPS (schemas/crimes.py), in its order.
HOMICIDE, VIOLENCE_WITH_INJURY, VIOLENCE_WITHOUT_INJURY, ROBBERY, SEXUAL = range(5)
POSSESSION, OTHER = 5, 6
KNIFE_ELIGIBLE = 5  # groups 0..4 can be knife crime
ANY_ELIGIBLE = -1  # a kind whose group is drawn from the knife-eligible groups

# Mix of the knife-eligible groups (MPS knife crime is mostly robbery and violence).
KNIFE_GROUP_WEIGHTS = (0.006, 0.27, 0.27, 0.444, 0.01)
NON_KNIFE_GROUP_WEIGHTS = (0.002, 0.38, 0.45, 0.10, 0.068)


class CrimeKind(NamedTuple):
    group: int  # an offence group, or ANY_ELIGIBLE
    knife: bool
    cancelled: bool
    weight: float  # share among the crimes the measures leave out


# Kind 0 is the counted knife crime; the others are what the measure definitions leave out.
COUNTED_KNIFE_CRIME = CrimeKind(ANY_ELIGIBLE, knife=True, cancelled=False, weight=0.0)
EXCLUDED_KINDS = (
    CrimeKind(ANY_ELIGIBLE, knife=False, cancelled=False, weight=0.78),  # no knife
    CrimeKind(ANY_ELIGIBLE, knife=False, cancelled=True, weight=0.02),
    CrimeKind(ANY_ELIGIBLE, knife=True, cancelled=True, weight=0.03),  # cancelled knife crime
    CrimeKind(
        POSSESSION, knife=True, cancelled=False, weight=0.09
    ),  # possession is not knife crime
    CrimeKind(POSSESSION, knife=False, cancelled=False, weight=0.04),
    CrimeKind(OTHER, knife=True, cancelled=False, weight=0.01),
    CrimeKind(OTHER, knife=False, cancelled=False, weight=0.03),
)
CRIME_KINDS = (COUNTED_KNIFE_CRIME, *EXCLUDED_KINDS)
OTHER_CRIMES_PER_KNIFE_CRIME = 1.0  # the sample holds about as many excluded crimes as counted

# Domestic abuse: a share of violent and sexual crimes, never robbery, possession or other.
DOMESTIC_ABUSE_SHARE = 0.12
DOMESTIC_ABUSE_GROUPS = (True, True, True, False, True, False, False)

# --- Victims -------------------------------------------------------------------------------------

VICTIMS_PER_CRIME_WEIGHTS = (0.45, 0.45, 0.08, 0.02)  # 0, 1, 2 or 3 victims; possession: none
INJURY_CHANCE = (0.95, 0.8, 0.03, 0.08, 0.05, 0.0, 0.05)  # per offence group
UNKNOWN_AGE = -1
UNKNOWN_AGE_SHARE = 0.04
AGE_BANDS = ((0, 0, 0.003), (1, 17, 0.14), (18, 24, 0.24), (25, 39, 0.36), (40, 64, 0.22))
AGE_BANDS_OLDEST = (65, 95, 0.037)
UNDER_25_BANDS = ((1, 17, 0.35), (18, 24, 0.65))
ADULT_AGES = (25, 64)

# --- Areas: share of "Knife Crime" offences per borough, MPS dashboard 2022-03 to 2026-02 --------

BOROUGH_KNIFE_OFFENCES = {
    "E09000002": 1948,
    "E09000003": 1582,
    "E09000004": 808,
    "E09000005": 2246,
    "E09000006": 1206,
    "E09000007": 1860,
    "E09000008": 2885,
    "E09000009": 1981,
    "E09000010": 2403,
    "E09000011": 1849,
    "E09000012": 2392,
    "E09000013": 1069,
    "E09000014": 2581,
    "E09000015": 898,
    "E09000016": 1152,
    "E09000017": 1250,
    "E09000018": 1496,
    "E09000019": 1779,
    "E09000020": 887,
    "E09000021": 407,
    "E09000022": 3130,
    "E09000023": 2086,
    "E09000024": 858,
    "E09000025": 3011,
    "E09000026": 1601,
    "E09000027": 407,
    "E09000028": 2995,
    "E09000029": 769,
    "E09000030": 2341,
    "E09000031": 1648,
    "E09000032": 1505,
    "E09000033": 3354,
}
UNKNOWN_BOROUGH_KNIFE_OFFENCES = 1325  # "N/K", "Non MET police force", aviation, blank
UNKNOWN_BOROUGH = -1

# --- Time: seasonality and the calibrated London totals ------------------------------------------

# London "Knife Crime" offences by calendar month, MPS dashboard 2022-03 to 2026-02, damped
# halfway towards flat (one year's months vary less than four years' sums suggest).
MONTH_SEASONALITY = (4745, 4545, 4601, 4520, 4914, 4916, 4972, 4794, 4779, 5186, 4991, 4746)
SEASONALITY_DAMPING = 0.5
DAY_OF_WEEK_WEIGHTS = (0.95, 0.93, 0.95, 0.97, 1.05, 1.12, 1.03)  # Monday first
BASELINE_YEAR, PANDEMIC_YEAR, CURRENT_YEAR = 2019, 2020, 2021
# January to November totals, London. 10472 / 15400 = 0.68 (-32.0 %); 1136 / 1600 = 0.71 (-29.0 %).
KNIFE_CRIME_JAN_NOV = {BASELINE_YEAR: 15_400, CURRENT_YEAR: 10_472}
U25_VICTIMS_JAN_NOV = {BASELINE_YEAR: 1_600, CURRENT_YEAR: 1_136}
# 2020 against the same month of 2019: the first lockdown bites in April and May.
PANDEMIC_FACTORS = (1.0, 0.98, 0.86, 0.52, 0.57, 0.74, 0.84, 0.87, 0.85, 0.8, 0.74, 0.74)
# 2021's shape against normal seasonality: the third lockdown in January to March.
CURRENT_YEAR_SHAPE = (0.92, 0.91, 0.95, 0.98, 1.02, 1.03, 1.04, 1.03, 1.03, 1.04, 1.03, 1.0)
U25_VICTIMS_PER_KNIFE_CRIME = (
    U25_VICTIMS_JAN_NOV[BASELINE_YEAR] / KNIFE_CRIME_JAN_NOV[BASELINE_YEAR]
)

# --- Nightly deltas ------------------------------------------------------------------------------

NIGHTLY_STREAM = 1  # the nightly generator's own random stream, beside the sample's
NEW_CRIME_DAYS = 3  # a night's new crimes were recorded on the three days before it
LATE_MONTHS_BACK = 3  # late-recorded crimes belong to one of the three months before
LATE_KNIFE_CRIMES, LATE_U25_VICTIMS, LATE_OTHER_CRIMES = 5.0, 0.5, 5.0  # per night, on average
REVISION_WINDOW_DAYS = 120  # revisions touch crimes recorded in the last four months
RECLASSIFIED, UNFLAGGED, FLAGGED, CANCELLED, VICTIM_ADDED = 8.0, 3.0, 3.0, 8.0, 5.0

# --- Defaults ------------------------------------------------------------------------------------

DEFAULT_FIRST_MONTH, DEFAULT_LAST_MONTH = "2019-01", "2021-11"
DEFAULT_AS_OF = date(2021, 12, 6)
CHUNK_ROWS = 500_000


# --- Rows in memory ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Crimes:
    """Crime rows as columns; `ref` is the number in the crime_ref."""

    ref: IntArray
    recorded: DateArray
    group: SmallIntArray
    knife: BoolArray
    domestic: BoolArray
    borough: SmallIntArray  # index into BOROUGHS, or UNKNOWN_BOROUGH
    cancelled: BoolArray


@dataclass(frozen=True)
class _Victims:
    """Victim rows as columns; `number` is the number in the victim_ref."""

    crime: IntArray
    number: IntArray
    age: npt.NDArray[np.int16]  # UNKNOWN_AGE when not known
    injured: BoolArray


_Rows = TypeVar("_Rows", _Crimes, _Victims)


def _take(rows: _Rows, index: npt.NDArray[np.intp] | BoolArray) -> _Rows:
    return type(rows)(**{f.name: getattr(rows, f.name)[index] for f in fields(rows)})


def _concat(parts: Sequence[_Rows]) -> _Rows:
    first = parts[0]
    return type(first)(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(first)}
    )


@dataclass(frozen=True)
class _Batch:
    """What one call of the row builder makes: crimes recorded between two days."""

    first_day: date
    last_day: date
    knife_crimes: int  # crimes the knife_crime measure counts
    u25_victims: int  # victims the knife_injury_victims_u25 measure counts
    other_crimes: int  # crimes the measures leave out


# --- Months --------------------------------------------------------------------------------------


def _parse_month(text: str) -> int:
    """'YYYY-MM' as a month number (year * 12 + month - 1)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"month {text!r} is not YYYY-MM")
    return int(match[1]) * 12 + int(match[2]) - 1


def _month_start(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _month_end(month: int) -> date:
    return _month_start(month + 1) - timedelta(days=1)


def _month_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_range(first_month: str, last_month: str, as_of: date) -> range:
    first, last = _parse_month(first_month), _parse_month(last_month)
    if first > last:
        raise ValueError(f"first month {first_month} is after last month {last_month}")
    if _month_start(first) < EARLIEST_DATE:
        raise ValueError(f"first month {first_month} is before {EARLIEST_DATE:%Y-%m}")
    if _month_start(last) > as_of:
        raise ValueError(f"last month {last_month} starts after the as-of date {as_of}")
    return range(first, last + 1)


# --- London totals -------------------------------------------------------------------------------


def _apportion(total: int, weights: Sequence[float] | FloatArray) -> IntArray:
    """Split a whole number in proportion to weights (largest remainder): the parts sum to it."""
    w = np.asarray(weights, dtype=np.float64)
    exact = total * w / w.sum()
    parts: IntArray = np.floor(exact).astype(np.int64)
    leftover = total - int(parts.sum())
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:leftover]] += 1
    return parts


def _calibrated_year(jan_nov_total: int, weights: FloatArray) -> tuple[int, ...]:
    """Twelve monthly totals whose January to November sum is exactly the given total."""
    jan_nov = _apportion(jan_nov_total, weights[:11])
    december = int(jan_nov_total * weights[11] / weights[:11].sum() + 0.5)
    return (*(int(n) for n in jan_nov), december)


@lru_cache(maxsize=16)
def _year_targets(year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """London's knife crimes and under-25 knife injury victims in each month of a year.

    Years before 2020 repeat 2019, years after 2020 repeat 2021.
    """
    raw = np.asarray(MONTH_SEASONALITY, dtype=np.float64)
    season = 1 + SEASONALITY_DAMPING * (raw / raw.mean() - 1)
    if year == PANDEMIC_YEAR:
        knife, victims = _year_targets(BASELINE_YEAR)
        return (
            tuple(int(n * f + 0.5) for n, f in zip(knife, PANDEMIC_FACTORS, strict=True)),
            tuple(int(n * f + 0.5) for n, f in zip(victims, PANDEMIC_FACTORS, strict=True)),
        )
    key = BASELINE_YEAR if year < PANDEMIC_YEAR else CURRENT_YEAR
    weights = season if key == BASELINE_YEAR else season * np.asarray(CURRENT_YEAR_SHAPE)
    return (
        _calibrated_year(KNIFE_CRIME_JAN_NOV[key], weights),
        _calibrated_year(U25_VICTIMS_JAN_NOV[key], weights),
    )


def _month_targets(month: int) -> tuple[int, int]:
    knife, victims = _year_targets(month // 12)
    return knife[month % 12], victims[month % 12]


# --- Row builder ---------------------------------------------------------------------------------

_KIND_GROUP = np.array([k.group for k in CRIME_KINDS], dtype=np.int8)
_KIND_KNIFE = np.array([k.knife for k in CRIME_KINDS])
_KIND_CANCELLED = np.array([k.cancelled for k in CRIME_KINDS])
_EXCLUDED_P = np.array([k.weight for k in EXCLUDED_KINDS]) / sum(k.weight for k in EXCLUDED_KINDS)
_KNIFE_GROUP_P = np.array(KNIFE_GROUP_WEIGHTS) / sum(KNIFE_GROUP_WEIGHTS)
_NON_KNIFE_GROUP_P = np.array(NON_KNIFE_GROUP_WEIGHTS) / sum(NON_KNIFE_GROUP_WEIGHTS)
_BOROUGH_WEIGHTS = np.array(
    [BOROUGH_KNIFE_OFFENCES[b.code] for b in BOROUGHS] + [UNKNOWN_BOROUGH_KNIFE_OFFENCES],
    dtype=np.float64,
)
_BOROUGH_P = _BOROUGH_WEIGHTS / _BOROUGH_WEIGHTS.sum()
_INJURY_CHANCE = np.array(INJURY_CHANCE)
_DOMESTIC_ABUSE_GROUPS = np.array(DOMESTIC_ABUSE_GROUPS)
_VICTIMS_PER_CRIME_P = np.array(VICTIMS_PER_CRIME_WEIGHTS) / sum(VICTIMS_PER_CRIME_WEIGHTS)
_DAY_OF_WEEK_WEIGHTS = np.array(DAY_OF_WEEK_WEIGHTS)


def _sample_days(rng: np.random.Generator, first: date, last: date, n: int) -> DateArray:
    """Days between first and last inclusive, weekends a little busier."""
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = _DAY_OF_WEEK_WEIGHTS[weekday]
    return rng.choice(days, size=n, p=weights / weights.sum())


def _sample_ages(
    rng: np.random.Generator,
    n: int,
    bands: Sequence[tuple[int, int, float]],
    unknown_share: float = 0.0,
) -> npt.NDArray[np.int16]:
    """Ages drawn from bands (youngest, oldest, weight), some unknown."""
    low = np.array([b[0] for b in bands])
    high = np.array([b[1] for b in bands])
    weights = np.array([b[2] for b in bands])
    band = rng.choice(len(bands), size=n, p=weights / weights.sum())
    ages = low[band] + rng.integers(0, high[band] - low[band] + 1)
    ages[rng.random(n) < unknown_share] = UNKNOWN_AGE
    result: npt.NDArray[np.int16] = ages.astype(np.int16)
    return result


def _sample_groups(rng: np.random.Generator, kind: IntArray, knife: BoolArray) -> SmallIntArray:
    group = _KIND_GROUP[kind]
    knife_eligible = (group == ANY_ELIGIBLE) & knife
    other_eligible = (group == ANY_ELIGIBLE) & ~knife
    group[knife_eligible] = rng.choice(KNIFE_ELIGIBLE, int(knife_eligible.sum()), p=_KNIFE_GROUP_P)
    group[other_eligible] = rng.choice(
        KNIFE_ELIGIBLE, int(other_eligible.sum()), p=_NON_KNIFE_GROUP_P
    )
    return group


def _sample_boroughs(rng: np.random.Generator, n: int) -> SmallIntArray:
    borough = rng.choice(len(_BOROUGH_P), size=n, p=_BOROUGH_P).astype(np.int8)
    borough[borough == len(BOROUGHS)] = UNKNOWN_BOROUGH
    return borough


def _counted_victims(
    rng: np.random.Generator, counted: BoolArray, group: SmallIntArray, n_victims: int
) -> IntArray:
    """The crimes of the exactly n_victims victims the under-25 measure counts."""
    if n_victims == 0:
        return np.zeros(0, dtype=np.int64)
    hosts = np.flatnonzero(counted)
    if hosts.size == 0:
        raise ValueError(f"{n_victims} under-25 victims need at least one knife crime")
    weights = _INJURY_CHANCE[group[hosts]] + 0.05
    return rng.choice(hosts, size=n_victims, p=weights / weights.sum()).astype(np.int64)


def _other_victims(
    rng: np.random.Generator, counted: BoolArray, group: SmallIntArray, domestic: BoolArray
) -> tuple[IntArray, npt.NDArray[np.int16], BoolArray]:
    """Victims of every crime, none of which the under-25 measure counts."""
    per_crime = rng.choice(len(_VICTIMS_PER_CRIME_P), size=group.size, p=_VICTIMS_PER_CRIME_P)
    per_crime[group == POSSESSION] = 0
    host = np.repeat(np.arange(group.size, dtype=np.int64), per_crime)
    age = _sample_ages(rng, host.size, (*AGE_BANDS, AGE_BANDS_OLDEST), UNKNOWN_AGE_SHARE)
    injured = rng.random(host.size) < _INJURY_CHANCE[group[host]]
    would_count = counted[host] & ~domestic[host] & injured & (age >= 1) & (age <= 24)
    age[would_count] = rng.integers(ADULT_AGES[0], ADULT_AGES[1] + 1, int(would_count.sum()))
    return host, age, injured


def _build_batch(
    rng: np.random.Generator, batch: _Batch, first_ref: int
) -> tuple[_Crimes, _Victims]:
    """Crimes and victims for one batch; crime refs run from first_ref in recorded order.

    Exactly batch.knife_crimes crimes count as knife crime and exactly batch.u25_victims
    victims count as knife injury victims under 25; every other row is one the measures leave
    out by construction.
    """
    excluded = 1 + rng.choice(len(EXCLUDED_KINDS), size=batch.other_crimes, p=_EXCLUDED_P)
    kind = np.concatenate([np.zeros(batch.knife_crimes, dtype=np.int64), excluded])
    n = kind.size
    counted = kind == 0
    knife = _KIND_KNIFE[kind]
    group = _sample_groups(rng, kind, knife)
    recorded = _sample_days(rng, batch.first_day, batch.last_day, n)
    borough = _sample_boroughs(rng, n)

    u25_host = _counted_victims(rng, counted, group, batch.u25_victims)
    has_u25 = np.zeros(n, dtype=np.bool_)
    has_u25[u25_host] = True
    domestic = _DOMESTIC_ABUSE_GROUPS[group] & (rng.random(n) < DOMESTIC_ABUSE_SHARE) & ~has_u25
    other_host, other_age, other_injured = _other_victims(rng, counted, group, domestic)

    host = np.concatenate([u25_host, other_host])
    age = np.concatenate([_sample_ages(rng, u25_host.size, UNDER_25_BANDS), other_age])
    injured = np.concatenate([np.ones(u25_host.size, dtype=np.bool_), other_injured])

    order = np.argsort(recorded, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    crimes = _Crimes(
        ref=first_ref + np.arange(n, dtype=np.int64),
        recorded=recorded[order],
        group=group[order],
        knife=knife[order],
        domestic=domestic[order],
        borough=borough[order],
        cancelled=_KIND_CANCELLED[kind][order],
    )
    victim_crime = first_ref + rank[host]
    shuffled = rng.permutation(host.size)  # a crime's victims in random order
    by_crime = shuffled[np.argsort(victim_crime[shuffled], kind="stable")]
    victims = _Victims(
        crime=victim_crime[by_crime],
        number=_number_within(victim_crime[by_crime]),
        age=age[by_crime],
        injured=injured[by_crime],
    )
    return crimes, victims


def _number_within(sorted_keys: IntArray) -> IntArray:
    """1, 2, 3... within each run of equal keys."""
    position = np.arange(sorted_keys.size, dtype=np.int64)
    starts = np.ones(sorted_keys.size, dtype=np.bool_)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    run_start = np.maximum.accumulate(np.where(starts, position, 0))
    return position - run_start + 1


def _build_batches(
    rng: np.random.Generator, batches: Iterable[_Batch], first_ref: int
) -> Iterator[tuple[_Crimes, _Victims]]:
    next_ref = first_ref
    for batch in batches:
        crimes, victims = _build_batch(rng, batch, next_ref)
        next_ref += crimes.ref.size
        yield crimes, victims


# --- Writer --------------------------------------------------------------------------------------


def _crime_refs(numbers: IntArray) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), CRIME_REF_DIGITS, "0")
    return pc.binary_join_element_wise(CRIME_REF_PREFIX, digits, "")


def _crimes_table(crimes: _Crimes) -> pa.Table:
    unknown = crimes.borough == UNKNOWN_BOROUGH
    borough = pa.array(np.where(unknown, 0, crimes.borough), mask=unknown)
    columns = [
        _crime_refs(crimes.ref),
        pa.array(crimes.recorded.astype("datetime64[D]"), type=pa.date32()),
        pc.take(pa.array(OFFENCE_GROUPS), pa.array(crimes.group)),
        pa.array(crimes.knife),
        pa.array(crimes.domestic),
        pc.take(pa.array([b.code for b in BOROUGHS]), borough),
        pc.take(pa.array(STATUSES), pa.array(crimes.cancelled.astype(np.int8))),
    ]
    return pa.Table.from_arrays(columns, schema=CRIME_SCHEMA)


def _victims_table(victims: _Victims) -> pa.Table:
    numbers = pc.cast(pa.array(victims.number), pa.string())
    columns = [
        _crime_refs(victims.crime),
        pc.binary_join_element_wise(VICTIM_REF_PREFIX, numbers, ""),
        pa.array(victims.age, mask=victims.age == UNKNOWN_AGE, type=pa.int16()),
        pa.array(victims.injured),
    ]
    return pa.Table.from_arrays(columns, schema=VICTIM_SCHEMA)


def _write_extract(
    out_dir: Path,
    as_of: date,
    parts: Iterable[tuple[_Crimes, _Victims]],
    total: int,
    progress: Progress | None = None,
) -> list[Path]:
    """Write crimes_<as_of>.csv and victims_<as_of>.csv part by part; both appear whole or not."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{name}_{as_of.isoformat()}.csv" for name in ("crimes", "victims")]
    temps = [t.with_name(f".{t.name}.tmp") for t in targets]
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    rows = [0, 0]
    try:
        with temps[0].open("wb") as crimes_file, temps[1].open("wb") as victims_file:
            crimes_file.write((",".join(CRIME_COLUMNS) + "\n").encode())
            victims_file.write((",".join(VICTIM_COLUMNS) + "\n").encode())
            with (
                pa_csv.CSVWriter(crimes_file, CRIME_SCHEMA, write_options=options) as crimes_out,
                pa_csv.CSVWriter(victims_file, VICTIM_SCHEMA, write_options=options) as victims_out,
            ):
                for done, (crimes, victims) in enumerate(parts, start=1):
                    crimes_out.write_table(_crimes_table(crimes))
                    victims_out.write_table(_victims_table(victims))
                    rows[0] += crimes.ref.size
                    rows[1] += victims.crime.size
                    if progress is not None:
                        progress(done, total)
        for temp, target in zip(temps, targets, strict=True):
            temp.replace(target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    log.info("wrote %s crimes and %s victims as of %s to %s", rows[0], rows[1], as_of, out_dir)
    return targets


# --- Sample --------------------------------------------------------------------------------------


def _sample_batches(as_of: date, first_month: str, last_month: str) -> list[_Batch]:
    batches = []
    for month in _month_range(first_month, last_month, as_of):
        knife, u25 = _month_targets(month)
        other = int(knife * OTHER_CRIMES_PER_KNIFE_CRIME + 0.5)
        last_day = min(_month_end(month), as_of)
        batches.append(_Batch(_month_start(month), last_day, knife, u25, other))
    return batches


def _sample_rows(seed: int, as_of: date) -> tuple[_Crimes, _Victims]:
    """The default sample of a seed, in memory."""
    rng = np.random.default_rng(seed)
    batches = _sample_batches(as_of, DEFAULT_FIRST_MONTH, DEFAULT_LAST_MONTH)
    parts = list(_build_batches(rng, batches, first_ref=1))
    return _concat([c for c, _ in parts]), _concat([v for _, v in parts])


def generate_sample(
    out_dir: Path,
    *,
    seed: int = 2021,
    as_of: date = DEFAULT_AS_OF,
    first_month: str = DEFAULT_FIRST_MONTH,
    last_month: str = DEFAULT_LAST_MONTH,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the built-in sample: one full-snapshot extract as of `as_of`.

    Covers first_month to last_month (days after as_of left out), all 32 boroughs with the
    shares of real MPS knife crime, some crimes with no borough, monthly seasonality and a
    pandemic dip in 2020. London's monthly totals of knife crime and of knife injury victims
    aged under 25 are fixed numbers, not random: about 1,400 and 145 a month in 2019, and
    January to November 2021 is exactly 68 and 71 per cent of January to November 2019 (-32
    and -29 per cent) whatever the seed, as long as both periods are inside the range. About
    as many crimes again are ones the measures leave out. Returns the crimes and victims paths.
    """
    batches = _sample_batches(as_of, first_month, last_month)
    rng = np.random.default_rng(seed)
    parts = _build_batches(rng, batches, first_ref=1)
    return _write_extract(out_dir, as_of, parts, len(batches), progress)


# --- Nightly deltas ------------------------------------------------------------------------------


def _new_crime_batches(rng: np.random.Generator, night: date) -> list[_Batch]:
    """A night's new crimes: a day's worth just recorded, and a few recorded late."""
    yesterday = night - timedelta(days=1)
    knife, u25 = _month_targets(_month_of(yesterday))
    days = _month_end(_month_of(yesterday)).day
    recent = _Batch(
        first_day=night - timedelta(days=NEW_CRIME_DAYS),
        last_day=yesterday,
        knife_crimes=1 + int(rng.poisson(knife / days)),
        u25_victims=int(rng.poisson(u25 / days)),
        other_crimes=int(rng.poisson(knife * OTHER_CRIMES_PER_KNIFE_CRIME / days)),
    )
    late_month = _month_of(night) - int(rng.integers(1, LATE_MONTHS_BACK + 1))
    late = _Batch(
        first_day=_month_start(late_month),
        last_day=_month_end(late_month),
        knife_crimes=1 + int(rng.poisson(LATE_KNIFE_CRIMES)),
        u25_victims=int(rng.poisson(LATE_U25_VICTIMS)),
        other_crimes=int(rng.poisson(LATE_OTHER_CRIMES)),
    )
    return [recent, late]


class _Picker:
    """Picks distinct crimes to revise, never the same crime twice in a night."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.taken = np.zeros(n, dtype=np.bool_)

    def pick(self, candidates: BoolArray, mean: float) -> npt.NDArray[np.intp]:
        pool = np.flatnonzero(candidates & ~self.taken)
        size = min(pool.size, 1 + int(self.rng.poisson(mean)))
        chosen = np.sort(self.rng.choice(pool, size=size, replace=False))
        self.taken[chosen] = True
        return chosen


def _revise(
    rng: np.random.Generator, crimes: _Crimes, victims: _Victims, night: date
) -> tuple[_Crimes, _Victims, npt.NDArray[np.intp]]:
    """Revised copies of the crimes, the victims added, and the positions of revised crimes."""
    recent = crimes.recorded >= np.datetime64(night - timedelta(days=REVISION_WINDOW_DAYS), "D")
    live = recent & ~crimes.cancelled
    eligible = live & (crimes.group < KNIFE_ELIGIBLE)
    counted = eligible & crimes.knife
    picker = _Picker(rng, crimes.ref.size)
    reclassified = picker.pick(live & (crimes.group == VIOLENCE_WITHOUT_INJURY), RECLASSIFIED)
    unflagged = picker.pick(counted, UNFLAGGED)
    flagged = picker.pick(eligible & ~crimes.knife, FLAGGED)
    cancelled = picker.pick(counted, CANCELLED)
    victim_added = picker.pick(counted, VICTIM_ADDED)

    group, knife, status = crimes.group.copy(), crimes.knife.copy(), crimes.cancelled.copy()
    group[reclassified] = VIOLENCE_WITH_INJURY
    knife[unflagged] = False
    knife[flagged] = True
    status[cancelled] = True
    revised = _Crimes(
        crimes.ref, crimes.recorded, group, knife, crimes.domestic, crimes.borough, status
    )
    existing = np.bincount(victims.crime - crimes.ref[0], minlength=crimes.ref.size)
    added_ages = (*AGE_BANDS, AGE_BANDS_OLDEST)
    added = _Victims(
        crime=crimes.ref[victim_added],
        number=existing[victim_added].astype(np.int64) + 1,
        age=_sample_ages(rng, victim_added.size, added_ages, UNKNOWN_AGE_SHARE),
        injured=rng.random(victim_added.size) < _INJURY_CHANCE[group[victim_added]],
    )
    return revised, added, np.flatnonzero(picker.taken)


def _night(
    rng: np.random.Generator, crimes: _Crimes, victims: _Victims, night: date
) -> tuple[tuple[_Crimes, _Victims], tuple[_Crimes, _Victims]]:
    """The state after a night (every crime and victim), and the night's delta extract."""
    revised, added, touched = _revise(rng, crimes, victims, night)
    new = list(_build_batches(rng, _new_crime_batches(rng, night), int(crimes.ref[-1]) + 1))
    state_crimes = _concat([revised, *(c for c, _ in new)])
    state_victims = _concat([victims, added, *(v for _, v in new)])
    delta_crimes = _concat([_take(revised, touched), *(c for c, _ in new)])
    delta_victims = _take(state_victims, np.isin(state_victims.crime, delta_crimes.ref))
    delta_victims = _take(delta_victims, np.lexsort((delta_victims.number, delta_victims.crime)))
    return (state_crimes, state_victims), (delta_crimes, delta_victims)


def generate_nightly(
    out_dir: Path,
    *,
    seed: int = 2021,
    start: date = date(2021, 12, 7),
    nights: int = 5,
    base_as_of: date = DEFAULT_AS_OF,
    progress: Progress | None = None,
) -> list[Path]:
    """Write nightly delta extracts that continue the default sample of the same seed.

    The sample (as of base_as_of) is rebuilt in memory, not written. Each night D = start,
    start + 1 day, ... gets crimes_D.csv and victims_D.csv holding every crime created or
    changed since the night before, with its full row and all its victims:

    - new crimes, about a thirtieth of the month's crimes, recorded in the three days before D;
    - late-recorded crimes, a handful recorded in one of the three months before D's month, so
      they land in that earlier month;
    - reclassified crimes: violence_without_injury becoming violence_with_injury, and knife
      crimes losing their knife flag or other violent crimes gaining it;
    - cancelled crimes: knife crimes whose status becomes cancelled;
    - crimes with a victim added (the crime row again, with its old and new victims).

    Revisions touch crimes recorded in the 120 days before D, at least one of each kind each
    night, never two kinds on one crime in one night. Returns the paths, night by night.
    """
    if nights < 0:
        raise ValueError(f"nights must not be negative, not {nights}")
    if start <= base_as_of:
        raise ValueError(f"the first night {start} must be after the sample's date {base_as_of}")
    crimes, victims = _sample_rows(seed, base_as_of)
    rng = np.random.default_rng([seed, NIGHTLY_STREAM])
    paths: list[Path] = []
    for done in range(1, nights + 1):
        night = start + timedelta(days=done - 1)
        (crimes, victims), delta = _night(rng, crimes, victims, night)
        paths += _write_extract(out_dir, night, [delta], total=1)
        if progress is not None:
            progress(done, nights)
    return paths


# --- Scaled --------------------------------------------------------------------------------------


def _scaled_batches(
    crimes: int, as_of: date, first_month: str, last_month: str, chunk_rows: int
) -> list[_Batch]:
    """Exactly `crimes` crimes over the months in the sample's shape, chunk_rows at most a batch."""
    months = _month_range(first_month, last_month, as_of)
    per_month = _apportion(crimes, [_month_targets(m)[0] for m in months])
    batches = []
    for month, month_total in zip(months, per_month, strict=True):
        pieces = _apportion(int(month_total), np.ones(-(-int(month_total) // chunk_rows) or 1))
        for piece in (int(p) for p in pieces if p > 0):
            last_day = min(_month_end(month), as_of)
            batches.append(_scaled_batch(piece, _month_start(month), last_day))
    return batches


def _scaled_batch(crimes: int, first_day: date, last_day: date) -> _Batch:
    """`crimes` crimes recorded between two days, in the sample's proportions."""
    knife = int(crimes * (1 / (1 + OTHER_CRIMES_PER_KNIFE_CRIME)) + 0.5)
    u25 = int(knife * U25_VICTIMS_PER_KNIFE_CRIME + 0.5)
    return _Batch(first_day, last_day, knife, u25, crimes - knife)


def generate_scaled(
    out_dir: Path,
    *,
    crimes: int,
    seed: int = 2021,
    as_of: date = DEFAULT_AS_OF,
    first_month: str = DEFAULT_FIRST_MONTH,
    last_month: str = DEFAULT_LAST_MONTH,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
) -> list[Path]:
    """Write one full-snapshot extract with exactly `crimes` crimes, for benchmarks.

    Same contract and shape as the sample (boroughs, seasonality, pandemic dip, excluded kinds,
    about 0.7 victims a crime) but not calibrated. Built and written at most chunk_rows crimes at
    a time, so memory stays bounded whatever the size; progress is reported per chunk.
    """
    if not 0 <= crimes < 10**CRIME_REF_DIGITS:
        raise ValueError(f"crimes must be between 0 and {10**CRIME_REF_DIGITS - 1}, not {crimes}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    batches = _scaled_batches(crimes, as_of, first_month, last_month, chunk_rows)
    rng = np.random.default_rng(seed)
    parts = _build_batches(rng, batches, first_ref=1)
    return _write_extract(out_dir, as_of, parts, len(batches), progress)


def generate_scaled_delta(
    out_dir: Path,
    *,
    base_crimes: int,
    crimes: int = 3_000,
    revised_share: float = 0.1,
    seed: int = 2021,
    night: date = DEFAULT_AS_OF + timedelta(days=1),
) -> list[Path]:
    """Write one night's delta for a `generate_scaled` extract of base_crimes crimes.

    About revised_share of its crimes are rewritten versions of the base's most recent crimes
    (new details and victims under their old references); the rest are new crimes recorded in
    the days before the night. For benchmarking the nightly run on a large warehouse.
    """
    revised = min(base_crimes, int(crimes * revised_share))
    yesterday = night - timedelta(days=1)
    rewritten = _scaled_batch(revised, night - timedelta(days=30), yesterday)
    created = _scaled_batch(crimes - revised, night - timedelta(days=NEW_CRIME_DAYS), yesterday)
    rng = np.random.default_rng([seed, NIGHTLY_STREAM])
    parts = [
        *_build_batches(rng, [rewritten], first_ref=base_crimes - revised + 1),
        *_build_batches(rng, [created], first_ref=base_crimes + 1),
    ]
    return _write_extract(out_dir, night, parts, total=len(parts))
