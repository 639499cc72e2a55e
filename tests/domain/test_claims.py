"""Claims read out of a draft statement, and each verdict, on small hand-built figures."""

from __future__ import annotations

from typing import Any

import pytest

from statement_figures.domain.claims import (
    NO_FIGURE,
    OTHER_MEASURE,
    SUPPORTED,
    SUPPRESSED,
    WRONG_DIRECTION,
    WRONG_NUMBER,
    Claim,
    Vocabulary,
    figure_at_precision,
    find_claims,
    judge,
)

VOCABULARY = Vocabulary.of(
    measures=[
        ("knife_crime", "Knife crime", ("knife crime", "knife offences", "knife-enabled crime")),
        (
            "knife_crime_with_injury",
            "Knife crime with injury",
            ("knife crime with injury", "knife injury crime"),
        ),
        (
            "knife_injury_victims_u25",
            "Knife injury victims aged under 25",
            (
                "knife injury victims aged under 25",
                "knife injury victims under 25",
                "under-25 knife injury victims",
                "young knife injury victims",
            ),
        ),
    ],
    areas=[
        ("MPS", "London", "london"),
        ("CN", "Central North", "bcu"),
        ("NA", "North", "bcu"),
        ("E09000002", "Barking and Dagenham", "borough"),
        ("E09000003", "Barnet", "borough"),
        ("E09000007", "Camden", "borough"),
    ],
)

SEED = (
    "This year to November 2021, compared with the same period prior to the pandemic in 2019, "
    "has seen: knife crime decrease by 32 per cent and knife injury victims aged under 25 "
    "reduce by 29 per cent."
)

LABELS = {
    "knife_crime": "Knife crime",
    "knife_crime_with_injury": "Knife crime with injury",
    "knife_injury_victims_u25": "Knife injury victims aged under 25",
}
AREAS = {
    "MPS": ("london", "London"),
    "CN": ("bcu", "Central North"),
    "E09000007": ("borough", "Camden"),
}


def figure(
    measure: str,
    area_code: str,
    count: int,
    baseline_count: int,
    change_pct: int | None,
    change_pct_exact: str | None,
    *,
    period_type: str = "ytd",
    period: tuple[str, str] = ("2021-01", "2021-11"),
    baseline: tuple[str, str] = ("2019-01", "2019-11"),
    suppressed: bool = False,
) -> dict[str, Any]:
    """A figure record as in the figures file; the percentages are given, worked by hand."""
    area_type, area_name = AREAS[area_code]
    change = count - baseline_count
    return {
        "measure": measure,
        "label": LABELS[measure],
        "area_type": area_type,
        "area_code": area_code,
        "area_name": area_name,
        "period_type": period_type,
        "period_start": period[0],
        "period_end": period[1],
        "baseline_start": baseline[0],
        "baseline_end": baseline[1],
        "count": count,
        "baseline_count": baseline_count,
        "change": change,
        "change_pct": change_pct,
        "change_pct_exact": change_pct_exact,
        "direction": "decrease" if change < 0 else "increase" if change > 0 else "no_change",
        "suppressed": suppressed,
        "sentence": None,
    }


FIGURES = [
    # -6,770 / 20,890 = -0.3240785...
    figure("knife_crime", "MPS", 14_120, 20_890, -32, "-32.41"),
    # +300 / 3,000 = +0.10: knife crime with injury rose
    figure("knife_crime_with_injury", "MPS", 3_300, 3_000, 10, "10.00"),
    # -447 / 1,540 = -0.2902597...
    figure("knife_injury_victims_u25", "MPS", 1_093, 1_540, -29, "-29.03"),
    figure("knife_crime", "E09000007", 690, 1_000, -31, "-31.00"),
    figure("knife_crime", "CN", 1_440, 2_000, -28, "-28.00"),
    figure("knife_crime_with_injury", "E09000007", 5, 8, None, None, suppressed=True),
]


def only_claim(text: str) -> Claim:
    claims = find_claims(text, VOCABULARY)
    assert len(claims) == 1, claims
    return claims[0]


def verdict(text: str, figures: list[dict[str, Any]] = FIGURES) -> str:
    return judge(only_claim(text), figures).verdict


# Reading claims


