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

from model.data.instance import (
    Armington,
    Channel,
    Deal,
    Good,
    Input,
    Instance,
    Maker,
    NtbMeasure,
    RedLine,
    Segment,
    Settings,
    Source,
    TariffLine,
    TariffLines,
    TariffOption,
    ThirdCountry,
    ThirdSupply,
)
from model.data.schema import (
    DOCS,
    MAGNITUDE,
    ChannelSpec,
    DealSpec,
    Declared,
    GoodSpec,
    InstanceSpec,
    MakerSpec,
    NtbSpec,
    Q,
    QuotaSpec,
    Range,
    RestraintSpec,
    SegmentSpec,
    SettingsSpec,
    ThirdSupplySpec,
    _members,
    _model_in,
    declaration_at,
    declared,
    doc_link,
    range_of,
    walk,
)
from model.data.tables import expand_tables
from model.data.uncertainty import build_uncertainty
from model.data.units import UNITS, _strip_year, accepted, base_unit, to_base
from model.data.yaml_io import Located, read_yaml
from model.economics.metrics import (
    BALANCE_METRICS,
    INDEXED_METRICS,
    METRICS,
    PAYOFF_METRICS,
    evaluate,
    split_metric,
)
from model.errors import InstanceError, InstanceErrors, did_you_mean

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
    raw = expand_tables(read_yaml(path), path, root, budget)
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


def load(path: str | Path, root: str | Path | None = None) -> Instance:
    """Read, resolve and validate an instance file; raises InstanceError(s) with locations.

    Every problem found is reported at once: when the file's structure is wrong somewhere
    (a missing or unknown field, a wrong type), the entries concerned are set aside, the
    rest is checked in full (units, ranges, references), and references to the entries
    set aside are not reported again."""
    path = Path(path)
    data, origins = resolve(path, Path(root) if root else None)
    file = str(path)
    structural: list[InstanceError] = []
    pruned: set[tuple[str, ...]] = set()
    try:
        spec = InstanceSpec.model_validate(data)
    except ValidationError as exc:
        structural = structure_errors(exc.errors(), data, origins, file)
        trimmed, pruned = _prune(data, exc.errors())
        try:
            spec = InstanceSpec.model_validate(trimmed)
        except ValidationError:
            raise InstanceErrors(structural) from None
    builder = Builder(spec, origins, file, pruned)
    instance = builder.build()
    errors = structural + builder.errors
    if errors:
        raise InstanceErrors(_in_file_order(errors, origins, file))
    instance = _with_hash(instance, content_hash(data))
    errors = check_calibration(instance, origins, file) + check_relative_red_lines(instance, origins, file)
    if errors:
        raise InstanceErrors(errors)
    return instance


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
    parts, union_at = [], None
    for p in loc:
        p = str(p)
        if p.startswith("function-"):
            continue
        _, _, reached = walk(parts) if parts else (None, None, InstanceSpec)
        members = [m for m in _members(reached) if m is not type(None)] if reached is not None else []
        if len(members) > 1 and _model_in(reached) is not None and p not in _model_in(reached).model_fields:
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


def structure_errors(raw: list[dict], data, origins: Origins, file: str) -> list[InstanceError]:
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


