"""results.xlsx: one sheet per table; a table too long for a useful workbook is left out
with a note naming the file that holds it in full."""
from __future__ import annotations

import openpyxl
import pandas as pd

from model.reporting import spreadsheet


def test_long_table_is_left_out_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "SHEET_ROW_LIMIT", 3)
    sheets = {"levers": pd.DataFrame({"name": list("abcd"), "value": [1.0, 2.0, None, 4.0]}),
              "metrics": pd.DataFrame({"name": ["deficit"], "deal": [22.4e9]})}
    path = tmp_path / "results.xlsx"
    spreadsheet.write_xlsx(path, sheets, spreadsheet.RESULTS_FULL_TABLES)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["metrics", "notes"]
    assert [list(r) for r in book["metrics"].iter_rows(values_only=True)] == [["name", "deal"], ["deficit", 22.4e9]]
    [note] = [r[0] for r in book["notes"].iter_rows(min_row=2, values_only=True)]
    assert note.startswith("levers: 4 rows") and "levers.csv" in note


def test_values_round_trip_with_blanks(tmp_path):
    frame = pd.DataFrame({"name": ["x", "y"], "value": [1.5, None], "flag": [True, False]})
    path = tmp_path / "t.xlsx"
    spreadsheet.write_xlsx(path, {"t": frame}, "t.csv")
    rows = list(openpyxl.load_workbook(path, read_only=True)["t"].iter_rows(values_only=True))
    assert rows == [("name", "value", "flag"), ("x", 1.5, True), ("y", None, False)]


def test_large_results_keep_the_readers_rows_in_the_workbook(tmp_path, monkeypatch):
    """Over READER_ROWS rows, the levers sheet holds the levers in the deal and the constraints
    sheet the negotiation's constraints; the notes say how many others there are and where;
    the CSV files keep every row."""
    from tiny import tiny

    from model.reporting.report_files import write_report
    from model.results import BOOKKEEPING_KINDS
    from model.run import solve_instance
    r = solve_instance(tiny(tmp_path))
    monkeypatch.setattr(spreadsheet, "READER_ROWS", 1)
    out = write_report(r, tmp_path / "out")
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    in_deal = [lv for lv in r.levers if lv.shown]
    negotiation = [c for c in r.constraints if c.kind not in BOOKKEEPING_KINDS]
    assert 0 < len(in_deal) < len(r.levers) and 0 < len(negotiation) < len(r.constraints)
    assert len(list(book["levers"].iter_rows(min_row=2))) == len(in_deal)
    assert len(list(book["constraints"].iter_rows(min_row=2))) == len(negotiation)
    notes = [row[0] for row in book["notes"].iter_rows(min_row=2, values_only=True)]
    assert f"the other {len(r.levers) - len(in_deal):,} (at zero) are in levers.csv" in notes[0]
    assert "constraints.csv" in notes[1]
    assert len(pd.read_csv(out / "levers.csv")) == len(r.levers)
    assert len(pd.read_csv(out / "constraints.csv")) == len(r.constraints)


# -- tidy spreadsheets: CSV numbers without float noise, workbooks formatted for people -------

def test_csv_numbers_lose_the_float_noise_and_nothing_else():
    from model.formatting import csv_number
    assert csv_number(2039.999999999984) == 2040 and isinstance(csv_number(2039.999999999984), int)
    assert csv_number(0.15000000000000005) == 0.15
    assert csv_number(-0.0) == 0 and str(csv_number(-0.0)) == "0"
    assert csv_number(35546177957.10181) == 35546178000          # 9 significant digits
    assert csv_number(1277621.9042478823) == 1277621.9
    assert csv_number(2.77555756156e-17) == 2.77555756e-17       # small stays small, not zero
    assert csv_number(True) is True and csv_number("12.50000001") == "12.50000001" and csv_number(None) is None
    nan = float("nan")
    assert csv_number(nan) is nan


