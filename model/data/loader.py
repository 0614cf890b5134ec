"""Instance file -> validated `Instance`: inheritance, structure, units, references, sense.

All problems that can be found are collected and reported together, each naming the
file, the field path, the line, what is wrong and a hint. Nothing here builds a model.

Inheritance: `extends: other.yaml` (relative to the file) starts from the other file and
overrides it key by key, recursively; a `null` value deletes the inherited key. Chains
are allowed; cycles, missing files and paths outside the instances tree are errors.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import typing
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from model.data.catalogue import BALANCE_METRICS, INDEXED_METRICS, METRICS, PAYOFF_METRICS, split_metric
from model.data.families.base import families
from model.data.families.tariff_lines import flat_name as flat_name
from model.data.fields import own_unit as own_unit
from model.data.horizon import read_horizon
from model.data.instance import (
    Armington,
    Deal,
    Input,
    Instance,
    RedLine,
    Segment,
    Settings,
    Source,
    ThirdCountry,
    ThirdSupply,
)
from model.data.schema import (
    DOCS,
    MAGNITUDE,
    Declared,
    Q,
    Range,
    SegmentSpec,
    SettingsSpec,
    ThirdSupplySpec,
    _members,
    _model_in,
    declaration_at,
    declared,
    doc_link,
    instance_spec,
    range_of,
    walk,
)
from model.data.tables import expand_tables
from model.data.uncertainty import build_uncertainty
from model.data.units import UNITS, _strip_year, accepted, base_unit, to_base
from model.data.yaml_io import Located, read_yaml
from model.errors import InstanceError, InstanceErrors, did_you_mean
from model.text import MAX_VALUE_CHARS, quoted

CALIBRATION_TOLERANCE = 1e-3   # baseline must reproduce calibration figures to 0.1%
MAX_EXTENDS_DEPTH = 10


class Origins:
    """Where each dotted field path came from (file, line), across `extends` chains."""

    def __init__(self):
        self.where: dict[str, tuple[str, int | None]] = {}

    def record(self, data, file: str, prefix: str = "") -> None:
        if isinstance(data, Located):
            self.where.setdefault(prefix, (file, data.line))
            files = getattr(data, "files", None) or {}   # keys placed from CSV tables (model.data.tables)
            for k, v in data.items():
                path = f"{prefix}.{k}" if prefix else k
                f = files.get(k, file)
                self.where[path] = (f, data.lines.get(k))
                self.record(v, f, path)
        elif isinstance(data, list):
            for i, v in enumerate(data):
                self.record(v, file, f"{prefix}[{i}]")

    def locate(self, path: str, default_file: str) -> tuple[str, int | None]:
        while True:
            if path in self.where:
                return self.where[path]
            if not path:
                return default_file, None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""


def resolve(path: Path, root: Path | None = None) -> tuple[dict, Origins]:
    """The instance at `path` with its `extends` chain applied, and each field's origin."""
    path = Path(path)
    root = (root or path.resolve().parent).resolve()
    origins = Origins()
    data = _resolve(path, root, origins, [], {"cells": 0})
    return data, origins


def _resolve(path: Path, root: Path, origins: Origins, chain: list[Path], budget: dict) -> dict:
    real = path.resolve()
    if real in chain:
        cycle = " -> ".join(p.name for p in chain + [real])
        raise InstanceError(str(chain[-1]), "extends", f"inheritance cycle: {cycle}",
                            hint="remove one 'extends:' so the chain ends")
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise InstanceError(str(path), "extends", f"more than {MAX_EXTENDS_DEPTH} levels of 'extends'")
    raw = read_yaml(path)
    not_a_kind_of(raw, str(path), "an instance file", set(instance_spec().model_fields) | {"extends", "tables"},
                  "schema_version, name, parties, segments")
    raw = expand_tables(raw, path, root, budget)
    parent_name = raw.get("extends")
    if parent_name is None:
        origins.record(raw, str(path))
        return raw
    if not isinstance(parent_name, str):
        raise InstanceError(str(path), "extends", "must be a file name", line=raw.lines.get("extends"))
    parent = (path.parent / parent_name).resolve()
    if not parent.is_relative_to(root):
        raise InstanceError(str(path), "extends", f"'{parent_name}' is outside the instances tree ({root})",
                            line=raw.lines.get("extends"), hint="extend a file in the same folder or below it")
    if not parent.is_file():
        raise InstanceError(str(path), "extends", f"'{parent_name}' does not exist" + (
                            " as a regular file" if parent.exists() else ""), line=raw.lines.get("extends"),
                            hint=did_you_mean(parent.name, [p.name for p in parent.parent.glob("*.yaml")]))
    base = _resolve(parent, root, origins, chain + [real], budget)
    origins.record(raw, str(path))
    merged = merge(base, raw)
    merged.pop("extends", None)
    return merged


