"""The report section on what each concession is worth, from `Results.concession_values`."""
from __future__ import annotations

import pandas as pd

from model.formatting import money
from model.reporting.markdown_table import table
from model.results import ConcessionValue, ConcessionValues, rounded

CHART = "concession_values.svg"
CSV = "concession_values.csv"
STANDOUT_TRADES = ("integrative", "win-win")


def values_of(r) -> ConcessionValues | None:
    return getattr(r, "concession_values", None)


def priced_rows(r) -> list[ConcessionValue]:
    v = values_of(r)
    return [row for row in (v.rows if v else []) if row.status == "ok"]


def frame(r) -> pd.DataFrame:
    """Every lever's row, for concession_values.csv and results.xlsx."""
    v = values_of(r)
    return pd.DataFrame([rounded(row) for row in (v.rows if v else [])])


def _per_unit(row: ConcessionValue, key: str) -> str:
    v = getattr(row, key)
    if v is None:
        return ""
    unit = row.unit.rstrip("s") if row.unit == "vehicles" else row.unit
    return f"{money(v, signed=True)} per {unit}"


def _giver(r, row) -> str:
    return r.instance.parties[row.party]


def table_rows(r) -> list[list[str]]:
    rows = []
    v = values_of(r)
    for row in (v.rows if v else []):
        if row.status != "ok":
            rows.append([row.label, _giver(r, row), row.note or row.status, "", "", "", ""])
            continue
        per_unit = " / ".join(x for x in (_per_unit(row, "home_per_unit"), _per_unit(row, "partner_per_unit")) if x)
        rows.append([row.label, _giver(r, row), row.step, money(row.deficit_change, signed=True),
                     money(row.home_value, signed=True), money(row.partner_value, signed=True),
                     row.trade + (f" ({per_unit})" if per_unit else "")])
    return rows


def standouts(r) -> list[str]:
    """Sentences for the concessions that are cheap for one side and valuable to the other."""
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    out = []
    rows = [row for row in priced_rows(r) if row.trade in STANDOUT_TRADES]
    def both(row: ConcessionValue) -> tuple[float, float]:
        """A priced row's values to each side (a priced row has both)."""
        return row.home_value or 0.0, row.partner_value or 0.0

    rows.sort(key=lambda row: -abs(both(row)[0] - both(row)[1]) if row.trade == "integrative" else -sum(both(row)))
    for row in rows:
        giver = home if row.party == "home" else partner
        out.append(f"**{row.label}** ({giver} gives; {row.step}): {home} {money(row.home_value, True)}, "
                   f"{partner} {money(row.partner_value, True)}: {row.trade}.")
    return out


def concession_section(r) -> str:
    """Markdown for `Results.concession_values` (empty when there is none)."""
    v = values_of(r)
    if not v:
        return ""
    lines = ["## What each concession is worth to each side"]
    if v.skipped:
        return "\n\n".join(lines + [f"Not computed in this run: {v.skipped}."])
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    lines.append(f"{v.method} Values are each side's payoff with the step made minus without it, in USD a year; "
                 f"a negative value is a cost. Rule: {v.rule}.")
    stand = standouts(r)
    if stand:
        lines.append("Integrative trades (the side receiving gains at least twice what the giver loses) and win-win "
                     "steps, largest first:\n\n" + "\n".join(f"- {s}" for s in stand))
    lines.append(f"![concession values]({CHART})")
    lines.append(table(["lever", "given by", "step priced", "deficit change", f"value to {home}",
                        f"value to {partner}", "reading (per unit)"], table_rows(r)))
    return "\n\n".join(lines)


def concession_html(r, esc, html_table, inline_svg, paragraphs) -> tuple[str, str] | None:
    """(heading, html) for report.html, or None."""
    v = values_of(r)
    if not v:
        return None
    if v.skipped:
        return ("What each concession is worth", f"<p class=note>Not computed in this run: {esc(v.skipped)}.</p>")
    from model.reporting.charts import concession_chart
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    body = (f"<p class=note>{esc(v.method)} Rule: {esc(v.rule)}.</p>"
            + inline_svg(concession_chart(v.rows, r.instance.parties), "concession_values")
            + paragraphs("\n".join(f"- {s}" for s in standouts(r)))
            + html_table(["lever", "given by", "step priced", "deficit change", f"value to {home}",
                          f"value to {partner}", "reading (per unit)"], table_rows(r), {3, 4, 5}))
    return "What each concession is worth to each side", body
