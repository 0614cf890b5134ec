"""What each concession is worth to each side at the optimal deal, computed by re-solving.

For every lever of the lever-family table, one step of concession is priced exactly: the
model is re-solved (lexicographic `min_deficit`, as `run`) with the lever forced one step
away from the optimal deal, every other lever free to adapt, and the two deals compared:

    value to a side = its payoff with the step made - its payoff without it   (USD)

A step is one unit of the concession, in the direction of giving more:
- an option line (a tariff): one option more generous (the next lower tariff actually paid,
  `analyses.lever_options`);
- a switch (an NTB relief): granting it;
- an amount (a commitment, a production shift, a purchase): one model unit (1,000 vehicles,
  or about USD 1 million of a good), less where the lever's room is smaller.

Which step: a lever in use at the optimum (an option other than no deal's, a switch on, an
amount above zero) is priced by its *last* step (the deal as found, against the deal with
that step withdrawn); a lever not in use by its *next* step (the deal with one step more,
against the deal as found). When that move is impossible (the lever is at its limit) or
leaves no feasible deal (a red line forbids it), the other direction is tried; if neither
works the lever is reported as fixed in place, with the reason.

Both deals are full solutions verified by `economics.checks`. Amounts also get a value per
base unit (per vehicle, per tonne, ...): the step's value over its size.

The reading: each point (value to home, value to the partner) says who pays and who gains.
A concession is *integrative* when the side receiving it gains at least INTEGRATIVE_RATIO
times what the side giving it loses, *win-win* when neither loses, *costly* when the giver
loses at least INTEGRATIVE_RATIO times what the receiver gains, and *distributive* between.

Cost, and the rule that keeps `run` fast: at most two forced solves per lever, each about as
long as the run's own solve, on one built model (the default instance: 33 levers priced in
well under a second). `run` prices concessions for the `min_deficit` objective when the
instance has at most MAX_LEVERS levers and the estimate, levers x 2 x the run's solve time,
is at most PRICING_BUDGET seconds; otherwise results.json says why they were skipped. Once
started, pricing stops after TIME_BUDGET seconds (the levers left are listed as not computed).
"""
from __future__ import annotations

import math
import time

from model.analyses.deal_terms import IN_USE, line_options, option_label
from model.data.instance import Deal, Instance
from model.data.levers import families
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel
from model.results import ConcessionValue, ConcessionValues

MAX_LEVERS = 200             # above this many levers `run` leaves concession values out
PRICING_BUDGET = 20.0        # seconds: `run` skips pricing when levers x 2 x its solve time is longer
TIME_BUDGET = 60.0           # seconds of re-solving, after which the levers left are not priced
INTEGRATIVE_RATIO = 2.0


def applicable(inst: Instance, objective: str, solve_seconds: float = 0.0) -> str:
    """'' when `run` computes concession values for `inst`; otherwise why not (see RULE)."""
    if objective != "min_deficit":
        return f"concession values are computed for the min_deficit objective, not '{objective}'"
    n = lever_count(inst)
    if n > MAX_LEVERS:
        return f"the instance has {n:,} levers, more than the {MAX_LEVERS} priced in a run (each needs re-solves)"
    estimate = 2 * n * solve_seconds
    if estimate > PRICING_BUDGET:
        return (f"pricing {n} levers would take about {estimate:.0f} s (2 re-solves a lever at {solve_seconds:.2f} s "
                f"each), more than the {PRICING_BUDGET:g} s a run allows")
    return ""


def lever_count(inst: Instance) -> int:
    return sum(len(f.keys(inst)) for f in families())


def concession_values(model: NegotiationModel, deal: Deal, time_budget: float = TIME_BUDGET) -> ConcessionValues:
    """Every lever's concession value at `deal` (the optimal deal of the model's instance): see the
    module docstring (no timings: results.json stays byte-identical for the same instance)."""
    start = time.perf_counter()
    inst, lm = model.inst, model
    at_optimum = _outcome(inst, lm, deal, None)
    rows: list[ConcessionValue] = []
    for f in families():
        for key in f.keys(inst):
            row = ConcessionValue(f"{f.short}.{f.key_text(key)}", f.name, f.label(inst, key), f.party, f.kind, "ok",
                                  unit=f.unit(inst, key))
            if lm.is_fixed_by_instance(f, key):
                row.status, row.note = "fixed", "fixed by the instance"
            elif time.perf_counter() - start > time_budget:
                row.status, row.note = "not_computed", f"time budget of {time_budget:g} s used up"
            else:
                _price(inst, lm, f, key, deal, at_optimum, row)
            rows.append(row)
    return ConcessionValues(METHOD, RULE, rows)


METHOD = ("Each lever is forced one step away from the optimal deal and the model re-solved (least deficit, then best "
          "for the partner), every other lever free; value = payoff with the step made minus payoff without it. "
          "A lever in use is priced by its last step, one not in use by its next; options step to the next more "
          "generous option, switches are granted, amounts move by 1,000 vehicles or about USD 1 million of a good.")
RULE = (f"computed in `run` for the min_deficit objective when the instance has at most {MAX_LEVERS} levers and "
        f"levers x 2 x the run's solve time is at most {PRICING_BUDGET:g} s; pricing stops after {TIME_BUDGET:g} s")


def _outcome(inst: Instance, lm: NegotiationModel, deal: Deal, binaries) -> dict:
    metrics = evaluate(inst, deal, lm.table)
    checks = constraint_checks(inst, deal, metrics, lm.refs, binaries)
    return {"metrics": metrics, "verified": max_violation(checks) <= VIOLATION_TOLERANCE}


