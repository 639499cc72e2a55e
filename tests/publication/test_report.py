"""report.html: rendered by real headless Chromium, self-contained, deterministic, escaped."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from statement_figures.cli import main
from statement_figures.cli.base import EXIT_ERROR
from statement_figures.config import Settings
from statement_figures.domain.spec import Spec
from statement_figures.publication.folders import REPORT_HTML
from statement_figures.publication.publish import publish
from statement_figures.publication.report import SignatureFacts, render_report
from statement_figures.publication.show import headline_sentences
from statement_figures.publication.signing import public_key_id, public_key_line
from tests.support.extracts import crime, victim, write_extract
from tests.support.keys import whole_key
from tests.support.warehouse import ingest

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
WINDOW = (1100, 2400)
CHROMIUM_SECONDS = 180  # a cold start on a busy machine can take a while
SENTENCES = [
    "Knife crime decreased by 30 per cent.",
    "Knife injury victims aged under 25 decreased by 25 per cent.",
]
# London knife crime by month, January to November: 2019 then 2021 (see `report_folder`).
KNIFE_CRIME_2019 = [0, 0, 20, 0, 0, 0, 10, 0, 0, 0, 0]
KNIFE_CRIME_2021 = [0, 0, 15, 0, 0, 0, 6, 0, 0, 0, 0]
VICTIMS_2019 = [0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]
VICTIMS_2021 = [0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0]


def knife_crimes(month: str, n: int, injured: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """n knife crimes in Camden recorded in month; the first `injured` have an injured victim."""
    crimes = [crime(f"{month}-{i}", recorded_date=f"{month}-10") for i in range(n)]
    victims = [victim(f"{month}-{i}") for i in range(injured)]
    return crimes, victims


@pytest.fixture
def report_folder(settings: Settings, tmp_path: Path) -> Path:
    """Knife crime 30 -> 21 (-30%), injured victims under 25 12 -> 9 (-25%), as of 2021-12-06."""
    crimes: list[dict[str, Any]] = []
    victims: list[dict[str, Any]] = []
    for month, n, injured in (
        ("2019-03", 20, 12),
        ("2019-07", 10, 0),
        ("2021-03", 15, 9),
        ("2021-07", 6, 0),
    ):
        more_crimes, more_victims = knife_crimes(month, n, injured)
        crimes += more_crimes
        victims += more_victims
    ingest(settings, write_extract(tmp_path / "in", "2021-12-06", crimes, victims))
    return publish(settings).folder


def chromium(*args: str, user_data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Real headless Chromium with no network; a missing browser is a failure, not a skip."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail(
            "chromium is not installed: apt-get install chromium (the report test needs a "
            "real headless browser)"
        )
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--hide-scrollbars",
        f"--user-data-dir={user_data_dir}",
        *args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=CHROMIUM_SECONDS, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.text.append(data)


def parse(page: str) -> Elements:
    elements = Elements()
    elements.feed(page)
    return elements


def bars(elements: Elements, measure: str, kind: str) -> list[int]:
    """The counts drawn as bars of one kind in one measure's chart, in order."""
    counts: list[int] = []
    current = None
    for tag, attrs in elements.tags:
        if tag == "svg":
            current = attrs.get("data-measure")
        if tag == "rect" and current == measure and attrs.get("class") == f"bar {kind}":
            counts.append(int(attrs["data-count"] or ""))
    return counts


# --- in the browser ---------------------------------------------------------------------------


def test_chromium_renders_the_sentences_and_a_chart_per_measure(
    report_folder: Path, tmp_path: Path
) -> None:
    report = report_folder / REPORT_HTML
    dom = chromium("--dump-dom", report.as_uri(), user_data_dir=tmp_path / "profile").stdout
    elements = parse(dom)
    text = " ".join(" ".join(elements.text).split())
    for sentence in SENTENCES:
        assert sentence in text
    charts = [attrs["data-measure"] for tag, attrs in elements.tags if tag == "svg"]
    assert charts == ["knife_crime", "knife_crime_with_injury", "knife_injury_victims_u25"]
    assert bars(elements, "knife_crime", "baseline") == KNIFE_CRIME_2019
    assert bars(elements, "knife_crime", "period") == KNIFE_CRIME_2021
    assert bars(elements, "knife_crime_with_injury", "period") == VICTIMS_2021
    assert bars(elements, "knife_injury_victims_u25", "baseline") == VICTIMS_2019
    assert bars(elements, "knife_injury_victims_u25", "period") == VICTIMS_2021
    months = [t for t in elements.text if t in {"Jan", "Mar", "Nov"}]
    assert months.count("Jan") == months.count("Nov") == 3


