"""Where a publication goes, and what publishing may and may not replace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.domain.spec import DEFAULT_SPEC
from statement_figures.publication.folders import (
    LATEST,
    LATEST_DATA_DATE,
    latest_publication,
    set_latest,
)
from statement_figures.publication.publish import publish
from tests.support.extracts import crime, write_extract
from tests.support.warehouse import ingest


def test_the_same_figures_asked_for_with_an_explicit_period_end_are_unchanged(
    settings: Settings, published: Path
) -> None:
    again = publish(settings, spec=DEFAULT_SPEC.with_overrides(period_end=dt.date(2021, 11, 1)))
    assert again.folder == published
    assert again.unchanged


def test_an_as_of_date_past_the_data_adds_no_months(settings: Settings, published: Path) -> None:
    later = publish(settings, as_of=dt.date(2030, 1, 1))
    london = next(f for f in later.document["figures"] if f["area_code"] == "MPS")
    assert (london["period_end"], london["count"], london["change_pct"]) == ("2021-11", 15, -25)
    with pytest.raises(FiguresError, match="latest complete month is 2021-11"):
        publish(
            settings,
            as_of=dt.date(2030, 1, 1),
            spec=DEFAULT_SPEC.with_overrides(period_end=dt.date(2029, 12, 1)),
        )


def test_the_default_statement_changed_on_the_command_line_gets_its_own_folder(
    settings: Settings, published: Path
) -> None:
    before = (published / "figures.json").read_bytes()
    other = publish(settings, spec=DEFAULT_SPEC.with_overrides(min_base=30))
    assert other.folder.parent == published.parent
    assert other.folder.name.startswith(f"{published.name}-")
    assert (published / "figures.json").read_bytes() == before


def test_a_named_spec_changed_under_the_same_name_is_refused(
    settings: Settings, published: Path
) -> None:
    named = DEFAULT_SPEC.with_overrides(name="weekly")
    first = publish(settings, spec=named)
    with pytest.raises(FiguresError, match="one statement per publication folder"):
        publish(settings, spec=named.with_overrides(min_base=30))
    assert first.figures_json.exists()


def test_out_never_replaces_a_folder_that_is_not_a_publication(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "my documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("important")
    with pytest.raises(FiguresError, match="is not a publication: nothing in it was touched"):
        publish(settings, out=mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]


def test_reproducing_an_earlier_date_does_not_move_latest_back(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    ingest(settings, write_extract(tmp_path / "later", "2021-12-07", [crime("D1")]))
    latest = publish(settings)
    pointer = settings.published / LATEST
    assert pointer.read_text().strip().startswith("2021-12-07/")
    again = publish(settings, as_of=dt.date(2021, 12, 6))
    assert again.folder == published
    assert settings.published / pointer.read_text().strip() == latest.folder


def test_a_spec_asking_for_nothing_the_source_has_is_refused(
    settings: Settings, published: Path
) -> None:
    with pytest.raises(FiguresError, match="asks for no figure the incidents data has"):
        publish(
            settings,
            spec=DEFAULT_SPEC.with_overrides(area_types=("ward",), headline_measures=()),
        )


def test_exchange_swaps_two_folders_in_one_step(tmp_path: Path) -> None:
    from statement_figures.publication.folders import exchange

    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "figures.json").write_text("old")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "figures.json").write_text("new")
    assert exchange(tmp_path / "new", tmp_path / "old")  # Linux: the way publications move
    assert (tmp_path / "old" / "figures.json").read_text() == "new"
    assert (tmp_path / "new" / "figures.json").read_text() == "old"


def test_an_as_of_date_past_the_data_says_so_and_never_pins_latest(
    settings: Settings, published: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pointer = settings.published / LATEST
    with caplog.at_level("WARNING", logger="statement_figures.publication.compute"):
        far = publish(settings, as_of=dt.date(2099, 1, 1))
    assert (
        "as of 2099-01-01 the latest data is of 2021-12-06: the figures are those of 2021-12-06"
        in caplog.messages
    )
    assert settings.published / pointer.read_text().strip() == far.folder
    ingest(settings, write_extract(tmp_path / "later", "2021-12-07", [crime("D1")]))
    nightly = publish(settings)
    assert pointer.read_text() == str(nightly.folder.relative_to(settings.published)) + "\n"
    assert latest_publication(settings) == nightly.folder
    before = pointer.read_bytes()
    publish(settings, as_of=dt.date(2099, 1, 1))  # of the 2021-12-07 data too: it may move
    publish(settings, as_of=dt.date(2021, 12, 6))  # of older data: it may not
    assert latest_publication(settings) == settings.published / "2099-01-01" / nightly.folder.name
    assert before != pointer.read_bytes()


def test_latest_from_before_the_data_date_was_kept_falls_back_to_its_as_of_date(
    settings: Settings, published: Path, tmp_path: Path
) -> None:
    pointer = settings.published / LATEST
    (settings.published / LATEST_DATA_DATE).unlink()
    ingest(settings, write_extract(tmp_path / "later", "2021-12-07", [crime("D1")]))
    set_latest(settings, settings.published / "2021-12-05" / "older", dt.date(2021, 12, 5))
    assert settings.published / pointer.read_text().strip() == published
    nightly = publish(settings)
    assert latest_publication(settings) == nightly.folder
