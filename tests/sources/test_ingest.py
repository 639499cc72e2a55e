"""Ingesting files: formats, archiving, idempotence, refusals, and all-or-nothing loads."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.publication.figures import SYNTHETIC_CAVEAT
from statement_figures.publication.publish import publish
from statement_figures.sources.files import FileScan, scan_file
from statement_figures.sources.incidents.ingest import ingest_paths
from statement_figures.warehouse import db
from tests.support.extracts import crime, victim, write_extract


def table_counts(settings: Settings) -> tuple[int, int, int]:
    with db.connect(settings) as con:
        return tuple(  # type: ignore[return-value]
            con.execute(f"select count(*) from {t}").fetchall()[0][0]
            for t in ("crimes", "victims", "loaded_files")
        )


def stored_rows(settings: Settings) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every crime and victim row the warehouse stores, in order."""
    with db.connect(settings) as con:
        return (
            con.execute("select * from crimes order by all").fetchall(),
            con.execute("select * from victims order by all").fetchall(),
        )


def test_csv_gz_and_parquet_load_the_same_rows_as_csv(settings: Settings, tmp_path: Path) -> None:
    crimes = [crime("C1"), crime("C2", borough_code="", knife_flag="FALSE", status="cancelled")]
    victims = [victim("C1"), victim("C1", victim_ref="V2", age="", injured="false")]
    crimes_csv, victims_csv = write_extract(tmp_path / "csv", "2021-12-06", crimes, victims)
    gz = tmp_path / "gz"
    gz.mkdir()
    for path in (crimes_csv, victims_csv):
        with path.open("rb") as src, gzip.open(gz / f"{path.name}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    con = duckdb.connect()
    for path in (crimes_csv, victims_csv):
        target = pq_dir / path.name.replace(".csv", ".parquet")
        con.execute(
            f"copy (select * from read_csv('{path}', all_varchar = true)) to '{target}' "
            "(format parquet)"
        )
    ingest_paths(settings, [crimes_csv, victims_csv])
    from_csv = stored_rows(settings)
    assert from_csv == (
        [
            (
                dt.date(2021, 12, 6),
                "C1",
                dt.date(2021, 3, 10),
                "robbery",
                True,
                False,
                "E09000007",
                "recorded",
            ),
            (
                dt.date(2021, 12, 6),
                "C2",
                dt.date(2021, 3, 10),
                "robbery",
                False,
                False,
                None,
                "cancelled",
            ),
        ],
        [
            (dt.date(2021, 12, 6), "C1", "V1", 20, True),
            (dt.date(2021, 12, 6), "C1", "V2", None, False),
        ],
    )
    for folder in (gz, pq_dir):
        other = Settings(warehouse=tmp_path / f"wh-{folder.name}")
        ingest_paths(other, sorted(folder.iterdir()))
        assert stored_rows(other) == from_csv, folder.name


@pytest.mark.parametrize(
    ("content", "commas", "quotes"),
    [(b"", 0, False), (b"a,b\n1,2\n", 2, False), (b'a,b\n"1,5",2\n' * 500_000, 1_500_000, True)],
)
def test_a_scan_hashes_the_file_and_counts_its_commas(
    tmp_path: Path, content: bytes, commas: int, quotes: bool
) -> None:
    path = tmp_path / "crimes_2021-12-06.csv"
    path.write_bytes(content)
    assert scan_file(path) == FileScan(hashlib.sha256(content).hexdigest(), commas, quotes)


def test_files_are_archived_by_content_hash(settings: Settings, tmp_path: Path) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    ingest_paths(settings, paths)
    archived = sorted(p.name for p in settings.archive.iterdir())
    assert len(archived) == 2
    assert all(len(name.split("-", 1)[0]) == 64 for name in archived)
    assert (settings.archive / archived[0]).read_bytes() in {p.read_bytes() for p in paths}


def test_a_users_file_is_archived_as_a_copy_it_may_go_on_changing(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, _ = paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    ingest_paths(settings, paths)
    [archived] = settings.archive.glob("*-crimes_2021-12-06.csv")
    kept = archived.read_bytes()
    crimes_csv.write_text("edited by its owner after the ingest\n")
    assert archived.read_bytes() == kept
    assert archived.stat().st_ino != crimes_csv.stat().st_ino


def test_a_landed_file_is_archived_as_a_private_copy_its_feed_cannot_change(
    settings: Settings,
) -> None:
    paths = write_extract(settings.landing, "2021-12-06", [crime("C1")], [victim("C1")])
    for path in paths:
        path.chmod(0o644)
    ingest_paths(settings, paths)
    for path in paths:
        [archived] = settings.archive.glob(f"*-{path.name}")
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        assert archived.name == f"{sha256}-{path.name}"
        assert archived.stat().st_ino != path.stat().st_ino
        assert stat.S_IMODE(archived.stat().st_mode) == 0o600
        with path.open("r+b") as edited:  # the feed rewrites its file in place
            edited.write(b"X")
        assert hashlib.sha256(archived.read_bytes()).hexdigest() == sha256
    assert table_counts(settings) == (1, 1, 2)
    with db.connect(settings) as con:
        recorded = con.execute("select sha256, archived_as from loaded_files").fetchall()
    for sha256, archived_as in recorded:
        content = (settings.warehouse / archived_as).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha256


def test_the_same_files_twice_change_nothing(settings: Settings, tmp_path: Path) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")], [victim("C1")])
    ingest_paths(settings, paths)
    [again] = ingest_paths(settings, paths)
    assert again.already_loaded
    assert table_counts(settings) == (1, 1, 2)


def test_a_different_file_for_a_loaded_extract_date_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_paths(settings, write_extract(tmp_path / "a", "2021-12-06", [crime("C1")]))
    with pytest.raises(FiguresError) as caught:
        ingest_paths(settings, write_extract(tmp_path / "b", "2021-12-06", [crime("C2")]))
    message = str(caught.value)
    assert message.startswith("crimes_2021-12-06.csv: one file per extract date: the extract of")
    assert "extracts are never replaced" in message
    assert table_counts(settings) == (1, 0, 2)


def test_an_extract_sent_again_with_only_its_victims_changed_blames_the_victims_file(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_paths(settings, write_extract(tmp_path / "a", "2021-12-06", [crime("C1")]))
    changed = write_extract(tmp_path / "b", "2021-12-06", [crime("C1")], [victim("C1")])
    loaded = hashlib.sha256((tmp_path / "a" / "victims_2021-12-06.csv").read_bytes()).hexdigest()
    with pytest.raises(FiguresError) as caught:
        ingest_paths(settings, changed)
    assert str(caught.value) == (
        "victims_2021-12-06.csv: one file per extract date: the extract of 2021-12-06 is "
        f"already loaded from a different victims file (sha256 {loaded}); extracts are never "
        "replaced: send corrections in a later extract"
    )
    assert table_counts(settings) == (1, 0, 2)


def test_the_synthetic_sample_is_never_loaded_where_figures_are_signed_for_real(
    tmp_path: Path,
) -> None:
    real = Settings(warehouse=tmp_path / "warehouse", signing_key=str(tmp_path / "figures.key"))
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("SAMPLE-000000001")])
    with pytest.raises(FiguresError) as caught:
        ingest_paths(real, paths)
    assert str(caught.value) == (
        "crimes_2021-12-06.csv: no synthetic data under a real key: crime refs starting "
        "'SAMPLE-' mark the built-in synthetic sample, and FIGURES_SIGNING_KEY names a real "
        "signing key: synthetic data is never loaded where figures are signed for real; "
        "nothing was loaded"
    )
    assert table_counts(real) == (0, 0, 0)


def test_figures_from_the_synthetic_sample_are_marked_so_and_real_ones_are_not(
    settings: Settings, tmp_path: Path
) -> None:
    ingest_paths(settings, write_extract(tmp_path / "a", "2021-12-06", [crime("C1")]))
    real = publish(settings, out=tmp_path / "real").document
    assert real["synthetic"] is False
    assert not real["caveats"][0].startswith("SYNTHETIC")
    ingest_paths(settings, write_extract(tmp_path / "b", "2021-12-07", [crime("SAMPLE-1")]))
    marked = publish(settings, out=tmp_path / "marked").document
    assert marked["synthetic"] is True
    assert marked["caveats"][0] == SYNTHETIC_CAVEAT
    # as of the first extract alone, nothing synthetic is counted, so nothing is marked
    again = publish(settings, as_of=dt.date(2021, 12, 6), out=tmp_path / "again").document
    assert again["synthetic"] is False


def test_a_file_missing_a_column_is_refused_naming_it(settings: Settings, tmp_path: Path) -> None:
    crimes_csv, victims_csv = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    text = crimes_csv.read_text().replace(",status", "").replace(",recorded\n", "\n")
    crimes_csv.write_text(text)
    with pytest.raises(FiguresError) as caught:
        ingest_paths(settings, [crimes_csv, victims_csv])
    assert str(caught.value) == (
        "crimes_2021-12-06.csv: columns: missing column(s) status (the crimes file has: "
        "crime_ref, recorded_date, offence_group, knife_flag, domestic_abuse, borough_code, "
        "status)"
    )


def test_a_lone_file_of_a_pair_is_refused(settings: Settings, tmp_path: Path) -> None:
    crimes_csv, _ = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    with pytest.raises(FiguresError, match="no victims file for extract 2021-12-06"):
        ingest_paths(settings, [crimes_csv])


def test_a_badly_named_file_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "crimes-latest.csv"
    path.write_text("crime_ref\n")
    with pytest.raises(FiguresError, match="file name: the name must be crimes_YYYY-MM-DD"):
        ingest_paths(settings, [path])


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("C2,V2,20,true,extra", "found 5"),
        # polars, which reads files without quotes, would read the missing field as empty
        ("C2,V2,20", "found 3"),
    ],
)
def test_a_malformed_file_leaves_the_warehouse_as_it_was(
    settings: Settings, tmp_path: Path, line: str, found: str
) -> None:
    ingest_paths(settings, write_extract(tmp_path / "a", "2021-12-05", [crime("C1")]))
    crimes_csv, victims_csv = write_extract(
        tmp_path / "b", "2021-12-06", [crime("C2")], [victim("C2")]
    )
    victims_csv.write_text(victims_csv.read_text() + line + "\n")
    with pytest.raises(FiguresError) as caught:
        ingest_paths(settings, [crimes_csv, victims_csv])
    assert str(caught.value) == (
        f"victims_2021-12-06.csv: well-formed CSV: row 2: expected 4 fields, {found}"
    )
    assert table_counts(settings) == (1, 0, 2)


