"""Alternative packages: up to K distinct deals within a share of the optimal deficit, best first.

The search (each step a full lexicographic solve, `optimization.negotiation`):

1. Package 1 is the deal `run` gives: least deficit D*, then best for the partner at it.
2. A band keeps every later package within the allowed share: deficit <= D* + within * |D*|
   (plus the instance's lexicographic tolerance, so that `within = 0` keeps exact ties).
3. After each package a cut removes it and everything too close to it (`negotiation.cut_off`):
   a later package must differ in at least one yes/no choice (a tariff option on some
   line, an NTB relief: a no-good cut on the binaries), or change a side's payoff by at least
   the threshold (or, with `min_difference`, move an amount by at least its minimum difference).
4. The next package is the least-deficit deal (then best for the partner) that satisfies
   every constraint and every cut so far; the search stops at K packages or when no deal
   is left in the band.

So package j is the best deal that is distinct from packages 1..j-1: the list is the best
distinct packages, in order of deficit (ties: the partner's best first). Where distinctness
is only in yes/no choices (no amounts, or amounts held apart by a larger difference than
their range), this is exactly the K best combinations of choices, each with its best amounts.

What "distinct" asks of amounts, by default economic (`min_gain`): two packages with the same
yes/no choices are distinct only if one side's payoff differs by at least the threshold,
`min_gain` (a share, default 1%) of the larger side's gain over no deal with package 1 (of
package 1's deficit when neither side gains). So moving the same vehicles from one dealer
network to another, which changes neither side's payoff, does not make a new package. The
cut is a disjunction over both sides' payoffs with big-M rows bounded by each payoff's reach
within the band (`negotiation.payoff_reach`: the LP relaxation's lowest and highest).
With `min_difference` (a share) instead, an amount must move by that share of the lever's own
upper limit (a channel's capacity, a maker's spare capacity, a good's most units); a lever
with no limit uses one model unit (1,000 vehicles, or about USD 1 million of a good).

Equivalent offers: every package is within `within` of the best deficit, so all are about
equally good for home by its goal. Among them the report marks up to EQUIVALENT_SET packages
that differ most for the partner: the packages with the partner's highest and lowest gain,
then, one at a time, the package whose partner gain is furthest from those already marked
(largest minimum distance). Partner gains closer than EQUIVALENT_SPREAD times the largest
partner payoff are not told apart.
"""
from __future__ import annotations

import math

from model.analyses.deal_terms import deal_of, gives, instance_name, lever_columns, settings
from model.data.instance import Instance
from model.data.levers import MONEY, LeverFamily, families
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel, Solution
from model.optimization.negotiation import GainCut, cut_off, payoff_reach
from model.results import Alternatives, Package

DEFAULT_COUNT = 5
DEFAULT_WITHIN = 0.01            # 1% of the optimal deficit
DEFAULT_MIN_DIFFERENCE = 0.10    # 10% of a lever's upper limit (when the limit rule is asked for)
DEFAULT_MIN_GAIN = 0.01          # 1% of the larger side's gain with package 1
MAX_COUNT = 50
EQUIVALENT_SET = 3
EQUIVALENT_SPREAD = 1e-3


METHOD = ("Each package is a full lexicographic solve (least deficit, then best for the partner). After each, a cut "
          "removes it: later packages differ in at least one yes/no choice (tariff option, NTB relief) or, with the "
          "same choices, in a side's payoff by at least the threshold below (or in an amount by its minimum "
          "difference, when that rule is asked for). Package j is the best deal distinct from packages 1..j-1, so the "
          "packages come best first, each verified outside the solver.")


def families_by_field() -> dict[str, LeverFamily]:
    return {f.deal_field: f for f in families()}


def min_differences(inst: Instance, share: float) -> dict[tuple[str, object], float]:
    """(deal field, key) -> the smallest change of an amount that makes two packages distinct
    (base units): `share` of the lever's upper limit, or one model unit when it has none."""
    out = {}
    for f in families():
        if f.kind != "quantity":
            continue
        for key in f.keys(inst):
            upper = f.upper(inst, key)
            out[(f.deal_field, key)] = share * upper if math.isfinite(upper) else f.scale(inst, key)
    return out


def gain_threshold(first: Package, share: float) -> float:
    """The economic rule's threshold (USD): `share` of the larger side's gain over no deal with
    package 1, or of its deficit when neither side gains."""
    larger = max(abs(first.home_gain), abs(first.partner_gain))
    return share * (larger if larger > 0 else abs(first.deficit))


