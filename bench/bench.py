"""`make bench`: wall time and peak memory of each pipeline stage against a bare DuckDB baseline.

For each size (1 and 10 million generated crimes by default) this script generates one
full-snapshot extract with `sample.generate.generate_scaled`, then runs, each in a fresh
interpreter so that no run inherits another's memory, and each several times in turn (the
run with the median time is reported, with the spread):

- the bare DuckDB baseline: the least work the job needs, one `create table ... as select *
  from read_csv(...)` per file into a new database file, then one query counting knife crimes
  by month and borough;
- the pipeline, through its real functions: `ingest_paths` (sources/incidents/ingest.py:
  ingest, validate, count) then `publish` (publication/publish.py: build and publish), taking
  the files as the nightly job takes those landed for it (archived as a private copy).

It prints a markdown table fit for the README, and a verdict per size against the targets:
pipeline work within 2 times the baseline, and peak memory under 3 GB, at 10 million crimes.
Progress goes to stderr. It is a script, not a test.

Usage: bench.py [--sizes 1000000,10000000] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

DEFAULT_SIZES = (1_000_000, 10_000_000)
DEFAULT_REPEAT = 3
SEED = 2021
TARGET_RATIO = 2.0
TARGET_PEAK_MB = 3072.0
TARGET_SIZE = 10_000_000
NIGHTLY_CRIMES = 3_000
TARGET_NIGHTLY_SHARE = 0.10
SAMPLE_SECONDS = 0.02
KNIFE_GROUPS = (
    "homicide",
    "violence_with_injury",
    "violence_without_injury",
    "robbery",
    "sexual_offences",
)
RESULT_PREFIX = "BENCH-RESULT "

P = ParamSpec("P")
R = TypeVar("R")

_STARTED = time.perf_counter()


def say(message: str) -> None:
    """Progress, on stderr, with the seconds since this process started."""
    print(f"[bench {time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


class Throttled:
    """A progress callback that says `what done of total`, at most once every few seconds."""

    def __init__(self, what: str, every: float = 3.0) -> None:
        self.what = what
        self.every = every
        self.last = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - self.last >= self.every:
            self.last = now
            say(f"{self.what} {done:,} of {total:,}")


# --- Peak memory ---------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS: resident now; VmHWM: resident at peak)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def _reset_peak() -> bool:
    """Reset the kernel's resident-set high-water mark (VmHWM); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


class PeakMeter:
    """Peak resident memory (RSS) of this process in each phase of a run, in kB.

    Native memory (DuckDB, polars, arrow) counts as well as the Python heap. Where the kernel
    lets a process reset its high-water mark (Linux /proc/self/clear_refs), the peak of a phase
    is exact: VmHWM read at the end of the phase, reset at its start. Elsewhere a thread samples
    VmRSS every 20 ms, which can miss a peak shorter than that.
    """

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.peaks: dict[str, int] = {}
        self._lock = threading.Lock()
        self._exact = _reset_peak()
        self._stop = threading.Event()
        if not self._exact:
            threading.Thread(target=self._sample, daemon=True).start()

    @property
    def method(self) -> str:
        if self._exact:
            return "kernel high-water mark (VmHWM), reset at each phase boundary"
        return "VmRSS sampled every 20 ms"

    def _credit(self, kb: int) -> None:
        self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), kb)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            with self._lock:
                self._credit(_status_kb("VmRSS"))

    def enter(self, phase: str) -> None:
        """End the current phase (crediting its peak) and start `phase`."""
        with self._lock:
            self._credit(_status_kb("VmHWM" if self._exact else "VmRSS"))
            self.phase = phase
            if self._exact:
                _reset_peak()

    def stop(self) -> dict[str, int]:
        self.enter("done")
        self._stop.set()
        return {phase: kb for phase, kb in self.peaks.items() if phase != "done"}


def timed(
    meter: PeakMeter, phase: str, seconds: dict[str, float], fn: Callable[P, R]
) -> Callable[P, R]:
    """fn, run as `phase` of the meter, its wall time added to seconds[phase]."""

    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        previous = meter.phase
        meter.enter(phase)
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[phase] = seconds.get(phase, 0.0) + time.perf_counter() - started
            meter.enter(previous)

    return wrapper


