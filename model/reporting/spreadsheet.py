"""results.xlsx (and comparison.xlsx): one sheet per table, exact values, for spreadsheet users."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

SHEET_ROW_LIMIT = 50_000      # a longer table stays out of the workbook (see write_xlsx)


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], full_tables: dict[str, str] | str) -> None:
    """One sheet per table, header first, written row by row in xlsxwriter's constant-memory
    mode. A table of more than SHEET_ROW_LIMIT rows (a large generated instance) is left
    out: a workbook that size is slow to write and to open, and adds nothing to the CSV or
    JSON file that holds the whole table (`full_tables`: sheet -> that file, or one file). A
    'notes' sheet lists what was left out and where it is."""
    import xlsxwriter
    notes = []
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    try:
        for name, frame in sheets.items():
            if len(frame) > SHEET_ROW_LIMIT:
                where = full_tables if isinstance(full_tables, str) else full_tables[name]
                notes.append(f"{name}: {len(frame):,} rows, more than this workbook holds ({SHEET_ROW_LIMIT:,}); "
                             f"the whole table is in {where}")
                continue
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


# Where each results.xlsx table is in full, beside the workbook.
RESULTS_FULL_TABLES = {"levers": "levers.csv", "metrics": "metrics.csv", "constraints": "constraints.csv",
                       "inputs": "results.json ('inputs')", "assumptions": "results.json ('assumptions')",
                       "frontier": "results.json ('extras', 'frontier')",
                       "concession_values": "concession_values.csv"}


def results_sheets(r) -> dict[str, pd.DataFrame]:
    frames = r.frames()
    sheets = {"levers": frames["levers"], "metrics": frames["metrics"], "constraints": frames["constraints"],
              "inputs": pd.DataFrame(r.inputs), "assumptions": pd.DataFrame(r.assumptions)}
    frontier = r.extras.get("frontier")
    if frontier and frontier.get("points"):
        sheets["frontier"] = pd.DataFrame(frontier["points"])
    values = r.extras.get("concession_values") or {}
    if values.get("rows"):
        sheets["concession_values"] = pd.DataFrame(values["rows"])
    return sheets
