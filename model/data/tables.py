"""CSV tables beside an instance file: large tables without a large YAML file.

An instance file may list CSV tables under the top-level key `tables:`. Each row is put
into the instance as if it had been written in the YAML file, before validation, so a
table row is checked exactly like YAML (units, sources, references, ranges):

    tables:
      - csv: segments.csv                 # relative to this YAML file
        path: segments.{name}             # where each row goes; {column} is the row's cell
        columns:                          # unit and source of each number column, once
          imports: {unit: vehicles/year, source: a_segment_split}
          elasticity: {unit: "1", source: a_elasticity}
      - csv: channel_segments.csv         # long format: channel,segment,unit_value
        path: channels.{channel}.unit_value.{segment}
        value: unit_value                 # the row is this one cell, not a mapping
        columns: {unit_value: {unit: USD/vehicle, source: a_channel_value}}
      - csv: maker_segments.csv           # maker,segment
        path: makers.{maker}.segments[]   # '[]' appends each row's value to a list
        value: segment

Limits: each CSV file at most MAX_CSV_BYTES (50 MB), and all tables of an instance (its
`extends` chain included) at most MAX_TABLE_CELLS (1.2 million) cells. Memory grows with
the cells: about 0.8 KB a cell to read and validate, and about 6 KB a cell to build and
solve the model (the generated 10^6-variable instance has 1.0 million cells: 0.9 GB to
validate, 5.7 GB to solve). Problems are reported up to MAX_ERRORS at a time.

Rules. The first line of a CSV is its header. Columns named in `path` place the row; the
others become the row's fields (or, with `value:`, the row is that one cell). A column
listed under `columns:` holds numbers, each read as `{value, unit, source}` with the
column's unit and source; other columns are text. An empty cell leaves the field out.
A row may not land where the YAML file or another row already put something. Tables are
read per file, before `extends` is applied, so a file that extends another can override
single rows in YAML. Errors name the CSV file, its line, the row's path and the column.
"""
from __future__ import annotations

import csv
import os
import re
import stat
from pathlib import Path

from model.data.yaml_io import Located
from model.errors import InstanceError, InstanceErrors
from model.text import clip, quoted

MAX_CSV_BYTES = 50_000_000       # per CSV file
MAX_TABLE_CELLS = 1_200_000      # in all the tables of one instance (see the module docstring)
MAX_ERRORS = 50
_PLACEHOLDER = re.compile(r"^\{([^{}]+)\}$")


def expand_tables(raw: Located, yaml_path: Path, root: Path, budget: dict | None = None) -> Located:
    """`raw` with the rows of each table under `tables:` put in place, and `tables` removed.
    `budget` counts cells across the files of one instance (see MAX_TABLE_CELLS)."""
    budget = {"cells": 0} if budget is None else budget
    specs = raw.get("tables")
    if specs is None:
        return raw
    file = str(yaml_path)
    if not isinstance(specs, list):
        raise InstanceError(file, "tables", "must be a list of tables ('- csv: FILE ...')", line=raw.lines.get("tables"))
    errors: list[InstanceError] = []
    for i, spec in enumerate(specs):
        where = f"tables[{i}]"
        line = getattr(spec, "line", None) or raw.lines.get("tables")
        try:
            table = _TableSpec.parse(spec, file, where, line, yaml_path, root)
            table.read_into(raw, errors, budget)
        except InstanceError as exc:
            errors.append(exc)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        if len(errors) >= MAX_ERRORS:
            errors = errors[:MAX_ERRORS] + [InstanceError(file, "tables", f"stopped after {MAX_ERRORS} problems")]
        raise InstanceErrors(errors)
    del raw["tables"]
    return raw


