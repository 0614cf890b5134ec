"""Comparing instances: what differs in their inputs, and what it did to the deal.

Pure functions on resolved instance data and Results; rendering (markdown, csv, the
terminal table) is separate, so other formats can be added. Results are reused from a
cache when an instance's content hash and the model's code version both match.

The cache is checked, not trusted. Each entry is one JSON file named after the instance,
its content hash and the code version, holding those two hashes again, the results (as
the exact text of results.json) and the SHA-256 of that text. An entry is used only when
it reads as JSON, has this format, names this instance's content hash and this code
version, and its checksum matches its results; anything else (truncated, empty, edited,
copied from another instance, written by older code) is ignored, said so, and the
instance solved again (and the entry rewritten). It is read with the guards of an
instance file: something other than a regular file in its place (a FIFO, a link to
/dev/zero) or an entry over MAX_CACHE_BYTES is ignored without being read. The checksum finds accidents and hand
edits; it is not a signature against someone who recomputes it. When the cache cannot
be written (a read-only folder), results are simply not saved, with a note.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from model.data.loader import resolve
from model.data.yaml_io import read_regular_file
from model.economics.loading import load
from model.errors import InstanceError
from model.results import Diversion, OverTime, Results
from model.source import code_version

QUANTITY_KEYS = {"value", "unit", "source"}


@dataclass(frozen=True)
class InputDiff:
    """A field whose value differs between instances (None where an instance lacks it)."""

    path: str
    values: tuple            # one per instance, as written ('820,000 vehicles/year [a_segment_split]')
    leaves: tuple = ()       # one per instance, as read: (value, unit, source) for a number, else the value


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
            out.append(InputDiff(p, tuple(show(v) for v in leaves), tuple(leaves)))
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


CACHE_FORMAT = 1
MAX_CACHE_BYTES = 1_000_000_000     # one entry; the results of the largest instance the size caps allow fit


@dataclass(frozen=True)
class CacheUse:
    """How one instance's results were had: `reused` from the cache or solved; `note` says
    why a saved entry was ignored or why the results could not be saved."""

    reused: bool
    note: str | None = None


class _Unusable(Exception):
    """A cache entry that must not be used; the message says why."""


def solve_cached(path: Path, cache_dir: Path, solve) -> tuple[Results, CacheUse]:
    """Results for the instance at `path`: from a checked cache entry, or solved (and saved)."""
    inst = load(path)
    code = code_version()
    key = cache_dir / f"{inst.name}-{inst.content_hash}-{code}.json"
    notes = []
    try:
        present = key.exists()
    except OSError as exc:
        present = False
        notes.append(f"cannot look in the cache {cache_dir} ({exc.strerror})")
    if present:
        try:
            return read_entry(key, inst.content_hash, code), CacheUse(True)
        except _Unusable as exc:
            notes.append(f"ignored the saved results for {inst.name} ({exc}): solved again")
    text = solve(inst).to_json()
    try:
        write_entry(key, text, inst.content_hash, code)
    except OSError as exc:
        notes.append(f"could not save the results for {inst.name} in {cache_dir} ({exc.strerror or exc}): "
                     "they are not cached")
    # Read back what was saved, so fresh and reused results carry the same (rounded) numbers.
    return Results.from_dict(json.loads(text)), CacheUse(False, "; ".join(notes) or None)


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_entry(key: Path, results_text: str, content_hash: str, code: str) -> None:
    """Save one entry atomically (a unique temporary file renamed over the entry)."""
    entry = {"format": CACHE_FORMAT, "content_hash": content_hash, "code_version": code,
             "sha256": _checksum(results_text), "results": results_text}
    key.parent.mkdir(parents=True, exist_ok=True)
    tmp = key.with_name(f".{key.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(entry) + "\n", encoding="utf-8")
        tmp.replace(key)
    finally:
        tmp.unlink(missing_ok=True)


def read_entry(key: Path, content_hash: str, code: str) -> Results:
    """The results in entry `key`, if it is whole and is for this instance and code; else _Unusable."""
    try:     # with an instance file's guards: a FIFO is not waited on, /dev/zero not read, size capped
        raw = read_regular_file(key, MAX_CACHE_BYTES, "saved results")
    except InstanceError as exc:
        raise _Unusable(f"cannot read {key}: {exc.message}") from None
    try:
        entry = json.loads(raw.decode("utf-8"))
    except ValueError:           # JSONDecodeError, UnicodeDecodeError: truncated, empty or not ours
        raise _Unusable(f"{key} is not readable JSON: truncated or damaged") from None
    if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
        raise _Unusable(f"{key} is not in this version's cache format")
    if entry.get("content_hash") != content_hash or entry.get("code_version") != code:
        raise _Unusable(f"{key} was saved for another instance content or code version")
    text = entry.get("results")
    if not isinstance(text, str) or entry.get("sha256") != _checksum(text):
        raise _Unusable(f"{key} does not match its checksum: edited or damaged")
    try:
        return Results.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise _Unusable(f"{key} holds results this code cannot read ({type(exc).__name__})") from None


@dataclass
class Comparison:
    names: list[str]                 # how every output labels each instance: its name, or its file when names repeat
    files: list[str]
    statuses: list[str]
    inputs: list[InputDiff]
    outcomes: list[OutcomeRow]
    diversion: list[Diversion | None] = field(default_factory=list)   # per instance: creation and diversion, deal vs no deal
    instance_names: list[str] = field(default_factory=list)      # each instance's own `name`, repeats and all
    titles: list[str] = field(default_factory=list)              # each instance's own `title`
    parties: list[dict[str, str]] = field(default_factory=list)  # each instance's 'home'/'partner' names
    # per instance: each metric's value with no deal (None where it has none), for gains over no deal
    no_deal: list[dict[str, float | None]] = field(default_factory=list)
    # per instance: its deal over a horizon (None for a one-year instance): each year and the present values
    over_time: list[OverTime | None] = field(default_factory=list)


def unique_labels(names: list[str], files: list[str]) -> list[str]:
    """Labels that tell the instances apart: each instance's name, or, for names that more
    than one instance has, its file path as given (then '#2', '#3' for a file given twice)."""
    labels = [f if names.count(n) > 1 else n for n, f in zip(names, files)]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if labels.count(label) == 1 else f"{label} #{seen[label]}")
    return out


def diversion_of(r: Results) -> Diversion | None:
    """The instance's trade creation and diversion, deal against no deal (`analyses.diversion`),
    or None (no third countries, or no deal)."""
    return r.diversion


def compare(paths: list[Path], cache_dir: Path, solve) -> tuple[Comparison, list[CacheUse]]:
    """Solve (or reuse) each instance and diff inputs and outcomes; how each was had."""
    solved = [solve_cached(p, cache_dir, solve) for p in paths]
    results = [r for r, _ in solved]
    datasets = [resolve(p)[0] for p in paths]
    names, files = [r.instance.name for r in results], [str(p) for p in paths]
    comp = Comparison(names=unique_labels(names, files), files=files,
                      statuses=[r.status for r in results], inputs=input_diff(datasets),
                      outcomes=outcome_diff(results), diversion=[diversion_of(r) for r in results],
                      instance_names=names, titles=[r.instance.title for r in results],
                      parties=[dict(r.instance.parties) for r in results],
                      no_deal=[{m.name: m.no_deal for m in r.metrics} for r in results],
                      over_time=[r.over_time for r in results])
    return comp, [hit for _, hit in solved]