PROBE = """
<script>
const charts = [...document.querySelectorAll("svg.chart")].map((svg) => ({
  measure: svg.dataset.measure,
  width: svg.getBoundingClientRect().width,
  heights: [...svg.querySelectorAll("rect.bar.period:not(.key)")].map(
    (bar) => Math.round(bar.getBoundingClientRect().height)),
}));
const probe = document.createElement("pre");
probe.id = "probe";
probe.textContent = JSON.stringify({ text: document.body.innerText, charts });
document.body.append(probe);
</script>
"""


def test_the_charts_are_laid_out_with_bars_in_proportion(
    report_folder: Path, tmp_path: Path
) -> None:
    """A copy of the report with a measuring script: what a reader sees, not just the markup."""
    probe = tmp_path / "probe.html"
    page = (report_folder / REPORT_HTML).read_text(encoding="utf-8")
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium("--dump-dom", probe.as_uri(), user_data_dir=tmp_path / "profile").stdout
    found = dom.split('<pre id="probe">', 1)[1].split("</pre>", 1)[0]
    seen = json.loads(html.unescape(found))
    for sentence in SENTENCES:
        assert sentence in seen["text"]  # innerText: rendered and visible
    knife_crime = seen["charts"][0]
    assert knife_crime["measure"] == "knife_crime"
    assert knife_crime["width"] > 600
    heights = knife_crime["heights"]
    assert [h > 0 for h in heights] == [c > 0 for c in KNIFE_CRIME_2021]
    assert heights[2] == pytest.approx(heights[6] * 15 / 6, abs=2)


def test_a_screenshot_of_the_report_is_saved(report_folder: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    chromium(
        f"--screenshot={shot}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        (report_folder / REPORT_HTML).as_uri(),
        user_data_dir=tmp_path / "profile",
    )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == WINDOW
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "report.png")


# --- the file itself --------------------------------------------------------------------------

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "section", "footer",
    "h1", "h2", "h3", "p", "strong", "span", "code", "pre", "blockquote", "figure",
    "figcaption", "svg", "desc", "line", "rect", "text", "table", "caption", "thead", "tbody",
    "tr", "th", "td", "dl", "dt", "dd", "ul", "li",
}  # fmt: skip
LINK_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "action", "poster", "data", "background"}


def test_each_chart_adds_up_to_its_london_figure(report_folder: Path) -> None:
    """One London figure per measure (none missing), each the sum of its chart's 11 months."""
    doc = json.loads((report_folder / "figures.json").read_bytes())
    elements = parse((report_folder / REPORT_HTML).read_text(encoding="utf-8"))
    london = [f for f in doc["figures"] if f["area_type"] == "london"]
    assert [(f["measure"], f["count"], f["baseline_count"]) for f in london] == [
        ("knife_crime", sum(KNIFE_CRIME_2021), sum(KNIFE_CRIME_2019)),
        ("knife_crime_with_injury", sum(VICTIMS_2021), sum(VICTIMS_2019)),
        ("knife_injury_victims_u25", sum(VICTIMS_2021), sum(VICTIMS_2019)),
    ]
    for figure in london:
        period = bars(elements, figure["measure"], "period")
        baseline = bars(elements, figure["measure"], "baseline")
        assert len(period) == len(baseline) == len(KNIFE_CRIME_2021)  # January to November
        assert sum(period) == figure["count"]
        assert sum(baseline) == figure["baseline_count"]


def test_the_report_makes_no_network_references(report_folder: Path) -> None:
    page = (report_folder / REPORT_HTML).read_text(encoding="utf-8")
    elements = parse(page)
    tags = {tag for tag, _ in elements.tags}
    assert tags <= ALLOWED_TAGS  # no script, link, img, iframe
    assert {"style", "svg", "rect", "table", "tr"} <= tags  # a whole page was checked
    links = [(tag, a) for tag, attrs in elements.tags for a in attrs if a in LINK_ATTRIBUTES]
    assert links == []
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style
    assert "@import" not in style
    assert "//" not in style


def test_the_report_says_how_to_verify_the_signed_file(report_folder: Path) -> None:
    page = (report_folder / REPORT_HTML).read_text(encoding="utf-8")
    sha256 = hashlib.sha256((report_folder / "figures.json").read_bytes()).hexdigest()
    assert f'<code id="sha256">{sha256}</code>' in page
    assert f'<code id="key-id">{public_key_id(report_folder / "figures.pub")}</code>' in page
    assert "figures verify figures.json --public-key figures.pub" in page
    assert "minisign -Vm figures.json -p figures.pub" in page
    assert "figures verify report.html --public-key figures.pub" in page
    assert "minisign -Vm report.html -p figures.pub" in page
    assert "Signed with a DEMO key: for testing only." in page