def _explain(kind: str, e: dict, parts: list[str], data, misspelt: tuple | None) -> tuple[str, str | None]:
    """(message, hint) for one structural error."""
    given = e.get("input")
    number = isinstance(given, (int, float)) and not isinstance(given, bool)
    if kind == "missing":
        owner, name, _ = walk(parts)
        about = owner.model_fields[name].description if owner else None
        return ("this field is required but missing",
                f"{parts[-1]}: {about} See {doc_link(parts)}" if about else f"see {doc_link(parts)}")
    if kind == "extra_forbidden":
        where = f"(fields: {doc_link(parts[:-1])})"
        close = _closest_field(parts)
        if misspelt:
            hint = f"did you mean '{close}'? It is required and missing here {where}"
        else:
            hint = f"did you mean '{close}'? {where}" if close else f"check the spelling {where}"
        return f"unknown field '{parts[-1]}'", hint
    if kind == "union":
        given = _at(data, parts)
        number = isinstance(given, (int, float)) and not isinstance(given, bool)
        others = [m for m in _members(walk(parts)[2]) if m is not Q and m is not type(None)]
        words = [w for m in others if typing.get_origin(m) is Literal for w in typing.get_args(m)]
        alt = "".join(f" or '{w}'" for w in words) or (" or an option's name" if str in others else "")
        hint = did_you_mean(given, words) if isinstance(given, str) and words else None
        return (f"expected a number written as {{value: ..., unit: ..., source: ...}}{alt}, got {given!r}",
                _written_as(parts, given, data) if number else hint)
    if kind in ("model_type", "dict_type"):
        if declaration_at(".".join(parts)) is not None:
            message = f"expected a number written as {{value: ..., unit: ..., source: ...}}, got {given!r}"
        else:
            message = f"expected a mapping of fields here, got {type(given).__name__} {given!r}"
        return message, _written_as(parts, given, data) if number else f"see {doc_link(parts)}"
    if kind == "literal_error":
        reached = walk(parts)[2]
        choices = [str(c) for m in _members(reached) if typing.get_origin(m) is Literal for c in typing.get_args(m)]
        hint = did_you_mean(given, choices) if isinstance(given, str) and choices else None
        return f"{e['msg']}, got {given!r}", hint
    if e["msg"].startswith("Value error, "):
        return e["msg"][len("Value error, "):], None
    return f"{e['msg']} (got {given!r})", None


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


def _prune(data: dict, raw: list[dict]) -> tuple[dict, set[tuple[str, ...]]]:
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
        field = InstanceSpec.model_fields.get(top)
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

_SECTION_OF = {"tariff menu": "tariff_menus", "segment": "segments", "channel": "channels",
               "NTB measure": "ntb_measures", "maker": "makers", "good": "goods", "third country": "third_countries"}
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
        return f"{text!r} is text here, not a number: write it without quotes"
    mantissa, exponent = f"{v:e}".split("e")
    mantissa = mantissa.rstrip("0") + ("0" if mantissa.rstrip("0").endswith(".") else "")
    written = f"{mantissa}e{int(exponent):+d}"
    if v.is_integer() and abs(v) < 1e15:
        written += f" or {int(v)}"
    return (f"YAML 1.1 reads {text!r} as text, not as a number (its exponents need a dot before the e and a sign "
            f"after it): write {written}")


