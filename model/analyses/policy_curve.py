"""A policy curve: one lever held at each of several values, every other lever negotiated.

`sweep --lever tariff.cars=0,2.5,...,27.5` asks what the deal looks like at each value of one
lever: the command's one model is solved (the instance's objective, every constraint) with the
lever fixed at the value, and the deal verified outside the solver against the instance with
that lever fixed. The curve gives, per value, the total and negotiated deficits and each side's
payoff and welfare over no deal; a value at which no deal satisfies every constraint is a
point without a deal (its status said), not an error.

Values are in the lever's own unit, with rates in percent: a tariff line's value must be the
rate of an option on its menu (`tariff.cars=15` is the line's flat 15% option); a switch takes 0
or 1; an amount its unit (vehicles, tonnes, aircraft). A lever the instance fixes is released
for the curve (the curve asks what each value would do). The analysis asks the optimization
layer and never touches Pyomo.
"""
from __future__ import annotations

from dataclasses import replace

from model.analyses.deal_terms import deal_of, line_options, option_label, option_rank
from model.analyses.sweep import parse_values
from model.data.instance import Deal, Instance
from model.data.levers import LeverFamily, families
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.errors import InstanceError
from model.optimization.handle import NegotiationModel
from model.results import CurvePoint, PolicyCurve

MAX_VALUES = 200
METHOD = ("The lever held at each value, every other lever chosen as run chooses them (the instance's objective, "
          "every constraint), each deal verified outside the solver against the instance with the lever fixed; "
          "gains are each side's payoff and welfare over no deal.")


def parse_lever(text: str) -> tuple[str, tuple[float, ...]]:
    """'tariff.cars=0,2.5,5' -> ('tariff.cars', (0.0, 2.5, 5.0)); ValueError saying what is wrong."""
    lever, numbers = parse_values(text, "--lever", "FAMILY.KEY", "tariff.cars=0,2.5,5")
    if len(numbers) > MAX_VALUES:
        raise ValueError(f"--lever '{text}': at most {MAX_VALUES} values")
    return lever, numbers


def find_lever(inst: Instance, lever: str) -> tuple[LeverFamily, object]:
    """The family and key of 'family.key' (the names of results.json's levers and packages.csv)."""
    from model.errors import did_you_mean
    known = {f"{f.short}.{f.key_text(key)}": (f, key) for f in families() for key in f.keys(inst)}
    if lever not in known:
        raise InstanceError(inst.file, "--lever", f"'{lever}' is not a lever of this instance",
                            hint=did_you_mean(lever, list(known)) or f"e.g. {next(iter(known), 'tariff.cars')}")
    return known[lever]


def settings(model: NegotiationModel, family: LeverFamily, key, values: tuple[float, ...]) -> list[str | bool | float]:
    """Each value as the model takes it: an option's name (its rate in percent), True/False, or the
    amount; InstanceError naming the value when it is not one the lever can take."""
    inst, where = model.inst, f"--lever {family.short}.{family.key_text(key)}"
    if family.kind == "option":
        rates = {o: option_rank(inst, model.table, family, key, o) for o in line_options(inst, model.table, family, key)}
        out: list[str | bool | float] = []
        for v in values:
            match = [o for o, rate in rates.items() if abs(rate - v / 100) <= 1e-9]
            if not match:
                menu = ", ".join(f"{rate * 100:g}" for rate in sorted(set(rates.values())))
                raise InstanceError(inst.file, where, f"{v:g}% is not on the line's menu", hint=f"the menu: {menu} (%)")
            out.append(match[0])
        return out
    if family.kind == "switch":
        if any(v not in (0.0, 1.0) for v in values):
            raise InstanceError(inst.file, where, "a yes/no lever takes 0 or 1")
        return [v == 1.0 for v in values]
    upper = family.upper(inst, key)
    bad = [v for v in values if v < 0 or v > upper]
    if bad:
        raise InstanceError(inst.file, where, f"{bad[0]:g} is outside the lever's range 0 to {upper:,.6g}")
    return list(values)


def policy_curve(model: NegotiationModel, lever: str, values: tuple[float, ...], deal: Deal | None) -> PolicyCurve:
    """The curve of `lever` over `values` (module docstring); `deal`: the deal `run` finds, whose
    value of the lever is marked."""
    inst = model.inst
    family, key = find_lever(inst, lever)
    chosen = settings(model, family, key, values)
    curve = PolicyCurve(lever, family.label(inst, key), family.party, family.unit(inst, key), [], method=METHOD)
    if deal is not None:
        curve.deal_value = _value(model, family, key, deal.values(family.deal_field).get(key))
    no_deal = model.refs.no_deal
    with model.free_terms(only={(family.deal_field, key)}):
        for v, setting in zip(values, chosen):
            with model.forced({family.deal_field: {key: setting}}):
                solution = model.solve()
            value = v / 100 if family.kind == "option" else v
            point = CurvePoint(value, _words(inst, family, key, setting), solution.status)
            if solution.has_deal:
                found = deal_of(solution)
                metrics = evaluate(inst, found, model.table)
                fixed = replace(inst, fixed=Deal().with_values_of(
                    {f.deal_field: {**inst.fixed.values(f.deal_field),
                                    **({key: setting} if f is family else {})} for f in families()}))
                worst = max_violation(constraint_checks(fixed, found, metrics, model.refs, solution.binaries))
                point.deficit, point.sector_deficit = metrics["deficit"], metrics["sector_deficit"]
                point.gains = {p: metrics[f"{p}_payoff"] - no_deal[f"{p}_payoff"] for p in ("home", "partner")}
                point.welfare_gains = {p: metrics[f"{p}_welfare"] - no_deal[f"{p}_welfare"] for p in ("home", "partner")}
                point.verified = worst <= VIOLATION_TOLERANCE
            curve.points.append(point)
    return curve


def _value(model: NegotiationModel, family: LeverFamily, key, setting) -> float | None:
    """A setting as the curve's number: an option's rate, 1/0, or the amount."""
    if setting is None:
        return 0.0 if family.kind != "option" else None
    if family.kind == "option":
        return option_rank(model.inst, model.table, family, key, str(setting))
    return float(setting)


def _words(inst: Instance, family: LeverFamily, key, setting) -> str:
    if family.kind == "option":
        return option_label(inst, family, key, str(setting))
    if family.kind == "switch":
        return "yes" if setting else "no"
    from model.formatting import count
    return count(float(setting), family.unit(inst, key))
