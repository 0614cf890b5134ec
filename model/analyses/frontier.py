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

from dataclasses import dataclass, field, replace

import pyomo.environ as pyo

from model.data.instance import Deal, Instance
from model.data.levers import families, option_family
from model.economics.checks import constraint_checks, max_violation
from model.economics.metrics import evaluate, references
from model.economics.responses import option_table
from model.optimization.build import MONEY, build_model
from model.optimization.highs import extract_deal, make_solver, solve

TIE = 1e-9     # relative tolerance when holding one objective at its optimum


@dataclass
class Frontier:
    status: str                              # 'ok' or 'no_zopa'
    points: list[dict] = field(default_factory=list)
    marks: dict[str, dict] = field(default_factory=dict)
    zopa: dict | None = None
    shortfall: dict | None = None            # when there is no ZOPA

    def to_dict(self) -> dict:
        return {"status": self.status, "points": self.points, "marks": self.marks, "zopa": self.zopa,
                "shortfall": self.shortfall}


def compute_frontier(inst: Instance, n_points: int, solve_instance, deal=None) -> Frontier:
    """`n_points` frontier points of the free negotiation (fixed levers released); the
    instance's own deal (fixed terms, if any) is marked by solving it with `solve_instance`
    (passed in, as for `compare`, so this analysis stays below the run that calls it), or
    from `deal`, the instance's results when the caller has them already."""
    free = replace(inst, fixed=Deal())
    table = option_table(free)
    refs = references(free, table)
    m = build_model(free, table, refs)
    solver = make_solver()
    deficit, partner = _clean(m.metric[m.objective_name]), _clean(m.metric["partner_payoff"])
    m.cap = pyo.Param(mutable=True, initialize=1e12)
    m.floor = pyo.Param(mutable=True, initialize=-1e12)
    m.deficit_cap = pyo.Constraint(expr=deficit <= m.cap)
    m.partner_floor = pyo.Constraint(expr=partner >= m.floor)
    m.objective.deactivate()
    m.min_deficit = pyo.Objective(expr=deficit, sense=pyo.minimize)
    m.max_partner = pyo.Objective(expr=partner, sense=pyo.maximize)

    def optimize(first, second, hold, set_hold):
        """Optimize `first`; hold it (within TIE) while optimizing `second`."""
        for o in (m.min_deficit, m.max_partner):
            o.deactivate()
        first.activate()
        out = solve(solver, m)
        if not out.has_solution:
            return None
        best = pyo.value(hold)
        set_hold(best)
        first.deactivate()
        second.activate()
        out = solve(solver, m)
        return _point(free, m, table, refs) if out.has_solution else None

    def hold_deficit(v):
        m.cap.set_value(v + TIE * max(1.0, abs(v)))

    def hold_partner(v):
        m.floor.set_value(v - TIE * max(1.0, abs(v)))

    def reset():
        m.cap.set_value(1e12)
        m.floor.set_value(-1e12)

    home_end = optimize(m.min_deficit, m.max_partner, deficit, hold_deficit)
    if home_end is None:
        return _no_zopa(inst)
    reset()
    partner_end = optimize(m.max_partner, m.min_deficit, partner, hold_partner)
    points = [home_end]
    lo, hi = home_end["deficit"] / MONEY, partner_end["deficit"] / MONEY
    for k in range(1, max(n_points, 2) - 1):
        reset()
        m.cap.set_value(lo + (hi - lo) * k / (n_points - 1))
        p = optimize(m.max_partner, m.min_deficit, partner, hold_partner)
        if p is not None:
            points.append(p)
    points.append(partner_end)
    points = _pareto(points)
    for i, p in enumerate(points):
        p["index"] = i
    marks = {"min-deficit deal": _summary(points[0])}
    nash = solve_instance(free, objective="nash")
    if nash.has_deal:
        marks["Nash deal"] = _from_results(nash, inst.settings.objective_metric)
    if has_fixed_terms(inst):
        fixed = deal if deal is not None else solve_instance(inst)
        if fixed.has_deal:
            marks[fixed_terms_mark(inst)] = _from_results(fixed, inst.settings.objective_metric)
    zopa = {
        "deficit": {"low": points[0]["deficit"], "high": points[-1]["deficit"]},
        "home_gain": {"low": points[-1]["home_gain"], "high": points[0]["home_gain"]},
        "partner_gain": {"low": points[0]["partner_gain"], "high": points[-1]["partner_gain"]},
    }
    return Frontier("ok", points, marks, zopa)