class _TableSpec:
    """One entry of `tables:`, checked."""

    def __init__(self, csv_path: Path, parts: list[tuple[str, str]], append: bool, value: str | None,
                 columns: dict[str, tuple[str, str]], where: str):
        self.csv_path, self.parts, self.append, self.value = csv_path, parts, append, value
        self.columns, self.where = columns, where

    @classmethod
    def parse(cls, spec, file: str, where: str, line, yaml_path: Path, root: Path) -> _TableSpec:
        def fail(field: str, message: str, hint: str | None = None):
            lines = getattr(spec, "lines", {}) or {}
            return InstanceError(file, f"{where}.{field}" if field else where, message,
                                 line=lines.get(field, line), hint=hint)
        if not isinstance(spec, dict):
            raise fail("", "a table is a mapping with 'csv:' and 'path:'")
        unknown = set(spec) - {"csv", "path", "value", "columns"}
        if unknown:
            raise fail(sorted(unknown)[0], "unknown field of a table", hint="a table has csv, path, value, columns")
        for key in ("csv", "path"):
            if not isinstance(spec.get(key), str) or not spec.get(key):
                raise fail(key, f"'{key}' is required and must be text")
        csv_path = (yaml_path.parent / spec["csv"]).resolve()
        if not csv_path.is_relative_to(root):
            raise fail("csv", f"'{spec['csv']}' is outside the instances tree ({root})",
                       hint="keep CSV tables beside the instance file")
        if not csv_path.exists():
            raise fail("csv", f"'{spec['csv']}' does not exist")
        if not csv_path.is_file():
            raise fail("csv", f"'{spec['csv']}' is not a regular file (a folder, device or FIFO)")
        if csv_path.stat().st_size > MAX_CSV_BYTES:
            raise fail("csv", f"'{spec['csv']}' is {csv_path.stat().st_size:,} bytes; a CSV table is limited to "
                       f"{MAX_CSV_BYTES:,} bytes", hint="split it, or generate a smaller instance")
        template = spec["path"]
        append = template.endswith("[]")
        parts = []
        for part in (template[:-2] if append else template).split("."):
            m = _PLACEHOLDER.match(part)
            if m:
                parts.append(("column", m.group(1)))
            elif part and "{" not in part and "}" not in part and "[" not in part:
                parts.append(("literal", part))
            else:
                raise fail("path", f"'{template}' is not a path like 'segments.{{name}}'",
                           hint="dot-separated names; {column} takes the row's cell; '[]' at the end appends")
        if not any(kind == "column" for kind, _ in parts) and not append:
            raise fail("path", "the path must use at least one {column} so that rows land in different places")
        value = spec.get("value")
        if value is not None and not isinstance(value, str):
            raise fail("value", "must be a column name")
        if append and value is None:
            raise fail("value", "a path ending in '[]' needs 'value:', the column appended")
        columns = {}
        for col, cs in (spec.get("columns") or {}).items():
            if not (isinstance(cs, dict) and isinstance(cs.get("unit"), str) and isinstance(cs.get("source"), str)
                    and set(cs) == {"unit", "source"}):
                raise fail("columns", f"column '{col}' needs exactly {{unit: ..., source: ...}}")
            columns[str(col)] = (cs["unit"], cs["source"])
        return cls(csv_path, parts, append, value, columns, where)

    def read_into(self, raw: Located, errors: list[InstanceError], budget: dict) -> None:
        name = str(self.csv_path)
        with open(self.csv_path, newline="", encoding="utf-8-sig", opener=_no_wait) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InstanceError(name, self.where, "not a regular file (a folder, device or FIFO)")
            reader = csv.reader(fh)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise InstanceError(name, self.where, "the CSV file is empty (no header line)") from None
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InstanceError(name, self.where, f"cannot read the CSV file ({exc})") from None
            placing = [c for kind, c in self.parts if kind == "column"]
            needed = placing + ([self.value] if self.value else []) + list(self.columns)
            for col in needed:
                if col not in header:
                    raise InstanceError(name, self.where, f"no column '{col}' in the header",
                                        line=1, hint=f"the header has: {clip(', '.join(header), 500)}")
            if len(set(header)) != len(header):
                dup = next(h for h in header if header.count(h) > 1)
                raise InstanceError(name, self.where, f"column '{dup}' appears twice in the header", line=1)
            index = {h: i for i, h in enumerate(header)}
            fields = [h for h in header if h not in placing] if self.value is None else [self.value]
            try:
                for row in reader:
                    line = reader.line_num
                    budget["cells"] += len(row)
                    if budget["cells"] > MAX_TABLE_CELLS:
                        raise InstanceError(name, self.where, f"the CSV tables of this instance hold more than "
                                            f"{MAX_TABLE_CELLS:,} cells, the limit (solving takes about 6 KB of memory "
                                            "a cell: some 7 GB at the limit)", line=line,
                                            hint="split the negotiation into smaller instances, or aggregate rows")
                    if not row or all(not c.strip() for c in row):
                        continue
                    if len(row) != len(header):
                        errors.append(InstanceError(name, self.where, f"the row has {len(row)} cells, the header "
                                                    f"{len(header)}", line=line))
                    else:
                        self._place(raw, row, index, fields, line, errors)
                    if len(errors) >= MAX_ERRORS:
                        return
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InstanceError(name, self.where, f"cannot read the CSV file ({exc})", line=reader.line_num) from None

    def _place(self, raw: Located, row: list[str], index: dict[str, int], fields: list[str], line: int,
               errors: list[InstanceError]) -> None:
        name = str(self.csv_path)
        keys = []
        for kind, part in self.parts:
            key = part if kind == "literal" else row[index[part]].strip()
            if not key:
                errors.append(InstanceError(name, self.where, f"column '{part}': empty, but the row's place "
                                            "depends on it", line=line))
                return
            keys.append(key)
        dotted = ".".join(keys)
        cells: dict[str, object] = {}      # column -> a quantity {value, unit, source}, or text
        for col in fields:
            text = row[index[col]].strip()
            if not text:
                continue
            if col in self.columns:
                try:
                    number = float(text)
                except ValueError:
                    errors.append(InstanceError(name, f"{dotted}.{col}" if self.value is None else dotted,
                                                f"column '{col}': {quoted(text)} is not a number", line=line))
                    continue
                unit, source = self.columns[col]
                cells[col] = {"value": int(number) if number.is_integer() and "." not in text and "e" not in text.lower()
                              else number, "unit": unit, "source": source}
            else:
                cells[col] = text
        if self.value is not None:
            if self.value not in cells:
                errors.append(InstanceError(name, dotted, f"column '{self.value}': empty", line=line))
                return
            leaf: object = cells[self.value]
        else:
            leaf = cells
        parent: dict = raw
        for depth, key in enumerate(keys[:-1]):
            child = parent.get(key)
            if child is None:
                child = Located()
                child.lines, child.line = {}, line
                child.files = {}
                parent[key] = child
                _note(parent, key, name, line)
            elif not isinstance(child, dict):
                errors.append(InstanceError(name, ".".join(keys[:depth + 1]), "the row would replace a value "
                                            "that is not a mapping", line=line))
                return
            parent = child
        last = keys[-1]
        if self.append:
            existing = parent.get(last)
            if existing is None:
                parent[last] = existing = []
                _note(parent, last, name, line)
            elif not isinstance(existing, list):
                errors.append(InstanceError(name, dotted, "the row appends to a value that is not a list", line=line))
                return
            existing.append(leaf)
            return
        if last in parent:
            files = getattr(parent, "files", None) or {}
            first = files.get(last, "the YAML file")
            at = (parent.lines or {}).get(last) if isinstance(parent, Located) else None
            errors.append(InstanceError(name, dotted, f"already given in {first}" + (f" (line {at})" if at else ""),
                                        line=line, hint="each entry is given once: in YAML or in one CSV row"))
            return
        parent[last] = leaf
        _note(parent, last, name, line)


def _no_wait(path, flags: int) -> int:
    """Open without blocking: a FIFO named as a table is refused, not waited on."""
    return os.open(path, flags | os.O_NONBLOCK)


def _note(container, key: str, file: str, line: int) -> None:
    """Remember that `container[key]` came from line `line` of CSV `file` (for error locations)."""
    if isinstance(container, Located):
        if not hasattr(container, "lines") or container.lines is None:
            container.lines = {}
        container.lines[key] = line
        if "files" not in container.__dict__:
            container.files = {}
        container.files[key] = file
