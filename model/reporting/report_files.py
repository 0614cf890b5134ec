"""The files of a report directory (results.json, CSV tables, one SVG file per chart,
report.md and .html, results.xlsx, timings.json; brief.html for `run`; concession_values.csv when the run priced
them), written together and atomically.

results.json and the CSV tables hold every row; report.md and report.html are for reading,
so on a large instance they show at most READER_ROWS levers per family (the deepest tariff
cuts, the largest amounts) and the READER_ROWS most valuable binding constraints, and say
where the full tables are."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from model.reporting import concession_section
from model.reporting.brief import brief_html
from model.reporting.charts import report_charts
from model.reporting.html import report_html
from model.reporting.markdown import report_markdown
from model.reporting.report_directory import text_writer, write_directory
from model.reporting.spreadsheet import RESULTS_FULL_TABLES, csv_writer, results_sheets, tidy_frames, write_xlsx

READER_ROWS = 100          # rows per lever family, and binding constraints, in report.md and report.html


def write_report(results, out: Path, extra_files: dict | None = None, command: str = "run") -> Path:
    """results.json, the CSV tables, the charts (`charts.report_charts`: `<name>.svg`, linked
    from report.md and inlined in report.html), report.md, report.html, results.xlsx and
    timings.json (and `extra_files`: name -> writer(path)), written atomically."""
    frames = tidy_frames(results)
    files = {"results.json": text_writer(results.to_json())}
    for name, frame in frames.items():
        files[f"{name}.csv"] = csv_writer(frame)
    reader, note = reader_view(results)
    charts = report_charts(reader)
    for name, svg in charts.items():
        files[f"{name}.svg"] = text_writer(svg)
    markdown = report_markdown(reader)
    html = report_html(reader, charts)
    if note:
        markdown = markdown.rstrip("\n") + f"\n\n## Full tables\n\n{note}\n"
        html = html.replace("</body>", f"<section><h2>Full tables</h2><p>{note}</p></section></body>", 1)
    files["report.md"] = text_writer(markdown)
    files["report.html"] = text_writer(html)
    if command == "run":
        files["brief.html"] = text_writer(brief_html(reader))
    files["results.xlsx"] = lambda path: _write_workbook(results, frames, path)
    files["timings.json"] = text_writer(json.dumps({k: round(v, 6) for k, v in results.timings.items()}, indent=2) + "\n")
    if concession_section.priced_rows(results):           # its chart is among report_charts
        files[concession_section.CSV] = csv_writer(concession_section.frame(results))
    if results.over_time is not None:                     # a deal over a horizon: each year, in long form
        files.update(over_time_files(results.over_time))
    files.update(extra_files or {})
    return write_directory(out, files, command=command)


def over_time_files(ot) -> dict:
    """over_time.csv (each year and metric), over_time_sums.csv (present values and totals),
    over_time_levers.csv (each lever in each year) and over_time_quotas.csv (each year's quotas and
    restraints, when the deal has any), for a deal over a horizon."""
    from model.reporting import over_time_section as ots
    files = {ots.CSV: csv_writer(ots.frame(ot)), ots.SUMS_CSV: csv_writer(ots.sums_frame(ot)),
             ots.LEVERS_CSV: csv_writer(ots.levers_frame(ot))}
    if ot.quotas:
        files[ots.QUOTAS_CSV] = csv_writer(ots.quotas_frame(ot))
    return files


def reader_view(results, rows: int = READER_ROWS):
    """(results cut for reading, a sentence saying what was cut and where all of it is; '' when nothing was)."""
    families: dict[str, list] = {}
    for lv in results.levers:
        families.setdefault(lv.name, []).append(lv)
    cut_levers, levers = [], []
    for name, family in families.items():
        shown = [lv for lv in family if lv.shown]
        if len(family) <= rows:
            levers += family
            continue
        if len(shown) > rows:
            # The deepest tariff cuts (lowest duty) first; amounts largest first.
            order = sorted(range(len(shown)), key=lambda i: shown[i].value if shown[i].choice is not None
                           else -abs(shown[i].value))
            keep = set(order[:rows])
            cut_levers.append(f"{len(shown):,} {name.replace('_', ' ')} levers")
            shown = [lv for i, lv in enumerate(shown) if i in keep]
        levers += shown
    binding = sorted((c for c in results.constraints if c.shown_as_binding), key=lambda c: -c.worth)
    constraints = results.constraints
    cut_binding = len(binding) > rows
    if cut_binding:
        keep = {id(c) for c in binding[:rows]}
        constraints = [c for c in results.constraints if not c.shown_as_binding or id(c) in keep]
    if not cut_levers and not cut_binding and len(levers) == len(results.levers):
        return results, ""
    parts = []
    if cut_levers:
        parts.append(f"of the {', '.join(cut_levers)}, the {rows} with the deepest tariff cuts or largest amounts "
                     "are listed")
    if len(levers) < len(results.levers) and not cut_levers:
        parts.append("levers left at zero are not listed")
    if cut_binding:
        parts.append(f"of the {len(binding):,} binding constraints, the {rows} most valuable to relax are listed")
    note = ("This report is cut for reading: " + "; ".join(parts) + ". Every lever and constraint is in levers.csv, "
            "constraints.csv and results.json.")
    return replace(results, levers=levers, constraints=constraints), note


def _write_workbook(results, frames, path) -> None:
    sheets, notes = results_sheets(results, frames)
    write_xlsx(path, sheets, RESULTS_FULL_TABLES, tuple(notes))