@pytest.mark.parametrize(
    ("text", "measure", "area_code", "number", "direction"),
    [
        ("Knife crime decrease by 32 per cent.", "knife_crime", "MPS", "32", "decrease"),
        ("Knife crime fell by 32%.", "knife_crime", "MPS", "32", "decrease"),
        (
            "There was a 32 per cent reduction in knife crime.",
            "knife_crime",
            "MPS",
            "32",
            "decrease",
        ),
        (
            "Knife injury victims aged under 25 are down 29 per cent.",
            "knife_injury_victims_u25",
            "MPS",
            "29",
            "decrease",
        ),
        (
            "In Camden, knife crime decreased by 31 per cent.",
            "knife_crime",
            "E09000007",
            "31",
            "decrease",
        ),
        (
            "Knife crime in the Central North BCU fell by 28 per cent.",
            "knife_crime",
            "CN",
            "28",
            "decrease",
        ),
        (
            "Knife crime with injury rose by 10 per cent.",
            "knife_crime_with_injury",
            "MPS",
            "10",
            "increase",
        ),
        ("Knife crime fell by 32.4 per cent this year.", "knife_crime", "MPS", "32.4", "decrease"),
        ("Knife crime fell by thirty-two per cent.", "knife_crime", "MPS", "32", "decrease"),
        ("Knife offences were 32 per cent lower.", "knife_crime", "MPS", "32", "decrease"),
        (
            "Young knife injury victims: up 4 per cent.",
            "knife_injury_victims_u25",
            "MPS",
            "4",
            "increase",
        ),
        ("Knife crime changed by -32 per cent.", "knife_crime", "MPS", "32", "decrease"),
    ],
)
def test_a_claim_is_read_from_ordinary_press_office_english(
    text: str, measure: str, area_code: str, number: str, direction: str
) -> None:
    claim = only_claim(text)
    assert (claim.measure, claim.area_code, claim.claimed_change_pct, claim.claimed_direction) == (
        measure,
        area_code,
        number,
        direction,
    )
    assert claim.sentence == text


def test_the_seed_statement_gives_two_london_claims_for_the_year_to_november_2021() -> None:
    claims = find_claims(SEED, VOCABULARY)
    assert claims == [
        Claim(SEED, "knife_crime", "MPS", "London", "32", "decrease", "ytd", "2021-11", 2019),
        Claim(
            SEED,
            "knife_injury_victims_u25",
            "MPS",
            "London",
            "29",
            "decrease",
            "ytd",
            "2021-11",
            2019,
        ),
    ]


def test_the_seed_statement_is_supported_by_its_figures() -> None:
    assert [judge(c, FIGURES).verdict for c in find_claims(SEED, VOCABULARY)] == [
        SUPPORTED,
        SUPPORTED,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Crimestoppers is 100 per cent anonymous.",
        "Call 0800 555 111.",
        "We have 32 officers.",
        "We have 32 officers in Camden and knife crime is our priority.",
        "Look up our page: the service is 100 per cent free.",
        "Knife crime makes up 32 per cent of violence with injury.",
        "Knife crime fell by 3 percentage points.",
    ],
)
def test_numbers_that_are_not_claims_of_a_change_yield_no_claim(text: str) -> None:
    assert find_claims(text, VOCABULARY) == []


def test_a_change_in_no_known_measure_is_kept_as_a_claim_without_a_measure() -> None:
    claim = only_claim("Robbery fell by 10 per cent.")
    assert (claim.measure, claim.claimed_change_pct, claim.claimed_direction) == (
        None,
        "10",
        "decrease",
    )


def test_the_longest_alias_wins_so_knife_crime_with_injury_is_not_knife_crime() -> None:
    assert only_claim("Knife crime with injury fell by 5 per cent.").measure == (
        "knife_crime_with_injury"
    )


def test_a_sentence_ends_at_per_cent_but_not_inside_a_decimal() -> None:
    claims = find_claims(
        "Knife crime fell by 32.4 per cent. Knife crime with injury rose by 10 per cent.",
        VOCABULARY,
    )
    assert [(c.sentence, c.claimed_change_pct) for c in claims] == [
        ("Knife crime fell by 32.4 per cent.", "32.4"),
        ("Knife crime with injury rose by 10 per cent.", "10"),
    ]


def test_an_area_name_with_and_in_it_does_not_cut_a_sentence_into_clauses() -> None:
    claims = find_claims(
        "Knife crime fell by 32 per cent and in Barking and Dagenham knife crime rose 4 per cent.",
        VOCABULARY,
    )
    assert [(c.area_code, c.claimed_direction, c.claimed_change_pct) for c in claims] == [
        ("MPS", "decrease", "32"),
        ("E09000002", "increase", "4"),
    ]


def test_an_area_named_before_the_first_measure_holds_for_the_whole_sentence() -> None:
    claims = find_claims(
        "In Camden, knife crime fell by 31 per cent and knife crime with injury by 20 per cent.",
        VOCABULARY,
    )
    assert [(c.measure, c.area_code, c.claimed_direction) for c in claims] == [
        ("knife_crime", "E09000007", "decrease"),
        ("knife_crime_with_injury", "E09000007", "decrease"),
    ]


