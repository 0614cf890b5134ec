"""results.xlsx (and comparison.xlsx) and the CSV tables, for spreadsheet users, never with a
formula or a link that the data did not ask for.

For people: CSV numbers to `formatting.CSV_DIGITS` significant digits, without a solve's
float noise and never changing a figure as the reports write it (`csv_numbers`); workbook
sheets with a bold, frozen header, columns sized to their content and each number, kept as
computed, in a format by its unit (`number_format`).

Formula injection (OWASP, "CSV Injection"): a spreadsheet runs a cell that starts with
= + - @ (or a tab or carriage return) as a formula, and labels, citations and names in an
instance file are free text. So text that starts with one of those characters is
neutralised with a leading apostrophe, the spreadsheet's own mark for "this is text":
in CSV files as a literal ' before the text (`safe_text`); in xlsx workbooks as Excel's
quote prefix on the cell (the same apostrophe, kept as the cell's format, so the cell
shows the text unchanged). Numbers stay numbers, and so does text that is just a number
('-5'): a spreadsheet reads it as that number, not as a formula. Control characters are
shown as escapes in CSV files (`\x1b`, as in every file for reading) and kept in workbooks
in the workbook format's own escaping (`_x001B_`, which Excel shows as the character;
xlsxwriter writes it). Workbooks are also
written with xlsxwriter's formula and URL conversion off, so no text becomes a formula
or a link (and long citations are not dropped as over-long URLs).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.data.levers import LEVER_FAMILIES
from model.formatting import csv_number
from model.results import rounded
from model.text import visible

SHEET_ROW_LIMIT = 50_000      # a longer table stays out of the workbook (see write_xlsx)
READER_ROWS = 1_000           # above this, the levers and constraints sheets hold the rows a reader uses
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
    """A CSV cell that neither a spreadsheet nor a terminal acts on: control characters shown
    as escapes (`text.visible`: a CSV file is read with `cat` as often as with a program),
    then formula-like text with a leading apostrophe."""
    if isinstance(value, str):
        value = visible(value)
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
    """A report-file writer for `frame` as CSV: neutralised (see the module docstring), numbers
    to `formatting.CSV_DIGITS` significant digits (`csv_numbers`)."""
    return lambda path: csv_numbers(safe_frame(frame)).to_csv(path, index=False)


def csv_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each number as a CSV file holds it (`formatting.csv_number`): the float noise
    of a solve (2039.999999999984) gone; results.json keeps 12 significant digits."""
    out = frame.copy(deep=False)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]) or pd.api.types.is_object_dtype(out[col]):
            out[col] = pd.Series([csv_number(v.item() if hasattr(v, "item") else v) for v in out[col]],
                                 index=out.index, dtype=object)
    return out


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame], full_tables: dict[str, str] | str,
               notes: tuple[str, ...] = ()) -> None:
    """One sheet per table, header first, written row by row in xlsxwriter's constant-memory
    mode. A table of more than SHEET_ROW_LIMIT rows (a large generated instance) is left
    out: a workbook that size is slow to write and to open, and adds nothing to the CSV or
    JSON file that holds the whole table (`full_tables`: sheet -> that file, or one file). A
    'notes' sheet lists `notes` (what the sheets leave out), what was left out and where it is."""
    import xlsxwriter
    said = list(notes)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True,
                                           "strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    formats = _Formats(book)
    try:
        for name, frame in sheets.items():
            where = full_tables if isinstance(full_tables, str) else full_tables.get(name, "the CSV files")
            if len(frame) > SHEET_ROW_LIMIT:
                said.append(f"{name}: {len(frame):,} rows, more than this workbook holds ({SHEET_ROW_LIMIT:,}); "
                             f"the whole table is in {where}")
                continue
            _write_sheet(book.add_worksheet(name[:31]), frame, formats, where)
        if said:
            _write_sheet(book.add_worksheet("notes"), pd.DataFrame({"note": said}), formats, "")
    finally:
        book.close()


