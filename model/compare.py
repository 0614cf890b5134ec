"""Comparing instances: what differs in their inputs, and what it did to the deal.

Pure functions on resolved instance data and Results; rendering (markdown, csv, the
terminal table) is separate, so other formats can be added. Results are reused from a
cache when an instance's content hash and the model's code version both match.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .formatting import value as fmt
from .loader import load, resolve
from .results import Results

QUANTITY_KEYS = {"value", "unit", "source"}


@dataclass(frozen=True)
class InputDiff:
    """A field whose value differs between instances (None where an instance lacks it)."""

    path: str
    values: tuple            # one per instance, as written ('820,000 vehicles/year [a_segment_split]')


@dataclass(frozen=True)
class OutcomeRow:
    """One metric or lever across instances; deltas are against the first instance."""

    section: str             # 'metric' or 'lever'
    name: str
    label: str
    unit: str
    values: tuple
    deltas: tuple


def flatten(data, prefix: str = "") -> dict[str, object]:
    """Resolved instance data as {dotted path: leaf}; a quantity {value, unit, source} is one leaf."""
    if isinstance(data, dict):
        if set(data) == QUANTITY_KEYS:
            return {prefix: (data["value"], data["unit"], data["source"])}
        out = {}
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(data, list):
        return {prefix: tuple(flatten(v) if isinstance(v, dict) else v for v in data)}
    return {prefix: data}


def show(leaf) -> str:
    if leaf is None:
        return "(absent)"
    if isinstance(leaf, tuple) and len(leaf) == 3 and isinstance(leaf[0], (int, float)):
        return f"{leaf[0]:,.10g} {leaf[1]} [{leaf[2]}]"
    return str(leaf)


def input_diff(datasets: list[dict], ignore: tuple[str, ...] = ("name", "title", "question")) -> list[InputDiff]:
    """Every field that differs across the resolved instances, in a stable order."""
    flats = [flatten(d) for d in datasets]
    paths = sorted(set().union(*flats))
    out = []
    for p in paths:
        if p in ignore:
            continue
        leaves = [f.get(p) for f in flats]
        if any(leaf != leaves[0] for leaf in leaves[1:]):
            out.append(InputDiff(p, tuple(show(v) for v in leaves)))
    return out


def outcome_diff(results: list[Results]) -> list[OutcomeRow]:
    """Every metric (deal value) and every lever side by side, with deltas to the first."""
    rows = []
    for m in results[0].metrics:
        vals = tuple(_metric(r, m.name) for r in results)
        rows.append(OutcomeRow("metric", m.name, m.label, m.unit, vals, _deltas(vals)))
    levers: dict[tuple[str, str], tuple[str, str]] = {}
    for r in results:
        for lv in r.levers:
            levers.setdefault((lv.name, lv.index), (lv.label, lv.unit))
    for (name, index), (label, unit) in levers.items():
        vals = tuple(_lever(r, name, index) for r in results)
        rows.append(OutcomeRow("lever", f"{name}[{index}]", label, unit, vals, _deltas(vals)))
    return rows


def _metric(r: Results, name: str):
    row = next((m for m in r.metrics if m.name == name), None)
    return None if row is None else row.deal


def _lever(r: Results, name: str, index: str):
    lv = next((lv for lv in r.levers if lv.name == name and lv.index == index), None)
    return None if lv is None else lv.value


def _deltas(vals: tuple) -> tuple:
    first = vals[0]
    return tuple(None if v is None or first is None else v - first for v in vals)


def code_version() -> str:
    """A hash of the package's source: cached results are reused only by the same code."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:12]


def solve_cached(path: Path, cache_dir: Path, solve) -> tuple[Results, bool]:
    """Results for the instance at `path`, from the cache when its content and the code match."""
    inst = load(path)
    key = cache_dir / f"{inst.name}-{inst.content_hash}-{code_version()}.json"
    if key.exists():
        return Results.from_dict(json.loads(key.read_text())), True
    text = solve(inst).to_json()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = key.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(key)
    # Read back what was saved, so fresh and reused results carry the same (rounded) numbers.
    return Results.from_dict(json.loads(text)), False


@dataclass
class Comparison:
    names: list[str]
    files: list[str]
    statuses: list[str]
    inputs: list[InputDiff]
    outcomes: list[OutcomeRow]


def compare(paths: list[Path], cache_dir: Path, solve) -> tuple[Comparison, list[bool]]:
    """Solve (or reuse) each instance and diff inputs and outcomes."""
    solved = [solve_cached(p, cache_dir, solve) for p in paths]
    results = [r for r, _ in solved]
    datasets = [resolve(p)[0] for p in paths]
    comp = Comparison(names=[r.instance["name"] for r in results], files=[str(p) for p in paths],
                      statuses=[r.status for r in results], inputs=input_diff(datasets),
                      outcomes=outcome_diff(results))
    return comp, [hit for _, hit in solved]


# -- rendering -------------------------------------------------------------------------

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


def markdown(c: Comparison) -> str:
    from .report import table
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
    return "\n".join(lines) + "\n"


KEY_METRICS = ("deficit", "imports_value", "exports_value", "purchases_value", "home_payoff", "partner_payoff",
               "partner_production_loss")


def terminal_table(c: Comparison) -> str:
    """A compact table of the key metrics for the terminal."""
    width = max(12, *(len(n) for n in c.names))
    lines = [f"{'':<26}" + "".join(f"{n:>{width + 2}}" for n in c.names),
             f"{'status':<26}" + "".join(f"{s:>{width + 2}}" for s in c.statuses)]
    for o in c.outcomes:
        if o.section == "metric" and o.name in KEY_METRICS:
            lines.append(f"{o.name:<26}" + "".join(f"{fmt(v, o.unit):>{width + 2}}" for v in o.values))
    lines.append(f"{len(c.inputs)} input fields differ; "
                 f"{sum(1 for o in c.outcomes if o.section == 'lever' and len(set(o.values)) > 1)} levers differ")
    return "\n".join(lines)


def html(c: Comparison) -> str:
    """The comparison as a self-contained page (same look as report.html)."""
    from .html_report import html_table, page
    sections = [("", "<p>Instances: " + "; ".join(f"<b>{n}</b> ({f}, {s})" for n, f, s in
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
    return page(f"Comparison: {', '.join(c.names)}", sections)


def sheets(c: Comparison) -> dict:
    import pandas as pd
    rows = to_rows(c)
    return {"inputs": pd.DataFrame([r for r in rows if r["section"] == "input"]),
            "outcomes": pd.DataFrame([r for r in rows if r["section"] != "input"])}
