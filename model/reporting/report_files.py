"""The files of a report directory (results.json, CSV tables, one SVG file per chart,
report.md and .html, results.xlsx, timings.json; concession_values.csv and .svg when the
run priced them), written together and atomically."""
from __future__ import annotations

import json
from pathlib import Path

from model.reporting import concession_section
from model.reporting.charts import report_charts
from model.reporting.html import report_html
from model.reporting.markdown import report_markdown
from model.reporting.report_directory import text_writer, write_directory
from model.reporting.spreadsheet import RESULTS_FULL_TABLES, csv_writer, results_sheets, tidy_frames, write_xlsx


def write_report(results, out: Path, extra_files: dict | None = None, command: str = "run") -> Path:
    """results.json, the CSV tables, the charts (`charts.report_charts`: `<name>.svg`, linked
    from report.md and inlined in report.html), report.md, report.html, results.xlsx and
    timings.json (and `extra_files`: name -> writer(path)), written atomically."""
    frames = tidy_frames(results)
    files = {"results.json": text_writer(results.to_json())}
    for name, frame in frames.items():
        files[f"{name}.csv"] = csv_writer(frame)
    charts = report_charts(results)
    for name, svg in charts.items():
        files[f"{name}.svg"] = text_writer(svg)
    files["report.md"] = text_writer(report_markdown(results))
    files["report.html"] = text_writer(report_html(results, charts))
    files["results.xlsx"] = lambda path: write_xlsx(path, results_sheets(results), RESULTS_FULL_TABLES)
    files["timings.json"] = text_writer(json.dumps({k: round(v, 6) for k, v in results.timings.items()}, indent=2) + "\n")
    if concession_section.priced_rows(results):           # its chart is among report_charts
        files[concession_section.CSV] = csv_writer(concession_section.frame(results))
    files.update(extra_files or {})
    return write_directory(out, files, command=command)
