"""Instance file -> validated `Instance`: inheritance, structure, units, references, sense.

All problems that can be found are collected and reported together, each naming the
file, the field path, the line, what is wrong and a hint. Nothing here builds a model.

Inheritance: `extends: other.yaml` (relative to the file) starts from the other file and
overrides it key by key, recursively; a `null` value deletes the inherited key. Chains
are allowed; cycles, missing files and paths outside the instances tree are errors.
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from pydantic import ValidationError

from model.data.instance import (
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
    TariffOption,
)
from model.data.schema import InstanceSpec, Q
from model.data.tables import expand_tables
from model.data.uncertainty import build_uncertainty
from model.data.units import BASE_UNIT, accepted, to_base
from model.data.yaml_io import Located, read_yaml
from model.economics.metrics import INDEXED_METRICS, METRICS, PAYOFF_METRICS, evaluate, split_metric
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
            files = getattr(data, "files", None) or {}   # keys placed from CSV tables (model.tables)
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
    """Read, resolve and validate an instance file; raises InstanceError(s) with locations."""
    path = Path(path)
    data, origins = resolve(path, Path(root) if root else None)
    file = str(path)
    try:
        spec = InstanceSpec.model_validate(data)
    except ValidationError as exc:
        raise InstanceErrors([_pydantic_error(e, origins, file) for e in exc.errors()]) from None
    builder = _Builder(spec, origins, file)
    instance = builder.build()
    if builder.errors:
        raise InstanceErrors(builder.errors)
    instance = _with_hash(instance, content_hash(data))
    errors = check_calibration(instance, origins, file)
    if errors:
        raise InstanceErrors(errors)
    return instance


def _with_hash(instance: Instance, digest: str) -> Instance:
    from dataclasses import replace
    return replace(instance, content_hash=digest)


def _pydantic_error(e: dict, origins: Origins, file: str) -> InstanceError:
    loc = [str(p) for p in e["loc"] if not str(p).startswith("function-after")]
    # Quantities given as a bare number: say how to write them.
    path = ".".join(loc)
    f, line = origins.locate(path, file)
    kind, msg = e["type"], e["msg"]
    hint = None
    if kind == "missing":
        msg = "this field is required but missing"
    elif kind == "extra_forbidden":
        msg = "unknown field"
        hint = "check the spelling; see the field list in README.md (Instance files)"
    elif kind == "model_type" or kind == "dict_type":
        got = type(e.get("input")).__name__
        msg = f"expected a mapping of fields here, got {got} {e.get('input')!r}"
        if isinstance(e.get("input"), (int, float)):
            hint = "numbers are written as {value: ..., unit: ..., source: ...}"
    elif kind == "literal_error":
        msg = f"{msg}, got {e.get('input')!r}"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    else:
        msg = f"{msg} (got {e.get('input')!r})"
    if isinstance(e.get("input"), str):
        hint = number_as_text_hint(e["input"]) or hint
    return InstanceError(f, path, msg, line=line, hint=hint)


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


class _Builder:
    """Turns the parsed spec into base-unit dataclasses, collecting every problem found."""

    def __init__(self, spec: InstanceSpec, origins: Origins, file: str):
        self.spec, self.origins, self.file = spec, origins, file
        self.errors: list[InstanceError] = []
        self.inputs: list[Input] = []

    # -- helpers -------------------------------------------------------------
    def error(self, path: str, message: str, hint: str | None = None) -> None:
        f, line = self.origins.locate(path, self.file)
        self.errors.append(InstanceError(f, path, message, line=line, hint=hint))

    def q(self, q: Q, dimension: str, path: str, low: float | None = None, high: float | None = None,
          strict_low: bool = False) -> float:
        """A quantity in base units; records its provenance and checks unit, source and range."""
        try:
            value = to_base(q.value, q.unit, dimension)
        except KeyError:
            self.error(f"{path}.unit", f"unit '{q.unit}' is not accepted here",
                       hint=f"use one of: {', '.join(accepted(dimension))}")
            return q.value
        if q.source not in self.spec.sources:
            self.error(f"{path}.source", f"unknown source '{q.source}'",
                       hint=did_you_mean(q.source, self.spec.sources) or "add it under 'sources:'")
        if low is not None and (value < low or (strict_low and value == low)):
            self.error(f"{path}.value", f"must be {'>' if strict_low else '>='} {low:g} {BASE_UNIT.get(dimension, '')}"
                       f" (got {q.value:g} {q.unit})".replace("  ", " "))
        if high is not None and value > high:
            self.error(f"{path}.value", f"must be <= {high:g} in {BASE_UNIT.get(dimension, dimension)} (got {q.value:g} {q.unit})")
        self.inputs.append(Input(path, q.value, q.unit, q.source))
        return value

    def bound(self, q, dimension: str, path: str) -> float:
        """An upper bound: a non-negative quantity, or 'unlimited' (infinity)."""
        return math.inf if q == "unlimited" else self.q(q, dimension, path, 0)

    def ref(self, name: str, known, path: str, what: str) -> bool:
        if name in known:
            return True
        self.error(path, f"unknown {what} '{name}'", hint=did_you_mean(name, known))
        return False

    # -- sections --------------------------------------------------------------
    def build(self) -> Instance:
        s = self.spec
        menus = {k: self.menu(k, m) for k, m in s.tariff_menus.items()}
        segments = {k: self.segment(k, g, menus) for k, g in s.segments.items()}
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
            settings=Settings(), calibration={}, sources=sources, inputs=())
        from dataclasses import replace
        payoffs = {p: self.payoff(p, s.payoffs.get(p, {}), partial) for p in ("home", "partner")}
        red_lines = tuple(r for k, spec in s.red_lines.items() for r in self.red_line(k, spec, partial))
        no_deal = self.deal(s.no_deal, "no_deal", partial, complete=True)
        fixed = self.deal(s.fixed_levers, "fixed_levers", partial, complete=False)
        settings = self.settings(partial)
        calibration = {k: self.q(v, self.metric_dimension(k, partial), f"calibration.{k}")
                       for k, v in s.calibration.items() if self.ref(k, METRICS, f"calibration.{k}", "metric")}
        uncertainty = build_uncertainty(s.uncertainty, self)   # after every other input: it refers to them
        return replace(partial, red_lines=red_lines, payoff_weights=payoffs, no_deal=no_deal, fixed=fixed,
                       settings=settings, calibration=calibration, inputs=tuple(self.inputs),
                       uncertainty=uncertainty)

    def menu(self, key: str, spec) -> tuple[TariffOption, ...]:
        path = f"tariff_menus.{key}"
        options: list[TariffOption] = []
        if spec.flat is not None:
            lo = self.q(spec.flat.floor, "share", f"{path}.flat.floor", 0, 10)
            hi = self.q(spec.flat.ceiling, "share", f"{path}.flat.ceiling", 0, 10)
            step = self.q(spec.flat.step, "share", f"{path}.flat.step", 0, 10, strict_low=True)
            if hi < lo:
                self.error(f"{path}.flat", f"ceiling ({hi:.2%}) is below floor ({lo:.2%})",
                           hint="tiers run from floor up to ceiling")
            elif step > 0:
                n = round((hi - lo) / step)
                if abs(lo + n * step - hi) > 1e-9:
                    self.error(f"{path}.flat.step", f"steps of {step:.2%} from {lo:.2%} do not reach {hi:.2%}")
                elif n > 1000:
                    self.error(f"{path}.flat.step", f"{n + 1} tiers is too many (at most 1001)")
                else:
                    for i in range(n + 1):
                        rate = round(lo + i * step, 12)
                        options.append(TariffOption(name=flat_name(rate), label=f"flat {rate:.1%}", rate=rate))
        for qk, qs in spec.quotas.items():
            qp = f"{path}.quotas.{qk}"
            quota = self.q(qs.quota, "vehicles", f"{qp}.quota", 0)
            ti = self.q(qs.in_quota, "share", f"{qp}.in_quota", 0, 10)
            to = self.q(qs.out_of_quota, "share", f"{qp}.out_of_quota", 0, 10)
            if ti > to:
                self.error(qp, f"in-quota rate {ti:.2%} is above the out-of-quota rate {to:.2%}",
                           hint="a tariff-rate quota charges less inside the quota")
            label = qs.label or f"quota {quota:,.0f} at {ti:.1%}, {to:.1%} above"
            options.append(TariffOption(name=qk, label=label, rate=to, quota=quota, in_quota_rate=ti))
        if not options:
            self.error(path, "the menu has no options", hint="give 'flat:' tiers or 'quotas:'")
        return tuple(options)

    def segment(self, key: str, g, menus) -> Segment:
        p = f"segments.{key}"
        self.ref(g.tariff_menu, menus, f"{p}.tariff_menu", "tariff menu")
        imports = self.q(g.imports, "vehicles", f"{p}.imports", 0, strict_low=True)
        elasticity = self.q(g.elasticity, "elasticity", f"{p}.elasticity")
        if elasticity >= 0:
            self.error(f"{p}.elasticity.value", f"import-demand elasticity must be negative (got {elasticity:g})",
                       hint="buyers take fewer vehicles when the price rises, e.g. -1.25")
        pass_through = self.q(g.pass_through, "share", f"{p}.pass_through", 0, 1)
        if pass_through == 0:
            self.error(f"{p}.pass_through.value", "must be above 0: with no pass-through tariffs change nothing",
                       hint="use a small positive share, e.g. 0.05")
        return Segment(
            name=key, label=g.label, tariff_menu=g.tariff_menu,
            base_tariff=self.q(g.base_tariff, "share", f"{p}.base_tariff", 0, 10),
            imports=imports,
            import_price=self.q(g.import_price, "USD/vehicle", f"{p}.import_price", 0, strict_low=True),
            exports=self.q(g.exports, "vehicles", f"{p}.exports", 0),
            export_price=self.q(g.export_price, "USD/vehicle", f"{p}.export_price", 0),
            elasticity=elasticity, pass_through=pass_through,
            partner_ceiling=self.q(g.partner_ceiling, "vehicles", f"{p}.partner_ceiling", 0),
            partner_margin=self.q(g.partner_margin, "USD/vehicle", f"{p}.partner_margin", 0),
            home_substitution=self.q(g.home_substitution, "share", f"{p}.home_substitution", 0, 1),
            displacement=self.q(g.displacement, "share", f"{p}.displacement", 0, 1))

    def channel(self, key: str, c, segments) -> Channel:
        p = f"channels.{key}"
        values = {s: self.q(v, "USD/vehicle", f"{p}.unit_value.{s}", 0, strict_low=True)
                  for s, v in c.unit_value.items() if self.ref(s, segments, f"{p}.unit_value.{s}", "segment")}
        return Channel(name=key, label=c.label, capacity=self.bound(c.capacity, "vehicles", f"{p}.capacity"),
                       unit_value=values, dealer_margin=self.q(c.dealer_margin, "USD/vehicle", f"{p}.dealer_margin"))

    def ntb(self, key: str, n, segments) -> NtbMeasure:
        p = f"ntb_measures.{key}"
        lift = {s: self.q(v, "vehicles", f"{p}.ceiling_lift.{s}", 0)
                for s, v in n.ceiling_lift.items() if self.ref(s, segments, f"{p}.ceiling_lift.{s}", "segment")}
        return NtbMeasure(name=key, label=n.label, ceiling_lift=lift,
                          political_cost=self.q(n.political_cost, "USD", f"{p}.political_cost", 0))

    def maker(self, key: str, mk, segments) -> Maker:
        p = f"makers.{key}"
        for i, s in enumerate(mk.segments):
            self.ref(s, segments, f"{p}.segments[{i}]", "segment")
        return Maker(name=key, label=mk.label, segments=tuple(s for s in mk.segments if s in segments),
                     spare_capacity=self.bound(mk.spare_capacity, "vehicles", f"{p}.spare_capacity"))

    def good(self, key: str, g) -> Good:
        p = f"goods.{key}"
        return Good(name=key, label=g.label, unit=g.unit,
                    unit_value=self.q(g.unit_value, f"USD/count:{g.unit}", f"{p}.unit_value", 0, strict_low=True),
                    max_units=self.bound(g.max_units, f"count:{g.unit}", f"{p}.max_units"),
                    political_cost=self.q(g.political_cost, f"USD/count:{g.unit}", f"{p}.political_cost", 0))

    def metric_dimension(self, name: str, inst: Instance) -> str:
        base, index = split_metric(name)
        if base == "tariff_rate":
            return "share"
        if base == "purchases_units":
            return f"count:{inst.goods[index].unit}" if index in inst.goods else "share"
        unit = METRICS[base].unit if base in METRICS else "USD"
        return {"fraction": "share"}.get(unit, unit)

    def payoff(self, party: str, weights: dict[str, Q], inst: Instance) -> dict[str, float]:
        out = {}
        for k, q in weights.items():
            path = f"payoffs.{party}.{k}"
            if not self.ref(k, [m for m in METRICS if m not in PAYOFF_METRICS], path, "metric"):
                continue
            unit = METRICS[k].unit
            dim = {"USD": "weight", "vehicles": "USD/vehicle", "fraction": "USD"}[unit]
            out[k] = self.q(q, dim, path)
        if not out:
            self.error(f"payoffs.{party}", "the party has no payoff weights", hint="e.g. deficit: {value: -1, unit: '1', ...}")
        return out

    def red_line(self, key: str, r, inst: Instance) -> list[RedLine]:
        p = f"red_lines.{key}"
        base, inline_index = split_metric(r.metric)
        if base not in METRICS and base not in INDEXED_METRICS:
            self.error(f"{p}.metric", f"unknown metric '{r.metric}'",
                       hint=did_you_mean(base, list(METRICS) + list(INDEXED_METRICS)))
            return []
        if base in INDEXED_METRICS:
            kind = INDEXED_METRICS[base][0]
            known = inst.segments if kind == "segment" else inst.goods
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
        dimension = "share" if r.relative_to else self.metric_dimension(names[0][1], inst)
        bound = self.q(r.bound, dimension, f"{p}.bound", 0 if r.relative_to else None)
        def label(metric: str) -> str:
            """Per-segment or per-good red lines name their index in the label."""
            if len(names) == 1:
                return r.label
            index = split_metric(metric)[1]
            known = inst.segments.get(index) or inst.goods.get(index)
            return f"{r.label} ({known.label if known else index})"
        return [RedLine(name=name, label=label(metric), party=r.party, metric=metric, sense=r.sense,
                        bound=bound, relative_to=r.relative_to, reason=r.reason) for name, metric in names]

    def deal(self, spec, path: str, inst: Instance, complete: bool) -> Deal:
        tariff: dict[str, str] = {}
        for key, value in spec.tariff.items():
            kp = f"{path}.tariff.{key}"
            if key in inst.segments:
                targets = [key]
            elif key in inst.menus:
                targets = [s for s, g in inst.segments.items() if g.tariff_menu == key]
            else:
                self.error(kp, f"unknown segment or tariff menu '{key}'",
                           hint=did_you_mean(key, list(inst.segments) + list(inst.menus)))
                continue
            for s in targets:
                name = self.option_name(value, s, kp, inst)
                if name:
                    tariff[s] = name
        if complete:
            for s in inst.segments:
                if s not in tariff and not any(e.field.startswith(f"{path}.tariff") for e in self.errors):
                    self.error(f"{path}.tariff", f"no tariff given for segment '{s}'",
                               hint="give one per segment or per tariff menu")
        commitments = {}
        for c, per in spec.commitments.items():
            if not self.ref(c, inst.channels, f"{path}.commitments.{c}", "channel"):
                continue
            for s, q in per.items():
                sp = f"{path}.commitments.{c}.{s}"
                if s not in inst.channels[c].unit_value:
                    self.error(sp, f"channel '{c}' cannot source segment '{s}'",
                               hint=f"it sources: {', '.join(inst.channels[c].unit_value)}")
                    continue
                commitments[(c, s)] = self.q(q, "vehicles", sp, 0)
                seg = inst.segments[s]
                top = seg.partner_ceiling + sum(n.ceiling_lift.get(s, 0) for n in inst.ntb_measures.values())
                if commitments[(c, s)] + seg.exports > top:
                    self.error(sp, f"{commitments[(c, s)]:,.0f} vehicles plus today's {seg.exports:,.0f} exceed "
                               f"what partner buyers would take even with every NTB relief ({top:,.0f})",
                               hint="lower the commitment or raise segments.{s}.partner_ceiling")
        ntb = {n: on for n, on in spec.ntb.items() if self.ref(n, inst.ntb_measures, f"{path}.ntb.{n}", "NTB measure")}
        shift = {}
        for k, per in spec.production_shift.items():
            if not self.ref(k, inst.makers, f"{path}.production_shift.{k}", "maker"):
                continue
            for s, q in per.items():
                sp = f"{path}.production_shift.{k}.{s}"
                if self.ref(s, inst.makers[k].segments, sp, f"segment for maker '{k}'"):
                    shift[(k, s)] = self.q(q, "vehicles", sp, 0)
        purchases = {}
        for g, q in spec.purchases.items():
            gp = f"{path}.purchases.{g}"
            if self.ref(g, inst.goods, gp, "good"):
                purchases[g] = self.q(q, f"count:{inst.goods[g].unit}", gp, 0, inst.goods[g].max_units)
        return Deal(tariff=tariff, commitments=commitments, ntb=ntb, shift=shift, purchases=purchases)

    def option_name(self, value, segment: str, path: str, inst: Instance) -> str | None:
        options = inst.options(segment)
        if isinstance(value, str):
            if any(o.name == value for o in options):
                return value
            self.error(path, f"'{value}' is not an option on segment '{segment}'",
                       hint=did_you_mean(value, [o.name for o in options]))
            return None
        rate = self.q(value, "share", path, 0, 10)
        for o in options:
            if not o.is_quota and abs(o.rate - rate) < 1e-9:
                return o.name
        flats = [o.rate for o in options if not o.is_quota]
        near = min(flats, key=lambda r: abs(r - rate)) if flats else None
        self.error(path, f"{rate:.2%} is not a flat tier on segment '{segment}'",
                   hint=f"nearest tier: {near:.2%}" if near is not None else "its menu has no flat tiers")
        return None

    def settings(self, inst: Instance) -> Settings:
        s = self.spec.settings
        for k in s.objective_weights:
            if k not in METRICS:
                self.error(f"settings.objective_weights.{k}", f"unknown metric '{k}'", hint=did_you_mean(k, METRICS))
        if s.objective == "weighted" and not s.objective_weights:
            self.error("settings.objective_weights", "the 'weighted' objective needs metric weights")
        for party, w in s.nash_weights.items():
            if not (w > 0 and math.isfinite(w)):
                self.error(f"settings.nash_weights.{party}", f"must be a positive number (got {w})")
        return Settings(response=s.response, objective=s.objective, participation=s.participation,
                        lexicographic_tolerance=s.lexicographic_tolerance,
                        objective_weights=dict(s.objective_weights), nash_weights=dict(s.nash_weights),
                        time_limit=s.time_limit)


def flat_name(rate: float) -> str:
    """The option name of a flat tier: 'flat_27.5' for 27.5%."""
    return f"flat_{rate * 100:g}"


def check_calibration(instance: Instance, origins: Origins, file: str) -> list[InstanceError]:
    """The baseline must reproduce each calibration figure to within 0.1%."""
    if not instance.calibration:
        return []
    baseline = evaluate(instance, None)
    errors = []
    for k, target in instance.calibration.items():
        got = baseline[k]
        if abs(got - target) > CALIBRATION_TOLERANCE * max(abs(target), 1e-9):
            f, line = origins.locate(f"calibration.{k}", file)
            errors.append(InstanceError(
                f, f"calibration.{k}", f"the baseline gives {got:,.6g} but the calibration figure is "
                f"{target:,.6g} ({(got - target) / target:+.2%}); they must agree to 0.1%", line=line,
                hint="adjust the segment data so that they add up to the published total"))
    return errors