def test_the_report_shows_each_headline_sentence_of_the_figures_file(report_folder: Path) -> None:
    doc = json.loads((report_folder / "figures.json").read_bytes())
    assert [f"{s}." for s in headline_sentences(doc)] == SENTENCES
    page = (report_folder / REPORT_HTML).read_text(encoding="utf-8")
    for sentence in SENTENCES:
        assert f'<blockquote class="sentence"><p>{sentence}</p></blockquote>' in page
    assert (
        '<p class="note">21, against 30 in the baseline period: a change of -9 '
        "(-30.00 per cent).</p>"
    ) in page


def test_the_table_marks_suppressed_and_zero_baseline_figures(
    report_folder: Path, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        attrs.get("class")
        for tag, attrs in parse((report_folder / REPORT_HTML).read_text(encoding="utf-8")).tags
        if tag == "tr"
    ]
    # 135 figures: for each of the 3 measures, London, Central North and Camden have a
    # baseline of 30 or 12 and keep their percentage; every other area's baseline is 0.
    assert len(rows) == 1 + 135
    assert rows.count("") == 9
    assert rows.count("suppressed") == 135 - 9
    unsuppressed = publish(settings, spec=Spec(min_base=0), out=tmp_path / "min0")
    page = (unsuppressed.folder / REPORT_HTML).read_text(encoding="utf-8")
    rows = [attrs.get("class") for tag, attrs in parse(page).tags if tag == "tr"]
    assert rows.count("no-baseline") == 135 - 9
    assert "no baseline ‡" in page


def test_the_same_publication_gives_the_same_report_bytes(
    report_folder: Path, settings: Settings, tmp_path: Path
) -> None:
    again = publish(settings, out=tmp_path / "again").folder
    assert (again / REPORT_HTML).read_bytes() == (report_folder / REPORT_HTML).read_bytes()


def test_text_from_the_data_is_html_escaped(report_folder: Path) -> None:
    import pyarrow.parquet as pq

    doc = json.loads((report_folder / "figures.json").read_bytes())
    hostile = '<script>alert("x")</script> & co'
    doc["figures"][0]["area_name"] = hostile
    doc["caveats"].append(hostile)
    doc["definitions"]["knife_crime"]["label"] = hostile
    monthly = pq.read_table(report_folder / "monthly_counts")
    page = render_report(doc, monthly, SignatureFacts("0" * 64, "ABC", "RWQ", demo_key=False))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "DEMO" not in page


INJECTION = '<script>alert(1)</script>"onload=alert(2) x="'
INJECTION_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=alert(2) x=&quot;"


def hostile_document(report_folder: Path) -> dict[str, Any]:
    """The fixture's figures document with markup in every kind of text the page shows."""
    doc: dict[str, Any] = json.loads((report_folder / "figures.json").read_bytes())
    doc["figures"][0]["area_name"] = INJECTION
    doc["figures"][0]["area_code"] = INJECTION
    for figure in doc["figures"]:
        if figure["measure"] == "knife_crime":
            figure["measure"] = INJECTION  # lands in attributes: data-measure
            if figure["area_type"] == "london":
                figure["sentence"] = INJECTION  # the headline
    doc["definitions"] = {
        (INJECTION if key == "knife_crime" else key): value
        for key, value in doc["definitions"].items()
    }  # lands in attributes too: the chart's data-measure, id and aria-labelledby
    doc["definitions"][INJECTION]["label"] = INJECTION
    doc["definitions"][INJECTION]["definition"] = INJECTION
    doc["caveats"].append(INJECTION)
    doc["spec"]["name"] = INJECTION
    doc["spec"]["headline_measures"] = [
        INJECTION if m == "knife_crime" else m for m in doc["spec"]["headline_measures"]
    ]
    doc["inputs"][0]["name"] = INJECTION
    doc["source"] = INJECTION
    return doc


