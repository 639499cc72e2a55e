"""The statement spec: which figures a statement needs. The default is December 2021's."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from flows.errors import FiguresError
from flows.measures import MEASURES, measure
from flows.periods import PERIOD_TYPES, month_text, parse_month

AREA_TYPES = ("london", "bcu", "borough")


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
        for measure_id in (*self.measures, *self.headline_measures):
            measure(measure_id)
        if self.period_type not in PERIOD_TYPES:
            raise FiguresError(
                f"period_type {self.period_type!r} is not one of {', '.join(PERIOD_TYPES)}"
            )
        for area_type in self.area_types:
            if area_type not in AREA_TYPES:
                raise FiguresError(f"area type {area_type!r} is not one of {', '.join(AREA_TYPES)}")
        if self.min_base < 0:
            raise FiguresError(f"min_base must not be negative (got {self.min_base})")

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
    """A spec from its TOML or JSON form (`Spec.as_json`): lists and YYYY-MM as written."""
    data = dict(data)
    for key in ("measures", "area_types", "headline_measures"):
        if key in data:
            data[key] = tuple(data[key])
    if data.get("period_end") is not None:
        data["period_end"] = parse_month(str(data["period_end"]))
    return Spec(**data)


def load_spec(path: Path) -> Spec:
    """A spec from a TOML file; fields it leaves out keep the default statement's values."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FiguresError("no such file", location=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise FiguresError(str(error), location=str(path), rule="TOML") from None
    known = set(Spec.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise FiguresError(
            f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})",
            location=str(path),
        )
    try:
        return spec_from_dict(data)
    except FiguresError as error:
        raise FiguresError(str(error), location=str(path)) from None
    except TypeError as error:
        raise FiguresError(str(error), location=str(path)) from None
