"""Nothing injected (issue 12, item 4): hostile text in every free-text field of an instance,
and in its file name, reaches every html page as text, never as markup; spreadsheets and
CSV files hold it as text, never as a formula or a link; charts draw '$' literally.

The fixture tests/hostile/injection.yaml (with its CSV table injection_segments.csv) puts
<script>, onerror= and javascript: markup, and formulas (=HYPERLINK, @SUM, +1+1, -2+3), in
the title, question, party names, source citations and assumptions, menu, segment (YAML
and CSV), channel, NTB, maker, good and red-line labels, and a red line's reason.
"""
from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tiny import write

from model.cli import main
from model.reporting import spreadsheet
from model.reporting.charts import bridge_chart, frontier_chart, sweep_chart, sweep_levers_chart
from model.reporting.html import esc
from model.results import BridgeStep, FrontierPoint, Histogram, LeverFrequency, SweepSummary

pytestmark = pytest.mark.slow  # every command's pages

HOSTILE = Path(__file__).resolve().parent / "hostile"
FILE_NAME = '<img src=x onerror=alert(1)>.yaml'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Markup(HTMLParser):
    """Collects the tags, attributes and visible text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def check_page(path: Path) -> str:
    """No script element, no event attribute, no javascript: URL; returns the visible text."""
    page = Markup()
    page.feed(path.read_text(encoding="utf-8"))
    assert "script" not in page.tags, path
    assert not {"img", "a", "iframe", "object", "embed"} & set(page.tags), (path, set(page.tags))
    assert not [name for name, _ in page.attrs if name.lower().startswith("on")], path
    assert not [v for _, v in page.attrs if v and "javascript:" in v.lower()], path
    return "".join(page.text)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every html-writing command on the hostile instance, saved under a hostile file name."""
    d = tmp_path_factory.mktemp("hostile")
    shutil.copy(HOSTILE / "injection_segments.csv", d / "injection_segments.csv")
    path = d / FILE_NAME
    shutil.copy(HOSTILE / "injection.yaml", path)
    plain = write(d, name="plain.yaml")
    runs = {"run": ["run", path], "frontier": ["frontier", path, "--points", "3"],
            "sweep": ["sweep", path, "--param", "segments.car.imports=900,1000"],
            "compare": ["compare", path, plain]}
    out = {}
    for name, argv in runs.items():
        out[name] = d / f"out-{name}"
        code = main([str(a) for a in argv] + ["--out", str(out[name])])
        assert code == 0, name
    return out


@pytest.mark.parametrize("command, page", [("run", "report.html"), ("run", "brief.html"), ("frontier", "report.html"),
                                           ("sweep", "report.html"), ("compare", "comparison.html")])
def test_every_html_page_shows_hostile_text_as_text(outputs, command, page):
    text = check_page(outputs[command] / page)
    assert "<script>alert(1)</script>" in text          # shown, literally, not dropped
    if command == "compare":
        assert FILE_NAME in text                         # the file name, as text
    else:
        assert "javascript:alert(3)" in text and "onerror=alert(2)" in text


def test_esc_escapes_attribute_quotes():
    assert esc('"><script>') == "&quot;&gt;&lt;script&gt;" and esc("'") == "&#x27;"


def text_cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                yield sheet, cell


@pytest.mark.parametrize("command, workbook", [("run", "results.xlsx"), ("compare", "comparison.xlsx")])
def test_workbooks_hold_text_never_formulas_or_links(outputs, command, workbook):
    book = openpyxl.load_workbook(outputs[command] / workbook)
    risky = 0
    for sheet, cell in text_cells(book):
        assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)   # no formula
        assert cell.hyperlink is None
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            risky += 1
            assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)   # Excel's leading apostrophe
    assert risky > 0                     # the hostile labels, and '==' senses, were there to neutralise


def test_long_citations_are_kept_whole(outputs):
    """A citation over 2,079 characters used to vanish (xlsxwriter took it for a URL)."""
    book = openpyxl.load_workbook(outputs["run"] / "results.xlsx")
    cells = [c.value for _, c in text_cells(book) if isinstance(c.value, str) and "very/long/citation" in c.value]
    assert cells and all(len(v) > 3000 for v in cells)