def not_a_kind_of(raw: dict, file: str, kind: str, fields: set[str], examples: str, doc: str = DOCS) -> None:
    """Refuse a file none of whose top-level keys is a field of `kind`, in one message that
    does not repeat its keys: it is some other file (a link to a system or secrets file, the
    wrong path), and its contents are not ours to print."""
    if raw and not set(raw) & fields:
        raise InstanceError(file, "", f"this is not {kind}: none of its {len(raw):,} top-level keys is one of its "
                            f"fields ({examples}, ...); its contents are not shown",
                            hint=f"give the path of {kind} (see {doc})")


def merge(base, override):
    """`override` applied to `base` key by key; a None value deletes the key."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    out = Located({k: v for k, v in base.items()})
    out.lines = dict(getattr(base, "lines", {}))
    out.line = getattr(base, "line", None)
    for k, v in override.items():
        if k == "extends":
            continue
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(base.get(k), v) if k in base else v
    return out


def content_hash(data: dict) -> str:
    """A hash of the resolved instance's content (key order and formatting do not count)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def read_instance(path: str | Path, root: str | Path | None = None) -> tuple[Instance, Origins]:
    """Read, resolve and validate an instance file: the instance and where each field came
    from. Raises InstanceError(s) with locations.

    Every problem found is reported at once: when the file's structure is wrong somewhere
    (a missing or unknown field, a wrong type), the entries concerned are set aside, the
    rest is checked in full (units, ranges, references), and references to the entries
    set aside are not reported again. The checks that need the economics (calibration,
    red lines relative to a reference) are `model.economics.loading`'s: use its `load`."""
    path = Path(path)
    data, origins = resolve(path, Path(root) if root else None)
    file = str(path)
    structural: list[InstanceError] = []
    pruned: set[tuple[str, ...]] = set()
    try:
        spec = instance_spec().model_validate(data)
    except ValidationError as exc:
        structural = structure_errors(exc.errors(), data, origins, file)
        trimmed, pruned = _prune(data, exc.errors())
        try:
            spec = instance_spec().model_validate(trimmed)
        except ValidationError:
            raise InstanceErrors(structural) from None
    builder = Builder(spec, origins, file, pruned)
    instance = builder.build()
    errors = structural + builder.errors
    if errors:
        raise InstanceErrors(_in_file_order(errors, origins, file))
    return _with_hash(instance, content_hash(data)), origins


def _with_hash(instance: Instance, digest: str) -> Instance:
    return replace(instance, content_hash=digest)


def _in_file_order(errors: list[InstanceError], origins: Origins, file: str) -> list[InstanceError]:
    """Errors grouped by file (the file given first, then those it extends) and by line."""
    files = list(dict.fromkeys(f for f, _ in origins.where.values()))
    files = [f for f in files if f == file] + [f for f in files if f != file]   # the file given first
    rank = {f: i for i, f in enumerate(files)}
    return sorted(errors, key=lambda e: (rank.get(e.file, len(rank)), e.line if e.line is not None else math.inf))


# -- structural errors (pydantic) ------------------------------------------------------------
def _clean(loc) -> tuple[list[str], int | None]:
    """A pydantic error location as a field path, without the tags pydantic adds for the
    members of a union ('Q', "literal['unlimited']", 'str', 'function-after[...]'); and
    the length of the path at the union, if the error is inside one."""
    parts: list[str] = []
    union_at = None
    for p in loc:
        p = str(p)
        if p.startswith("function-"):
            continue
        _, _, reached = walk(parts) if parts else (None, None, instance_spec())
        members = [m for m in _members(reached) if m is not type(None)] if reached is not None else []
        if len(members) > 1 and (model := _model_in(reached)) is not None and p not in model.model_fields:
            union_at = len(parts)      # p is the tag of a union member
            continue
        parts.append(p)
    return parts, union_at


def _at(data, parts: list[str]):
    for p in parts:
        if isinstance(data, dict) and p in data:
            data = data[p]
        elif isinstance(data, list) and p.isdigit() and int(p) < len(data):
            data = data[int(p)]
        else:
            return None
    return data


def structure_errors(raw: list[ErrorDetails], data, origins: Origins, file: str) -> list[InstanceError]:
    """Pydantic's errors in the user's words: one per problem, with a did-you-mean for
    misspelt fields and choices, and a pointer to the field's documentation. A misspelt
    field and the required field it was meant to be are one error, not two."""
    cleaned = [(e, *_clean(e["loc"])) for e in raw]
    missing = {tuple(p) for e, p, _ in cleaned if e["type"] == "missing"}
    meant = {tuple(p): tuple(p[:-1]) + (close,) for e, p, _ in cleaned if e["type"] == "extra_forbidden"
             for close in [_closest_field(p)] if close and tuple(p[:-1]) + (close,) in missing}
    errors, seen = [], set()
    for e, parts, union_at in cleaned:
        kind = e["type"]
        if union_at is not None:
            # Inside a union (a quantity, or 'unlimited' / an option name): a mapping was meant
            # to be a quantity, so report only the quantity's errors; anything else is one
            # error at the union.
            given = _at(data, parts[:union_at])
            if isinstance(given, dict):
                if len(parts) == union_at and kind != "model_type":
                    continue                   # the other members' complaints about a mapping
            else:
                parts, kind = parts[:union_at], "union"
        key = tuple(parts)
        if key in seen or (kind == "missing" and key in meant.values()):
            continue
        seen.add(key)
        path = ".".join(parts)
        f, line = origins.locate(path, file)
        message, hint = _explain(kind, e, parts, data, misspelt=meant.get(key))
        if isinstance(e.get("input"), str):
            hint = number_as_text_hint(e["input"]) or hint
        errors.append(InstanceError(f, path, message, line=line, hint=hint))
    return errors


