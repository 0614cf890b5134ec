"""The Pareto frontier between the home deficit and the partner's payoff, and the zone of
possible agreement (ZOPA), by the epsilon-constraint method.

Ends: the home-best deal (least deficit, then the partner's best payoff at it) and the
partner-best deal (greatest partner payoff, then the least deficit at it). Between them,
for each deficit cap eps on an even grid: maximize the partner's payoff with
deficit <= eps, then minimize the deficit at that payoff (so no point is dominated).
Every point is a full solution, verified outside the solver. All deals respect red lines
and participation, so the frontier is the ZOPA's efficient edge.

The frontier is over the free negotiation: levers an instance fixes (e.g. a real deal's
terms) are freed, and the fixed deal is shown as a point against it.
"""
from __future__ import annotations

import re
from dataclasses import replace

from model.analyses.deal_terms import lever_rows, option_label
from model.data.instance import Deal, Instance
from model.data.levers import families, option_family
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import MAX, MIN, NegotiationModel, Solution
from model.optimization.objectives import solve_nash
from model.results import (
    FixedFree,
    FreeLever,
    FreeOptimum,
    Frontier,
    FrontierPoint,
    Interval,
    Mark,
    Shortfall,
    ShortfallItem,
    Zopa,
)


def compute_frontier(model: NegotiationModel, n_points: int, deal=None) -> Frontier:
    """`n_points` frontier points of the free negotiation (the instance's fixed levers released on
    the one built model); the instance's own deal (fixed terms, if any) is marked from `deal`,
    the instance's results when the caller has them, or solved here."""
    inst = model.inst
    free = replace(inst, fixed=Deal())
    metric = model.objective_metric
    with model.free_terms():
        # Only a proven infeasibility is "no zone"; an end that did not solve is said as it is.
        home = model.lexicographic((metric, MIN), ("partner_payoff", MAX))
        if not home.has_deal:
            return _no_zopa(model) if home.status == "infeasible" else _unsolved("home-best", home)
        partner = model.lexicographic(("partner_payoff", MAX), (metric, MIN))
        if not partner.has_deal:
            return _unsolved("partner-best", partner)
        home_end, partner_end = _point(free, model, home), _point(free, model, partner)
        points = [home_end]
        lo, hi = home_end.deficit, partner_end.deficit
        for k in range(1, max(n_points, 2) - 1):
            with model.bounded(metric, "<=", lo + (hi - lo) * k / (n_points - 1)):
                p = model.lexicographic(("partner_payoff", MAX), (metric, MIN))
            if p.has_deal:
                points.append(_point(free, model, p))
        points.append(partner_end)
        points = _pareto(points)
        for i, point in enumerate(points):
            point.index = i
        marks = {"min-deficit deal": _summary(points[0])}
        nash = solve_nash(model, inst.settings.nash_weights)
        if nash.deal is not None and nash.status == "optimal":         # (has_deal)
            marks["Nash deal"] = _mark(free, model, nash.deal)
    if has_fixed_terms(inst):
        own = deal if deal is not None else None
        if own is not None and own.has_deal:
            marks[fixed_terms_mark(inst)] = _from_results(own, metric)
        elif own is None:
            solution = model.solve()
            if solution.deal is not None:                                  # (has_deal)
                marks[fixed_terms_mark(inst)] = _mark(inst, model, solution.deal)
    zopa = Zopa(deficit=Interval(points[0].deficit, points[-1].deficit),
                home_gain=Interval(points[-1].home_gain, points[0].home_gain),
                partner_gain=Interval(points[0].partner_gain, points[-1].partner_gain))
    return Frontier("ok", points, marks, zopa)


def _point(inst: Instance, model: NegotiationModel, solution: Solution) -> FrontierPoint:
    """A frontier point from a solve that found a deal, verified outside the solver."""
    deal = solution.deal
    if deal is None:
        raise ValueError(f"a frontier point needs a solve that found a deal (this one: {solution.status})")
    metrics = evaluate(inst, deal, model.table)
    checks = constraint_checks(inst, deal, metrics, model.refs, solution.binaries)
    refs = model.refs
    # 'deficit' is the balance the home party minimizes (settings.objective_metric).
    return FrontierPoint(
        deficit=metrics[inst.settings.objective_metric], home_payoff=metrics["home_payoff"],
        partner_payoff=metrics["partner_payoff"], home_gain=metrics["home_payoff"] - refs.no_deal["home_payoff"],
        partner_gain=metrics["partner_payoff"] - refs.no_deal["partner_payoff"],
        tariffs="; ".join(f"{s} {o}" for s, o in deal.values(option_family().deal_field).items()),
        max_violation=max_violation(checks), verified=max_violation(checks) <= VIOLATION_TOLERANCE,
        tariff_words=tariff_words(inst, deal))


def tariff_words(inst: Instance, deal: Deal) -> str:
    """A deal's tariff choices in the instance's words, one per line in the order of the deal's
    options: 'passenger cars: flat 15.0%; light trucks: flat 50.0%' (a line's label without its
    trailing detail, the option's label)."""
    family = option_family()
    parts = []
    for line, option in deal.values(family.deal_field).items():
        label = inst.lines[line].label if line in inst.lines else str(line)
        name = re.sub(r"\s*\([^()]*\)\s*$", "", label) or label
        parts.append(f"{name}: {option_label(inst, family, line, option)}")
    return "; ".join(parts)