def test_csv_files_neutralise_formula_text(outputs):
    files = [p for name in ("run", "frontier", "sweep", "compare") for p in outputs[name].glob("*.csv")]
    assert {p.name for p in files} >= {"levers.csv", "constraints.csv", "metrics.csv", "frontier.csv", "sweep.csv",
                                        "comparison.csv"}
    neutralised = 0
    for path in files:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if value.startswith(FORMULA_START):
                        float(value)                      # only plain numbers may start so ('-5')
                    neutralised += value.startswith("'=") or value.startswith("'@") or value.startswith("'+")
    assert neutralised > 0


def test_numbers_stay_numbers_and_text_round_trips(tmp_path):
    frame = pd.DataFrame({"label": ["=1+1", "-5", "@x", "plain", None], "value": [-5.0, 1.0, -2.5, 0.0, 3.0]})
    path = tmp_path / "t.xlsx"
    spreadsheet.write_xlsx(path, {"t": frame}, "t.csv")
    rows = list(openpyxl.load_workbook(path)["t"].iter_rows(min_row=2, values_only=True))
    assert rows == [("=1+1", -5.0), ("-5", 1.0), ("@x", -2.5), ("plain", 0.0), (None, 3.0)]
    spreadsheet.csv_writer(frame)(tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["label"].fillna("")) == ["'=1+1", "-5", "'@x", "plain", ""]
    assert list(back["value"]) == [-5.0, 1.0, -2.5, 0.0, 3.0]


def test_text_over_excel_cell_limit_is_cut_with_a_note(tmp_path):
    frame = pd.DataFrame({"citation": ["y" * 40_000]})
    spreadsheet.write_xlsx(tmp_path / "t.xlsx", {"inputs": frame}, {"inputs": "results.json ('inputs')"})
    value = openpyxl.load_workbook(tmp_path / "t.xlsx")["inputs"]["A2"].value
    assert len(value) == spreadsheet.CELL_LIMIT and value.endswith("the full text is in results.json ('inputs')]")


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_charts_draw_dollar_signs_literally():
    """'$\\x$' used to crash the report (mathtext); 'US$ and HK$' was drawn as math."""
    rows = [BridgeStep("calibration_year", "x", None, 1e9), BridgeStep("deal", "d", None, 2e9)]
    svg = bridge_chart(rows, "US$ and HK$")
    assert any(t.startswith("US$ and HK$ deficit") for t in svg_texts(svg))
    svg = bridge_chart(rows, r"$\x$")
    assert any(t.startswith(r"$\x$ deficit") for t in svg_texts(svg))
    summary = SweepSummary(draws=2, seed=0, monte_carlo=2, params={}, uncertain=[], status={}, verified=2,
                           max_violation=0.0, method={}, quantiles={},
                           levers=[LeverFrequency("ntb.x", "on", 0.5, r"$\x$ lever")])
    svg = sweep_levers_chart(summary)
    assert r"$\x$ lever" in svg_texts(svg)
    svg = sweep_chart(Histogram("deficit", [1e9, 1.5e9, 2e9], [1, 1], 2), r"$\alpha$ US$ title")
    assert any(r"$\alpha$ US$ title" in t for t in svg_texts(svg))
    points = [FrontierPoint(1e9, 1e8, 1e8, 1e8, 1e8, "", 0.0, True),
              FrontierPoint(2e9, 0.0, 2e8, 0.0, 2e8, "", 0.0, True)]
    svg = frontier_chart(points, {}, {"home": "US$", "partner": r"$\x$"})
    assert any(r"$\x$" in t for t in svg_texts(svg))


def test_math_labels_fixture_runs(tmp_path, capsys):
    """tests/hostile/math_labels.yaml: '$\\x$' and 'US$ and HK$' in labels solve and report."""
    code = main(["run", str(HOSTILE / "math_labels.yaml"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0, err
    svg = re.search(r"<svg.*?</svg>", (tmp_path / "o" / "report.html").read_text(), re.S).group(0)
    assert any("US$ and HK$" in t for t in svg_texts(svg))
