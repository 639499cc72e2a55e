"""The measure registry: everything the pipeline knows about a measure lives in one entry.

Adding a measure is one entry here and one `sql/measures/<id>.sql` that counts it by
borough_code and month from a set of crime versions: tables `knife_crimes` and `victim_state`
(sql/state/), which hold only the rows and columns today's measures read (knife crimes; their
injured victims, each with its crime's borough, recorded date and domestic abuse flag): widen
them if a new measure needs more. A measure must count crime by crime (a crime's count depends
only on its own version and victims): warehouse/deltas.py records each extract's changes on
that basis, and recounts a measure from the first extract whenever any SQL it reads changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from statement_figures.domain.errors import FiguresError


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    definition: str
    dashboard_subtype: str
    aliases: tuple[str, ...] = ()  # other names a statement may give it (`figures check`)

    @property
    def sql(self) -> str:
        """The name of the SQL file that counts it from incident extracts."""
        return f"measures/{self.id}"


MEASURES: tuple[Measure, ...] = (
    Measure(
        id="knife_crime",
        label="Knife crime",
        definition=(
            "Crimes with status recorded where a knife or sharp instrument was used or "
            "threatened, in the offence groups homicide, violence with injury, violence "
            "without injury, robbery and sexual offences (possession offences are not knife "
            "crime), counted by the month the crime was recorded."
        ),
        dashboard_subtype="Knife Crime",
        aliases=("knife offences", "knife-enabled crime", "knife enabled crime"),
    ),
    Measure(
        id="knife_crime_with_injury",
        label="Knife crime with injury",
        definition="Knife crimes with at least one injured victim, by month recorded.",
        dashboard_subtype="Knife Crime with Injury",
        aliases=("knife injury crime", "knife crimes with injury"),
    ),
    Measure(
        id="knife_injury_victims_u25",
        label="Knife injury victims aged under 25",
        definition=(
            "Injured victims aged 1 to 24 of knife crimes that are not domestic abuse, by the "
            "month the crime was recorded. Victims whose age is unknown are not counted."
        ),
        dashboard_subtype="Knife Injury Victims (non DA 1-24)",
        aliases=(
            "knife injury victims under 25",
            "under-25 knife injury victims",
            "young knife injury victims",
            "knife injury victims under the age of 25",
        ),
    ),
)

MEASURES_BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}


def measure(measure_id: str) -> Measure:
    try:
        return MEASURES_BY_ID[measure_id]
    except KeyError:
        known = ", ".join(MEASURES_BY_ID)
        raise FiguresError(f"unknown measure {measure_id!r} (known: {known})") from None