def _closest_field(parts: list[str]) -> str | None:
    """The field of the model at parts[:-1] that parts[-1] most likely misspells."""
    _, _, reached = walk(parts[:-1])
    model = _model_in(reached) if reached is not None else None
    close = difflib.get_close_matches(parts[-1], list(model.model_fields) if model else [], n=1, cutoff=0.6)
    return close[0] if close else None


def _explain(kind: str, e: ErrorDetails, parts: list[str], data, misspelt: tuple | None) -> tuple[str, str | None]:
    """(message, hint) for one structural error."""
    hint: str | None
    given = e.get("input")
    number = isinstance(given, (int, float)) and not isinstance(given, bool)
    if kind == "missing":
        owner, name, _ = walk(parts)
        about = owner.model_fields[name].description if owner is not None and name is not None else None
        return ("this field is required but missing",
                f"{parts[-1]}: {about} See {doc_link(parts)}" if about else f"see {doc_link(parts)}")
    if kind == "extra_forbidden":
        where = f"(fields: {doc_link(parts[:-1])})"
        close = _closest_field(parts)
        if misspelt:
            hint = f"did you mean '{close}'? It is required and missing here {where}"
        else:
            hint = f"did you mean '{close}'? {where}" if close else f"check the spelling {where}"
        return f"unknown field {quoted(parts[-1])}", hint
    if kind == "union":
        given = _at(data, parts)
        number = isinstance(given, (int, float)) and not isinstance(given, bool)
        others = [m for m in _members(walk(parts)[2]) if m is not Q and m is not type(None)]
        words = [w for m in others if typing.get_origin(m) is Literal for w in typing.get_args(m)]
        alt = "".join(f" or '{w}'" for w in words) or (" or an option's name" if str in others else "")
        hint = did_you_mean(given, words) if isinstance(given, str) and words else None
        return (f"expected a number written as {{value: ..., unit: ..., source: ...}}{alt}, got {_given(given)}",
                _written_as(parts, given, data) if number else hint)
    if kind in ("model_type", "dict_type"):
        if declaration_at(".".join(parts)) is not None:
            message = f"expected a number written as {{value: ..., unit: ..., source: ...}}, got {_given(given)}"
        else:
            message = f"expected a mapping of fields here, got {type(given).__name__} {_given(given)}"
        return message, _written_as(parts, given, data) if number else f"see {doc_link(parts)}"
    if kind == "literal_error":
        reached = walk(parts)[2]
        choices = [str(c) for m in _members(reached) if typing.get_origin(m) is Literal for c in typing.get_args(m)]
        hint = did_you_mean(given, choices) if isinstance(given, str) and choices else None
        return f"{e['msg']}, got {_given(given)}", hint
    if e["msg"].startswith("Value error, "):
        return e["msg"][len("Value error, "):], None
    return f"{e['msg']} (got {_given(given)})", None


def _given(value) -> str:
    """A value as an error message shows it: its repr, at most MAX_VALUE_CHARS characters (a
    2 MB name is not echoed whole)."""
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else f"{text[:MAX_VALUE_CHARS]}... ({len(text) - MAX_VALUE_CHARS:,} more characters)"


def _written_as(parts: list[str], number, data) -> str:
    """How to write a bare number as a quantity, with a unit the field accepts."""
    decl = declaration_at(".".join(parts))
    unit = "..."
    if decl is not None and decl.dimension in UNITS:
        unit = accepted(decl.dimension)[0]
        unit = f'"{unit}"' if unit in ("%", "1") else unit
    given = data.get("sources") if isinstance(data, dict) else None
    sources = list(given) if isinstance(given, dict) else []
    return (f"numbers are written with their unit and source, e.g. {{value: {number}, unit: {unit}, source: "
            f"{sources[0] if sources else '...'}}} ({DOCS}#numbers)")


# Sections made of named entries, and how deep an entry's path goes: a problem inside an
# entry sets the whole entry aside; anything else falls back to a placeholder or default.
_ENTRY_DEPTH = {"payoffs": 3, "no_deal": 3, "fixed_levers": 3}
_PLACEHOLDER = {"schema_version": 1, "name": "unnamed", "title": "", "question": "",
                "parties": {"home": "home", "partner": "partner"}, "no_deal": {}}