def test_a_bcu_is_named_with_bcu_after_its_name_so_north_london_is_london() -> None:
    assert only_claim("In North London, knife crime fell by 32 per cent.").area_code == "MPS"
    assert only_claim("In the North BCU, knife crime fell by 9 per cent.").area_code == "NA"


@pytest.mark.parametrize(
    ("text", "period_type", "period_end", "baseline_year"),
    [
        ("This year to November 2021, knife crime fell by 32 per cent.", "ytd", "2021-11", None),
        (
            "In the year to March 2019, knife crime fell by 5 per cent.",
            "rolling_12m",
            "2019-03",
            None,
        ),
        ("In the 12 months to March 2022, knife crime rose by 5%.", "rolling_12m", "2022-03", None),
        (
            "Knife crime fell by 32 per cent compared with the same period in 2019.",
            None,
            None,
            2019,
        ),
        ("Knife crime fell by 32 per cent against 2019.", None, None, 2019),
        (
            "In the financial year to November 2021 knife crime fell by 20 per cent.",
            "fytd",
            "2021-11",
            None,
        ),
        ("From January to November 2021 knife crime fell by 32 per cent.", "ytd", "2021-11", None),
        (
            "In November 2021 knife crime fell by 20 per cent compared with November 2019.",
            "month",
            "2021-11",
            2019,
        ),
        (
            "This year to November 2021 knife crime fell 3 per cent on the same period last year.",
            "ytd",
            "2021-11",
            2020,
        ),
        (
            "This year to November 2021 knife crime fell 3 per cent compared with last year.",
            "ytd",
            "2021-11",
            2020,
        ),
        ("Knife crime fell by 32 per cent.", None, None, None),
    ],
)
def test_the_period_and_baseline_named_in_the_text_are_parsed(
    text: str, period_type: str | None, period_end: str | None, baseline_year: int | None
) -> None:
    claim = only_claim(text)
    assert (claim.period_type, claim.period_end, claim.baseline_year) == (
        period_type,
        period_end,
        baseline_year,
    )


# Judging claims


def test_a_claim_that_agrees_with_its_figure_is_supported_and_says_so_in_words() -> None:
    judgement = judge(only_claim("Knife crime fell by 32 per cent."), FIGURES)
    assert judgement.verdict == SUPPORTED
    assert judgement.figure is FIGURES[0]
    assert judgement.detail == (
        "The figure agrees: Knife crime in London: a decrease of 32 per cent (-32.41), 14,120 "
        "in January to November 2021 against 20,890 in January to November 2019."
    )


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("32", SUPPORTED),
        ("32.4", SUPPORTED),
        ("32.41", SUPPORTED),
        ("33", WRONG_NUMBER),
        ("31", WRONG_NUMBER),
        ("32.0", WRONG_NUMBER),
        ("32.40", WRONG_NUMBER),
        ("32.5", WRONG_NUMBER),
        ("32.408", SUPPORTED),
    ],
)
def test_a_number_is_supported_only_at_the_precision_it_is_stated_at(
    number: str, expected: str
) -> None:
    assert verdict(f"Knife crime fell by {number} per cent.") == expected


def test_one_decimal_is_rounded_from_the_exact_change_not_from_the_two_decimal_figure() -> None:
    # -32,449 / 100,000: -32.45 at two decimals, but -32.4 (not -32.5) at one.
    figures = [figure("knife_crime", "MPS", 67_551, 100_000, -32, "-32.45")]
    assert str(figure_at_precision(figures[0], 1)) == "-32.4"
    assert verdict("Knife crime fell by 32.4 per cent.", figures) == SUPPORTED
    assert verdict("Knife crime fell by 32.5 per cent.", figures) == WRONG_NUMBER


def test_a_near_miss_is_a_wrong_number_with_the_figure_in_the_detail() -> None:
    judgement = judge(only_claim("Knife crime fell by 30 per cent."), FIGURES)
    assert judgement.verdict == WRONG_NUMBER
    assert judgement.detail == (
        "The statement says a decrease of 30 per cent; the figure is Knife crime in London: a "
        "decrease of 32 per cent (-32.41), 14,120 in January to November 2021 against 20,890 in "
        "January to November 2019."
    )


def test_another_measures_fall_quoted_as_a_fall_in_knife_crime_is_other_measure() -> None:
    # Knife crime fell 32 per cent; 29 per cent is the under-25 victims' fall.
    assert verdict("Knife crime fell by 29 per cent.") == OTHER_MEASURE


