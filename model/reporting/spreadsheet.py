"""results.xlsx (and comparison.xlsx) and the CSV tables: exact values, for spreadsheet users,
and never a formula or a link that the data did not ask for.

Formula injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with
= + - @ (or a tab or carriage return) as a formula, and labels, citations and names in an
instance file are free text. So text that starts with one of those characters is
neutralised with a leading apostrophe, the spreadsheet's own mark for "this is text":
in CSV files as a literal ' before the text (`safe_text`); in xlsx workbooks as Excel's
quote prefix on the cell (the same apostrophe, kept as the cell's format, so the cell
shows the text unchanged). Numbers stay numbers, and so does text that is just a number
('-5'): a spreadsheet reads it as that number, not as a formula. Workbooks are also
written with xlsxwriter's formula and URL conversion off, so no text becomes a formula
or a link (and long citations are not dropped as over-long URLs).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

SHEET_ROW_LIMIT = 50_000      # a longer table stays out of the workbook (see write_xlsx)
CELL_LIMIT = 32_767           # characters in one Excel cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TRUNCATED = " [... cut at Excel's cell limit; the full text is in {where}]"


def needs_quote(value) -> bool:
    """Text a spreadsheet would take for a formula."""
    if not (isinstance(value, str) and value.startswith(FORMULA_START)):
        return False
    try:
        float(value)             # '-5', '+1e3': a number as text, read as that number
        return False
    except ValueError:
        return True


def safe_text(value):
    """A CSV cell no spreadsheet runs: formula-like text gets a leading apostrophe."""
    return "'" + value if needs_quote(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell and column name passed through `safe_text`."""
    out = frame.copy(deep=False)
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_text)
    out.columns = [safe_text(str(c)) for c in out.columns]
    return out


def csv_writer(frame: pd.DataFrame):
    """A report-file writer for `frame` as CSV, neutralised (see the module docstring)."""
    return lambda path: safe_frame(frame).to_csv(path, index=False)


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], full_tables: dict[str, str] | str) -> None:
    """One sheet per table, header first, written row by row in xlsxwriter's constant-memory
    mode. A table of more than SHEET_ROW_LIMIT rows (a large generated instance) is left
    out: a workbook that size is slow to write and to open, and adds nothing to the CSV or
    JSON file that holds the whole table (`full_tables`: sheet -> that file, or one file). A
    'notes' sheet lists what was left out and where it is."""
    import xlsxwriter
    notes = []
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True,
                                           "strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    quoted = book.add_format({"quote_prefix": True})
    try:
        for name, frame in sheets.items():
            where = full_tables if isinstance(full_tables, str) else full_tables.get(name, "the CSV files")
            if len(frame) > SHEET_ROW_LIMIT:
                notes.append(f"{name}: {len(frame):,} rows, more than this workbook holds ({SHEET_ROW_LIMIT:,}); "
                             f"the whole table is in {where}")
                continue
            _write_sheet(book.add_worksheet(name[:31]), frame, quoted, where)
        if notes:
            _write_sheet(book.add_worksheet("notes"), pd.DataFrame({"note": notes}), quoted, "")
    finally:
        book.close()


def _write_sheet(sheet, frame: pd.DataFrame, quoted, where: str) -> None:
    cells = frame.astype(object).where(frame.notna(), None)
    rows = [[str(c) for c in frame.columns]] + list(cells.itertuples(index=False, name=None))
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            v = _cell(v)
            if isinstance(v, str):
                if len(v) > CELL_LIMIT:
                    note = TRUNCATED.format(where=where)
                    v = v[:CELL_LIMIT - len(note)] + note
                sheet.write_string(i, j, v, quoted if needs_quote(v) else None)
            else:
                sheet.write(i, j, v)


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