def report(result: dict[str, Any]) -> None:
    """A worker's result: one JSON line on stdout for the parent."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


# --- Worker: bare DuckDB baseline ----------------------------------------------------------------

BASELINE_QUERY = """
select date_trunc('month', recorded_date) as month, borough_code, count(*) as crimes
from crimes
where status = 'recorded' and knife_flag and offence_group in ({groups})
group by all
"""


def run_baseline(data: Path, database: Path) -> dict[str, Any]:
    """Load both CSV files into a new DuckDB file, one statement each, then count in one query."""
    meter = PeakMeter("start-up")
    import duckdb

    seconds: dict[str, float] = {}
    meter.enter("load")
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        for table in ("crimes", "victims"):
            [path] = data.glob(f"{table}_*.csv")
            say(f"baseline: create table {table} from {path.name}")
            con.execute(f"create table {table} as select * from read_csv(?)", [str(path)])
        seconds["load"] = time.perf_counter() - started
        say("baseline: knife crimes by month and borough")
        meter.enter("query")
        started = time.perf_counter()
        groups = ", ".join(f"'{g}'" for g in KNIFE_GROUPS)
        rows = con.execute(BASELINE_QUERY.format(groups=groups)).fetchall()
        seconds["query"] = time.perf_counter() - started
    finally:
        meter.enter("close")
        started = time.perf_counter()
        con.close()
        seconds["close"] = time.perf_counter() - started
    knife_crimes = sum(int(row[2]) for row in rows)
    return {"seconds": seconds, "peak_kb": meter.stop(), "knife_crimes": knife_crimes}


# --- Worker: the pipeline ------------------------------------------------------------------------


class PhaseLog(logging.Handler):
    """Follows the ingest's log lines ("FILE: staging", "FILE: validating") to switch phases."""

    def __init__(self, meter: PeakMeter) -> None:
        super().__init__(logging.INFO)
        self.meter = meter

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        say(f"pipeline: {message}")
        if message.endswith(": staging"):
            self.meter.enter("stage")
        elif ": validating" in message:
            self.meter.enter("validate")
        elif message.endswith(": counting what it changes"):
            self.meter.enter("build")


def run_pipeline(data: Path, warehouse: Path) -> dict[str, Any]:
    """Ingest (stage, validate, load, count) with ingest_paths, then publish with publish."""
    meter = PeakMeter("start-up")
    from statement_figures.config import Settings
    from statement_figures.publication.publish import publish
    from statement_figures.sources.incidents.ingest import ingest_paths

    startup = time.perf_counter() - _STARTED
    handler = PhaseLog(meter)
    logging.getLogger("flows").addHandler(handler)
    logging.getLogger("flows").setLevel(logging.INFO)
    settings = Settings.load(warehouse)
    paths = sorted(data.glob("*.csv"))

    said = Throttled("pipeline: validated rows")

    def progress(done: int, total: int) -> None:
        said(done, total)
        if done == total:
            meter.enter("load")  # until the next file's staging: the typed insert follows

    meter.enter("hash+archive")
    started = time.perf_counter()
    [result] = ingest_paths(settings, paths, progress)
    ingest_wall = time.perf_counter() - started
    if result.rejected:
        raise RuntimeError(f"the extract has {result.rejected} rejected values")
    meter.enter("publish")
    say("pipeline: publish")
    started = time.perf_counter()
    publication = publish(settings)
    publish_wall = time.perf_counter() - started
    say(f"pipeline: published {publication.figures_json}")
    seconds = {
        **{f"ingest_{stage}": value for stage, value in result.seconds.items()},
        **{f"publish_{stage}": value for stage, value in publication.seconds.items()},
        "ingest_wall": ingest_wall,
        "publish_wall": publish_wall,
        "startup": startup,
    }
    return {"seconds": seconds, "peak_kb": meter.stop(), "rows": result.rows}