def test_markup_in_the_data_is_shown_as_text_and_never_becomes_markup(
    report_folder: Path,
) -> None:
    import pyarrow.parquet as pq

    doc = hostile_document(report_folder)
    monthly = pq.read_table(report_folder / "monthly_counts")
    page = render_report(
        doc, monthly, SignatureFacts(INJECTION, INJECTION, INJECTION, demo_key=True)
    )
    elements = parse(page)
    assert [tag for tag, _ in elements.tags if tag == "script"] == []
    assert "<script" not in page
    assert '"onload=' not in page
    handlers = [(tag, a) for tag, attrs in elements.tags for a in attrs if a.startswith("on")]
    assert handlers == []
    # It reads back as the original text in each of the 15 places it was put as text: the
    # figure's area name and code, the headline, the chart's title, desc and caption, the
    # definition's label and text, a caveat, the spec name, an input, the source, the sha256,
    # the key id and the public key; and it is escaped there and in 6 attributes (the table
    # body's and the chart's data-measure, the chart's aria-labelledby twice, its title and
    # desc ids).
    assert "".join(elements.text).count(INJECTION) == 15
    assert page.count(INJECTION_ESCAPED) == 15 + 6
    svg = next(attrs for tag, attrs in elements.tags if tag == "svg")
    assert svg["data-measure"] == INJECTION
    assert svg["aria-labelledby"] == f"chart-{INJECTION}-title chart-{INJECTION}-desc"


def test_rendering_the_same_inputs_twice_gives_the_same_bytes(report_folder: Path) -> None:
    """Twice, the second time with a fresh template environment: the published bytes both times."""
    import pyarrow.parquet as pq

    from statement_figures.publication.report import environment

    figures_json = (report_folder / "figures.json").read_bytes()
    monthly = pq.read_table(report_folder / "monthly_counts")
    facts = SignatureFacts(
        hashlib.sha256(figures_json).hexdigest(),
        public_key_id(report_folder / "figures.pub"),
        public_key_line(report_folder / "figures.pub"),
        demo_key=True,
    )
    first = render_report(json.loads(figures_json), monthly, facts).encode("utf-8")
    environment.cache_clear()  # as in a new process
    second = render_report(json.loads(figures_json), monthly, facts).encode("utf-8")
    assert first == second == (report_folder / REPORT_HTML).read_bytes()
    assert first.endswith(b"</html>\n")


def test_a_name_the_template_needs_but_the_document_lacks_is_an_error(
    report_folder: Path,
) -> None:
    import jinja2
    import pyarrow.parquet as pq

    doc = json.loads((report_folder / "figures.json").read_bytes())
    del doc["source"]
    monthly = pq.read_table(report_folder / "monthly_counts")
    with pytest.raises(jinja2.UndefinedError, match="source"):
        render_report(doc, monthly, SignatureFacts("0" * 64, "ABC", "RWQ", demo_key=False))


# --- the report is signed too -----------------------------------------------------------------


def test_the_real_minisign_tool_verifies_the_report(report_folder: Path) -> None:
    if shutil.which("minisign") is None:
        pytest.fail("minisign is not installed: apt-get install minisign")
    result = subprocess.run(
        ["minisign", "-Vm", REPORT_HTML, "-p", "figures.pub"],
        cwd=report_folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sha256 = hashlib.sha256((report_folder / REPORT_HTML).read_bytes()).hexdigest()
    assert f"as_of=2021-12-06 sha256={sha256} " in result.stdout


def test_figures_verify_checks_the_report_and_refuses_a_changed_one(
    report_folder: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    report = report_folder / REPORT_HTML
    args = ["--warehouse", str(settings.warehouse), "-q", "verify", str(report)]
    assert main(args) == 0
    out, _ = capsys.readouterr()
    demo_key = settings.warehouse / "keys" / "demo" / "figures.pub"
    assert out.splitlines()[:2] == [
        f"genuine: {report} was signed with the public key {demo_key}",
        f"signed by {whole_key(demo_key)}: compare this whole key with the publisher's, never "
        "just the ID",
    ]
    assert out.splitlines()[2].startswith("as of 2021-12-06, code ")
    assert out.splitlines()[3:] == [
        f"the report of {report_folder / 'figures.json'} beside it (the figures sha256 it "
        "names matches)"
    ]
    report.write_text(report.read_text().replace("by 30 per cent", "by 40 per cent"))
    assert main(args) == EXIT_ERROR
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        f"figures: error: {report} does not match its signature {report}.minisig with the "
        f"public key {demo_key}: it was changed after it was signed, or signed with another key"
    ]


def test_the_report_says_how_to_check_a_statement_against_it(report_folder: Path) -> None:
    page = (report_folder / "report.html").read_text()
    section = page[page.index('<section id="check">') :]
    section = section[: section.index("</section>")]
    assert "<pre>figures check draft.txt --publication .</pre>" in section
    for verdict in ("wrong_number", "wrong_direction", "other_measure", "no_figure", "revised"):
        assert f"<code>{verdict}</code>" in section


def test_a_change_within_natural_variation_is_marked_with_its_interval(published: Path) -> None:
    page = (published / "report.html").read_text()
    assert (
        '<span class="tag within">within natural variation</span> (95% interval -64.27 to '
        "54.11 per cent)"
    ) in page
