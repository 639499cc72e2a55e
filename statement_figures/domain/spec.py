"""The statement spec: which figures a statement needs. The default is December 2021's."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import asdict, dataclass, replace
from typing import Any

from statement_figures.domain.errors import FiguresError
from statement_figures.domain.measures import MEASURES, measure
from statement_figures.domain.periods import PERIOD_TYPES, month_text, parse_month

AREA_TYPES = ("london", "bcu", "borough")
# Wards come only from the Monthly Crime Dashboard; a spec asks for them by name.
ALLOWED_AREA_TYPES = (*AREA_TYPES, "ward")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
LIST_FIELDS = ("measures", "area_types", "headline_measures")
INT_FIELDS = ("baseline_year", "min_base")
# Baselines are years of the data: extracts hold crimes recorded from 2000 on; a year is YYYY.
BASELINE_YEARS = (2000, 9999)
# The largest whole number every JSON reader takes exactly (2^53 - 1).
MAX_WHOLE = 2**53 - 1


@dataclass(frozen=True)
class Spec:
    name: str = "statement"
    measures: tuple[str, ...] = tuple(m.id for m in MEASURES)
    area_types: tuple[str, ...] = AREA_TYPES
    period_type: str = "ytd"
    period_end: dt.date | None = None
    baseline_year: int = 2019
    min_base: int = 10
    headline_measures: tuple[str, ...] = ("knife_crime", "knife_injury_victims_u25")

    def __post_init__(self) -> None:
        if not NAME_PATTERN.fullmatch(self.name):
            raise FiguresError(
                f"name {self.name!r} must be 1 to 64 lower-case letters, digits and hyphens "
                "(it names the publication's folder)"
            )
        for measure_id in (*self.measures, *self.headline_measures):
            measure(measure_id)
        for field, values in (("measures", self.measures), ("area_types", self.area_types)):
            if not values:
                raise FiguresError(f"{field} must name at least one")
            if len(set(values)) != len(values):
                raise FiguresError(f"{field} names the same one twice: {list(values)}")
        missing = [m for m in self.headline_measures if m not in self.measures]
        if missing:
            raise FiguresError(
                f"headline measure(s) {', '.join(missing)} are not among the measures "
                f"{', '.join(self.measures)}"
            )
        if self.headline_measures and "london" not in self.area_types:
            raise FiguresError(
                'the headline sentences are London\'s: add "london" to area_types, '
                "or set headline_measures = []"
            )
        if self.period_type not in PERIOD_TYPES:
            raise FiguresError(
                f"period_type {self.period_type!r} is not one of {', '.join(PERIOD_TYPES)}"
            )
        for area_type in self.area_types:
            if area_type not in ALLOWED_AREA_TYPES:
                raise FiguresError(
                    f"area type {area_type!r} is not one of {', '.join(ALLOWED_AREA_TYPES)}"
                )
        if self.min_base < 0:
            raise FiguresError(f"min_base must not be negative (got {self.min_base})")
        if self.min_base > MAX_WHOLE:
            raise FiguresError(f"min_base must be at most {MAX_WHOLE} (got {self.min_base})")
        first, last = BASELINE_YEARS
        if not first <= self.baseline_year <= last:
            raise FiguresError(
                f"baseline_year must be a year from {first} to {last} (got {self.baseline_year})"
            )

    def with_overrides(self, **overrides: Any) -> Spec:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["measures"] = list(self.measures)
        data["area_types"] = list(self.area_types)
        data["headline_measures"] = list(self.headline_measures)
        data["period_end"] = month_text(self.period_end) if self.period_end else None
        return data


DEFAULT_SPEC = Spec()


def spec_from_dict(data: dict[str, Any]) -> Spec:
    """A spec from its TOML or JSON form (`Spec.as_json`), each field's type checked."""
    return Spec(**_spec_fields(data))


def spec_from_toml(text: str) -> Spec:
    """A spec from the text of a TOML file; fields it leaves out keep the default's values."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FiguresError(str(error), rule="TOML") from None
    return spec_from_dict(data)


def _spec_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The TOML table as Spec's keyword arguments, each field's type checked."""
    known = list(Spec.__dataclass_fields__)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise FiguresError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(known)})")
    fields = dict(data)
    for key in LIST_FIELDS:
        if key in fields:
            values = fields[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise FiguresError(f'{key} must be a list of names, like ["{_example_name(key)}"]')
            fields[key] = tuple(values)
    for key in INT_FIELDS:
        if key in fields and (type(fields[key]) is not int):
            raise FiguresError(f"{key} must be a whole number (got {fields[key]!r})")
    for key in ("name", "period_type"):
        if key in fields and not isinstance(fields[key], str):
            raise FiguresError(f"{key} must be a quoted string (got {fields[key]!r})")
    if fields.get("period_end") is not None:
        end = fields["period_end"]
        if not isinstance(end, str):
            raise FiguresError(f'period_end must be a month written "YYYY-MM" (got {end!r})')
        fields["period_end"] = parse_month(end)
    return fields


def _example_name(field: str) -> str:
    """An example value for a list field, for error messages."""
    return AREA_TYPES[0] if field == "area_types" else MEASURES[0].id
