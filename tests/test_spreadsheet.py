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
