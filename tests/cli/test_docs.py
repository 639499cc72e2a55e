"""The README stays a short guide that names every command: checked against the parser itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statement_figures.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MAX_README_LINES = 200


def command_names() -> list[str]:
    names = [command.name for command in COMMANDS]
    assert names, "the parser declares no commands"
    return names


def readme_commands_table() -> list[str]:
    """The rows of the table under '## The commands' in the README."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The commands\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `figures ")]


def figures_help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_figures_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    listed = re.findall(r"^ {4}(\w+)\b", figures_help(capsys), flags=re.MULTILINE)
    missing = [name for name in command_names() if name not in listed]
    assert not missing, f"figures --help does not list: {', '.join(missing)}"


def test_the_readme_commands_table_has_a_row_for_every_command() -> None:
    in_table = [
        row.split("`figures ", 1)[1].split()[0].strip("`") for row in readme_commands_table()
    ]
    missing = [name for name in command_names() if name not in in_table]
    assert not missing, f"README.md's commands table has no row for: {', '.join(missing)}"
    unknown = [name for name in in_table if name not in command_names()]
    assert not unknown, f"README.md's commands table names unknown commands: {unknown}"


def test_the_readme_table_shows_run_with_its_sample_option() -> None:
    [run] = [row for row in readme_commands_table() if row.startswith("| `figures run ")]
    assert "--sample" in run


def test_every_docs_link_in_the_readme_names_a_file_that_exists() -> None:
    links = re.findall(r"\]\((docs/[^)#\s]+)", README.read_text(encoding="utf-8"))
    assert links, "README.md links to nothing in docs/"
    missing = sorted({link for link in links if not (ROOT / link).is_file()})
    assert not missing, f"README.md links to missing files: {', '.join(missing)}"


def test_every_file_in_docs_is_linked_from_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    unlinked = [
        p.name for p in sorted((ROOT / "docs").glob("*.md")) if f"](docs/{p.name}" not in text
    ]
    assert not unlinked, f"README.md does not link: {', '.join(unlinked)}"


def heading_anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_link_between_docs_pages_names_a_page_and_heading_that_exist() -> None:
    broken = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for target, anchor in re.findall(
            r"\]\(([\w\-./]+\.md)(?:#([\w\-]+))?\)", page.read_text(encoding="utf-8")
        ):
            linked = (page.parent / target).resolve()
            if not linked.is_file() or (anchor and anchor not in heading_anchors(linked)):
                broken.append(
                    f"{page.name}: {target}#{anchor}" if anchor else f"{page.name}: {target}"
                )
    assert not broken, f"broken links: {', '.join(broken)}"


def test_make_run_and_make_test_are_the_first_commands_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in first_block.splitlines()]
    assert commands == ["make run", "make test"]


def test_the_readme_is_at_most_200_lines() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move reference to docs/"