def _prune(data: dict, raw: list[ErrorDetails]) -> tuple[dict, set[tuple[str, ...]]]:
    """`data` without the entries that have structural errors, and the paths set aside."""
    trimmed = copy.deepcopy(data)
    pruned: set[tuple[str, ...]] = set()
    for e in raw:
        parts, union_at = _clean(e["loc"])
        if union_at is not None:
            parts = parts[:union_at]
        if not parts:
            continue
        top = parts[0]
        field = instance_spec().model_fields.get(top)
        if field is None:                                        # an unknown top-level key
            cut = parts[:1]
        elif typing.get_origin(field.annotation) is dict or top in _ENTRY_DEPTH or top == "settings":
            cut = parts[:_ENTRY_DEPTH.get(top, 2)]
        else:
            cut = parts[:1]
        pruned.add(tuple(cut))
        parent = _at(trimmed, cut[:-1])
        if isinstance(parent, dict):
            parent.pop(cut[-1], None)
        if len(cut) == 1 and field is not None and field.is_required():
            trimmed[top] = copy.deepcopy(_PLACEHOLDER.get(top, {}))
    return trimmed, pruned


# A segment's numbers: the demand curve's inputs first, then the schema's order (the
# order results.json has always listed them in).
_FIRST = ("imports", "elasticity", "pass_through")
_SEGMENT_NUMBERS = _FIRST + tuple(n for n, info in SegmentSpec.model_fields.items()
                                  if _model_in(info.annotation) is Q and n not in _FIRST
                                  and n != "partner_supply_elasticity")

_CORE_SECTIONS = {"segment": "segments", "third country": "third_countries"}


def section_of(what: str) -> str | None:
    """The section whose entries `what` names ('channel' -> 'channels'): the core's or a family's."""
    found = {s.entry: s.key for f in families() for s in f.sections if s.entry}
    return {**_CORE_SECTIONS, **found}.get(what)
# The segment fields of the Armington form (kept in `Segment.armington`, not as segment attributes).
_ARMINGTON_FIELDS = ("substitution_elasticity", "home_sales", "home_price", "home_supply_elasticity",
                     "import_substitution_elasticity")


def _in_words(limit: str, dimension: str) -> str:
    """'<= 1' for a share -> '<= 100%'; '> 0' for vehicles -> '> 0 vehicles'."""
    op, number = limit.split()
    if dimension == "share":
        return f"{op} {float(number) * 100:g}%"
    unit = base_unit(dimension)
    return limit if unit in ("1", "field", "metric") else f"{limit} {unit}"


def number_as_text_hint(text: str) -> str | None:
    """A hint for a number that YAML read as text: YAML 1.1 (PyYAML) reads `1e6` as the
    string '1e6', since its floats need a dot and a signed exponent (`1.0e+6`)."""
    try:
        v = float(text.replace("_", ""))
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    if "e" not in text.lower():
        return f"{_given(text)} is text here, not a number: write it without quotes"
    mantissa, exponent = f"{v:e}".split("e")
    mantissa = mantissa.rstrip("0") + ("0" if mantissa.rstrip("0").endswith(".") else "")
    written = f"{mantissa}e{int(exponent):+d}"
    if v.is_integer() and abs(v) < 1e15:
        written += f" or {int(v)}"
    return (f"YAML 1.1 reads {_given(text)} as text, not as a number (its exponents need a dot before the e and a sign "
            f"after it): write {written}")