def _write_sheet(sheet, frame: pd.DataFrame, formats: _Formats, where: str) -> None:
    """A table for people: the header bold and frozen, each column as wide as its content (up
    to WIDEST), each number in its format (`number_format`); the values themselves exact."""
    cells = frame.astype(object).where(frame.notna(), None)
    columns = [str(c) for c in frame.columns]
    units = list(frame["unit"]) if "unit" in frame.columns else [None] * len(frame)
    widths = [len(c) for c in columns]
    sheet.freeze_panes(1, 0)
    for j, name in enumerate(columns):
        sheet.write_string(0, j, name, formats.header_for(name))
    for i, values in enumerate(cells.itertuples(index=False, name=None), start=1):
        for j, v in enumerate(values):
            v = _cell(v)
            if isinstance(v, str):
                if len(v) > CELL_LIMIT:
                    note = TRUNCATED.format(where=where)
                    v = v[:CELL_LIMIT - len(note)] + note
                sheet.write_string(i, j, v, formats.quoted if needs_quote(v) else None)
                widths[j] = max(widths[j], min(len(v), WIDEST))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                code = number_format(columns[j], units[i - 1], v)
                sheet.write(i, j, v, formats.number(code) if code else None)
                widths[j] = max(widths[j], len(_shown(v, code)))
            else:
                sheet.write(i, j, v)
                widths[j] = max(widths[j], len(str(v)))
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(width, WIDEST) + 2)


WIDEST = 60                   # characters: a column of long text (citations, notes) is no wider
USD_COLUMNS = frozenset({"deficit", "home_payoff", "partner_payoff", "home_gain", "partner_gain", "deficit_change",
                         "home_value", "partner_value", "home_per_unit", "partner_per_unit", "cost", "free", "fixed",
                         "dual_deficit_change_per_unit_bound_rises", "deficit_fall_per_unit_relaxed"})
ROW_UNIT_COLUMNS = frozenset({"value", "baseline", "no_deal", "deal", "lhs", "rhs", "slack_to_bound", "size", "delta"})
COUNT_UNITS = ("vehicles", "tonne", "aircraft", "jobs", "million vehicles")
USD, SHARE, WHOLE, DECIMAL = "#,##0", "0.0%", "#,##0", "#,##0.00"


def number_format(column: str, unit, v: float) -> str | None:
    """The number format of a cell: USD as #,##0, a fraction as a share (0.0%), a count of
    vehicles, tonnes or aircraft as #,##0 (each with two decimals below 100 when not whole);
    a column in USD by its name (USD_COLUMNS), a value column (ROW_UNIT_COLUMNS) in its row's
    unit; anything else as the spreadsheet shows it by default (None)."""
    if column in USD_COLUMNS:
        unit = "USD"
    elif column not in ROW_UNIT_COLUMNS or not isinstance(unit, str):
        return None
    whole = abs(v) >= 100 or abs(v - round(v)) < 1e-6
    if unit == "USD" or unit.startswith("USD/") or unit.startswith("USD per"):
        return USD if whole else DECIMAL
    if unit == "fraction":
        return SHARE
    if unit.startswith(COUNT_UNITS):
        return WHOLE if whole else DECIMAL
    return None


def _shown(v: float, code: str | None) -> str:
    """Roughly what a cell shows, for its column's width."""
    if code == SHARE:
        return f"{v:.1%}"
    if code == USD:
        return f"{v:,.0f}"
    if code == DECIMAL:
        return f"{v:,.2f}"
    return f"{v:.10g}"


