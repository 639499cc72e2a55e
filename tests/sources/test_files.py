"""The archive and the bounds on reading a file: real files, real copies, faults for real."""

from __future__ import annotations

import gzip
import hashlib
import stat
from pathlib import Path

import duckdb
import pytest

from statement_figures.config import Settings
from statement_figures.domain.errors import FiguresError
from statement_figures.sources.files import archive
from statement_figures.sources.incidents.ingest import identify, ingest_extract, ingest_paths
from statement_figures.warehouse import db
from tests.support.extracts import crime, victim, write_extract


def loaded(settings: Settings) -> tuple[int, int, int]:
    with db.connect(settings) as con:
        return tuple(  # type: ignore[return-value]
            con.execute(f"select count(*) from {t}").fetchall()[0][0]
            for t in ("crimes", "victims", "loaded_files")
        )


def archive_names(settings: Settings) -> list[str]:
    """Every entry of the archive folder, hidden ones (a `.partial`) included."""
    if not settings.archive.exists():
        return []
    return sorted(p.name for p in settings.archive.iterdir())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_archived_file_is_a_new_private_file_read_in_place_of_the_original(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, _ = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    crimes_csv.chmod(0o644)
    copy = archive(settings, identify(crimes_csv))
    assert copy.path == settings.archive / f"{sha256_of(crimes_csv)}-crimes_2021-12-06.csv"
    assert (copy.name, copy.kind, copy.sha256) == ("crimes_2021-12-06.csv", "crimes", copy.sha256)
    assert copy.path.stat().st_ino != crimes_csv.stat().st_ino
    assert stat.S_IMODE(copy.path.stat().st_mode) == 0o600
    assert sha256_of(copy.path) == sha256_of(crimes_csv)
    assert archive_names(settings) == [copy.path.name]


def test_the_archived_copy_is_never_less_private_than_its_original(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, _ = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    crimes_csv.chmod(0o400)
    copy = archive(settings, identify(crimes_csv))
    assert stat.S_IMODE(copy.path.stat().st_mode) == 0o400


def test_a_file_rewritten_between_its_scan_and_its_archiving_is_refused_and_nothing_loaded(
    settings: Settings, tmp_path: Path
) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")], [victim("C1")])
    scanned = [identify(path) for path in paths]
    write_extract(tmp_path / "in", "2021-12-06", [crime("C2")], [victim("C2")])  # rewritten
    with db.connect(settings) as con, pytest.raises(FiguresError) as refused:
        ingest_extract(con, settings, scanned)
    assert str(refused.value) == (
        "crimes_2021-12-06.csv: changed while it was being read: not loaded"
    )
    assert loaded(settings) == (0, 0, 0)
    assert archive_names(settings) == []


def test_an_archived_copy_changed_after_archiving_is_refused_never_overwritten(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, _ = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    copy = archive(settings, identify(crimes_csv))
    copy.path.write_bytes(copy.path.read_bytes().replace(b"C1", b"C9"))
    tampered = copy.path.read_bytes()
    with pytest.raises(FiguresError) as refused:
        archive(settings, identify(crimes_csv))
    assert str(refused.value) == (
        f"archive/{copy.path.name}: archive integrity: the archived copy does not match the "
        "sha256 in its name: it was changed after it was archived; it is left as it is, and "
        "nothing was loaded"
    )
    assert copy.path.read_bytes() == tampered
    assert archive_names(settings) == [copy.path.name]


def test_ingesting_again_over_a_tampered_archive_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, victims_csv = write_extract(
        tmp_path / "in", "2021-12-06", [crime("C1")], [victim("C1")]
    )
    good_victims = victims_csv.read_bytes()
    victims_csv.write_text(victims_csv.read_text() + "C1,V2\n")  # a short row: refused whole
    with pytest.raises(FiguresError, match="well-formed CSV"):
        ingest_paths(settings, [crimes_csv, victims_csv])
    [archived_crimes] = settings.archive.glob("*-crimes_2021-12-06.csv")
    archived_crimes.write_bytes(archived_crimes.read_bytes().replace(b"C1", b"C9"))
    victims_csv.write_bytes(good_victims)
    with pytest.raises(FiguresError) as refused:
        ingest_paths(settings, [crimes_csv, victims_csv])
    assert str(refused.value).startswith(f"archive/{archived_crimes.name}: archive integrity: ")
    assert loaded(settings) == (0, 0, 0)
    assert not [name for name in archive_names(settings) if name.endswith(".partial")]


def test_a_link_in_the_archive_in_place_of_a_copy_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    crimes_csv, _ = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    settings.archive.mkdir(parents=True)
    planted = settings.archive / f"{sha256_of(crimes_csv)}-crimes_2021-12-06.csv"
    planted.symlink_to(crimes_csv)
    with pytest.raises(FiguresError, match=r"archive integrity: the archived copy does not"):
        archive(settings, identify(crimes_csv))


def bounded(settings: Settings, **limits: int) -> Settings:
    return Settings(warehouse=settings.warehouse, **limits)  # type: ignore[arg-type]


def test_a_csv_gz_expanding_beyond_the_byte_limit_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    crimes = [crime(f"C{i:07d}") for i in range(40_000)]  # over 2 MB of CSV
    crimes_csv, victims_csv = write_extract(tmp_path / "in", "2021-12-06", crimes)
    assert crimes_csv.stat().st_size > 2_000_000
    gz = crimes_csv.with_name("crimes_2021-12-06.csv.gz")
    gz.write_bytes(gzip.compress(crimes_csv.read_bytes()))
    strict = bounded(settings, max_file_bytes=1 << 20)
    with pytest.raises(FiguresError) as refused:
        ingest_paths(strict, [gz, victims_csv])
    assert str(refused.value) == (
        "crimes_2021-12-06.csv.gz: file size: holds more than 1,048,576 bytes of data "
        "(FIGURES_MAX_FILE_BYTES): not loaded"
    )
    assert loaded(strict) == (0, 0, 0)
    assert not [name for name in archive_names(strict) if name.endswith(".partial")]
    ingest_paths(bounded(settings, max_file_bytes=3 << 20), [gz, victims_csv])
    assert loaded(settings) == (40_000, 0, 2)


def test_a_parquet_file_of_more_rows_than_the_limit_is_refused_from_its_metadata(
    settings: Settings, tmp_path: Path
) -> None:
    _, victims_csv = write_extract(tmp_path / "in", "2021-12-06", [])
    parquet = tmp_path / "in" / "crimes_2021-12-06.parquet"
    duckdb.sql(
        "copy (select 'C' || i as crime_ref, '2021-03-10' as recorded_date, "
        "'robbery' as offence_group, 'true' as knife_flag, 'false' as domestic_abuse, "
        "'E09000007' as borough_code, 'recorded' as status from range(5000) t(i)) "
        f"to '{parquet}' (format parquet)"
    )
    strict = bounded(settings, max_rows=1000)
    with pytest.raises(FiguresError) as refused:
        ingest_paths(strict, [parquet, victims_csv])
    assert str(refused.value) == (
        "crimes_2021-12-06.parquet: rows per file: holds more than 1,000 rows "
        "(FIGURES_MAX_ROWS): not loaded"
    )
    assert loaded(strict) == (0, 0, 0)
    assert not [name for name in archive_names(strict) if name.endswith(".partial")]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_csv_file_of_more_rows_than_the_limit_is_refused(
    settings: Settings, tmp_path: Path, quoted: bool
) -> None:
    crimes = [crime(f"C,{i}" if quoted else f"C{i}") for i in range(4)]  # "C,0" is quoted
    crimes_csv, victims_csv = write_extract(tmp_path / "in", "2021-12-06", crimes)
    with pytest.raises(FiguresError) as refused:
        ingest_paths(bounded(settings, max_rows=3), [crimes_csv, victims_csv])
    assert str(refused.value) == (
        "crimes_2021-12-06.csv: rows per file: holds more than 3 rows (FIGURES_MAX_ROWS): "
        "not loaded"
    )
    ingest_paths(bounded(settings, max_rows=4), [crimes_csv, victims_csv])
    assert loaded(settings)[0] == 4


def test_a_plain_csv_larger_than_the_byte_limit_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    paths = write_extract(tmp_path / "in", "2021-12-06", [crime("C1")])
    with pytest.raises(FiguresError) as refused:
        ingest_paths(bounded(settings, max_file_bytes=100), paths)
    assert str(refused.value) == (
        "crimes_2021-12-06.csv: file size: holds more than 100 bytes of data "
        "(FIGURES_MAX_FILE_BYTES): not loaded"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FIGURES_MAX_FILE_BYTES", "nan", "FIGURES_MAX_FILE_BYTES='nan' is not a number (NaN)"),
        ("FIGURES_MAX_FILE_BYTES", "inf", "FIGURES_MAX_FILE_BYTES='inf' is not a finite number"),
        ("FIGURES_MAX_FILE_BYTES", "-1", "FIGURES_MAX_FILE_BYTES='-1' is negative"),
        (
            "FIGURES_MAX_FILE_BYTES",
            "1.5",
            "FIGURES_MAX_FILE_BYTES='1.5' is not a whole number: it must be a whole number "
            "from 1 to 1,125,899,906,842,624",
        ),
        ("FIGURES_MAX_ROWS", "NaN", "FIGURES_MAX_ROWS='NaN' is not a number (NaN)"),
        ("FIGURES_MAX_ROWS", "lots", "FIGURES_MAX_ROWS='lots' is not a number"),
        (
            "FIGURES_MAX_ROWS",
            "0",
            "FIGURES_MAX_ROWS='0' is out of range: it must be a whole number from 1 to "
            "1,099,511,627,776",
        ),
    ],
)
def test_the_limits_are_refused_unless_whole_positive_numbers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(FiguresError) as refused:
        Settings.load(tmp_path)
    assert str(refused.value) == message


def test_the_limits_default_and_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FIGURES_MAX_FILE_BYTES", raising=False)
    monkeypatch.delenv("FIGURES_MAX_ROWS", raising=False)
    defaults = Settings.load(tmp_path)
    assert (defaults.max_file_bytes, defaults.max_rows) == (16 << 30, 200_000_000)
    monkeypatch.setenv("FIGURES_MAX_FILE_BYTES", "1048576")
    monkeypatch.setenv("FIGURES_MAX_ROWS", "1e6")
    read = Settings.load(tmp_path)
    assert (read.max_file_bytes, read.max_rows) == (1 << 20, 1_000_000)