# --- Parent: generate, run the workers, tabulate ---------------------------------------------


@dataclass(frozen=True)
class Row:
    stage: str
    seconds: float
    peak_mb: float
    note: str = ""


@dataclass(frozen=True)
class SizeResult:
    crimes: int
    victims: int
    csv_mb: float
    generate_seconds: float
    rows: tuple[Row, ...]
    work_seconds: float
    work_runs: tuple[float, ...]
    nightly_crimes: int
    nightly_seconds: float
    baseline_seconds: float
    baseline_runs: tuple[float, ...]
    peak_mb: float


def run_worker(kind: str, *args: str) -> dict[str, Any]:
    """Run this script as a worker in a fresh interpreter; its stderr passes through.

    What earlier steps wrote is flushed to disk first, so that no run pays for another's.
    """
    os.sync()
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if len(lines) != 1:
        raise RuntimeError(f"the {kind} worker gave no result:\n{done.stdout}")
    result: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_PREFIX))
    return result


def _mb(kb: int) -> float:
    return kb / 1024


def _peak(peaks: dict[str, int], *phases: str) -> float:
    return _mb(max(peaks.get(phase, 0) for phase in phases))


def baseline_seconds(result: dict[str, Any]) -> float:
    """The baseline's work: loading both files, closing the database, the query."""
    s: dict[str, float] = result["seconds"]
    return sum(s.values())


def work_seconds(result: dict[str, Any]) -> float:
    """The pipeline's work: ingest_paths then publish, start-up not counted."""
    s: dict[str, float] = result["seconds"]
    return s["ingest_wall"] + s["publish_wall"]


def pipeline_rows(result: dict[str, Any], label: str = "") -> list[Row]:
    s: dict[str, float] = result["seconds"]
    peaks: dict[str, int] = result["peak_kb"]
    stage, validate, load = s["ingest_stage"], s["ingest_validate"], s["ingest_load"]
    count = s["ingest_build"]
    other = s["ingest_wall"] - stage - validate - load - count
    ingest = stage + load + other
    build = count + s["publish_build"]
    publish = s["publish_wall"] - s["publish_build"]
    note = f"read CSV {stage:.1f} + typed insert {load:.1f} + hash, archive, commit {other:.1f}"
    return [
        Row(f"{label}start-up (not counted)", s["startup"], _peak(peaks, "start-up"), "imports"),
        Row(f"{label}ingest", ingest, _peak(peaks, "hash+archive", "stage", "load"), note),
        Row(
            f"{label}validate",
            validate,
            _peak(peaks, "validate"),
            "repeated keys, victims' crimes, pandera",
        ),
        Row(
            f"{label}build",
            build,
            _peak(peaks, "build"),
            f"count the extract's changes {count:.1f} + as-of sums, areas, comparisons "
            f"{s['publish_build']:.1f}",
        ),
        Row(f"{label}publish", publish, _peak(peaks, "publish"), "read-out, write, sign"),
        Row(
            f"**{label}pipeline work**",
            work_seconds(result),
            _mb(max(peaks.values())),
            "ingest+validate+build+publish",
        ),
    ]


def baseline_rows(result: dict[str, Any]) -> list[Row]:
    s: dict[str, float] = result["seconds"]
    peaks: dict[str, int] = result["peak_kb"]
    load = s["load"] + s["close"]
    return [
        Row(
            "bare DuckDB: load",
            load,
            _peak(peaks, "load", "close"),
            f"create table as read_csv x2 {s['load']:.1f} + checkpoint on close {s['close']:.1f}",
        ),
        Row(
            "bare DuckDB: query",
            s["query"],
            _peak(peaks, "query"),
            "knife crimes by month, borough",
        ),
        Row(
            "**bare DuckDB**",
            baseline_seconds(result),
            _peak(peaks, "load", "query", "close"),
            f"{result['knife_crimes']:,} knife crimes counted",
        ),
    ]


