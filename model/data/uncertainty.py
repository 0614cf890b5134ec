"""Uncertain inputs: distributions declared in the instance, draws, and setting a drawn value.

An instance may declare, under `uncertainty:`, a distribution for any number it gives,
keyed by the number's field path (as in error messages and `validate --resolved`):

    uncertainty:
      segments.suv.elasticity:
        distribution: triangular           # normal, uniform or triangular
        low:  {value: -2.0, unit: "1", source: a_elasticity}
        high: {value: -0.8, unit: "1", source: a_elasticity}
        # mode: defaults to the field's own value (likewise `mean` for a normal)
      segments.suv.partner_ceiling:
        distribution: normal               # truncated to [low, high]
        sd:   {value: 5000, unit: vehicles/year, source: a_ceiling}
        low:  {value: 5000, unit: vehicles/year, source: a_ceiling}
        high: {value: 40000, unit: vehicles/year, source: a_ceiling}

Every distribution is bounded: `low` and `high` are required, and must lie in the range
the schema declares for the field (an elasticity stays negative, a share within 0..1,
...); they may be written in any unit of the field's dimension. Each draw
uses one uniform number from the random stream per declared input (inverse CDF), so a
draw depends only on the seed and the draw's index.

`with_values(instance, {path: value})` returns the instance with those numbers replaced
(base units): the one place where a sweep or a draw changes data.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import NormalDist

from model.data.instance import Instance
from model.data.schema import DOCS, Distribution, Range, declaration_at, declared
from model.data.units import _strip_year, accepted, to_base
from model.data.units import unit_factor as unit_factor
from model.errors import did_you_mean


@dataclass(frozen=True)
class Uncertain:
    """One uncertain input, in base units."""

    path: str                 # e.g. 'segments.suv.elasticity'
    distribution: str
    low: float
    high: float
    center: float             # the mean (normal) or mode (triangular); the field's value by default
    sd: float | None = None
    unit: str = ""            # the unit the field is written in
    factor: float = 1.0       # base value = written value * factor

    def draw(self, u: float) -> float:
        """The value at cumulative probability `u` in [0, 1) (inverse CDF)."""
        lo, hi = self.low, self.high
        if self.distribution == "uniform":
            return lo + (hi - lo) * u
        if self.distribution == "triangular":
            c = self.center
            cut = (c - lo) / (hi - lo)
            if u < cut:
                return lo + math.sqrt(u * (hi - lo) * (c - lo))
            return hi - math.sqrt((1 - u) * (hi - lo) * (hi - c))
        dist = NormalDist(self.center, self.sd)
        a, b = dist.cdf(lo), dist.cdf(hi)
        value = dist.inv_cdf(min(max(a + (b - a) * u, 1e-300), 1 - 1e-16))
        return min(max(value, lo), hi)


def allowed(path: str) -> Range | None:
    """The range the schema declares for the number at `path` (base units), or None if
    draws and sweeps cannot change that field (see `drawable` in `model.data.schema`)."""
    decl = declaration_at(path)
    return decl.range if decl is not None and decl.drawable else None


def with_values(inst: Instance, values: dict[str, float]) -> Instance:
    """`inst` with the numbers at the given field paths replaced (values in base units)."""
    if not values:
        return inst
    segments, channels, makers = dict(inst.segments), dict(inst.channels), dict(inst.makers)
    ntb, goods = dict(inst.ntb_measures), dict(inst.goods)
    weights = {p: dict(w) for p, w in inst.payoff_weights.items()}
    red_lines = list(inst.red_lines)
    countries, jobs = dict(inst.third_countries), dict(inst.jobs_per_unit)
    for path, v in values.items():
        parts = path.split(".")
        section, key = parts[0], parts[1]
        if section == "segments" and parts[2] in _NESTED:
            a = segments[key].armington
            segments[key] = replace(segments[key], armington=replace(a, **{_NESTED[parts[2]]: v}))
        elif section == "segments":
            segments[key] = replace(segments[key], **{parts[2]: v})
        elif section == "third_countries":
            countries[key], segments = _third_country_value(countries[key], segments, parts[2:], v)
        elif section == "jobs_per_unit":
            jobs[key] = v
        elif section == "channels" and parts[2] == "unit_value":
            channels[key] = replace(channels[key], unit_value={**channels[key].unit_value, parts[3]: v})
        elif section == "channels":
            channels[key] = replace(channels[key], **{parts[2]: v})
        elif section == "makers":
            makers[key] = replace(makers[key], spare_capacity=v)
        elif section == "ntb_measures" and parts[2] == "ceiling_lift":
            ntb[key] = replace(ntb[key], ceiling_lift={**ntb[key].ceiling_lift, parts[3]: v})
        elif section == "ntb_measures":
            ntb[key] = replace(ntb[key], political_cost=v)
        elif section == "goods":
            goods[key] = replace(goods[key], **{parts[2]: v})
        elif section == "payoffs":
            weights[key][parts[2]] = v
        elif section == "red_lines":
            # A red line on several segments is expanded into lines 'key.segment'.
            red_lines = [replace(r, bound=v) if r.name == key or r.name.startswith(key + ".") else r
                         for r in red_lines]
        else:  # pragma: no cover - paths are checked when the instance is loaded
            raise KeyError(path)
    return replace(inst, segments=segments, channels=channels, makers=makers, ntb_measures=ntb, goods=goods,
                   payoff_weights=weights, red_lines=tuple(red_lines), third_countries=countries, jobs_per_unit=jobs)


# Armington fields of a segment in the file -> their attribute of `Segment.armington`.
_NESTED = {"substitution_elasticity": "substitution", "home_sales": "home_sales", "home_price": "home_price",
           "home_supply_elasticity": "home_supply_elasticity", "import_substitution_elasticity": "import_substitution"}


_OWN = {"tariff", "base_tariff", "supply_elasticity"}     # a third country's fields a segment may set for itself


def _third_country_value(country, segments: dict, parts: list[str], v: float):
    """A third country's number set: its own fields (a tariff reaches every segment that does
    not set its own), or one segment's (`segments.<segment>.<field>`)."""
    def supplies(segment, change):
        a = segment.armington
        return replace(segment, armington=replace(a, suppliers=tuple(
            change(sup) if sup.country == country.name else sup for sup in a.suppliers)))
    if parts[0] == "segments":
        s, name = parts[1], parts[2]
        return country, {**segments, s: supplies(segments[s], lambda sup: replace(
            sup, **{name: v}, own=tuple(sorted({*sup.own, name} & _OWN))))}
    name = parts[0]
    out = dict(segments)
    for s, seg in segments.items():
        if seg.armington is not None and name in (*_OWN, "pass_through"):
            out[s] = supplies(seg, lambda sup: sup if name in sup.own else replace(sup, **{name: v}))
    return replace(country, **{name: v}), out


