"""The nightly run takes each landed night in turn, and the figures move as the deltas say.

The expected figures are computed here independently of the pipeline, by folding the CSV
files in plain Python: the state as of a night is, for each crime_ref, the row (and victims)
of the latest extract holding it; then the measure definitions of the brief are applied.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sample.generate import generate_nightly, generate_sample
from tests.support.processes import figures

NIGHTS = ("2021-12-06", "2021-12-07", "2021-12-08", "2021-12-09")
KNIFE_GROUPS = {"homicide", "violence_with_injury", "violence_without_injury", "robbery"}
KNIFE_GROUPS.add("sexual_offences")
PERIOD, BASELINE = ("2021-01", "2021-11"), ("2019-01", "2019-11")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class State:
    """Every crime as of a night, with its victims, and what each night's delta did."""

    crimes: dict[str, dict[str, str]] = field(default_factory=dict)
    victims: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)

    def apply(self, folder: Path, night: str) -> None:
        victims: dict[str, list[dict[str, str]]] = {}
        for row in read(folder / f"victims_{night}.csv"):
            victims.setdefault(row["crime_ref"], []).append(row)
        self.kinds = Counter()
        for row in read(folder / f"crimes_{night}.csv"):
            ref = row["crime_ref"]
            old, new_victims = self.crimes.get(ref), victims.get(ref, [])
            if old is None:
                self.kinds["late-recorded" if row["recorded_date"][:7] < night[:7] else "new"] += 1
            elif old["status"] != row["status"]:
                self.kinds["cancelled"] += 1
            elif (old["offence_group"], old["knife_flag"]) != (
                row["offence_group"],
                row["knife_flag"],
            ):
                self.kinds["reclassified"] += 1
            elif len(new_victims) > len(self.victims.get(ref, [])):
                self.kinds["victim added"] += 1
            self.crimes[ref] = row
            self.victims[ref] = new_victims

    def london(self, months: tuple[str, str]) -> tuple[int, int]:
        """Knife crime, and knife injury victims aged under 25, recorded in the months."""
        knife = u25 = 0
        for ref, row in self.crimes.items():
            if not months[0] <= row["recorded_date"][:7] <= months[1]:
                continue
            if not (
                row["status"] == "recorded"
                and row["knife_flag"].lower() == "true"
                and row["offence_group"] in KNIFE_GROUPS
            ):
                continue
            knife += 1
            if row["domestic_abuse"].lower() == "true":
                continue
            u25 += sum(
                v["injured"].lower() == "true" and v["age"] != "" and 1 <= int(v["age"]) <= 24
                for v in self.victims[ref]
            )
        return knife, u25


def published_london(warehouse: Path, night: str) -> dict[str, tuple[int, int]]:
    folder = warehouse / "published" / night / "statement-ytd-2021-11-vs-2019"
    doc = json.loads((folder / "figures.json").read_text())
    return {
        f["measure"]: (f["count"], f["baseline_count"])
        for f in doc["figures"]
        if f["area_code"] == "MPS"
    }


def test_each_landed_night_is_published_in_turn_with_the_figures_the_deltas_give(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse"
    landing = warehouse / "landing"
    generate_sample(landing)
    generate_nightly(landing, nights=len(NIGHTS) - 1)
    state, expected, kinds = State(), {}, {}
    for night in NIGHTS:
        state.apply(landing, night)
        kinds[night] = state.kinds
        (knife, u25), (knife_base, u25_base) = state.london(PERIOD), state.london(BASELINE)
        expected[night] = {
            "knife_crime": (knife, knife_base),
            "knife_injury_victims_u25": (u25, u25_base),
        }
    for night in NIGHTS[1:]:
        assert set(kinds[night]) == {
            "new",
            "late-recorded",
            "reclassified",
            "cancelled",
            "victim added",
        }, f"the delta of {night} lacks a kind of revision: {kinds[night]}"
    assert expected["2021-12-06"]["knife_crime"] == (10_472, 15_400)
    assert expected["2021-12-06"]["knife_injury_victims_u25"] == (1_136, 1_600)
    moves = [tuple(e.values()) for e in expected.values()]
    assert len(set(moves)) == len(NIGHTS), f"the figures must move every night: {moves}"

    run = figures("run", warehouse=warehouse)
    assert run.returncode == 0, run.stderr
    assert sorted(landing.iterdir()) == []
    for number, night in enumerate(NIGHTS[:-1], start=1):
        assert f"night {number}/{len(NIGHTS)} {night}: published " in run.stderr
    for night in NIGHTS:
        london = published_london(warehouse, night)
        got = {m: london[m] for m in expected[night]}
        assert got == expected[night], night
    assert (warehouse / "published/LATEST").read_text().strip().startswith(NIGHTS[-1])
