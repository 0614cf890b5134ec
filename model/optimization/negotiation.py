"""Solves for the negotiation analyses, on the model handle: packages cut off, payoff floors, how much
better both sides could do than a point, and the smallest change to a set of levers.

The analyses (`analyses.alternatives`, `analyses.offers`) say what to solve; this module states
it as rows and columns of the one built model (`handle.NegotiationModel`), inside the caller's
`scratch`, and hands back `Solution`s in base units. Verification stays with the caller
(`economics.checks`). Levers are read from the lever-family table and addressed by
(deal field, key) as `Deal` holds them, so no family is named here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from model.data.instance import Deal
from model.data.levers import MONEY
from model.optimization.forms import Form
from model.optimization.handle import MAX, MIN, NegotiationModel, Solution

UNLIMITED_BIG_M = 1e4      # model units: the reach of a big-M row on a lever with no upper limit


def _column(j: int) -> Form:
    return Form({j: 1.0})


def set_payoff_floors(model: NegotiationModel, floors: dict[str, float], tolerance: float = 1e-9) -> None:
    """payoff_p >= floor_p (base units, USD), each loosened by `tolerance` relative (so that the
    deal the floor was read from stays feasible), until the enclosing `scratch` ends."""
    for p, floor in floors.items():
        value = floor / MONEY
        model.add_row(model.form(f"{p}_payoff"), ">=", value - tolerance * max(1.0, abs(value)))


def cut_off(model: NegotiationModel, deal: Deal, binaries: dict, min_difference: dict[tuple[str, object], float],
            gain: GainCut | None = None) -> None:
    """Every later solution differs from `deal`: in at least one yes/no choice (an option or a
    switch), or in at least one amount by at least its minimum difference, or (with `gain`) in
    either side's payoff by at least the gain threshold.

        sum_{b: b^=1} (1 - b) + sum_{b: b^=0} b + sum_k (up_k + down_k) + sum_p (up_p + down_p) >= 1
        x_k >= (x^_k + d_k) up_k                             (up_k = 1: x_k at least d_k above)
        x_k <= x^_k - d_k + (U_k - x^_k + d_k)(1 - down_k)   (down_k = 1: at least d_k below)
        pay_p >= P^_p + T - (P^_p + T - lo_p)(1 - up_p)       (up_p = 1: side p at least T better off)
        pay_p <= P^_p - T + (hi_p - P^_p + T)(1 - down_p)     (down_p = 1: at least T worse off)

    with x^ the package's amounts, d_k `min_difference[(deal field, key)]` (base units) and U_k
    the lever's upper limit (UNLIMITED_BIG_M model units when it has none); P^ the package's
    payoffs, T the threshold and [lo_p, hi_p] the payoff's reach (`payoff_reach`). A direction
    that the bounds rule out gets no variable. Levers the instance fixes cannot differ. The rows
    stay until the enclosing `scratch` ends."""
    inst, terms = model.inst, Form()
    fixed = model.col_lower == model.col_upper
    for f in model.families:
        if f.kind == "quantity":
            continue
        for key in f.keys(inst):
            for option, j in model.lever_columns(f, key).items():
                if fixed[j]:
                    continue
                x = binaries.get(f.name, {}).get((key, option) if f.kind == "option" else key, 0.0)
                terms = terms + (1 - _column(j) if round(x) == 1 else _column(j))
    for f in model.families:
        if f.kind != "quantity":
            continue
        values = deal.values(f.deal_field)
        for key in f.keys(inst):
            d = min_difference.get((f.deal_field, key))
            (j,) = model.lever_columns(f, key).values()
            if not d or fixed[j]:
                continue
            scale = f.scale(inst, key)
            x, d = values.get(key, 0.0) / scale, d / scale
            upper = f.upper(inst, key)
            big = upper / scale if math.isfinite(upper) else max(UNLIMITED_BIG_M, 10 * x)
            if x + d <= big * (1 + 1e-12):
                (up,) = model.add_columns(1, 0.0, 1.0, integer=True)
                model.add_row(_column(j) - _column(up) * (x + d), ">=", 0.0)
                terms = terms + _column(up)
            if x - d >= 0:
                (down,) = model.add_columns(1, 0.0, 1.0, integer=True)
                model.add_row(_column(j) + _column(down) * (big - x + d), "<=", big)
                terms = terms + _column(down)
    if gain is not None:
        t = gain.threshold / MONEY
        for p, (lo, hi) in gain.reach.items():
            pay, at, lo, hi = model.form(f"{p}_payoff"), gain.payoffs[p] / MONEY, lo / MONEY, hi / MONEY
            if at + t <= hi:
                (up,) = model.add_columns(1, 0.0, 1.0, integer=True)
                model.add_row(pay - _column(up) * (at + t - lo), ">=", lo)
                terms = terms + _column(up)
            if at - t >= lo:
                (down,) = model.add_columns(1, 0.0, 1.0, integer=True)
                model.add_row(pay + _column(down) * (hi - at + t), "<=", hi)
                terms = terms + _column(down)
    if not terms.terms:            # nothing can differ: no later solution
        (never,) = model.add_columns(1, 0.0, 1.0, integer=True)
        model.add_row(_column(never), ">=", 2.0)
    else:
        model.add_row(terms, ">=", 1.0)


@dataclass
class GainCut:
    """A package's payoffs (base units, USD), the threshold by which a later package must move a
    side's payoff to count as distinct, and each payoff's reach (lowest, highest) over the model
    as it stands, which bounds the big-M rows (`payoff_reach`)."""

    payoffs: dict[str, float]
    threshold: float
    reach: dict[str, tuple[float, float]]


def payoff_reach(model: NegotiationModel) -> dict[str, tuple[float, float]]:
    """party -> (lowest, highest) payoff (base units) over the LP relaxation of the model with its
    current rows: every deal the model allows lies within it. A payoff without a finite reach
    is left out (no big-M row can be written for it)."""
    out = {}
    with model.scratch():
        model.relax_integrality()
        for p in ("home", "partner"):
            low, high = model.optimize(f"{p}_payoff", MIN), model.optimize(f"{p}_payoff", MAX)
            if low.status == high.status == "optimal" and low.value is not None and high.value is not None:
                out[p] = (low.value, high.value)
    return out


def best_equal_gain(model: NegotiationModel, home: float, partner: float) -> Solution:
    """Maximize t with home payoff >= home + t and partner payoff >= partner + t (base units,
    USD): the largest gain both sides can have at once over the point (home, partner). `value`
    is t in USD (negative when no deal reaches the point)."""
    with model.scratch():
        (t,) = model.add_columns(1, -math.inf, math.inf)
        model.add_row(model.form("home_payoff") - _column(t), ">=", home / MONEY)
        model.add_row(model.form("partner_payoff") - _column(t), ">=", partner / MONEY)
        solution = model.optimize(_column(t), MAX)
    if solution.value is not None:
        solution.value *= MONEY
    return solution


def best_for(model: NegotiationModel, party: str, floors: dict[str, float]) -> Solution:
    """Maximize `party`'s payoff with the other payoffs held at `floors` (base units)."""
    with model.scratch():
        set_payoff_floors(model, floors)
        return model.optimize(f"{party}_payoff", MAX)


