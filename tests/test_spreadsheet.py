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
