"""Red lines read against the negotiation: which one no deal itself breaches, and which one
could not bind at any setting of the levers.

A red line that no deal breaches means the party would refuse deals it prefers to walking
away (unless the deal repairs it); one that cannot bind is decoration: it never changes
the answer. Whether a line can bind is decided on the LP relaxation of the model without
red lines and participation (binaries in [0, 1]): if even the relaxation's extreme value
of the metric stays strictly inside the bound, no deal can reach it.
"""
from __future__ import annotations

from dataclasses import replace

import pyomo.environ as pyo

from model.data.instance import Instance
from model.data.levers import families
from model.economics.metrics import References, red_line_bound
from model.optimization.build import build_model
from model.optimization.highs import LARGE_MODEL_VARIABLES, make_solver, solve

TOLERANCE = 1e-6     # relative: a bound this close to the extreme can still bind


def review_red_lines(inst: Instance, refs: References, table) -> dict:
    """{'lines': [{name, label, party, no_deal, bound, breached_by_no_deal, extreme, can_bind}],
    'note': how 'can bind' was decided}."""
    lines = []
    for r in inst.red_lines:
        bound = red_line_bound(r, refs)
        at_no_deal = refs.no_deal[r.metric]
        breached = at_no_deal > bound if r.sense == "<=" else at_no_deal < bound
        lines.append({"name": f"red_line[{r.name}]", "label": r.label, "party": r.party, "sense": r.sense,
                      "metric": r.metric, "bound": bound, "no_deal": at_no_deal, "breached_by_no_deal": breached,
                      "extreme": None, "can_bind": None})
    if not lines:
        return {"lines": [], "note": "no red lines"}
    if 2 * len(table) + sum(len(f.keys(inst)) for f in families()) > LARGE_MODEL_VARIABLES:
        return {"lines": lines, "note": f"whether each line can bind is not checked above "
                                        f"{LARGE_MODEL_VARIABLES:,} variables (it costs a model build and one LP "
                                        "per line)"}
    free = replace(inst, red_lines=(), settings=replace(inst.settings, participation=False))
    m = build_model(free, table, refs)
    for v in m.component_data_objects(pyo.Var):
        if v.is_binary():
            v.domain = pyo.UnitInterval
    m.objective.deactivate()
    solver = make_solver()
    for line, r in zip(lines, inst.red_lines):
        scale = m.metric_scale[r.metric]
        sense = pyo.maximize if r.sense == "<=" else pyo.minimize
        m.review = pyo.Objective(expr=m.metric[r.metric], sense=sense)
        outcome = solve(solver, m)
        if outcome.status == "optimal":
            extreme = pyo.value(m.metric[r.metric]) * scale
            line["extreme"] = extreme
            gap = TOLERANCE * max(1.0, abs(line["bound"]))
            line["can_bind"] = extreme >= line["bound"] - gap if r.sense == "<=" else extreme <= line["bound"] + gap
        elif outcome.status == "unbounded":
            line["can_bind"] = True
        m.del_component(m.review)
    return {"lines": lines, "note": "a line can bind if the LP relaxation of the model without red lines and "
                                    "participation reaches its bound"}