def smallest_change(model: NegotiationModel, target: dict[str, dict], option_rank) -> Solution:
    """The deal closest to `target` ({deal field: {key: value}}, base units) that satisfies every
    constraint: first the fewest levers changed, then the least total change, then (holding both)
    the lexicographic `min_deficit`. Each lever's change is measured on a 0..1 scale so that
    levers of different units add up:

      option line: |rank(o) - rank(o*)| / (largest - smallest rank on the line), o* the target
                   option (`option_rank(family, line, option)`, e.g. its duty rate);
      switch:      1 if flipped;
      amount:      |x - x*| / U (U its upper limit; when unlimited, max(x*, 1 model unit)).

    objective = (n + 1) * sum_i changed_i + sum_i change_i, n the number of target levers, so
    one fewer lever changed always wins. `value` is that objective."""
    inst = model.inst
    with model.scratch():
        changed, change = Form(), Form()
        count = 0
        for f, key, goal in model.free_levers(target):
            cols = model.lever_columns(f, key)
            count += 1
            if f.kind == "option":
                ranks = {o: option_rank(f, key, o) for o in cols}
                span = (max(ranks.values()) - min(ranks.values())) or 1.0
                changed = changed + (1 - _column(cols[goal]))
                for o, j in cols.items():
                    change = change + _column(j) * (abs(ranks[o] - ranks[goal]) / span)
            elif f.kind == "switch":
                (j,) = cols.values()
                flip = 1 - _column(j) if goal else _column(j)
                changed, change = changed + flip, change + flip
            else:
                (j,) = cols.values()
                scale = f.scale(inst, key)
                goal_m, upper = goal / scale, f.upper(inst, key)
                reach = upper / scale if math.isfinite(upper) else max(goal_m, 1.0)
                more, less = model.add_columns(2)
                model.add_row(_column(j) - _column(more) + _column(less), "==", goal_m)
                (c,) = model.add_columns(1, 0.0, 1.0, integer=True)
                size = (_column(more) + _column(less)) * (1.0 / reach)
                big = 1.0 if math.isfinite(upper) else UNLIMITED_BIG_M
                model.add_row(size - _column(c) * big, "<=", 0.0)
                changed, change = changed + _column(c), change + size
        total = changed * float(count + 1) + change
        first = model.optimize(total, MIN)
        if not first.has_deal or first.value is None:       # (a deal has its objective's value)
            return first
        model.add_row(total, "<=", first.value + 1e-9 * max(1.0, abs(first.value)))
        best = model.solve()
        if best.has_deal:
            best.value = first.value
            return best
        return first
