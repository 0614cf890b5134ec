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
import typing
from dataclasses import dataclass, replace
from statistics import NormalDist

from model.data.instance import Instance
from model.data.schema import (
    DOCS,
    Distribution,
    Q,
    Range,
    _members,
    _model_in,
    attribute_of,
    declaration_at,
    declared,
    instance_spec,
)
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
        if self.sd is None:
            raise ValueError(f"{self.path}: a normal distribution without its sd")
        dist = NormalDist(self.center, self.sd)
        a, b = dist.cdf(lo), dist.cdf(hi)
        value = dist.inv_cdf(min(max(a + (b - a) * u, 1e-300), 1 - 1e-16))
        return min(max(value, lo), hi)


def allowed(path: str) -> Range | None:
    """The range the schema declares for the number at `path` (base units), or None if
    draws and sweeps cannot change that field (see `drawable` in `model.data.schema`)."""
    decl = declaration_at(path)
    return decl.range if decl is not None and decl.drawable else None


class UnknownField(ValueError):
    """A path `with_values` cannot set: not a number draws may change, or not in this instance."""


def with_values(inst: Instance, values: dict[str, float]) -> Instance:
    """`inst` with the numbers at the given field paths replaced (values in base units).

    A path is followed through the schema and the validated data side by side: a field of
    a section's model is the attribute of its record that the schema declares (its own name
    unless `attribute=` says otherwise, e.g. `payoffs` -> `payoff_weights`, a segment's
    `substitution_elasticity` -> `armington.substitution`), a mapping's key is the entry
    (entries the loader expanded from one, such as a red line on several segments, are
    those named `key` or `key.<index>`), and a section whose data are spread over the
    instance sets them through its model's own `with_value` (third countries). Raises
    UnknownField for a path that is not a number draws may change, or not in `inst`."""
    for path, v in values.items():
        inst = _set_path(inst, path, v)
    return inst


def _set_path(inst: Instance, path: str, value: float) -> Instance:
    decl = declaration_at(path)
    if decl is None or not decl.drawable:
        raise UnknownField(f"'{path}' is not a number draws and sweeps may change (see {DOCS}#uncertainty)")
    parts = path.replace("[", ".").replace("]", "").split(".")
    if parts[0] == "horizon" and inst.horizon is None:
        raise UnknownField(f"'{path}': this instance has no horizon")
    root = instance_spec()
    entry = _model_in(typing.get_args(root.model_fields[parts[0]].annotation)[-1]) \
        if typing.get_origin(root.model_fields[parts[0]].annotation) is dict else None
    if entry is not None and hasattr(entry, "with_value"):
        if parts[1] not in getattr(inst, attribute_of(root, parts[0])):
            raise UnknownField(f"'{path}': this instance has no '{parts[1]}' under {parts[0]}")
        return entry.with_value(inst, parts[1], parts[2:], value)
    try:
        return _set_in(inst, root, parts, value)
    except LookupError:
        raise UnknownField(f"'{path}' is not a number of this instance") from None


def _set_in(current, annotation, parts: list[str], value: float):
    """`current` (the data the schema type `annotation` was read into) with the number at
    `parts` set to `value`."""
    if not parts:
        return value
    model = _model_in(annotation)
    if model is not None and model is not Q:
        name, rest = parts[0], parts[1:]
        attribute = attribute_of(model, name)
        inner = _get(current, attribute)
        return _replace(current, attribute, _set_in(inner, model.model_fields[name].annotation, rest, value))
    mapping = next((t for t in _members(annotation) if typing.get_origin(t) is dict), None)
    if mapping is None:
        raise LookupError(parts[0])
    key, values_type = parts[0], typing.get_args(mapping)[1]
    if isinstance(current, dict):
        if key not in current:
            raise LookupError(key)
        return {**current, key: _set_in(current[key], values_type, parts[1:], value)}
    # Records the loader expanded from one entry (a red line on several segments: 'key.segment').
    hits = [r for r in current if r.name == key or r.name.startswith(key + ".")]
    if not hits:
        raise LookupError(key)
    return tuple(_set_in(r, values_type, parts[1:], value) if r in hits else r for r in current)


def _get(obj, attribute: str):
    for name in attribute.split("."):
        obj = getattr(obj, name)
    return obj


def _replace(obj, attribute: str, value):
    """A copy of the record `obj` with the (dotted) attribute set; an instance's lever-family
    data are in its `sections`."""
    name, _, rest = attribute.partition(".")
    if rest:
        value = _replace(getattr(obj, name), rest, value)
    if isinstance(obj, Instance) and name in obj.sections:
        return replace(obj, sections={**obj.sections, name: value})
    return replace(obj, **{name: value})


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
        decl = declaration_at(path)
        if decl is None or not decl.drawable:          # as `allowed` says
            builder.error(where, f"draws cannot change '{path}'",
                          hint=f"uncertain fields: segment data, channel capacity, margins and values, spare "
                               f"capacity, NTB lifts and costs, goods, third countries' tariffs and sales, jobs per "
                               f"unit, red-line bounds, payoff weights ({DOCS}#uncertainty)")
            continue
        rng = builder.ranges.get(path, decl.range)
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
                          hint=decl.hint)
        if rng.above(high):
            builder.error(f"{where}.high", f"draws must stay {'below' if rng.high_open else 'at or below'} "
                          f"{rng.high / factor:g} {shown} for this field; high is {high / factor:g} {shown}".strip(),
                          hint=decl.hint)
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