class Builder:
    """Turns the parsed spec into base-unit dataclasses, collecting every problem found.

    Units and ranges come from the schema's declarations (`model.data.schema.quantity`);
    each number's dimension and range as applied are kept (`dimensions`, `ranges`) for
    the uncertainty checks."""

    def __init__(self, spec, origins: Origins, file: str,
                 pruned: set[tuple[str, ...]] | None = None):
        self.spec, self.origins, self.file = spec, origins, file
        self.pruned = pruned or set()
        self.errors: list[InstanceError] = []
        self.inputs: list[Input] = []
        self.dimensions: dict[str, str] = {}
        self.ranges: dict[str, Range] = {}

    # -- helpers -------------------------------------------------------------
    def error(self, path: str, message: str, hint: str | None = None) -> None:
        f, line = self.origins.locate(path, self.file)
        self.errors.append(InstanceError(f, path, message, line=line, hint=hint))

    def set_aside(self, *parts: str) -> bool:
        """Was this entry (or its whole section) set aside for a structural error?"""
        return any(parts[:n] in self.pruned for n in range(1, len(parts) + 1))

    def field(self, spec, name: str, prefix: str, **kw) -> float:
        """The number `spec.<name>` in base units, checked as its schema declaration says."""
        return self.q(getattr(spec, name), f"{prefix}.{name}", declared(type(spec), name), **kw)

    def q(self, q: Q, path: str, decl: Declared, dimension: str | None = None, rng: Range | None = None) -> float:
        """A quantity in base units; records its provenance and checks unit, source and range.
        `dimension` and `rng` replace the declaration's where they depend on other fields."""
        dimension = dimension or decl.dimension
        rng = rng or decl.range
        self.dimensions[path], self.ranges[path] = dimension, rng
        try:
            value = to_base(q.value, q.unit, dimension)
        except KeyError:
            self.error(f"{path}.unit", f"unit '{q.unit}' is not accepted here",
                       hint=f"use one of: {', '.join(accepted(dimension))} (other spellings: "
                            f"{DOCS}#units)")
            return q.value
        if q.source not in self.spec.sources and not self.set_aside("sources", q.source):
            self.error(f"{path}.source", f"unknown source '{q.source}'",
                       hint=did_you_mean(q.source, self.spec.sources) or "add it under 'sources:'")
        if abs(value) > MAGNITUDE:
            self.error(f"{path}.value", f"{q.value:g} {q.unit} is far too large (at most {MAGNITUDE:g} in "
                       f"{base_unit(dimension)})", hint="check the number and its unit."
                       + (" Where the field allows it, write 'unlimited'." if decl.unlimited else ""))
        elif not rng.contains(value):
            limit = rng.low_text() if rng.below(value) else rng.high_text()
            got = f"{q.value:g}" if _strip_year(q.unit) == "1" else f"{q.value:g} {q.unit}"
            hint = decl.hint
            value_from, unit_from = (Path(self.origins.locate(f"{path}.{k}", self.file)[0]).name
                                     for k in ("value", "unit"))
            if value_from != unit_from:        # a file that extends another restated only the value
                mixed = (f"the value is from {value_from} but its unit '{q.unit}' from {unit_from}: "
                         f"give value and unit together")
                hint = f"{hint}; {mixed}" if hint else mixed
            self.error(f"{path}.value", f"must be {_in_words(limit, dimension)} (got {got})", hint=hint)
        self.inputs.append(Input(path, q.value, q.unit, q.source))
        return value

    def bound(self, spec, name: str, prefix: str, **kw) -> float:
        """An upper bound: a quantity, or 'unlimited' (infinity) where the schema allows it."""
        value = getattr(spec, name)
        return math.inf if value == "unlimited" else self.field(spec, name, prefix, **kw)

    def ref(self, name: str, known, path: str, what: str) -> bool:
        if name in known:
            return True
        section = section_of(what)
        if section is not None and self.set_aside(section, name):
            return False                 # already reported: the entry has a structural error
        self.error(path, f"unknown {what} '{name}'", hint=did_you_mean(name, known))
        return False

    # -- sections --------------------------------------------------------------
    def build(self) -> Instance:
        """The core sections, then each lever family's (in registry order: a family may read
        what the families before it made), then what refers to all of them."""
        s = self.spec
        countries, supplies = self.third_countries(s.third_countries, s.segments)
        segments = {k: self.segment(k, g, supplies.get(k, [])) for k, g in s.segments.items()}
        sources = {k: Source(k, v.kind, v.said, v.year)
                   for k, v in s.sources.items()}
        partial = Instance(
            name=s.name, title=s.title, question=s.question, file=self.file,
            parties={"home": s.parties.home, "partner": s.parties.partner},
            segments=segments, red_lines=(), payoff_weights={}, no_deal=Deal(), fixed=Deal(),
            settings=Settings(), calibration={}, sources=sources, inputs=(), third_countries=countries)
        for f in families():
            data = f.read(self, {section.key: getattr(s, section.key) for section in f.sections}, partial)
            partial = replace(partial, sections={**partial.sections, **data})
        root = type(s)
        jobs_decl = declared(root, "jobs_per_unit")
        jobs = {party: self.q(q, f"jobs_per_unit.{party}", jobs_decl,
                              dimension=own_unit(jobs_decl.dimension, partial.quantity_unit))
                for party, q in s.jobs_per_unit.items()}
        partial = replace(partial, jobs_per_unit=jobs)
        payoffs = {p: self.payoff(p, s.payoffs.get(p, {}), partial) for p in ("home", "partner")}
        red_lines = tuple(r for k, spec in s.red_lines.items() for r in self.red_line(k, spec, partial))
        no_deal = self.deal(s.no_deal, "no_deal", partial, complete=True)
        fixed = self.deal(s.fixed_levers, "fixed_levers", partial, complete=False)
        settings = self.settings(partial)
        calibrated = declared(root, "calibration")
        calibration = {k: self.q(v, f"calibration.{k}", calibrated, dimension=self.metric_dimension(k, partial))
                       for k, v in s.calibration.items() if self.calibrated_metric(k, partial)}
        horizon = read_horizon(self, s.horizon, replace(partial, fixed=fixed), families())
        uncertainty = build_uncertainty(s.uncertainty, self)   # after every other input: it refers to them
        return replace(partial, red_lines=red_lines, payoff_weights=payoffs, no_deal=no_deal, fixed=fixed,
                       settings=settings, calibration=calibration, inputs=tuple(self.inputs),
                       uncertainty=uncertainty, horizon=horizon)

    def deal(self, spec, path: str, inst: Instance, complete: bool) -> Deal:
        """A `no_deal`/`fixed_levers` block (or an offer's): each family reads its entry."""
        return Deal(**{f.deal_field: f.read_deal(self, getattr(spec, f.section), f"{path}.{f.section}", inst, complete)
                       for f in families() if f.deal_entry is not None})

    def segment(self, key: str, g, supplies: list[tuple[str, ThirdSupply]]) -> Segment:
        """A segment's data (its `tariff_menu` and partner tariff fields are checked by the tariff
        families, which own the menus)."""
        p = f"segments.{key}"
        numbers = {name: self.field(g, name, p, dimension=own_unit(declared(SegmentSpec, name).dimension, g.unit))
                   for name in _SEGMENT_NUMBERS if getattr(g, name) is not None}
        nested = {name: numbers.pop(name) for name in _ARMINGTON_FIELDS if name in numbers}
        armington = self.armington(p, g, nested, supplies)
        pass_through = numbers.pop("pass_through", None)       # None: the supply curve sets the price
        if g.partner_supply_elasticity is not None:
            numbers["partner_supply_elasticity"] = self.bound(g, "partner_supply_elasticity", p)
            if g.pass_through is not None:
                self.error(f"{p}.partner_supply_elasticity", "the segment gives both 'pass_through' and "
                           "'partner_supply_elasticity': an imposed pass-through overrides the supply curve, so only "
                           "one of them may be given", hint="remove 'pass_through' to derive it from the supply "
                           "curve, or remove 'partner_supply_elasticity' to impose it (SMART style)")
        if armington is not None:
            numbers["home_substitution"] = 0.0
        elif "home_substitution" not in numbers:
            numbers["home_substitution"] = 0.0
            if not self.set_aside("segments", key):
                self.error(f"{p}.home_substitution", "required in the one-partner form (a segment without a "
                           "'substitution_elasticity')", hint="the share of lost imports home plants replace, e.g. "
                           f"{{value: 40, unit: '%', source: ...}}; or make the segment an Armington composite ({DOCS}"
                           "#segments)")
        return Segment(name=key, label=g.label, tariff_menu=g.tariff_menu, unit=g.unit,
                       partner_tariff_menu=g.partner_tariff_menu, armington=armington, pass_through=pass_through,
                       **numbers)

    def armington(self, p: str, g, nested: dict[str, float],
                  supplies: list[tuple[str, ThirdSupply]]) -> Armington | None:
        """The segment's nested CES, if it has a `substitution_elasticity`; the fields of one
        form given in the other are errors."""
        if "substitution_elasticity" not in nested:
            for name in _ARMINGTON_FIELDS[1:]:
                if name in nested:
                    self.error(f"{p}.{name}", "only an Armington segment (one with a 'substitution_elasticity') has "
                               "home producers in its demand", hint=f"add a substitution_elasticity ({DOCS}#segments)")
            for path, _ in supplies:
                self.error(path, f"segment '{p.split('.')[-1]}' has no 'substitution_elasticity': third countries "
                           "can only supply an Armington segment", hint=f"give {p}.substitution_elasticity, e.g. "
                           "{value: 1.5, unit: '1', source: ...} (SMART's default)")
            return None
        if g.home_substitution is not None:
            self.error(f"{p}.home_substitution", "an Armington segment's home producers respond through the nest: "
                       "'home_substitution' belongs to the one-partner form", hint="remove it, and give home_sales "
                       "and home_price instead")
        if ("home_sales" in nested) != ("home_price" in nested):
            missing = "home_price" if "home_sales" in nested else "home_sales"
            self.error(f"{p}.{missing}", "home producers need both 'home_sales' and 'home_price'")
        if "home_supply_elasticity" in nested and "home_sales" not in nested:
            self.error(f"{p}.home_supply_elasticity", "a home supply elasticity needs home producers "
                       "('home_sales' and 'home_price')")
        return Armington(substitution=nested["substitution_elasticity"], home_sales=nested.get("home_sales", 0.0),
                         home_price=nested.get("home_price", 0.0),
                         home_supply_elasticity=nested.get("home_supply_elasticity"),
                         suppliers=tuple(sup for _, sup in supplies),
                         import_substitution=nested.get("import_substitution_elasticity"))

    def third_countries(self, specs: dict, segment_specs: dict) -> tuple[dict[str, ThirdCountry], dict]:
        """The third countries, and each segment's suppliers: segment -> [(path, ThirdSupply)]."""
        countries: dict[str, ThirdCountry] = {}
        supplies: dict[str, list[tuple[str, ThirdSupply]]] = {}
        for c, spec in specs.items():
            p = f"third_countries.{c}"
            tariff, base = self.field(spec, "tariff", p), self.field(spec, "base_tariff", p)
            pass_through = None if spec.pass_through is None else self.field(spec, "pass_through", p)
            supply = math.inf if spec.supply_elasticity is None else self.bound(spec, "supply_elasticity", p)
            if pass_through is not None and spec.supply_elasticity is not None:
                self.error(f"{p}.supply_elasticity", "the country gives both 'pass_through' and 'supply_elasticity': "
                           "an imposed pass-through overrides the supply curve, so only one of them may be given",
                           hint="remove one of them")
            exports = 0.0 if spec.exports_value is None else self.field(spec, "exports_value", p)
            margin = 0.0 if spec.margin is None else self.field(spec, "margin", p)
            countries[c] = ThirdCountry(c, spec.label, tariff, base, pass_through, exports, supply, margin)
            for s, sup in spec.segments.items():
                sp = f"{p}.segments.{s}"
                if not self.ref(s, segment_specs, sp, "segment"):
                    continue
                unit = segment_specs[s].unit

                def number(name: str, default: float) -> float:
                    if getattr(sup, name) is None:
                        return default
                    return self.field(sup, name, sp, dimension=own_unit(declared(ThirdSupplySpec, name).dimension,
                                                                         unit))
                own_supply = supply
                if sup.supply_elasticity is not None:
                    own_supply = self.bound(sup, "supply_elasticity", sp)
                    if pass_through is not None:
                        self.error(f"{sp}.supply_elasticity", f"third country '{c}' imposes a 'pass_through', which "
                                   "overrides supply curves: a segment's 'supply_elasticity' cannot apply",
                                   hint=f"remove {p}.pass_through, or this supply_elasticity")
                supplies.setdefault(s, []).append((sp, ThirdSupply(
                    country=c, imports=number("imports", 0.0), import_price=number("import_price", 0.0),
                    tariff=number("tariff", tariff), base_tariff=number("base_tariff", base),
                    pass_through=pass_through, supply_elasticity=own_supply, margin=margin,
                    own=tuple(n for n in ("tariff", "base_tariff", "supply_elasticity")
                              if getattr(sup, n) is not None))))
        return countries, supplies

    def shared_unit(self, path: str, members, segments, what: str) -> str:
        """The one unit of `members` (segments): a capacity or quota over them needs it."""
        units = sorted({segments[s].unit for s in members if s in segments})
        if len(units) > 1:
            self.error(path, f"its segments are counted in different units ({', '.join(units)}): one {what} cannot "
                       "add them up", hint="give these segments one unit, or split them")
        return units[0] if units else "vehicles"

    def calibrated_metric(self, name: str, inst: Instance) -> bool:
        """A metric `calibration` may name: a scalar one, or an indexed one with a known index
        (e.g. 'third_imports_value[korea]')."""
        base, index = split_metric(name)
        if index is None or base not in INDEXED_METRICS:
            return self.ref(name, METRICS, f"calibration.{name}", "metric")
        info = INDEXED_METRICS[base]
        return self.ref(index, info.keys(inst), f"calibration.{name}", info.kind)

    def metric_dimension(self, name: str, inst: Instance) -> str:
        base, index = split_metric(name)
        if index is not None and base in INDEXED_METRICS and INDEXED_METRICS[base].unit == "own":
            entries = INDEXED_METRICS[base].keys(inst)       # each entry in its own unit (a good's)
            return f"count:{entries[index].unit}" if index in entries else "share"
        if index is not None and base in INDEXED_METRICS:
            unit = INDEXED_METRICS[base].unit
        else:
            unit = METRICS[base].unit if base in METRICS else "USD"
        return own_unit({"fraction": "share"}.get(unit, unit), inst.quantity_unit)

    def payoff(self, party: str, weights: dict[str, Q], inst: Instance) -> dict[str, float]:
        out = {}
        decl = declared(type(self.spec), "payoffs")
        for k, q in weights.items():
            path = f"payoffs.{party}.{k}"
            if not self.ref(k, [m for m in METRICS if m not in PAYOFF_METRICS], path, "metric"):
                continue
            unit = METRICS[k].unit
            dim = own_unit({"USD": "weight", "vehicles": "USD/vehicle", "fraction": "USD", "jobs": "USD/job"}.get(
                unit, f"USD/count:{unit}"), inst.quantity_unit)
            out[k] = self.q(q, path, decl, dimension=dim)
        if not out and not self.set_aside("payoffs", party):
            self.error(f"payoffs.{party}", "the party has no payoff weights",
                       hint="e.g. deficit: {value: -1, unit: '1', ...}")
        return out

    def red_line(self, key: str, r, inst: Instance) -> list[RedLine]:
        p = f"red_lines.{key}"
        base, inline_index = split_metric(r.metric)
        if base not in METRICS and base not in INDEXED_METRICS:
            self.error(f"{p}.metric", f"unknown metric '{r.metric}'",
                       hint=did_you_mean(base, list(METRICS) + list(INDEXED_METRICS)))
            return []
        indexed = base in INDEXED_METRICS and (base not in METRICS or r.segments or r.index or inline_index)
        if indexed:
            kind, known = INDEXED_METRICS[base].kind, INDEXED_METRICS[base].keys(inst)
            indices = r.segments or ([r.index] if r.index else []) or ([inline_index] if inline_index else [])
            if not indices:
                self.error(p, f"metric '{base}' is per {kind}: say which with 'segments:' or 'index:'")
                return []
            ok = [i for n, i in enumerate(indices) if self.ref(i, known, f"{p}.{'segments' if r.segments else 'index'}"
                                                               + (f"[{n}]" if r.segments else ""), kind)]
            names = [(f"{key}.{i}" if len(indices) > 1 else key, f"{base}[{i}]") for i in ok]
        else:
            if r.segments or r.index:
                self.error(p, f"metric '{base}' is not per segment or good; remove 'segments'/'index'")
            names = [(key, base)]
        if not names:
            return []
        # A relative bound is a non-negative multiple of the reference value, in any share unit.
        dimension = "share" if r.relative_to else self.metric_dimension(names[0][1], inst)
        bound = self.field(r, "bound", p, dimension=dimension, rng=Range(low=0) if r.relative_to else None)

        def label(metric: str) -> str:
            """Per-segment or per-good red lines name their index in the label."""
            if len(names) == 1:
                return r.label
            index = split_metric(metric)[1]
            entry = INDEXED_METRICS[base].keys(inst).get(index)
            return f"{r.label} ({entry.label if entry else index})"
        if r.over == "horizon" and self.spec.horizon is None:
            self.error(f"{p}.over", "'over: horizon' needs a 'horizon:' block (the years to sum over)",
                       hint="add a horizon, or remove 'over'")
        elif r.over == "horizon" and self.metric_dimension(names[0][1], inst) == "share":
            self.error(f"{p}.over", f"'{r.metric}' is a rate or a share: it does not add up over the years",
                       hint="state it per year (remove 'over: horizon')")
        return [RedLine(name=name, label=label(metric), party=r.party, metric=metric, sense=r.sense,
                        bound=bound, relative_to=r.relative_to, reason=r.reason, entry=key, entry_label=r.label,
                        over=r.over)
                for name, metric in names]

    def settings(self, inst: Instance) -> Settings:
        s = self.spec.settings
        for k in s.objective_weights:
            if k not in METRICS:
                self.error(f"settings.objective_weights.{k}", f"unknown metric '{k}'", hint=did_you_mean(k, METRICS))
        if s.objective == "weighted" and not s.objective_weights:
            self.error("settings.objective_weights", "the 'weighted' objective needs metric weights")
        base, index = split_metric(s.objective_metric)
        balances = list(BALANCE_METRICS) + [f"third_country_deficit[{c}]" for c in inst.third_countries]
        if s.objective_metric not in balances:
            self.error("settings.objective_metric", f"'{s.objective_metric}' is not a balance the model can minimize",
                       hint=did_you_mean(s.objective_metric, balances) or "one of: " + ", ".join(balances))
        if s.response == "linear":
            for key, g in self.spec.segments.items():
                if g.import_substitution_elasticity is not None:
                    self.error(f"segments.{key}.import_substitution_elasticity", "the two-level nest (GTAP's ESUBD "
                               "and ESUBM) is the CES form's: under 'settings.response: linear' (SMART) one "
                               "substitution elasticity applies among all sources",
                               hint="remove it, or use 'response: constant_elasticity'")
        allowed = range_of(SettingsSpec, "nash_weights")
        for party, w in s.nash_weights.items():
            if not (math.isfinite(w) and allowed.contains(w)):
                self.error(f"settings.nash_weights.{party}", f"must be a positive number (got {w})")
        steps = self.steps(s.steps, inst)
        overall = "welfare" if s.participation == "welfare" else "payoff"
        measure = {p: s.participation_measure.get(p, overall) for p in ("home", "partner")}
        return Settings(response=s.response, objective=s.objective, objective_metric=s.objective_metric,
                        participation=s.participation is not False, participation_measure=measure,
                        lexicographic_tolerance=s.lexicographic_tolerance,
                        objective_weights=dict(s.objective_weights), nash_weights=dict(s.nash_weights),
                        time_limit=s.time_limit, noise_threshold=s.noise_threshold, steps=steps)

    def steps(self, given: dict, inst: Instance) -> dict[str, float]:
        """`settings.steps`: each key a lever family with a step, or `money`; each in its dimension."""
        from model.data.steps import step_dimensions
        dims = step_dimensions(inst)
        decl = declared(SettingsSpec, "steps")
        out = {}
        for key, q in given.items():
            if key not in dims:
                self.error(f"settings.steps.{key}", f"no step for '{key}'",
                           hint=did_you_mean(key, dims) or "one of: " + ", ".join(dims))
                continue
            out[key] = self.q(q, f"settings.steps.{key}", decl, dimension=dims[key])
        return out