class Builder:
    """Turns the parsed spec into base-unit dataclasses, collecting every problem found.

    Units and ranges come from the schema's declarations (`model.data.schema.quantity`);
    each number's dimension and range as applied are kept (`dimensions`, `ranges`) for
    the uncertainty checks."""

    def __init__(self, spec: InstanceSpec, origins: Origins, file: str,
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
        if what in _SECTION_OF and self.set_aside(_SECTION_OF[what], name):
            return False                 # already reported: the entry has a structural error
        self.error(path, f"unknown {what} '{name}'", hint=did_you_mean(name, known))
        return False

    # -- sections --------------------------------------------------------------
    def build(self) -> Instance:
        s = self.spec
        menus = {k: self.menu(k, m, unit=self.shared_unit(
            f"tariff_menus.{k}", [n for n, g in s.segments.items() if g.tariff_menu == k], s.segments, "quota"))
            for k, m in s.tariff_menus.items()}
        partner_menus = {k: self.menu(k, m, "partner_tariff_menus") for k, m in s.partner_tariff_menus.items()}
        countries, supplies = self.third_countries(s.third_countries, s.segments)
        segments = {k: self.segment(k, g, menus, partner_menus, supplies.get(k, [])) for k, g in s.segments.items()}
        lines = self.lines(s.tariff_menus, segments)
        partner_lines = self.lines(s.partner_tariff_menus, segments, "partner_tariff_menu")
        channels = {k: self.channel(k, c, segments) for k, c in s.channels.items()}
        ntb = {k: self.ntb(k, n, segments) for k, n in s.ntb_measures.items()}
        makers = {k: self.maker(k, m, segments) for k, m in s.makers.items()}
        goods = {k: self.good(k, g) for k, g in s.goods.items()}
        sources = {k: Source(k, "assumption" if v.assumption else "published", v.assumption or v.citation, v.year)
                   for k, v in s.sources.items()}
        partial = Instance(
            name=s.name, title=s.title, question=s.question, file=self.file,
            parties={"home": s.parties.home, "partner": s.parties.partner},
            segments=segments, menus=menus, channels=channels, ntb_measures=ntb, makers=makers,
            goods=goods, red_lines=(), payoff_weights={}, no_deal=Deal(), fixed=Deal(),
            settings=Settings(), calibration={}, sources=sources, inputs=(), lines=lines,
            partner_menus=partner_menus, partner_lines=partner_lines, third_countries=countries)
        jobs_decl = declared(InstanceSpec, "jobs_per_unit")
        jobs = {party: self.q(q, f"jobs_per_unit.{party}", jobs_decl,
                              dimension=own_unit(jobs_decl.dimension, partial.quantity_unit))
                for party, q in s.jobs_per_unit.items()}
        partial = replace(partial, jobs_per_unit=jobs)
        payoffs = {p: self.payoff(p, s.payoffs.get(p, {}), partial) for p in ("home", "partner")}
        red_lines = tuple(r for k, spec in s.red_lines.items() for r in self.red_line(k, spec, partial))
        no_deal = self.deal(s.no_deal, "no_deal", partial, complete=True)
        fixed = self.deal(s.fixed_levers, "fixed_levers", partial, complete=False)
        settings = self.settings(partial)
        calibrated = declared(InstanceSpec, "calibration")
        calibration = {k: self.q(v, f"calibration.{k}", calibrated, dimension=self.metric_dimension(k, partial))
                       for k, v in s.calibration.items() if self.calibrated_metric(k, partial)}
        uncertainty = build_uncertainty(s.uncertainty, self)   # after every other input: it refers to them
        return replace(partial, red_lines=red_lines, payoff_weights=payoffs, no_deal=no_deal, fixed=fixed,
                       settings=settings, calibration=calibration, inputs=tuple(self.inputs),
                       uncertainty=uncertainty)

    def menu(self, key: str, spec, root: str = "tariff_menus", unit: str = "vehicles") -> tuple[TariffOption, ...]:
        path = f"{root}.{key}"
        options: list[TariffOption] = []
        if spec.flat is not None:
            fp = f"{path}.flat"
            lo, hi, step = (self.field(spec.flat, name, fp) for name in ("floor", "ceiling", "step"))
            if hi < lo:
                self.error(fp, f"ceiling ({hi:.2%}) is below floor ({lo:.2%})",
                           hint="tiers run from floor up to ceiling")
            elif step > 0:
                n = round((hi - lo) / step)
                if abs(lo + n * step - hi) > 1e-9:
                    self.error(f"{fp}.step", f"steps of {step:.2%} from {lo:.2%} do not reach {hi:.2%}")
                elif n > 1000:
                    self.error(f"{fp}.step", f"{n + 1} tiers is too many (at most 1001)")
                else:
                    for i in range(n + 1):
                        rate = round(lo + i * step, 12)
                        options.append(TariffOption(name=flat_name(rate), label=f"flat {rate:.1%}", rate=rate))
        for qk, qs in getattr(spec, "quotas", {}).items():
            qp = f"{path}.quotas.{qk}"
            quota = self.field(qs, "quota", qp, dimension=own_unit(declared(QuotaSpec, "quota").dimension, unit))
            ti, to = (self.field(qs, name, qp) for name in ("in_quota", "out_of_quota"))
            if ti > to:
                self.error(qp, f"in-quota rate {ti:.2%} is above the out-of-quota rate {to:.2%}",
                           hint="a tariff-rate quota charges less inside the quota")
            label = qs.label or f"quota {quota:,.0f} at {ti:.1%}, {to:.1%} above"
            options.append(TariffOption(name=qk, label=label, rate=to, quota=quota, in_quota_rate=ti,
                                        rent_holder=qs.rent_holder))
        for rk, rs in getattr(spec, "export_restraints", {}).items():
            rp = f"{path}.export_restraints.{rk}"
            if rk in spec.quotas:
                self.error(rp, f"'{rk}' is also a quota on this menu", hint="give each option its own name")
                continue
            quota = self.field(rs, "quota", rp, dimension=own_unit(declared(RestraintSpec, "quota").dimension, unit))
            label = rs.label or f"export restraint: at most {quota:,.0f} a year"
            options.append(TariffOption(name=rk, label=label, rate=float("inf"), quota=quota,
                                        in_quota_rate=None, rent_holder="exporters"))
        if not options:
            self.error(path, "the menu has no options", hint="give 'flat:' tiers, 'quotas:' or 'export_restraints:'")
        return tuple(options)

    def lines(self, menus, segments, attribute: str = "tariff_menu") -> TariffLines:
        """One line per menu (every segment on it), or one per segment of a `split` menu."""
        out: dict[str, TariffLine] = {}
        root = "tariff_menus" if attribute == "tariff_menu" else "partner_tariff_menus"
        for key, spec in menus.items():
            members = tuple(s for s, g in segments.items() if getattr(g, attribute) == key)
            if spec.split:
                for s in members:
                    if s in menus and s != key:
                        self.error(f"{root}.{key}.split", f"segment '{s}' would get a tariff line of its own, "
                                   f"but a menu is also called '{s}'", hint="rename the segment or the menu")
                    out[s] = TariffLine(s, f"{spec.label or key}: {segments[s].label}", key, (s,))
            elif members:
                out[key] = TariffLine(key, spec.label or " and ".join(segments[s].label for s in members),
                                      key, members)
        return TariffLines(out)

    def segment(self, key: str, g, menus, partner_menus, supplies: list[tuple[str, ThirdSupply]]) -> Segment:
        p = f"segments.{key}"
        self.ref(g.tariff_menu, menus, f"{p}.tariff_menu", "tariff menu")
        numbers = {name: self.field(g, name, p, dimension=own_unit(declared(SegmentSpec, name).dimension, g.unit))
                   for name in _SEGMENT_NUMBERS if getattr(g, name) is not None}
        nested = {name: numbers.pop(name) for name in _ARMINGTON_FIELDS if name in numbers}
        armington = self.armington(p, g, nested, supplies)
        numbers.setdefault("pass_through", None)
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
        partner = ("partner_base_tariff", "export_elasticity", "export_pass_through")
        if g.partner_tariff_menu is not None:
            self.ref(g.partner_tariff_menu, partner_menus, f"{p}.partner_tariff_menu", "partner tariff menu")
            for name in partner:
                if getattr(g, name) is None:
                    self.error(f"{p}.{name}", "required when the segment has a 'partner_tariff_menu'",
                               hint=f"see {DOCS}#segments")
        elif any(getattr(g, name) is not None for name in partner):
            self.error(f"{p}.partner_tariff_menu", "the segment states how exports respond to the partner's tariff "
                       "but names no partner tariff menu", hint=f"name one of partner_tariff_menus, see {DOCS}#segments")
        return Segment(name=key, label=g.label, tariff_menu=g.tariff_menu, unit=g.unit,
                       partner_tariff_menu=g.partner_tariff_menu, armington=armington, **numbers)

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
        countries, supplies = {}, {}
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
            countries[c] = ThirdCountry(c, spec.label, tariff, base, pass_through, exports, supply)
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
                    pass_through=pass_through, supply_elasticity=own_supply,
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

    def channel(self, key: str, c, segments) -> Channel:
        p = f"channels.{key}"
        unit = self.shared_unit(p, c.unit_value, segments, "capacity")
        per = declared(ChannelSpec, "unit_value")
        values = {s: self.q(v, f"{p}.unit_value.{s}", per, dimension=own_unit(per.dimension, unit))
                  for s, v in c.unit_value.items() if self.ref(s, segments, f"{p}.unit_value.{s}", "segment")}
        return Channel(name=key, label=c.label, capacity=self.bound(
                           c, "capacity", p, dimension=own_unit(declared(ChannelSpec, "capacity").dimension, unit)),
                       unit_value=values, dealer_margin=self.field(
                           c, "dealer_margin", p, dimension=own_unit(declared(ChannelSpec, "dealer_margin").dimension, unit)))

    def ntb(self, key: str, n, segments) -> NtbMeasure:
        p = f"ntb_measures.{key}"
        per = declared(NtbSpec, "ceiling_lift")
        lift = {s: self.q(v, f"{p}.ceiling_lift.{s}", per, dimension=own_unit(per.dimension, segments[s].unit))
                for s, v in n.ceiling_lift.items() if self.ref(s, segments, f"{p}.ceiling_lift.{s}", "segment")}
        return NtbMeasure(name=key, label=n.label, ceiling_lift=lift,
                          political_cost=self.field(n, "political_cost", p))

    def maker(self, key: str, mk, segments) -> Maker:
        p = f"makers.{key}"
        for i, s in enumerate(mk.segments):
            self.ref(s, segments, f"{p}.segments[{i}]", "segment")
        unit = self.shared_unit(p, mk.segments, segments, "spare capacity")

        def own(name):
            return own_unit(declared(MakerSpec, name).dimension, unit)
        return Maker(name=key, label=mk.label, segments=tuple(s for s in mk.segments if s in segments),
                     spare_capacity=self.bound(mk, "spare_capacity", p, dimension=own("spare_capacity")),
                     home_plant_margin=0.0 if mk.home_plant_margin is None else self.field(
                         mk, "home_plant_margin", p, dimension=own("home_plant_margin")))

    def good(self, key: str, g) -> Good:
        p = f"goods.{key}"

        def own(name: str) -> str:
            """The field's dimension with the good's own unit filled in."""
            return declared(GoodSpec, name).dimension.format(unit=g.unit)
        return Good(name=key, label=g.label, unit=g.unit,
                    unit_value=self.field(g, "unit_value", p, dimension=own("unit_value")),
                    max_units=self.bound(g, "max_units", p, dimension=own("max_units")),
                    political_cost=self.field(g, "political_cost", p, dimension=own("political_cost")),
                    additional_share=1.0 if g.additional_share is None else self.field(g, "additional_share", p),
                    additional_stated=g.additional_share is not None)

    def calibrated_metric(self, name: str, inst: Instance) -> bool:
        """A metric `calibration` may name: a scalar one, or an indexed one with a known index
        (e.g. 'third_imports_value[korea]')."""
        base, index = split_metric(name)
        if index is None or base not in INDEXED_METRICS:
            return self.ref(name, METRICS, f"calibration.{name}", "metric")
        kind = INDEXED_METRICS[base][0]
        known = {"segment": inst.segments, "good": inst.goods, "third country": inst.third_countries}[kind]
        return self.ref(index, known, f"calibration.{name}", kind)

    def metric_dimension(self, name: str, inst: Instance) -> str:
        base, index = split_metric(name)
        if base == "purchases_units":
            return f"count:{inst.goods[index].unit}" if index in inst.goods else "share"
        if index is not None and base in INDEXED_METRICS:
            unit = INDEXED_METRICS[base][2]
        else:
            unit = METRICS[base].unit if base in METRICS else "USD"
        return own_unit({"fraction": "share"}.get(unit, unit), inst.quantity_unit)

    def payoff(self, party: str, weights: dict[str, Q], inst: Instance) -> dict[str, float]:
        out = {}
        decl = declared(InstanceSpec, "payoffs")
        for k, q in weights.items():
            path = f"payoffs.{party}.{k}"
            if not self.ref(k, [m for m in METRICS if m not in PAYOFF_METRICS], path, "metric"):
                continue
            unit = METRICS[k].unit
            dim = own_unit({"USD": "weight", "vehicles": "USD/vehicle", "fraction": "USD", "jobs": "USD/job"}[unit],
                           inst.quantity_unit)
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
            kind = INDEXED_METRICS[base][0]
            known = {"segment": inst.segments, "good": inst.goods, "third country": inst.third_countries}[kind]
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
            known = inst.segments.get(index) or inst.goods.get(index) or inst.third_countries.get(index)
            return f"{r.label} ({known.label if known else index})"
        return [RedLine(name=name, label=label(metric), party=r.party, metric=metric, sense=r.sense,
                        bound=bound, relative_to=r.relative_to, reason=r.reason) for name, metric in names]

    def deal(self, spec, path: str, inst: Instance, complete: bool) -> Deal:
        tariff = self.line_choices(spec.tariff, f"{path}.tariff", inst, inst.lines, inst.menus,
                                   "tariff_menus", complete)
        partner_tariff = self.line_choices(spec.partner_tariff, f"{path}.partner_tariff", inst, inst.partner_lines,
                                           inst.partner_menus, "partner_tariff_menus", complete)
        commitments = {}
        per_commitment = declared(DealSpec, "commitments")
        for c, per in spec.commitments.items():
            if not self.ref(c, inst.channels, f"{path}.commitments.{c}", "channel"):
                continue
            for s, q in per.items():
                sp = f"{path}.commitments.{c}.{s}"
                if s not in inst.channels[c].unit_value:
                    self.error(sp, f"channel '{c}' cannot source segment '{s}'",
                               hint=f"it sources: {', '.join(inst.channels[c].unit_value)}")
                    continue
                seg = inst.segments[s]
                commitments[(c, s)] = self.q(q, sp, per_commitment,
                                             dimension=own_unit(per_commitment.dimension, seg.unit))
                top = seg.partner_ceiling + sum(n.ceiling_lift.get(s, 0) for n in inst.ntb_measures.values())
                if commitments[(c, s)] + seg.exports > top:
                    self.error(sp, f"{commitments[(c, s)]:,.0f} {seg.unit} plus today's {seg.exports:,.0f} exceed "
                               f"what partner buyers would take even with every NTB relief ({top:,.0f})",
                               hint=f"lower the commitment or raise segments.{s}.partner_ceiling")
        ntb = {n: on for n, on in spec.ntb.items() if self.ref(n, inst.ntb_measures, f"{path}.ntb.{n}", "NTB measure")}
        shift = {}
        per_shift = declared(DealSpec, "production_shift")
        for k, per in spec.production_shift.items():
            if not self.ref(k, inst.makers, f"{path}.production_shift.{k}", "maker"):
                continue
            for s, q in per.items():
                sp = f"{path}.production_shift.{k}.{s}"
                if self.ref(s, inst.makers[k].segments, sp, f"segment for maker '{k}'"):
                    shift[(k, s)] = self.q(q, sp, per_shift,
                                           dimension=own_unit(per_shift.dimension, inst.segments[s].unit))
        purchases = {}
        per_purchase = declared(DealSpec, "purchases")
        for g, q in spec.purchases.items():
            gp = f"{path}.purchases.{g}"
            if self.ref(g, inst.goods, gp, "good"):
                good = inst.goods[g]
                purchases[g] = self.q(q, gp, per_purchase, dimension=per_purchase.dimension.format(unit=good.unit),
                                      rng=replace(per_purchase.range, high=good.max_units))
        return Deal(tariff=tariff, commitments=commitments, ntb=ntb, shift=shift, purchases=purchases,
                    other={"partner_tariff": partner_tariff} if partner_tariff else {})

    def line_choices(self, given: dict, path: str, inst: Instance, lines, menus, root: str,
                     complete: bool) -> dict[str, str]:
        """Tariff line -> option, from a map keyed by line, menu or segment: a menu sets each
        of its lines; a segment its line, which must then agree with the line's other segments."""
        segment_line = lines.segment_line
        out: dict[str, str] = {}
        for key, value in given.items():
            kp = f"{path}.{key}"
            if key in lines:
                targets = [key]
            elif key in segment_line:
                targets = [segment_line[key]]
            elif key in menus:
                targets = [name for name, line in lines.items() if line.menu == key]
            else:
                if not (self.set_aside("segments", key) or self.set_aside(root, key)):
                    self.error(kp, f"unknown tariff line, menu or segment '{key}'",
                               hint=did_you_mean(key, list(lines) + list(segment_line) + list(menus)))
                continue
            for line in targets:
                name = self.option_name(value, line, kp, menus[lines[line].menu])
                if name and line in out and out[line] != name:
                    members = ", ".join(lines[line].segments)
                    self.error(kp, f"segment '{key}' is on tariff line '{line}' ({members}), whose other segments "
                               f"get '{out[line]}': one option applies to the whole line",
                               hint=f"give the tariff per line ('{line}'), or set {root}."
                                    f"{lines[line].menu}.split: true to choose it per segment")
                elif name:
                    out[line] = name
        section = path.rsplit(".", 1)
        if complete and not self.set_aside(*section):
            for line in lines:
                if line not in out and not any(e.field.startswith(path) for e in self.errors):
                    self.error(path, f"no tariff given for tariff line '{line}'",
                               hint="give one per tariff line (a menu, or a segment of a split menu)")
        return out

    def option_name(self, value, line: str, path: str, options) -> str | None:
        if isinstance(value, str):
            if any(o.name == value for o in options):
                return value
            self.error(path, f"'{value}' is not an option on tariff line '{line}'",
                       hint=did_you_mean(value, [o.name for o in options]))
            return None
        rate = self.q(value, path, declared(DealSpec, "tariff"))
        for o in options:
            if not o.is_quota and abs(o.rate - rate) < 1e-9:
                return o.name
        flats = [o.rate for o in options if not o.is_quota]
        near = min(flats, key=lambda r: abs(r - rate)) if flats else None
        self.error(path, f"{rate:.2%} is not a flat tier on tariff line '{line}'",
                   hint=f"nearest tier: {near:.2%}" if near is not None else "its menu has no flat tiers")
        return None

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
        return Settings(response=s.response, objective=s.objective, objective_metric=s.objective_metric,
                        participation=s.participation, lexicographic_tolerance=s.lexicographic_tolerance,
                        objective_weights=dict(s.objective_weights), nash_weights=dict(s.nash_weights),
                        time_limit=s.time_limit, noise_threshold=s.noise_threshold)


def own_unit(dimension: str, unit: str) -> str:
    """A vehicle dimension restated in a segment's own count unit ('vehicles' -> 'count:tonne');
    vehicles stay vehicles, and other dimensions are unchanged."""
    if unit == "vehicles" or dimension not in ("vehicles", "USD/vehicle", "jobs/vehicle"):
        return dimension
    return {"vehicles": f"count:{unit}", "USD/vehicle": f"USD/count:{unit}", "jobs/vehicle": f"jobs/count:{unit}"}[
        dimension]


def flat_name(rate: float) -> str:
    """The option name of a flat tier: 'flat_27.5' for 27.5%."""
    return f"flat_{rate * 100:g}"


def check_relative_red_lines(instance: Instance, origins: Origins, file: str) -> list[InstanceError]:
    """A bound stated relative to a reference must have a positive reference: 90% of a negative
    deficit is above it (looser, not tighter), and any share of zero is zero. Rejected, with
    the reference's value, rather than silently turned around."""
    relative = [r for r in instance.red_lines if r.relative_to is not None]
    if not relative:
        return []
    refs = {"baseline": evaluate(instance, None), "no_deal": evaluate(instance, instance.no_deal)}
    errors = []
    for r in relative:
        ref = refs[r.relative_to][r.metric]
        if ref > 0:
            continue
        f, line = origins.locate(f"red_lines.{r.name.split('[')[0]}.relative_to", file)
        what = "zero" if ref == 0 else f"negative ({ref:,.6g})"
        errors.append(InstanceError(
            f, f"red_lines.{r.name.split('[')[0]}.relative_to", f"'{r.metric}' is {what} at {r.relative_to.replace('_', ' ')}, "
            f"so a bound relative to it would {'be zero whatever the share' if ref == 0 else 'loosen as the share falls'}",
            line=line, hint="state the bound as an absolute value (drop 'relative_to'), or choose a metric that is "
                            f"positive at the reference; see {DOCS}#red_lines"))
    return errors


def check_calibration(instance: Instance, origins: Origins, file: str) -> list[InstanceError]:
    """The baseline must reproduce each calibration figure to within 0.1%.

    When the figure was written in one file and the segments were changed in another (a
    file that `extends` it adds, removes or restates segments), the hint says so: the
    inherited figures describe the parent's segments, and `calibration` can be restated."""
    if not instance.calibration:
        return []
    baseline = evaluate(instance, None)
    errors = []
    for k, target in instance.calibration.items():
        got = baseline[k]
        if abs(got - target) > CALIBRATION_TOLERANCE * max(abs(target), 1e-9):
            f, line = origins.locate(f"calibration.{k}", file)
            changed = sorted({where for path, (where, _) in origins.where.items()
                              if path.startswith("segments.") and where != f})
            hint = "adjust the segment data so that they add up to the published total"
            if changed:
                names = ", ".join(Path(c).name for c in changed)
                hint = (f"the segments were changed in {names}, but this figure comes from {Path(f).name}: "
                        f"restate it under 'calibration:' in {Path(file).name} for these segments, or drop it "
                        f"with 'calibration: {{{k}: null}}' (or all figures with 'calibration: null'); see "
                        f"{DOCS}#calibration")
            errors.append(InstanceError(
                f, f"calibration.{k}", f"the baseline gives {got:,.6g} but the calibration figure is "
                f"{target:,.6g} ({(got - target) / target:+.2%}); they must agree to 0.1%", line=line, hint=hint))
    return errors
