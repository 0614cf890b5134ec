"""A comparison of instances as people read it: markdown, html, the terminal table, the
long csv table and the spreadsheet sheets."""
from __future__ import annotations

import pandas as pd

from model.analyses.compare import Comparison
from model.formatting import count
from model.formatting import value as fmt
from model.reporting.html import esc, html_table, page
from model.reporting.markdown_table import table


def to_rows(c: Comparison) -> list[dict]:
    """The comparison as one long table (comparison.csv)."""
    rows = []
    for d in c.inputs:
        for name, v in zip(c.names, d.values):
            rows.append({"section": "input", "item": d.path, "label": "", "unit": "", "instance": name,
                         "value": v, "delta": ""})
    for o in c.outcomes:
        for name, v, dv in zip(c.names, o.values, o.deltas):
            rows.append({"section": o.section, "item": o.name, "label": o.label, "unit": o.unit, "instance": name,
                         "value": v, "delta": dv})
    return rows


def diversion_rows(c: Comparison) -> list[list[str]]:
    """Trade creation and diversion, deal against no deal, one column per instance ('n/a'
    where an instance has no third countries or no deal); [] if none has them."""
    if not any(c.diversion):
        return []

    def cells(get):
        return [get(d) if d else "n/a" for d in c.diversion]
    countries: dict[str, str] = {}
    for d in c.diversion:
        for x in (d or {}).get("countries", []):
            countries.setdefault(x["country"], x["label"])
    rows = [["partner imports, units", *cells(lambda d: count(d["partner"]["units"], "", True).strip())],
            ["partner imports, USD", *cells(lambda d: fmt(d["partner"]["value"], "USD", signed=True))],
            ["trade creation, USD", *cells(lambda d: fmt(d["creation"]["value"], "USD", signed=True))],
            ["trade diversion, USD", *cells(lambda d: fmt(d["diversion"]["value"], "USD", signed=True))],
            ["diverted share (value)",
             *cells(lambda d: "n/a" if d["diverted_share"]["value"] is None else f"{d['diverted_share']['value']:.1%}")]]
    for key, label in countries.items():
        rows.append([f"{label} imports, units", *cells(lambda d, k=key: next(
            (count(x["units"], "", True).strip() for x in d["countries"] if x["country"] == k), "n/a"))])
    rows += [[f"{name.replace('_', ' ')}, change", *cells(lambda d, n=name: fmt(d["balances"][n], "USD", signed=True))]
             for name in ("deficit", "third_countries_deficit", "overall_deficit")]
    return rows


DIVERSION_NOTE = ("Deal against no deal in each instance: the change in imports from the partner is trade creation "
                  "(the change in total imports) plus trade diversion (imports taken from, or handed to, the third "
                  "countries).")


def markdown(c: Comparison) -> str:
    head = ["", *c.names]
    lines = [f"# Comparison: {', '.join(c.names)}", "",
             "Instances: " + "; ".join(f"`{n}` ({f}, {s})" for n, f, s in zip(c.names, c.files, c.statuses)),
             "", "Deltas are against the first instance.", "", "## What changed in the inputs", ""]
    if c.inputs:
        lines.append(table(["input", *c.names], [[f"`{d.path}`", *d.values] for d in c.inputs]))
    else:
        lines.append("The inputs are identical.")
    lines += ["", "## What it did to the deal", ""]
    changed = [o for o in c.outcomes if any(d not in (None, 0) and abs(d) > 1e-6 * max(1, abs(v or 0))
                                            for d, v in zip(o.deltas, o.values))]
    if changed:
        rows = []
        for o in changed:
            cells = [fmt(v, o.unit) if i == 0 else f"{fmt(v, o.unit)} ({fmt(d, o.unit, signed=True)})"
                     for i, (v, d) in enumerate(zip(o.values, o.deltas))]
            rows.append([o.label if o.section == "metric" else f"lever: {o.label}", *cells])
        lines.append(table(head, rows))
    else:
        lines.append("Every metric and lever is the same.")
    rows = diversion_rows(c)
    if rows:
        lines += ["", "## Trade creation and diversion, side by side", "", DIVERSION_NOTE, "", table(head, rows)]
    return "\n".join(lines) + "\n"


KEY_METRICS = ("deficit", "imports_value", "exports_value", "purchases_value", "home_payoff", "partner_payoff",
               "partner_production_loss", "overall_deficit")


def terminal_table(c: Comparison) -> str:
    """A compact table of the key metrics for the terminal."""
    width = max(12, *(len(n) for n in c.names))
    lines = [f"{'':<26}" + "".join(f"{n:>{width + 2}}" for n in c.names),
             f"{'status':<26}" + "".join(f"{s:>{width + 2}}" for s in c.statuses)]
    for o in c.outcomes:
        if o.section == "metric" and o.name in KEY_METRICS:
            lines.append(f"{o.name:<26}" + "".join(f"{fmt(v, o.unit):>{width + 2}}" for v in o.values))
    for row in diversion_rows(c)[:5]:
        lines.append(f"{row[0][:25]:<26}" + "".join(f"{v:>{width + 2}}" for v in row[1:]))
    lines.append(f"{len(c.inputs)} input fields differ; "
                 f"{sum(1 for o in c.outcomes if o.section == 'lever' and len(set(o.values)) > 1)} levers differ")
    return "\n".join(lines)


def html(c: Comparison) -> str:
    """The comparison as a self-contained page (same look as report.html)."""
    sections = [("", "<p>Instances: " + "; ".join(f"<b>{esc(n)}</b> ({esc(f)}, {esc(s)})" for n, f, s in
                                                  zip(c.names, c.files, c.statuses)) +
                 ". Deltas are against the first instance.</p>")]
    sections.append(("What changed in the inputs",
                     html_table(["input", *c.names], [[d.path, *d.values] for d in c.inputs])
                     if c.inputs else "<p>The inputs are identical.</p>"))
    rows = []
    for o in c.outcomes:
        if any(d not in (None, 0) and abs(d) > 1e-6 * max(1, abs(v or 0)) for d, v in zip(o.deltas, o.values)):
            rows.append([o.label if o.section == "metric" else f"lever: {o.label}",
                         *[fmt(v, o.unit) if i == 0 else f"{fmt(v, o.unit)} ({fmt(d, o.unit, signed=True)})"
                           for i, (v, d) in enumerate(zip(o.values, o.deltas))]])
    sections.append(("What it did to the deal", html_table(["", *c.names], rows, set(range(1, len(c.names) + 1)))
                     if rows else "<p>Every metric and lever is the same.</p>"))
    rows = diversion_rows(c)
    if rows:
        sections.append(("Trade creation and diversion, side by side", f"<p>{esc(DIVERSION_NOTE)}</p>"
                         + html_table(["", *c.names], rows, set(range(1, len(c.names) + 1)))))
    return page(f"Comparison: {', '.join(c.names)}", sections)


def sheets(c: Comparison) -> dict:
    rows = to_rows(c)
    return {"inputs": pd.DataFrame([r for r in rows if r["section"] == "input"]),
            "outcomes": pd.DataFrame([r for r in rows if r["section"] != "input"])}