def _clean(expr, rel: float = 1e-12):
    """A linear expression without its round-off terms (coefficients below `rel` of the largest):
    HiGHS warns about them on stdout when they sit in a constraint."""
    from pyomo.repn import generate_standard_repn
    repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
    if not repn.is_linear():
        return expr
    biggest = max((abs(c) for c in repn.linear_coefs), default=0.0)
    terms = [c * v for c, v in zip(repn.linear_coefs, repn.linear_vars) if abs(c) > rel * biggest]
    return sum(terms, repn.constant)


def _point(inst: Instance, m, table, refs) -> dict:
    deal, binaries = extract_deal(m, inst)
    metrics = evaluate(inst, deal, table)
    checks = constraint_checks(inst, deal, metrics, refs, binaries)
    # 'deficit' is the balance the home party minimizes (settings.objective_metric).
    return {"deficit": metrics[inst.settings.objective_metric], "home_payoff": metrics["home_payoff"],
            "partner_payoff": metrics["partner_payoff"],
            "home_gain": metrics["home_payoff"] - refs.no_deal["home_payoff"],
            "partner_gain": metrics["partner_payoff"] - refs.no_deal["partner_payoff"],
            "tariffs": "; ".join(f"{s} {o}" for s, o in deal.values(option_family().deal_field).items()),
            "max_violation": max_violation(checks), "verified": max_violation(checks) <= 1e-6}


def _pareto(points: list[dict]) -> list[dict]:
    """Drop repeated and dominated points; order by deficit (home-best first)."""
    points = sorted(points, key=lambda p: (p["deficit"], -p["partner_payoff"]))
    kept: list[dict] = []
    for p in points:
        if kept and p["partner_payoff"] <= kept[-1]["partner_payoff"] + 1e-6 * max(1.0, abs(p["partner_payoff"])):
            continue     # no better for the partner and no better deficit: dominated or a repeat
        kept.append(p)
    return kept


def _summary(p: dict) -> dict:
    return {k: p[k] for k in ("deficit", "home_gain", "partner_gain")}


def _from_results(r, metric: str) -> dict:
    get = {m.name: m for m in r.metrics}
    return {"deficit": get[metric].deal,
            "home_gain": get["home_payoff"].deal - get["home_payoff"].no_deal,
            "partner_gain": get["partner_payoff"].deal - get["partner_payoff"].no_deal}


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


FREE_METRICS = ("deficit", "negotiated_deficit", "home_payoff", "partner_payoff")


def free_optimum(inst: Instance, results, solve_instance) -> dict | None:
    """What an instance's fixed terms cost: its deal against the free optimum, the deal the
    model would choose with every lever free (`fixed_levers` released; red lines, participation
    and everything else as they are). `results` are the instance's own; `solve_instance` is
    passed in, as for `compare`. None when the instance fixes nothing.

    Returns {status, metric, fixed, free, cost (fixed - free, in the objective metric's unit;
    > 0: the fixed terms leave the deficit higher), metrics {name: {fixed, free}}, levers: the
    free optimum's lever rows (name, index, label, value, unit, choice)}."""
    if not has_fixed_terms(inst):
        return None
    free = solve_instance(replace(inst, fixed=Deal()))
    metric = inst.settings.objective_metric
    out = {"status": free.status, "metric": metric, "fixed": None, "free": None, "cost": None, "metrics": {},
           "levers": []}
    if not free.has_deal:
        return out
    mine = {m.name: m.deal for m in results.metrics} if results.has_deal else {}
    theirs = {m.name: m.deal for m in free.metrics}
    out["free"] = theirs[metric]
    out["metrics"] = {k: {"fixed": mine.get(k), "free": theirs.get(k)} for k in FREE_METRICS if k in theirs}
    if mine:
        out["fixed"] = mine[metric]
        out["cost"] = mine[metric] - theirs[metric]
    out["levers"] = [{"name": lv.name, "index": lv.index, "label": lv.label, "value": lv.value, "unit": lv.unit,
                      "choice": lv.choice} for lv in free.levers]
    return out


def _no_zopa(inst: Instance) -> Frontier:
    """No deal satisfies both sides: how far apart are they? The smallest participation
    shortfall (payoff each side would have to give up below its no-deal payoff)."""
    from model.analyses.diagnose import diagnose
    d = diagnose(replace(inst, fixed=Deal()), families=("participation",), with_iis=False, by_party=False)
    if d.status == "relaxable":
        shortfall = {"kind": "participation", "total": sum(r.amount for r in d.relaxations),
                     "by_party": {r.party: r.amount for r in d.relaxations}}
    else:
        full = diagnose(replace(inst, fixed=Deal()), with_iis=False, by_party=False)
        shortfall = {"kind": "red_lines", "note": "relaxing participation alone admits no deal (the red lines conflict); the smallest relaxation that does",
                     "relaxations": [{"label": r.label, "amount": r.amount, "unit": r.unit} for r in full.relaxations]}
    return Frontier("no_zopa", shortfall=shortfall)
