"""Comparing instances: what differs in their inputs, and what it did to the deal.

Pure functions on resolved instance data and Results; rendering (markdown, csv, the
terminal table) is separate, so other formats can be added. Results are reused from a
cache when an instance's content hash and the model's code version both match.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from model.data.loader import load, resolve
from model.results import Results
from model.source import code_version

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
