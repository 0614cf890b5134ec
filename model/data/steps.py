"""One realistic step of each bound: what ranks the constraints that bind.

A bound's shadow price is per unit of the bound (a vehicle, an aircraft, a dollar), so a
ranking by it compares one aircraft with one vehicle. Instead each bound is priced at one
realistic step of it: the step of the lever family whose levers meet it (`LeverFamily.step`),
or `money` for bounds in USD; the instance may state any of them (`settings.steps`, each with
its unit and source), else the family's default applies. Which family a bound belongs to:
- a row the family declares (`LeverFamily.rows`: dealer capacity, spare capacity, purchase
  limits) or a core row about its levers (`CORE_ROWS`: buyers' ceilings for commitments);
- a red line on a metric the family declares (units of a good bought: `purchase`), on
  tariff rates (`tariff`) or on vehicles made in either country (`production_shift`);
- else by the bound's unit: USD -> `money`, a share -> `tariff`, the segments' unit ->
  `commitment`, a good's own unit -> `purchase`.
A money step on a bound counted in a good's own unit is that many dollars of the good (at its
unit value): one step of purchases is then worth the same in every good.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.families.base import families
from model.data.fields import own_unit
from model.data.units import base_unit, to_base

MONEY_STEP = (100.0, "USD million", "USD")      # bounds in USD: participation, red lines on money
CORE_ROWS = {"buyer_ceiling": "commitment"}     # core rows that bound a family's levers
CORE_METRICS = {"tariff_rate": "tariff",         # core metrics whose red lines take a family's step
                "partner_production_loss": "production_shift", "home_production_gain": "production_shift"}


@dataclass(frozen=True)
class BoundStep:
    amount: float              # one step, in the bound's base unit
    key: str                   # whose step: a lever family, or 'money'
    stated: bool               # stated by the instance (`settings.steps`), else the default
    money: float | None = None  # for a money step counted in a good's unit: the step in USD


def _declared_steps() -> dict[str, tuple[float, str, str]]:
    return {**{f.name: f.step for f in families() if f.step is not None}, "money": MONEY_STEP}


def step_dimensions(inst) -> dict[str, str]:
    """Step key -> the dimension its step is written in (vehicles in the segments' own unit)."""
    return {k: own_unit(dim, inst.quantity_unit) for k, (_, _, dim) in _declared_steps().items()}


def default_steps() -> dict[str, tuple[float, str]]:
    """Step key -> its default (value, unit as written), for the documentation and reports."""
    return {k: (v, unit) for k, (v, unit, _) in _declared_steps().items()}


def step_of(inst, key: str) -> tuple[float, bool]:
    """One step of `key` in base units, and whether the instance states it."""
    if key in inst.settings.steps:
        return inst.settings.steps[key], True
    v, unit, dim = _declared_steps()[key]
    return to_base(v, unit, dim), False


def _index(name: str) -> str:
    return name.split("[", 1)[1].rstrip("]") if "[" in name else ""


def step_key(inst, name: str, unit: str) -> str | None:
    """The step key of the bound named `name` (the model's constraint name) in `unit`."""
    keys = step_dimensions(inst)
    base = name.split("[")[0]
    for f in families():
        if f.name in keys and base in dict(f.rows):
            return f.name
    if CORE_ROWS.get(base) in keys:
        return CORE_ROWS[base]
    if base == "red_line":
        line = next((r for r in inst.red_lines if r.name == _index(name)), None)
        metric = line.metric.split("[")[0] if line else ""
        for f in families():
            if f.name in keys and (metric in f.metrics or metric in f.indexed_metrics):
                return f.name
        if CORE_METRICS.get(metric) in keys:
            return CORE_METRICS[metric]
    goods = getattr(inst, "goods", {}) or {}
    by_unit = {"USD": "money", "fraction": "tariff", inst.quantity_unit: "commitment"}
    by_unit.update({g.unit: "purchase" for g in goods.values() if g.unit not in by_unit})
    key = by_unit.get(unit)
    return key if key in keys else None


def _good(inst, name: str):
    goods = getattr(inst, "goods", {}) or {}
    index = _index(name)
    if name.startswith("red_line["):
        line = next((r for r in inst.red_lines if r.name == index), None)
        index = _index(line.metric) if line else ""
    return goods.get(index)


def bound_step(inst, name: str, unit: str) -> BoundStep | None:
    """One realistic step of the bound `name` in its own unit `unit`; None when no step fits it
    (the caller falls back to a step by unit)."""
    key = step_key(inst, name, unit)
    if key is None:
        return None
    amount, stated = step_of(inst, key)
    dim = step_dimensions(inst)[key]
    if dim == "USD" and unit != "USD":        # money's worth of a good, in the good's unit
        good = _good(inst, name)
        if good is None or not good.unit_value or good.unit != unit:
            return None
        return BoundStep(amount / good.unit_value, key, stated, amount)
    if base_unit(dim) != unit:
        return None
    return BoundStep(amount, key, stated)