def find_alternatives(model: NegotiationModel, count: int = DEFAULT_COUNT, within: float = DEFAULT_WITHIN,
                      min_difference: float | None = None, min_gain: float = DEFAULT_MIN_GAIN) -> Alternatives:
    """Up to `count` distinct packages with a deficit within `within` (a share) of the optimum,
    best first (see the module docstring); each verified by `economics.checks`. Amounts make
    packages distinct by `min_gain` of the larger side's gain (the economic rule), or, when
    `min_difference` is given, by that share of their limit."""
    inst = model.inst
    families_of = families_by_field()
    result = Alternatives("ok", "", count, within, min_difference, best_deficit=None, band=None, stop_reason="",
                          method=METHOD, parties=dict(inst.parties),
                          instance=instance_name(inst), min_differences={},
                          min_gain=None if min_difference is not None else min_gain)
    first = model.solve()
    if not first.has_deal:
        result.status, result.message = first.status, first.message or "no deal satisfies every constraint"
        return result
    deficit = evaluate(inst, first.deal, model.table)["deficit"]
    tolerance = inst.settings.lexicographic_tolerance * max(MONEY, abs(deficit))
    result.best_deficit = deficit
    result.band = deficit + within * abs(deficit) + tolerance
    gaps = min_differences(inst, min_difference) if min_difference is not None else {}
    result.min_differences = {f"{families_of[k[0]].short}.{families_of[k[0]].key_text(k[1])}": v
                              for k, v in gaps.items()}
    solution = first
    with model.bounded("deficit", "<=", result.band):
        reach = payoff_reach(model) if min_difference is None else {}
        while True:
            package = _package(inst, model, len(result.packages) + 1, solution)
            result.packages.append(package)
            if len(result.packages) >= count:
                result.stop_reason = f"the {count} packages asked for were found"
                break
            gain = None
            if min_difference is None:
                if result.min_gain_usd is None:
                    result.min_gain_usd = gain_threshold(package, min_gain)
                gain = GainCut({"home": package.home_payoff, "partner": package.partner_payoff},
                               result.min_gain_usd, reach)
            cut_off(model, deal_of(solution), solution.binaries, gaps, gain)
            solution = model.solve()
            if not solution.has_deal:
                result.stop_reason = (f"no further distinct package has a deficit within {within:.2%} of the best"
                                      if solution.status == "infeasible" else f"the search stopped: "
                                      f"{solution.status} {solution.message}".strip())
                break
    mark_equivalent(result.packages)
    result.equivalent = [p.rank for p in result.packages if p.equivalent]
    return result


def _package(inst: Instance, model: NegotiationModel, rank: int, solution: Solution) -> Package:
    metrics = evaluate(inst, deal_of(solution), model.table)
    checks = constraint_checks(inst, deal_of(solution), metrics, model.refs, solution.binaries)
    worst = max_violation(checks)
    gains = {p: metrics[f"{p}_payoff"] - model.refs.no_deal[f"{p}_payoff"] for p in ("home", "partner")}
    return Package(rank, metrics["deficit"], metrics["home_payoff"], metrics["partner_payoff"], gains["home"],
                   gains["partner"], worst <= VIOLATION_TOLERANCE, worst, equivalent=False,
                   gives=gives(inst, deal_of(solution)), levers=lever_columns(inst, deal_of(solution)),
                   settings=settings(inst, deal_of(solution)))


def mark_equivalent(packages: list[Package]) -> None:
    """Mark up to EQUIVALENT_SET packages that differ most for the partner (module docstring)."""
    if len(packages) < 2:
        return
    gain = {p.rank: p.partner_gain for p in packages}
    spread = max(1.0, EQUIVALENT_SPREAD * max(abs(p.partner_payoff) for p in packages))
    if max(gain.values()) - min(gain.values()) < spread:
        return
    # Highest and lowest partner gain; ties go to the better package for home (lower rank).
    high = min(gain, key=lambda r: (-gain[r], r))
    low = min(gain, key=lambda r: (gain[r], r))
    chosen = [high, low]
    while len(chosen) < min(EQUIVALENT_SET, len(packages)):
        rest = [r for r in gain if r not in chosen]
        best = max(rest, key=lambda r: (min(abs(gain[r] - gain[c]) for c in chosen), -r))
        if min(abs(gain[best] - gain[c]) for c in chosen) < spread:
            break
        chosen.append(best)
    for p in packages:
        p.equivalent = p.rank in chosen