def test_hyphens_and_spaces_in_a_measure_name_are_alike() -> None:
    assert only_claim("Knife enabled crime fell by 32 per cent.").measure == "knife_crime"
    assert only_claim("Under 25 knife injury victims fell by 29 per cent.").measure == (
        "knife_injury_victims_u25"
    )


def test_a_bulleted_list_after_a_colon_gives_one_claim_per_bullet() -> None:
    text = (
        "This year to November 2021, compared with 2019, has seen:\n"
        "- knife crime down 32 per cent\n"
        "- knife injury victims aged under 25 down 29 per cent\n"
    )
    claims = find_claims(text, VOCABULARY)
    assert [(c.measure, c.claimed_change_pct, c.period_end, c.baseline_year) for c in claims] == [
        ("knife_crime", "32", "2021-11", 2019),
        ("knife_injury_victims_u25", "29", "2021-11", 2019),
    ]
    assert [judge(c, FIGURES).verdict for c in claims] == [SUPPORTED, SUPPORTED]


def test_an_abbreviation_before_a_year_does_not_end_a_sentence() -> None:
    claim = only_claim("Knife crime fell by 32 per cent vs. 2019.")
    assert claim.baseline_year == 2019


def test_a_rise_claimed_as_a_fall_is_the_wrong_direction() -> None:
    assert verdict("Knife crime rose by 32 per cent.") == WRONG_DIRECTION
    assert verdict("Knife crime with injury fell by 10 per cent.") == WRONG_DIRECTION


def test_another_measures_fall_quoted_for_a_measure_that_rose_is_other_measure() -> None:
    # The regulator's 2023 case: the under-25 victims' fall (-29) quoted as if knife crime
    # with injury (+10) had fallen.
    judgement = judge(only_claim("Knife crime with injury fell by 29 per cent."), FIGURES)
    assert judgement.verdict == OTHER_MEASURE
    assert judgement.figure is FIGURES[1]
    assert judgement.detail.startswith(
        "The statement gives a decrease of 29 per cent for knife crime with injury, but that is "
        "the figure for knife injury victims aged under 25. Knife crime with injury in London: "
        "an increase of 10 per cent (10.00)"
    )


def test_a_claim_about_a_suppressed_figure_is_suppressed() -> None:
    judgement = judge(
        only_claim("In Camden, knife crime with injury fell by 38 per cent."), FIGURES
    )
    assert judgement.verdict == SUPPRESSED
    assert judgement.figure is FIGURES[5]
    assert "baseline of 8 is too small" in judgement.detail


def test_a_claim_with_no_known_measure_has_no_figure() -> None:
    judgement = judge(only_claim("Robbery fell by 10 per cent."), FIGURES)
    assert (judgement.verdict, judgement.figure) == (NO_FIGURE, None)
    assert judgement.detail == "The sentence names no measure of the registry."


def test_a_claim_about_an_area_without_figures_has_no_figure() -> None:
    judgement = judge(only_claim("In Barnet, knife crime fell by 10 per cent."), FIGURES)
    assert judgement.verdict == NO_FIGURE
    assert judgement.detail == "There is no figure for knife crime in Barnet."


def test_a_period_that_disagrees_with_the_figures_gives_no_figure() -> None:
    judgement = judge(
        only_claim("In the year to March 2019, knife crime fell by 32 per cent."), FIGURES
    )
    assert judgement.verdict == NO_FIGURE
    assert judgement.detail.startswith(
        "The statement names the 12 months to March 2019, but the figures for Knife crime in "
        "London are for other periods: Knife crime in London: a decrease of 32 per cent"
    )


def test_a_baseline_year_that_disagrees_with_the_figures_gives_no_figure() -> None:
    text = "Knife crime fell by 32 per cent compared with the same period in 2018."
    assert verdict(text) == NO_FIGURE


def test_a_claim_that_names_no_period_among_several_has_no_figure() -> None:
    figures = [
        *FIGURES,
        figure(
            "knife_crime",
            "MPS",
            15_000,
            20_000,
            -25,
            "-25.00",
            period_type="rolling_12m",
            period=("2020-12", "2021-11"),
            baseline=("2018-12", "2019-11"),
        ),
    ]
    judgement = judge(only_claim("Knife crime fell by 32 per cent."), figures)
    assert judgement.verdict == NO_FIGURE
    assert "does not say which of 2 periods" in judgement.detail
    named = "In the 12 months to November 2021, knife crime fell by 25 per cent."
    assert verdict(named, figures) == SUPPORTED


def test_a_vocabulary_needs_a_london_area() -> None:
    with pytest.raises(ValueError, match="no area of type london"):
        Vocabulary.of(measures=[], areas=[("CN", "Central North", "bcu")])