class _Formats:
    """A workbook's cell formats, each made once."""

    def __init__(self, book):
        self.book = book
        self.quoted = book.add_format({"quote_prefix": True})
        self.header = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF3F7"})
        self.header_quoted = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEF3F7", "quote_prefix": True})
        self.numbers: dict[str, object] = {}

    def header_for(self, name: str):
        return self.header_quoted if needs_quote(name) else self.header

    def number(self, code: str):
        if code not in self.numbers:
            self.numbers[code] = self.book.add_format({"num_format": code})
        return self.numbers[code]


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
                       "frontier": "results.json ('frontier', 'points')",
                       "concession_values": "concession_values.csv", "over_time": "over_time.csv",
                       "over_time_sums": "over_time_sums.csv", "over_time_levers": "over_time_levers.csv",
                       "over_time_quotas": "over_time_quotas.csv",
                       "schedules": "results.json ('over_time', 'schedules')"}

# One key per column: each lever family's index split into the columns it names (`key_names`;
# a family that names none gets key_1, key_2, ...).
SENSE_WORDS = {"<=": "at most", ">=": "at least", "==": "equal to"}
# The sign conventions, in the column names themselves and in the workbook's "column notes" sheet.
DUAL = "dual_deficit_change_per_unit_bound_rises"
RELAXATION = "deficit_fall_per_unit_relaxed"
SLACK = "slack_to_bound"
NOTES = [
    ("levers", "line, channel, maker, segment, measure, good",
     "the lever's index, one key per column (a tariff line; a dealer network and a segment; a maker and a "
     "segment; an NTB measure; a good); empty where the lever has no such key"),
    ("levers", "value", "the lever's setting in its unit: the tariff actually paid (a fraction: 0.15 is 15%), 1/0 "
     "for a yes/no concession, or an amount a year"),
    ("constraints", "sense", "'at most' (lhs <= rhs), 'at least' (lhs >= rhs) or 'equal to'"),
    ("constraints", SLACK, "how far the left side is from the bound, in the constraint's unit: rhs - lhs for 'at "
     "most', lhs - rhs for 'at least'; 0 at the bound, negative when violated"),
    ("constraints", DUAL, "USD of deficit per unit the bound (rhs) rises, from the deal's linear program (tariff "
     "options and yes/no concessions held): negative when a higher bound lowers the deficit; empty when not "
     "computed"),
    ("constraints", RELAXATION, "USD the deficit falls per unit the constraint is relaxed (the bound raised for 'at "
     "most', lowered for 'at least'): positive means relaxing it helps; 0 when relaxing it alone does not; the "
     "report ranks constraints by its size"),
    ("constraints", "binding", "at its bound by the solver's evidence (a non-zero dual, or no slack)"),
    ("constraints", "shown_as_binding", "binding and a constraint of the negotiation (a red line, participation, a "
     "ceiling, a capacity), not the model's bookkeeping: what the report lists"),
    ("metrics", "baseline, no_deal, deal", "the metric in the calibration year, with no deal and with the deal, in "
     "its unit (USD a year, vehicles a year, a fraction)"),
]

OVER_TIME_NOTES = [
    ("over_time", "year, metric, no_deal, deal", "one row per year and metric (long form): the metric in that year, "
     "in each year's own units (USD of that year, not discounted); a party's gain over no deal is the metric "
     "'<party>_gain' (no_deal 0); sums are not in this sheet: they are in over_time_sums"),
    ("over_time_sums", "summed", "'present value': money, each year discounted to first_year at discount_rate (a "
     "fraction a year) and added; 'total': volumes, the years added undiscounted; rates and shares do not add up "
     "and have no row"),
    ("over_time_levers", "year, value", "each lever's setting in each year of the deal, in its unit"),
]


def split_index(name: str, index: str) -> dict[str, str]:
    """A lever's index as named key columns: ('commitment', 'toyota_dealers.suv') ->
    {channel: toyota_dealers, segment: suv}."""
    family = LEVER_FAMILIES.get(name)
    columns = family.key_names if family is not None else ()
    parts = index.split(".", len(columns) - 1) if columns else index.split(".")
    if not columns or len(parts) != len(columns):
        columns = tuple(f"key_{k + 1}" for k in range(len(parts)))
    return dict(zip(columns, parts))


