"""results.xlsx (and comparison.xlsx): one sheet per table, exact values, for spreadsheet users."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)


def results_sheets(r) -> dict[str, pd.DataFrame]:
    frames = r.frames()
    sheets = {"levers": frames["levers"], "metrics": frames["metrics"], "constraints": frames["constraints"],
              "inputs": pd.DataFrame(r.inputs), "assumptions": pd.DataFrame(r.assumptions)}
    frontier = r.extras.get("frontier")
    if frontier and frontier.get("points"):
        sheets["frontier"] = pd.DataFrame(frontier["points"])
    return sheets
