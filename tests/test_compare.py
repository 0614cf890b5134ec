"""Comparing instances: the input diff finds exactly what changed; the outcome diff shows
what it did; comparing a file with itself shows nothing; the output order is stable."""

import re

import pytest
from tiny import q, write

from model.analyses.compare import compare, input_diff
from model.cli import main
from model.data.loader import resolve
from model.reporting.comparison import markdown
from model.run import solve_instance

RED_LINE = {"red_lines": {"cap": {"party": "partner", "label": "cars at most 10%", "reason": "test",
                                  "metric": "tariff_rate", "index": "car", "sense": "<=", "bound": q(10, "%")}}}


def pair(tmp_path, a: dict, b: dict):
    pa, pb = write(tmp_path, a, "a.yaml"), write(tmp_path, b, "b.yaml")
    return pa, pb


def test_input_diff_finds_exactly_the_changed_fields(tmp_path):
    pa, pb = pair(tmp_path, {}, {"segments": {"car": {"imports": q(1200, "vehicles")},
                                              "truck": {"label": "lorries"}}})
    diff = input_diff([resolve(pa)[0], resolve(pb)[0]])
    assert [d.path for d in diff] == ["segments.car.imports", "segments.truck.label"]
    assert diff[0].values == ("1,000 vehicles [test]", "1,200 vehicles [test]")


def test_a_source_change_alone_is_a_difference(tmp_path):
    pa, pb = pair(tmp_path, {}, {"sources": {"other": {"citation": "a study", "year": 2024}},
                                 "segments": {"car": {"imports": q(1000, "vehicles", source="other")}}})
    paths = [d.path for d in input_diff([resolve(pa)[0], resolve(pb)[0]])]
    assert paths == ["segments.car.imports", "sources.other.citation", "sources.other.year"]


def test_comparing_a_file_with_itself_shows_no_difference(tmp_path):
    pa = write(tmp_path, RED_LINE)
    comp, _ = compare([pa, pa], tmp_path / "cache", solve_instance)
    assert comp.inputs == []
    assert all(d in (None, 0) or abs(d) < 1e-9 for o in comp.outcomes for d in o.deltas)
    assert "The inputs are identical." in markdown(comp)


def test_a_red_line_change_shows_where_it_binds(tmp_path):
    """Without the red line cars pay 20%; with 'cars at most 10%' they pay 10%: the car tariff
    and the car imports change (deficit +757,575.76), the truck tariff does not."""
    pa, pb = pair(tmp_path, {}, RED_LINE)
    comp, _ = compare([pa, pb], tmp_path / "cache", solve_instance)
    rows = {o.name: o for o in comp.outcomes}
    assert rows["deficit"].deltas[1] == pytest.approx(1e7 / 1.1 - 1e7 / 1.2)
    assert rows["tariff_rate[car]"].deltas[1] == pytest.approx(-0.1)
    assert rows["tariff_rate[truck]"].deltas[1] == pytest.approx(0.0)
    assert rows["tariff[car]"].deltas[1] == pytest.approx(-0.1)
    assert rows["tariff[truck]"].deltas[1] == pytest.approx(0.0)


def test_output_order_is_stable(tmp_path):
    pa, pb = pair(tmp_path, {}, RED_LINE)
    first, _ = compare([pa, pb], tmp_path / "cache", solve_instance)
    second, uses = compare([pa, pb], tmp_path / "cache", solve_instance)
    assert [u.reused for u in uses] == [True, True]              # reused from the cache
    assert markdown(first) == markdown(second)
    assert [o.name for o in first.outcomes] == [o.name for o in second.outcomes]


def test_cache_is_not_reused_after_an_edit(tmp_path):
    """Before the edit the deficit is 10,000,000 (both segments at 20%); after adding 'cars at
    most 10%' it is 1e7/1.1 + 2e6/1.2: the cached result of the old file is not shown."""
    pa = write(tmp_path, {}, "a.yaml")
    before, _ = compare([pa, pa], tmp_path / "cache", solve_instance)
    assert {o.name: o for o in before.outcomes}["deficit"].values[0] == pytest.approx(1e7 / 1.2 + 2e6 / 1.2)
    write(tmp_path, RED_LINE, "a.yaml")
    comp, uses = compare([pa, pa], tmp_path / "cache", solve_instance)
    assert [u.reused for u in uses] == [False, True]
    assert {o.name: o for o in comp.outcomes}["deficit"].values[0] == pytest.approx(1e7 / 1.1 + 2e6 / 1.2)


def test_compare_command_writes_csv_and_md(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pa, pb = pair(tmp_path, {}, RED_LINE)
    assert main(["compare", str(pa), str(pb), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "deficit" in out and "status" in out
    assert {p.name for p in (tmp_path / "cmp").iterdir() if not p.name.startswith(".")} == {
        "comparison.csv", "comparison.md", "comparison.html", "comparison.xlsx", "comparison.svg"}
    page = (tmp_path / "cmp" / "comparison.html").read_text()
    assert page.index("What it did to the deal") < page.index("What changed in the inputs")   # outcomes first
    assert 'data-chart="compare"' in page


def test_compare_outputs_are_tidy_grouped_and_labelled(tmp_path, capsys, monkeypatch):
    """The csv has numbers in `value` and the unit and source in their own columns; inputs are
    grouped by object, a new object titled by its label (not listed as a difference); rate
    deltas are in percentage points; the terminal shows labels in columns that never touch."""
    import pandas as pd
    monkeypatch.chdir(tmp_path)
    extra = {"name": "b", "makers": {"acme": {"label": "Acme Motors", "spare_capacity": q(100, "vehicles"), "segments": ["car"]}},
             "segments": {"car": {"imports": q(1200, "vehicles")}}}
    pa, pb = pair(tmp_path, RED_LINE, {**RED_LINE, **extra})
    assert main(["compare", str(pa), str(pb), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "imports_value" not in out and "bilateral deficit" in out
    assert not re.search(r"(vehicles|bn|M|optimal)[-$\d]", out)          # never '150,000 vehicles200,000 vehicles'
    assert "vehicles no longer made in the partner country" in out
    frame = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    row = frame[(frame["object"] == "segments.car") & (frame["item"] == "imports")]
    assert list(row["value"]) == [1000.0, 1200.0] and set(row["unit"]) == {"vehicles"} and set(row["source"]) == {"test"}
    assert list(row["delta"]) == [0.0, 200.0]
    text = (tmp_path / "cmp" / "comparison.md").read_text()
    assert "### makers.acme: Acme Motors (only in b)" in text and "`label`" not in text
    assert text.index("## What it did to the deal") < text.index("## What changed in the inputs")


def test_rate_deltas_are_percentage_points():
    from model.reporting.words import change
    assert change(0.05, "fraction") == "+5.0 pp" and change(-0.25, "fraction") == "-25.0 pp"
    assert change(1.0, "yes/no") == "now yes" and change(0.0, "yes/no") == "same"
