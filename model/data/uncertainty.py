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
the field allows (an elasticity stays negative, a share within 0..1, ...). Each draw
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
from model.data.units import UNITS, _strip_year


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


# Field path patterns a draw can change -> (allowed low, high, low is strict), as the loader checks them.
_SEGMENT = {"base_tariff": (0, 10, False), "imports": (0, None, True), "import_price": (0, None, True),
            "exports": (0, None, False), "export_price": (0, None, False), "elasticity": (None, 0, True),
            "pass_through": (0, 1, True), "partner_ceiling": (0, None, False), "partner_margin": (0, None, False),
            "home_substitution": (0, 1, False), "displacement": (0, 1, False)}


def field_range(path: str) -> tuple[float | None, float | None, bool] | None:
    """The range the field at `path` allows, or None if draws cannot change that field."""
    parts = path.split(".")
    section = parts[0]
    if section == "segments" and len(parts) == 3 and parts[2] in _SEGMENT:
        return _SEGMENT[parts[2]]
    if section == "channels" and len(parts) == 3 and parts[2] in ("capacity", "dealer_margin"):
        return (0, None, False) if parts[2] == "capacity" else (None, None, False)
    if section == "channels" and len(parts) == 4 and parts[2] == "unit_value":
        return (0, None, True)
    if section == "makers" and len(parts) == 3 and parts[2] == "spare_capacity":
        return (0, None, False)
    if section == "ntb_measures" and ((len(parts) == 3 and parts[2] == "political_cost")
                                      or (len(parts) == 4 and parts[2] == "ceiling_lift")):
        return (0, None, False)
    if section == "goods" and len(parts) == 3 and parts[2] in ("unit_value", "max_units", "political_cost"):
        return (0, None, parts[2] == "unit_value")
    if section == "red_lines" and len(parts) == 3 and parts[2] == "bound":
        return (None, None, False)
    if section == "payoffs" and len(parts) == 3:
        return (None, None, False)
    return None


def unit_factor(unit: str) -> float:
    """Base units per written unit ('%' -> 0.01, 'USD million' -> 1e6, 'USD million/aircraft' -> 1e6)."""
    u = _strip_year(unit)
    for table in UNITS.values():
        if u in table:
            return table[u]
    money, slash, _ = u.partition("/")
    if slash and money.strip() in UNITS["USD"]:
        return UNITS["USD"][money.strip()]
    return 1.0      # a good's own count unit


def with_values(inst: Instance, values: dict[str, float]) -> Instance:
    """`inst` with the numbers at the given field paths replaced (values in base units)."""
    if not values:
        return inst
    segments, channels, makers = dict(inst.segments), dict(inst.channels), dict(inst.makers)
    ntb, goods = dict(inst.ntb_measures), dict(inst.goods)
    weights = {p: dict(w) for p, w in inst.payoff_weights.items()}
    red_lines = list(inst.red_lines)
    for path, v in values.items():
        parts = path.split(".")
        section, key = parts[0], parts[1]
        if section == "segments":
            segments[key] = replace(segments[key], **{parts[2]: v})
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
                   payoff_weights=weights, red_lines=tuple(red_lines))


def build_uncertainty(specs: dict, builder) -> tuple[Uncertain, ...]:
    """Check the `uncertainty:` block against the instance's inputs; values to base units.

    `builder` is the loader's `_Builder` (its inputs, `q` conversion and `error`)."""
    inputs = {i.path: i for i in builder.inputs}
    out = []
    for path, spec in specs.items():
        where = f"uncertainty.{path}"
        if path not in inputs:
            from model.errors import did_you_mean
            builder.error(where, f"'{path}' is not a number of this instance",
                          hint=did_you_mean(path, list(inputs)) or "use a field path such as segments.suv.elasticity")
            continue
        allowed = field_range(path)
        if allowed is None:
            builder.error(where, f"draws cannot change '{path}'",
                          hint="uncertain fields: segment data, channel capacity, margins and values, spare capacity, "
                               "NTB lifts and costs, goods, red-line bounds, payoff weights")
            continue
        given = inputs[path]
        factor = unit_factor(given.unit)

        def q(name):
            value = getattr(spec, name)
            if value is None:
                return None
            if _strip_year(value.unit) != _strip_year(given.unit):
                builder.error(f"{where}.{name}.unit", f"unit '{value.unit}' differs from the field's unit "
                              f"'{given.unit}'", hint=f"write {name} in {given.unit}")
            builder.inputs.append(type(given)(f"{where}.{name}", value.value, value.unit, value.source))
            if value.source not in builder.spec.sources:
                builder.error(f"{where}.{name}.source", f"unknown source '{value.source}'")
            return value.value * factor
        low, high, center, sd = q("low"), q("high"), q("mean" if spec.distribution == "normal" else "mode"), q("sd")
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
        lo_ok, hi_ok, strict = allowed
        if lo_ok is not None and (low < lo_ok or (strict and low == lo_ok)):
            builder.error(f"{where}.low", f"draws must stay {'above' if strict else 'at or above'} {lo_ok:g} "
                          f"(base units) for this field; low is {low:g}")
        if hi_ok is not None and (high > hi_ok or (strict and high == hi_ok)):
            builder.error(f"{where}.high", f"draws must stay {'below' if strict else 'at or below'} {hi_ok:g} "
                          f"(base units) for this field; high is {high:g}")
        if spec.distribution == "normal":
            if sd is None or not sd > 0:
                builder.error(f"{where}.sd", "a normal distribution needs a positive 'sd'")
                continue
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