def build_uncertainty(specs: dict, builder) -> tuple[Uncertain, ...]:
    """Check the `uncertainty:` block against the instance's inputs; values to base units.

    `builder` is the loader's `Builder`: its inputs, the dimension and range it applied to
    each (both from the schema), its `error`. A distribution may be written in any unit
    of the field's dimension (e.g. '%' for a field written as a fraction, as happens when
    a file that extends another restates the field): it is converted, not rejected."""
    inputs = {i.path: i for i in builder.inputs}
    out = []
    for path, spec in specs.items():
        where = f"uncertainty.{path}"
        if path not in inputs:
            if builder.set_aside(*path.split(".")):
                continue            # the field's entry has a structural error, reported already
            builder.error(where, f"'{path}' is not a number of this instance",
                          hint=did_you_mean(path, list(inputs)) or "use a field path such as segments.suv.elasticity")
            continue
        rng = allowed(path)
        if rng is None:
            builder.error(where, f"draws cannot change '{path}'",
                          hint=f"uncertain fields: segment data, channel capacity, margins and values, spare "
                               f"capacity, NTB lifts and costs, goods, third countries' tariffs and sales, jobs per "
                               f"unit, red-line bounds, payoff weights ({DOCS}#uncertainty)")
            continue
        rng = builder.ranges.get(path, rng)
        given, dimension = inputs[path], builder.dimensions[path]
        try:
            factor = to_base(1.0, given.unit, dimension)
        except KeyError:
            continue                # the field's own unit is wrong: reported already

        def q(name):
            value = getattr(spec, name)
            if value is None:
                return None
            builder.inputs.append(type(given)(f"{where}.{name}", value.value, value.unit, value.source))
            if value.source not in builder.spec.sources and not builder.set_aside("sources", value.source):
                builder.error(f"{where}.{name}.source", f"unknown source '{value.source}'",
                              hint=did_you_mean(value.source, builder.spec.sources))
            try:
                return to_base(value.value, value.unit, dimension)
            except KeyError:
                builder.error(f"{where}.{name}.unit", f"unit '{value.unit}' differs from the field's unit "
                              f"'{given.unit}' and cannot be converted to it",
                              hint=f"write {name} in {given.unit}, or another unit of its dimension: "
                                   f"{', '.join(accepted(dimension))}")
                return math.nan
        low, high, center, sd = q("low"), q("high"), q("mean" if spec.distribution == "normal" else "mode"), q("sd")
        if spec.distribution == "normal" and (sd is None or not declared(Distribution, "sd").range.contains(sd)):
            builder.error(f"{where}.sd", "a normal distribution needs a positive 'sd'")
            continue
        if any(v is not None and math.isnan(v) for v in (low, high, center, sd)):
            continue            # a unit that does not fit: reported above
        if spec.distribution == "normal" and spec.mode is not None:
            builder.error(f"{where}.mode", "a normal distribution has 'mean' and 'sd', not 'mode'")
        if spec.distribution != "normal" and (spec.mean is not None or spec.sd is not None):
            builder.error(where, f"a {spec.distribution} distribution has no 'mean' or 'sd'",
                          hint="triangular: low, mode, high; uniform: low, high")
        if center is None:
            center = given.value * factor
        if not low < high:
            builder.error(where, f"low ({low / factor:g}) must be below high ({high / factor:g})")
            continue
        shown = f"{given.unit}" if _strip_year(given.unit) != "1" else ""
        if rng.below(low):
            builder.error(f"{where}.low", f"draws must stay {'above' if rng.low_open else 'at or above'} "
                          f"{rng.low / factor:g} {shown} for this field; low is {low / factor:g} {shown}".strip(),
                          hint=declaration_at(path).hint)
        if rng.above(high):
            builder.error(f"{where}.high", f"draws must stay {'below' if rng.high_open else 'at or below'} "
                          f"{rng.high / factor:g} {shown} for this field; high is {high / factor:g} {shown}".strip(),
                          hint=declaration_at(path).hint)
        if spec.distribution == "normal":
            dist = NormalDist(center, sd)
            if dist.cdf(high) - dist.cdf(low) < 1e-9:
                builder.error(where, "the bounds leave almost no probability under this normal distribution",
                              hint="widen low/high or move the mean between them")
                continue
        elif spec.distribution == "triangular" and not low <= center <= high:
            note = "" if spec.mode is not None else f", this instance's value of {path}, as no mode is given"
            builder.error(where, f"the mode ({center / factor:g}{note}) lies outside "
                          f"[{low / factor:g}, {high / factor:g}]", hint="give a 'mode' or widen low/high")
            continue
        out.append(Uncertain(path, spec.distribution, low, high, center, sd, given.unit, factor))
    return tuple(out)