def _mark(inst: Instance, model: NegotiationModel, deal: Deal) -> Mark:
    metrics = evaluate(inst, deal, model.table)
    return Mark(metrics[inst.settings.objective_metric], metrics["home_payoff"] - model.refs.no_deal["home_payoff"],
                metrics["partner_payoff"] - model.refs.no_deal["partner_payoff"])


def _pareto(points: list[FrontierPoint]) -> list[FrontierPoint]:
    """Drop repeated and dominated points; order by deficit (home-best first)."""
    points = sorted(points, key=lambda p: (p.deficit, -p.partner_payoff))
    kept: list[FrontierPoint] = []
    for p in points:
        if kept and p.partner_payoff <= kept[-1].partner_payoff + 1e-6 * max(1.0, abs(p.partner_payoff)):
            continue     # no better for the partner and no better deficit: dominated or a repeat
        kept.append(p)
    return kept


def _summary(p: FrontierPoint) -> Mark:
    return Mark(p.deficit, p.home_gain, p.partner_gain)


def _from_results(r, metric: str) -> Mark:
    get = {m.name: m for m in r.metrics}
    return Mark(get[metric].deal, get["home_payoff"].deal - get["home_payoff"].no_deal,
                get["partner_payoff"].deal - get["partner_payoff"].no_deal)


def model_size(inst: Instance) -> tuple[int, int]:
    """(yes/no choices, levers) of the instance's model: every tariff option and switch is a
    binary variable; every lever key a variable. What a solve costs grows with both; the rules
    that add solves to a report read them (not timings, so that results stay identical)."""
    choices = levers = 0
    for f in families():
        keys = f.keys(inst)
        levers += len(keys)
        if f.kind == "option":
            choices += sum(len(f.options(inst, k)) for k in keys)
        elif f.kind == "switch":
            choices += len(keys)
    return choices, levers


def has_fixed_terms(inst: Instance) -> bool:
    """Whether the instance fixes any lever (`fixed_levers:`, e.g. the terms of a real deal)."""
    return any(inst.fixed.values(f.deal_field) for f in families())


def fixed_terms_mark(inst: Instance) -> str:
    """The name of the instance's own deal among the frontier's marks, when it fixes terms."""
    return f"fixed terms ({inst.name})"


FREE_METRICS = ("deficit", "sector_deficit", "home_payoff", "partner_payoff")


def free_optimum(model: NegotiationModel, results) -> FreeOptimum | None:
    """What an instance's fixed terms cost: its deal against the free optimum, the deal the
    model would choose with every lever free (`fixed_levers` released; red lines, participation
    and everything else as they are). `results` are the instance's own. None when the instance
    fixes nothing. `cost` is fixed - free in the objective metric's unit (> 0: the fixed terms
    leave the deficit higher)."""
    inst = model.inst
    if not has_fixed_terms(inst):
        return None
    with model.free_terms():
        solution = model.solve()
    metric = inst.settings.objective_metric
    out = FreeOptimum(status=solution.status, metric=metric)
    if solution.deal is None:                # (has_deal)
        return out
    free = replace(inst, fixed=Deal())
    theirs = evaluate(free, solution.deal, model.table)
    mine = {m.name: m.deal for m in results.metrics} if results.has_deal else {}
    out.free = theirs[metric]
    out.metrics = {k: FixedFree(mine.get(k), theirs.get(k)) for k in FREE_METRICS if k in theirs}
    if mine:
        out.fixed = mine[metric]
        out.cost = mine[metric] - theirs[metric]
    out.levers = [FreeLever(lv.name, lv.index, lv.label, lv.value, lv.unit, lv.choice)
                  for lv in lever_rows(free, solution.deal)]
    return out


def _unsolved(end: str, outcome) -> Frontier:
    """An end of the frontier without a solution, for a reason other than no deal: unbounded,
    a time limit before any deal, a solver error (or, at the partner-best end only, an
    infeasibility that the home-best end's deal contradicts: numerical trouble)."""
    if outcome.status == "unbounded":
        return Frontier("unbounded", message=f"the free negotiation is unbounded at the frontier's {end} end")
    if outcome.status == "time_limit":
        return Frontier("time_limit", message=f"the time limit was reached at the frontier's {end} end before any "
                                              "deal was found")
    why = outcome.message or outcome.status
    if outcome.status == "infeasible":
        why = "found infeasible although the home-best deal exists: numerical trouble"
    return Frontier("error", message=f"the solver failed at the frontier's {end} end ({why})")


def _no_zopa(model: NegotiationModel) -> Frontier:
    """No deal satisfies both sides: how far apart are they? The smallest participation
    shortfall (payoff each side would have to give up below its no-deal payoff). Called with
    the instance's fixed terms released."""
    from model.analyses.diagnose import diagnose
    d = diagnose(model, families=("participation",), with_iis=False, by_party=False)
    if d.status == "relaxable":
        shortfall = Shortfall("participation", total=sum(r.amount for r in d.relaxations),
                              by_party={r.party: r.amount for r in d.relaxations if r.party})
    else:
        full = diagnose(model, with_iis=False, by_party=False)
        note = ("relaxing participation alone admits no deal (the red lines conflict); the smallest relaxation "
                "that does" if full.status == "relaxable" and full.relaxations else
                "relaxing participation alone admits no deal, and no relaxation of red lines, participation, ceilings "
                "or capacities does")
        shortfall = Shortfall("red_lines", note=note,
                              relaxations=[ShortfallItem(r.label, r.amount, r.unit) for r in full.relaxations])
    return Frontier("no_zopa", shortfall=shortfall)