def _rewritten(path: Path, folder: Path, *, quoted: bool, reverse: bool) -> Path:
    """The CSV file with every field quoted and/or its columns in reverse order, and blank
    lines added (CSV readers skip them)."""
    lines = []
    for line in path.read_text().splitlines():
        fields = line.split(",")
        fields = fields[::-1] if reverse else fields
        lines.append(",".join(f'"{f}"' if quoted else f for f in fields))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    target.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n\n")
    return target


def test_quotes_column_order_and_blank_lines_do_not_change_what_is_loaded(
    tmp_path: Path,
) -> None:
    rows = [crime("C1"), crime("C2", borough_code=None, knife_flag="TRUE"), crime("C3")]
    plain = write_extract(tmp_path / "plain", "2021-12-06", rows, [victim("C1"), victim("C3")])
    variants = {
        "plain": plain,
        "quoted": [_rewritten(p, tmp_path / "quoted", quoted=True, reverse=False) for p in plain],
        "reversed": [_rewritten(p, tmp_path / "rev", quoted=False, reverse=True) for p in plain],
    }
    loaded = {}
    for name, paths in variants.items():
        settings = Settings(warehouse=tmp_path / f"wh-{name}")
        [result] = ingest_paths(settings, paths)
        assert result.rejected == 0, name
        with db.connect(settings) as con:
            loaded[name] = [
                con.execute(f"select * from {t} order by all").fetchall()
                for t in ("crimes", "victims")
            ]
    assert loaded["plain"][0][1][2:4] == (__import__("datetime").date(2021, 3, 10), "robbery")
    assert loaded["plain"][0][1][6] is None
    assert loaded["quoted"] == loaded["plain"]
    assert loaded["reversed"] == loaded["plain"]