# A candidate step: (direction, forced value, with text, without text, size).
Move = tuple[str, object, str, str, float | None]


def _moves(inst: Instance, lm: NegotiationModel, f, key, deal: Deal) -> list[Move]:
    """Candidate steps in order of preference: (direction, forced value, with text, without
    text, size). 'last': the deal is 'with', the forced one 'without'; 'next': the reverse."""
    value, no_deal = deal.values(f.deal_field).get(key), inst.no_deal.values(f.deal_field).get(key)
    moves: list[Move] = []
    last: list[Move]
    nxt: list[Move]
    if f.kind == "option":
        options = line_options(inst, lm.table, f, key)
        if value is None:
            raise ValueError(f"the deal chooses no option for {f.name} {f.key_text(key)}")
        i = options.index(value)
        label = lambda o: option_label(inst, f, key, o)
        last = [("last", options[i + 1], label(value), label(options[i + 1]), None)] if i + 1 < len(options) else []
        nxt = [("next", options[i - 1], label(options[i - 1]), label(value), None)] if i > 0 else []
        moves = last + nxt if value != no_deal else nxt + last
    elif f.kind == "switch":
        moves = [("last", False, "granted", "not granted", None)] if value else \
            [("next", True, "granted", "not granted", None)]
    else:
        x, scale, upper = float(value or 0.0), f.scale(inst, key), f.upper(inst, key)
        unit = f.unit(inst, key)
        last, nxt = [], []
        if x >= IN_USE * scale:
            u = min(scale, x)
            last = [("last", x - u, _amount(x, unit), _amount(x - u, unit), u)]
        room = upper - x if math.isfinite(upper) else scale
        if room >= IN_USE * scale:
            u = min(scale, room)
            shown = x if x >= IN_USE * scale else 0.0        # slack below one unit reads as none
            nxt = [("next", x + u, _amount(shown + u, unit), _amount(shown, unit), u)]
        moves = last + nxt
    return moves


def _amount(v: float, unit: str) -> str:
    from model.formatting import count
    return count(v, unit)


def _price(inst: Instance, lm: NegotiationModel, f, key, deal: Deal, at_optimum: dict, row: ConcessionValue) -> None:
    tried = []
    for direction, forced, with_text, without_text, size in _moves(inst, lm, f, key, deal):
        with lm.forced({f.deal_field: {key: forced}}):
            solution = lm.solve()
        if solution.deal is None:            # (has_deal)
            tried.append(f"{'withdrawing' if direction == 'last' else 'adding'} a step ({without_text if direction == 'last' else with_text}) "
                         f"leaves no deal that satisfies every constraint" if solution.status == "infeasible"
                         else f"the re-solve ended {solution.status}")
            continue
        forced_outcome = _outcome(inst, lm, solution.deal, solution.binaries)
        with_, without = (at_optimum, forced_outcome) if direction == "last" else (forced_outcome, at_optimum)
        a, b = with_["metrics"], without["metrics"]
        row.direction, row.with_setting, row.without_setting, row.size = direction, with_text, without_text, size
        row.step = _step_text(f.kind, direction, with_text, without_text, size, row.unit)
        row.deficit_change = a["deficit"] - b["deficit"]
        row.home_value = a["home_payoff"] - b["home_payoff"]
        row.partner_value = a["partner_payoff"] - b["partner_payoff"]
        if size:
            row.home_per_unit, row.partner_per_unit = row.home_value / size, row.partner_value / size
        row.verified = with_["verified"] and without["verified"]
        row.trade = trade(row.party, row.home_value, row.partner_value,
                          scale=max(abs(a["home_payoff"]), abs(a["partner_payoff"])))
        row.note = "; ".join(tried)
        return
    row.status = "no_move"
    row.note = "; ".join(tried) or "the lever cannot move a step either way"


def _step_text(kind: str, direction: str, with_text: str, without_text: str, size, unit: str) -> str:
    """'the last 1,000 vehicles (of 2,040 vehicles)', 'one more cut: flat 15.0% -> flat 12.5%', ..."""
    if kind == "switch":
        return "granting it (" + ("granted in the deal)" if direction == "last" else "not granted in the deal)")
    if kind == "option":
        return (f"the last cut: {without_text} -> {with_text}" if direction == "last"
                else f"one more cut: {without_text} -> {with_text}")
    if direction == "last":
        return f"the last {_amount(size, unit)} (of {with_text})"
    return f"{_amount(size, unit)} more (from {without_text})"


def trade(giver: str, home_value: float, partner_value: float, scale: float = 0.0) -> str:
    """How a concession splits between the sides (module docstring): integrative, win-win,
    distributive, costly, lose-lose, reverse (the giver gains, the receiver loses), no effect."""
    eps = max(1.0, 1e-8 * scale)
    give, get = (home_value, partner_value) if giver == "home" else (partner_value, home_value)
    if abs(give) <= eps and abs(get) <= eps:
        return "no effect"
    if give >= -eps and get >= -eps:
        return "win-win"
    if give <= eps and get <= eps:
        return "lose-lose"
    if give > eps:                       # the giver gains, the receiver loses
        return "reverse"
    if get >= INTEGRATIVE_RATIO * -give:
        return "integrative"
    if -give >= INTEGRATIVE_RATIO * get:
        return "costly"
    return "distributive"
