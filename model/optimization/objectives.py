"""Objectives other than `min_deficit`, on the model handle: a weighted sum of metrics, and Nash bargaining.

Nash bargaining maximizes sum_i w_i log(g_i), g_i = payoff_i - no-deal payoff_i. The log
is concave, so it is replaced by its tangent lines (outer approximation): a variable
u_i <= log(g_k) + (g_i - g_k) / g_k for every tangent point g_k found so far. Each MILP
gives a new point; iterations stop when the linear approximation and the true log
objective agree to NASH_TOLERANCE (relative). Gains must be positive: a party that
cannot gain over no deal leaves no Nash deal.
"""
from __future__ import annotations

import math

from model.data.levers import MONEY
from model.optimization.forms import Form, without_round_off
from model.optimization.handle import MAX, NegotiationModel, Solution

NASH_TOLERANCE = 1e-6
NASH_MAX_CUTS = 200
MIN_GAIN = 1e-6          # USD million: a gain of $1, so the log stays finite


def solve_objective(model: NegotiationModel, objective: str, time_limit=None) -> Solution:
    """The instance solved for `objective` ('min_deficit', 'weighted', 'nash' or 'welfare'); the
    Solution's `stages` say what was optimized (objective_metric, its value and unit)."""
    if objective == "min_deficit":
        return model.solve(time_limit)
    if objective == "welfare":
        return solve_welfare(model, time_limit)
    if objective == "weighted":
        return solve_weighted(model, model.inst.settings.objective_weights, time_limit)
    if objective == "nash":
        return solve_nash(model, model.inst.settings.nash_weights, time_limit)
    raise ValueError(f"unknown objective {objective!r}")


def weighted_form(model: NegotiationModel, weights: dict[str, float]) -> Form:
    """sum_k w_k metric_k in USD million (weights are per base unit of each metric)."""
    return sum((model.form(k) * (w * model.scale(k) / MONEY) for k, w in weights.items()), Form())


def solve_weighted(model: NegotiationModel, weights: dict[str, float], time_limit=None) -> Solution:
    """Maximize the weighted sum of metrics."""
    solution = model.optimize(weighted_form(model, weights), MAX, time_limit)
    solution.stages.update(objective_metric="weighted_sum", objective_unit="USD", weights=dict(weights),
                           objective_value=solution.value * MONEY if solution.value is not None else None)
    return solution


def solve_welfare(model: NegotiationModel, time_limit=None) -> Solution:
    """Greatest home welfare (buyers + tariff revenue + rents held + producers), then, holding it
    to the instance's tolerance, the partner's best in the measure it is held to."""
    second = model.inst.settings.measure("partner")
    solution = model.lexicographic(("home_welfare", MAX), (second, MAX), time_limit)
    value = solution.stages.get("stage_one_value")
    solution.stages.update(objective_metric="home_welfare", objective_unit="USD",
                           objective_value=value * MONEY if value is not None else None)
    return solution


def solve_nash(model: NegotiationModel, weights: dict[str, float], time_limit=None) -> Solution:
    """Nash bargaining by tangent-line outer approximation (see the module docstring)."""
    parties = [p for p in ("home", "partner") if weights.get(p, 0) > 0]
    no_deal = model.refs.no_deal
    measure = {p: model.inst.settings.measure(p) for p in parties}     # payoff or welfare, per party
    gains = {p: without_round_off(model.form(measure[p])) - no_deal[measure[p]] / MONEY for p in parties}
    stages: dict = {"objective_metric": "nash_product", "objective_unit": "sum of w log(gain in USD million)"}
    with model.scratch():
        for p in parties:
            model.add_row(gains[p], ">=", MIN_GAIN)
        # Start from the deal that maximizes the weighted sum of gains (a point on the frontier).
        model.set_objective(sum((gains[p] * weights[p] for p in parties), Form()), MAX)
        out = model.run(time_limit)
        if not out.has_solution:
            note = ("no deal gives both parties a positive gain over no deal, so there is no Nash bargaining "
                    "solution" if out.status == "infeasible" else out.message)
            return Solution(out.status, note, stages={**stages, "nash": {"note": note}})
        logs = dict(zip(parties, model.add_columns(len(parties), -math.inf, math.inf)))
        objective = sum((Form({logs[p]: weights[p]}) for p in parties), Form())
        model.set_objective(objective, MAX)
        cuts, gap, true, x = 0, math.inf, None, out.x
        while cuts < NASH_MAX_CUTS:
            for p in parties:       # the tangent of log at the current gain: u - gain/g <= log(g) - 1
                g = max(gains[p].value(x), MIN_GAIN)
                model.add_row(Form({logs[p]: 1.0}) - gains[p] * (1.0 / g), "<=", math.log(g) - 1.0)
                cuts += 1
            out = model.run(time_limit)
            if not out.has_solution:
                break
            x = out.x
            approx = objective.value(x)
            true = sum(weights[p] * math.log(max(gains[p].value(x), MIN_GAIN)) for p in parties)
            gap = (approx - true) / max(abs(true), 1e-9)
            if gap <= NASH_TOLERANCE:
                break
        if not out.has_solution or x is None:        # (a run with a solution has its column values)
            return Solution(out.status, out.message, stages=stages)
        solution = model.finish(out, x, (objective, MAX))
    solution.value = true
    solution.stages.update(stages, objective_value=true, nash={
        "weights": {p: weights[p] for p in parties}, "cuts": cuts, "relative_gap": gap, "tolerance": NASH_TOLERANCE,
        "gains": {p: (model.value(measure[p], solution) - no_deal[measure[p]]) for p in parties}})
    if gap > NASH_TOLERANCE:
        solution.status = "error"
        solution.message = f"Nash approximation stopped at relative gap {gap:.1e} after {cuts} cuts"
    return solution