def tidy_frames(r) -> dict[str, pd.DataFrame]:
    """Levers, metrics and constraints as tidy tables (the CSV files and the workbook's
    sheets): one key per column, senses in words, signs named in the columns."""
    frames = r.frames()
    levers = frames["levers"]
    if len(levers):
        keys = [split_index(n, i) for n, i in zip(levers["name"], levers["index"])]
        columns = []
        for k in keys:
            columns += [c for c in k if c not in columns]
        split = pd.DataFrame([{c: k.get(c, "") for c in columns} for k in keys], index=levers.index)
        rest = levers.drop(columns=["index"])
        levers = pd.concat([rest[["name", "party", "label"]], split, rest.drop(columns=["name", "party", "label"])],
                           axis=1)
    constraints = frames["constraints"]
    if len(constraints):
        constraints = constraints.assign(
            sense=constraints["sense"].map(lambda s: SENSE_WORDS.get(s, s)),
            shown_as_binding=[c.shown_as_binding for c in r.constraints]).rename(
            columns={"dual": DUAL, "relaxation_value": RELAXATION, "slack": SLACK})
    return {"levers": levers, "metrics": frames["metrics"], "constraints": constraints}


def reader_rows(r, frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The levers and constraints sheets of a large result (over READER_ROWS rows) cut to what
    a reader uses: the levers in the deal (an option chosen, an amount not zero) and the
    constraints of the negotiation (not the model's bookkeeping); with a note for each."""
    from model.results import BOOKKEEPING_KINDS
    out, notes = dict(frames), []
    if len(frames["levers"]) > READER_ROWS:
        keep = [lever.shown for lever in r.levers]
        out["levers"] = frames["levers"][keep]
        notes.append(f"levers: the {sum(keep):,} levers in the deal; the other {len(keep) - sum(keep):,} (at zero) "
                     "are in levers.csv")
    if len(frames["constraints"]) > READER_ROWS:
        keep = [c.kind not in BOOKKEEPING_KINDS for c in r.constraints]
        out["constraints"] = frames["constraints"][keep]
        notes.append(f"constraints: the {sum(keep):,} constraints of the negotiation; the other "
                     f"{len(keep) - sum(keep):,} (one option per line, bounds, fixed levers) are in constraints.csv")
    return out, notes


def results_sheets(r, frames: dict[str, pd.DataFrame] | None = None) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The workbook's sheets and the notes on what they leave out (see `reader_rows`);
    `frames`: `tidy_frames(r)` if already made."""
    frames, notes = reader_rows(r, frames if frames is not None else tidy_frames(r))
    sheets = {"levers": frames["levers"], "metrics": frames["metrics"], "constraints": frames["constraints"],
              "inputs": _records(r.inputs), "assumptions": _records(r.assumptions)}
    frontier = r.frontier
    if frontier and frontier.points:
        sheets["frontier"] = _records(frontier.points)
    values = r.concession_values
    if values and values.rows:
        sheets["concession_values"] = _records(values.rows)
    ot = r.over_time
    if ot is not None:                    # a deal over a horizon: long form, sums in a sheet of their own
        from model.reporting import over_time_section as ots
        sheets["over_time"] = ots.frame(ot)
        sheets["over_time_sums"] = ots.sums_frame(ot)
        if ot.levers:
            sheets["over_time_levers"] = ots.levers_frame(ot)
        if ot.schedules:
            sheets["schedules"] = ots.schedules_frame(ot)
        if ot.quotas:
            sheets["over_time_quotas"] = ots.quotas_frame(ot)
    sheets["column notes"] = pd.DataFrame(NOTES + (OVER_TIME_NOTES if ot is not None else []),
                                          columns=["sheet", "column", "meaning"])
    return sheets, notes


def _records(rows: list) -> pd.DataFrame:
    """A table of typed rows (dataclasses), one column per field, as results.json writes them."""
    return pd.DataFrame([rounded(row) for row in rows])