def test_csv_rounding_never_changes_a_figure_the_reports_show():
    """The stated rule (README: 9 significant digits): across magnitudes and signs, every way
    a report writes a number (money, counts, shares, amounts) reads the same from the CSV value."""
    import random

    from model.formatting import count, csv_number, money, per_unit, share, value
    rng = random.Random(7)
    for _ in range(20_000):
        x = rng.choice([-1, 1]) * rng.random() * 10 ** rng.randint(-6, 12)
        y = csv_number(x)
        assert money(y) == money(x) and per_unit(y, "fraction") == per_unit(x, "fraction"), x
        if abs(x) < 1e9:                         # amounts: below a billion vehicles or tonnes
            assert count(y) == count(x) and value(y, "vehicles") == value(x, "vehicles"), x
        if abs(x) < 1e3:                         # shares: below 100,000%
            assert share(y) == share(x) and value(y, "fraction") == value(x, "fraction"), x
        if abs(x) < 1e6:                         # prices per $1
            assert per_unit(y, "USD") == per_unit(x, "USD"), x
    # the turning points themselves: a half-way point, a power of ten, a whole number
    for x in (429338.5004591024, 999999999.9999, 2.0000000001, 0.12499999999999):
        y = csv_number(x)
        assert (money(y), count(y), share(y)) == (money(x), count(x), share(x)), x


def test_csv_files_hold_the_rounded_numbers(tmp_path):
    frame = pd.DataFrame({"name": ["a", "b"], "value": [2039.999999999984, 0.15000000000000005],
                          "count": [3, 4], "flag": [True, False], "deal": [None, 1.0]})
    path = tmp_path / "t.csv"
    spreadsheet.csv_writer(frame)(path)
    assert path.read_text().splitlines() == ["name,value,count,flag,deal", "a,2040,3,True,", "b,0.15,4,False,1"]
    from model.analyses.sweep_summary import _fmt
    assert _fmt(2039.999999999984) == "2040" and _fmt(0.15000000000000005) == "0.15"


def test_workbook_headers_widths_and_number_formats(tmp_path):
    long_label = "a label of forty-two characters, more or less"
    metrics = pd.DataFrame({"name": ["imports_value", "tariff", "imports_units", "elasticity"],
                            "label": [long_label, "x", "y", "z"],
                            "unit": ["USD", "fraction", "vehicles", "1"],
                            "deal": [41_070_000_000.0, 0.15000000000000005, 1_376_800.0000044, -1.25],
                            "citation": ["c" * 200, "", "", ""]})
    frontier = pd.DataFrame({"deficit": [29.49e9], "tariffs": ["cars 15%"], "home_per_unit": [22.5]})
    path = tmp_path / "t.xlsx"
    spreadsheet.write_xlsx(path, {"metrics": metrics, "frontier": frontier}, "t.csv")
    book = openpyxl.load_workbook(path)
    sheet = book["metrics"]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert [sheet.cell(r, 4).number_format for r in range(2, 6)] == ["#,##0", "0.0%", "#,##0", "General"]
    assert sheet["D2"].value == 41_070_000_000 and sheet["D4"].value != 1_376_800      # values as computed
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    assert widths["B"] >= len(long_label) and round(widths["E"]) == spreadsheet.WIDEST + 2 + 1   # + padding
    assert widths["D"] >= len("41,070,000,000")
    other = book["frontier"]
    assert other["A2"].number_format == "#,##0" and other["B2"].number_format == "General"
    assert other["C2"].number_format == "#,##0.00"              # USD per unit, below 100


def test_number_formats_by_unit_and_column():
    f = spreadsheet.number_format
    assert f("delta", "USD", 0.0) == "#,##0" and f("delta", "USD", 12.5) == "#,##0.00"       # a comparison's change
    assert f("delta", "vehicles", -78.59756) == "#,##0.00" and f("value", "vehicles", 2039.999999) == "#,##0"
    assert f("value", "USD/vehicle", 24_000.0) == "#,##0" and f("value", "fraction", 0.275) == "0.0%"
    assert f("home_value", None, 366_880_956.0) == "#,##0"                                   # USD by its name
    assert f("value", "1", -1.25) is None and f("label", "USD", 5.0) is None