def median_run(
    runs: list[dict[str, Any]], seconds: Callable[[dict[str, Any]], float]
) -> dict[str, Any]:
    """The run whose time is the median (the lower middle one of an even number)."""
    return sorted(runs, key=seconds)[(len(runs) - 1) // 2]


def bench_size(crimes: int, root: Path, repeat: int) -> SizeResult:
    from sample.generate import generate_scaled, generate_scaled_delta

    data = root / "landing"
    say(f"{crimes:,} crimes: generating in {data}")
    started = time.perf_counter()
    paths = generate_scaled(
        data, crimes=crimes, seed=SEED, progress=Throttled(f"{crimes:,} crimes: generated part")
    )
    generate_seconds = time.perf_counter() - started
    csv_mb = sum(p.stat().st_size for p in paths) / 2**20
    baselines, pipelines = [], []
    bare, warehouse = root / "bare.duckdb", root / "warehouse"
    for run in range(1, repeat + 1):
        # In turn, so that a slower spell of the machine falls on both.
        say(f"{crimes:,} crimes: bare DuckDB baseline, run {run} of {repeat}")
        bare.unlink(missing_ok=True)
        baselines.append(run_worker("baseline", "--data", str(data), "--target", str(bare)))
        say(f"{crimes:,} crimes: pipeline, run {run} of {repeat}")
        shutil.rmtree(warehouse, ignore_errors=True)
        pipelines.append(run_worker("pipeline", "--data", str(data), "--target", str(warehouse)))
    baseline = median_run(baselines, baseline_seconds)
    pipeline = median_run(pipelines, work_seconds)
    delta = root / "delta"
    generate_scaled_delta(delta, base_crimes=crimes, crimes=NIGHTLY_CRIMES, seed=SEED)
    say(f"{crimes:,} crimes: the nightly run of a {NIGHTLY_CRIMES:,}-crime delta on that warehouse")
    nightly = run_worker("pipeline", "--data", str(delta), "--target", str(warehouse))
    rows = (
        pipeline_rows(pipeline)
        + baseline_rows(baseline)
        + pipeline_rows(nightly, label=f"nightly {NIGHTLY_CRIMES:,}-crime delta: ")
    )
    return SizeResult(
        crimes=int(pipeline["rows"]["crimes"]),
        victims=int(pipeline["rows"]["victims"]),
        csv_mb=csv_mb,
        generate_seconds=generate_seconds,
        rows=tuple(rows),
        work_seconds=work_seconds(pipeline),
        work_runs=tuple(work_seconds(run) for run in pipelines),
        nightly_crimes=int(nightly["rows"]["crimes"]),
        nightly_seconds=work_seconds(nightly),
        baseline_seconds=baseline_seconds(baseline),
        baseline_runs=tuple(baseline_seconds(run) for run in baselines),
        peak_mb=_mb(max(pipeline["peak_kb"].values())),
    )


def _meminfo_gb() -> float:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def machine_facts() -> list[str]:
    import duckdb
    import polars

    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return [
        f"- machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), "
        f"{_meminfo_gb():.1f} GB memory, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"polars {polars.__version__}",
        f"- load average at the end: {load} (other work on the machine makes the numbers noisy)",
        f"- run on {dt.date.today().isoformat()}",
    ]


def _runs(seconds: tuple[float, ...]) -> str:
    return ", ".join(f"{value:.1f}" for value in seconds)


def render(results: list[SizeResult], method: str, repeat: int) -> str:
    lines = [
        "| crimes | stage | seconds | peak RSS (MB) | what |",
        "|---:|---|---:|---:|---|",
    ]
    for size in results:
        for row in size.rows:
            lines.append(
                f"| {size.crimes:,} | {row.stage} | {row.seconds:,.1f} | {row.peak_mb:,.0f} "
                f"| {row.note} |"
            )
    lines.append("")
    for size in results:
        ratio = size.work_seconds / size.baseline_seconds
        judged = " (the targets apply here)" if size.crimes == TARGET_SIZE else ""
        time_ok = "meets" if ratio <= TARGET_RATIO else "MISSES"
        memory_ok = "meets" if size.peak_mb < TARGET_PEAK_MB else "MISSES"
        lines += [
            f"- {size.crimes:,} crimes, {size.victims:,} victims, {size.csv_mb:,.0f} MB of CSV "
            f"(generated in {size.generate_seconds:.1f} s){judged}: pipeline work "
            f"{size.work_seconds:,.1f} s (runs: {_runs(size.work_runs)}) vs bare DuckDB "
            f"{size.baseline_seconds:,.1f} s (runs: {_runs(size.baseline_runs)}) = "
            f"{ratio:.2f}x ({time_ok} the target of at most {TARGET_RATIO:g}x); peak memory "
            f"{size.peak_mb:,.0f} MB ({memory_ok} the target of under {TARGET_PEAK_MB:,.0f} MB)",
        ]
        share = size.nightly_seconds / size.work_seconds
        nightly_ok = "meets" if share < TARGET_NIGHTLY_SHARE else "MISSES"
        lines.append(
            f"- the nightly run of a {size.nightly_crimes:,}-crime delta on that warehouse: "
            f"{size.nightly_seconds:,.2f} s = {100 * share:.1f} per cent of the full run "
            f"({nightly_ok} the target of under {100 * TARGET_NIGHTLY_SHARE:g} per cent)"
        )
    lines += [
        "",
        "How each figure is measured:",
        "",
        f"- Each size runs the bare DuckDB baseline then the pipeline, {repeat} times in turn, "
        "each run in a fresh process, on the same generated CSV files (written back to disk, "
        "and warm in the page cache); the table shows the run of each with the median time; "
        "the pipeline archives them as the nightly job archives landed files: a private copy.",
        "- ingest = wall time of `ingest_paths` less its validate and count time: reading each "
        "file into a polars frame of text fields (`seconds['stage']`), the typed insert into the "
        "warehouse and the quarantine (`seconds['load']`), and the rest (hashing and archiving "
        "the files, opening the database, the commit and checkpoint).",
        "- validate = `seconds['validate']`: the facts that need the whole file (repeated keys, "
        "whether a victim's crime was accepted), then pandera on the rows, in slices.",
        "- build = counting what the extract changes, inside the ingest's transaction "
        "(`seconds['build']` of the ingest), plus the build inside `publish` (as-of sums, "
        "areas, comparisons: `Publication.seconds['build']`); publish = wall time of `publish` "
        "less its build (checks, reading out, writing, signing, moving into place).",
        "- nightly = the same worker run again on the same warehouse with a one-night delta "
        "(`generate_scaled_delta`: a tenth revised crimes, the rest new), in a fresh process.",
        "- pipeline work = wall time of `ingest_paths` plus that of `publish`; interpreter "
        "start-up and imports are not counted, and Prefect is not involved.",
        "- bare DuckDB = `create table ... as select * from read_csv(...)` for each file into a "
        "new database file, plus one query counting knife crimes by month and borough, plus "
        "closing the database (its checkpoint), as the pipeline's ingest includes its own.",
        f"- peak RSS = the process's resident memory at its highest during the stage ({method}); "
        "the pipeline work row gives the pipeline process's peak.",
        "",
        *machine_facts(),
    ]
    return "\n".join(lines)


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive numbers of crimes")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=DEFAULT_SIZES,
        help="comma-separated numbers of crimes (default 1000000,10000000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        choices=range(1, 10),
        default=DEFAULT_REPEAT,
        metavar="N",
        help=f"runs of the baseline and of the pipeline per size (default {DEFAULT_REPEAT})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--worker", choices=("baseline", "pipeline"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@contextmanager
def scratch(crimes: int, keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix=f"figures-bench-{crimes}-", dir="/tmp"))
    try:
        yield root
    finally:
        if keep:
            say(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker == "baseline":
        report(run_baseline(args.data, args.target))
        return 0
    if args.worker == "pipeline":
        report(run_pipeline(args.data, args.target))
        return 0
    results = []
    for crimes in args.sizes:
        with scratch(crimes, args.keep) as root:
            results.append(bench_size(crimes, root, args.repeat))
    method = PeakMeter("parent").method
    print(render(results, method, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
