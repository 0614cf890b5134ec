"""results.xlsx (and comparison.xlsx): one sheet per table, exact values, for spreadsheet users."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


EXCEL_MAX_ROWS = 1_048_576       # rows in a worksheet, the header row included


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """One sheet per table, header first. A table longer than a worksheet is cut at Excel's
    limit, and a 'notes' sheet says so and where the whole table is (the CSV of that name).
    Written row by row in xlsxwriter's constant-memory mode: large instances have tables of
    hundreds of thousands of rows, which pandas' cell-by-cell writer takes seconds over."""
    import xlsxwriter
    notes = []
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    try:
        for name, frame in sheets.items():
            if len(frame) >= EXCEL_MAX_ROWS:
                notes.append(f"sheet '{name[:31]}' holds the first {EXCEL_MAX_ROWS - 1:,} of {len(frame):,} rows "
                             f"(Excel's limit); the whole table is in {name}.csv")
                frame = frame.iloc[:EXCEL_MAX_ROWS - 1]
            _write_sheet(book.add_worksheet(name[:31]), frame)
        if notes:
            _write_sheet(book.add_worksheet("notes"), pd.DataFrame({"note": notes}))
    finally:
        book.close()


def _write_sheet(sheet, frame: pd.DataFrame) -> None:
    sheet.write_row(0, 0, [str(c) for c in frame.columns])
    cells = frame.astype(object).where(frame.notna(), None)
    for i, values in enumerate(cells.itertuples(index=False, name=None), start=1):
        sheet.write_row(i, 0, [_cell(v) for v in values])


def _cell(v):
    """A value xlsxwriter writes as itself: numbers and text; anything else as its text."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if hasattr(v, "item"):          # numpy scalars
        return v.item()
    return str(v)


def results_sheets(r) -> dict[str, pd.DataFrame]:
    frames = r.frames()
    sheets = {"levers": frames["levers"], "metrics": frames["metrics"], "constraints": frames["constraints"],
              "inputs": pd.DataFrame(r.inputs), "assumptions": pd.DataFrame(r.assumptions)}
    frontier = r.extras.get("frontier")
    if frontier and frontier.get("points"):
        sheets["frontier"] = pd.DataFrame(frontier["points"])
    return sheets