def test_a_row_breaking_two_rules_is_one_rejected_row_and_two_problems(
    settings: Settings, tmp_path: Path
) -> None:
    bad = crime("C1", status="open", knife_flag="maybe")
    [result] = ingest_paths(
        settings, write_extract(tmp_path / "in", "2021-12-06", [bad, crime("C2")])
    )
    assert (result.rejected, result.problems) == (1, 2)


def test_a_corrupt_parquet_file_is_refused_naming_it(settings: Settings, tmp_path: Path) -> None:
    _, victims_csv = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    corrupt = tmp_path / "in" / "crimes_2021-12-06.parquet"
    corrupt.write_bytes(b"this is not parquet")
    with pytest.raises(FiguresError) as caught:
        ingest_paths(settings, [corrupt, victims_csv])
    assert str(caught.value).startswith("crimes_2021-12-06.parquet: readable file: ")
    assert table_counts(settings) == (0, 0, 0)


def test_an_extract_dated_after_today_plus_the_tolerance_is_refused_whole(
    tmp_path: Path,
) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse", today=dt.date(2026, 12, 1))
    future = write_extract(tmp_path / "future", "2099-01-01", [crime("C1")], [victim("C1")])
    with pytest.raises(FiguresError) as refused:
        ingest_paths(settings, future)
    assert str(refused.value) == (
        "crimes_2099-01-01.csv: extract date: 2099-01-01 is after today (2026-12-01) plus the "
        "tolerated 1 day (FIGURES_FUTURE_DAYS): not loaded"
    )
    assert table_counts(settings) == (0, 0, 0)
    assert list(settings.archive.glob("*")) == []
    assert all(path.exists() for path in future)


def test_an_extract_dated_within_the_tolerance_loads(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse", today=dt.date(2026, 12, 1))
    ingest_paths(settings, write_extract(tmp_path / "x", "2026-12-02", [crime("C1")]))
    strict = Settings(warehouse=settings.warehouse, today=dt.date(2026, 12, 1), future_days=0)
    with pytest.raises(FiguresError, match=r"plus the tolerated 0 days \(FIGURES_FUTURE_DAYS\)"):
        ingest_paths(strict, write_extract(tmp_path / "y", "2026-12-03", [crime("C2")]))
    assert table_counts(settings) == (1, 0, 2)
