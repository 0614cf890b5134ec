"""The user and developer documents hold together: the README starts with its two
commands, every relative link and anchor resolves, and the architecture page names every
module of the package."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.data.schema import anchor

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_quick_start_is_make_run_then_make_test():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("## Quick start", 1)[1]
    first_block = re.search(r"```[a-z]*\n(.*?)```", after, re.S).group(1)
    assert first_block == "make run\nmake test\n"


def headings(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {anchor(h.strip()) for h in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_and_anchors_resolve(doc):
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, frag = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{doc.name}: link to missing {target}"
        if frag and path.suffix == ".md":
            assert frag in headings(path), f"{doc.name}: no heading for #{frag} in {path.name}"


def test_architecture_names_every_module_and_keeps_the_lever_family_section():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "model").rglob("*.py"))
               if p.name != "__init__.py" and f"`{p.name}`" not in text and p.name not in text]
    assert not missing, f"docs/architecture.md does not say where these modules fit: {missing}"
    assert "## Adding a lever family" in text


def test_shipped_instances_table_gives_each_instances_expected_deal_deficit():
    """The README's table of shipped instances: each deal deficit is the one tests/expected holds
    (rounded to USD 0.01 bn), or 'infeasible' where there is no deal."""
    import json
    import re
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Shipped instances", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)`(?:, `([a-z0-9_]+)`)? \|.*\| ([^|]+) \|$", section, re.M)
    assert len(rows) >= 10
    for first, second, shown in rows:
        names, figures = [n for n in (first, second) if n], [f.strip() for f in shown.split("/")]
        for name, figure in zip(names, figures if len(figures) == len(names) else figures * len(names)):
            expected = json.loads((ROOT / "tests" / "expected" / f"{name}.json").read_text())
            if expected["status"] == "infeasible":
                assert figure == "infeasible", name
            else:
                assert figure == f"${expected['deficit']['deal'] / 1e9:.2f} bn", name


def test_readme_states_the_csv_rule_and_the_page_sizes_the_code_uses():
    """The README's figures for the CSV files, the workbook and the pages are the code's."""
    from model.formatting import CSV_DIGITS, csv_number
    from model.reporting.brief import TALKING_POINTS
    from model.reporting.spreadsheet import WIDEST
    text = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert f"Numbers to {CSV_DIGITS} significant digits" in text
    assert f"`2039.999999999984` is written `{csv_number(2039.999999999984)}`" in text
    assert f"`0.15000000000000005` `{csv_number(0.15000000000000005)}`" in text
    assert csv_number(429338.5004591024) == 429338.5004591024          # kept: its rounding is a half-way point
    assert f"up to {WIDEST} characters" in text
    assert "three talking points" in text and TALKING_POINTS == 3
    browser = (ROOT / "tests" / "test_html_browser.py").read_text(encoding="utf-8")
    assert '"width": 390' in browser and "390 px wide" in text             # the phone the browser test lays out
    assert "px < 12" in browser and "text at least 12 px" in text
    assert "len(content) <= 2" in browser and "prints on at most 2 pages" in text
