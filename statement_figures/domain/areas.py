"""London's areas: the Met's 32 boroughs and the 12 Basic Command Units that group them."""

from __future__ import annotations

from dataclasses import dataclass

LONDON_CODE = "MPS"
LONDON_NAME = "London"


@dataclass(frozen=True)
class Borough:
    code: str
    name: str
    bcu_code: str


@dataclass(frozen=True)
class Bcu:
    code: str
    name: str


BCUS: tuple[Bcu, ...] = (
    Bcu("AS", "Central South"),
    Bcu("AW", "Central West"),
    Bcu("CE", "Central East"),
    Bcu("CN", "Central North"),
    Bcu("EA", "East"),
    Bcu("NA", "North"),
    Bcu("NE", "North East"),
    Bcu("NW", "North West"),
    Bcu("SE", "South East"),
    Bcu("SN", "South"),
    Bcu("SW", "South West"),
    Bcu("WA", "West"),
)

BOROUGHS: tuple[Borough, ...] = (
    Borough("E09000002", "Barking and Dagenham", "EA"),
    Borough("E09000003", "Barnet", "NW"),
    Borough("E09000004", "Bexley", "SE"),
    Borough("E09000005", "Brent", "NW"),
    Borough("E09000006", "Bromley", "SN"),
    Borough("E09000007", "Camden", "CN"),
    Borough("E09000008", "Croydon", "SN"),
    Borough("E09000009", "Ealing", "WA"),
    Borough("E09000010", "Enfield", "NA"),
    Borough("E09000011", "Greenwich", "SE"),
    Borough("E09000012", "Hackney", "CE"),
    Borough("E09000013", "Hammersmith and Fulham", "AW"),
    Borough("E09000014", "Haringey", "NA"),
    Borough("E09000015", "Harrow", "NW"),
    Borough("E09000016", "Havering", "EA"),
    Borough("E09000017", "Hillingdon", "WA"),
    Borough("E09000018", "Hounslow", "WA"),
    Borough("E09000019", "Islington", "CN"),
    Borough("E09000020", "Kensington and Chelsea", "AW"),
    Borough("E09000021", "Kingston upon Thames", "SW"),
    Borough("E09000022", "Lambeth", "AS"),
    Borough("E09000023", "Lewisham", "SE"),
    Borough("E09000024", "Merton", "SW"),
    Borough("E09000025", "Newham", "NE"),
    Borough("E09000026", "Redbridge", "EA"),
    Borough("E09000027", "Richmond upon Thames", "SW"),
    Borough("E09000028", "Southwark", "AS"),
    Borough("E09000029", "Sutton", "SN"),
    Borough("E09000030", "Tower Hamlets", "CE"),
    Borough("E09000031", "Waltham Forest", "NE"),
    Borough("E09000032", "Wandsworth", "SW"),
    Borough("E09000033", "Westminster", "AW"),
)

BOROUGH_CODES: frozenset[str] = frozenset(b.code for b in BOROUGHS)
