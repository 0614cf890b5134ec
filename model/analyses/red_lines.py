"""Red lines read against the negotiation: which one no deal itself breaches, and which one
could not bind at any setting of the levers.

A red line that no deal breaches means the party would refuse deals it prefers to walking
away (unless the deal repairs it); one that cannot bind is decoration: it never changes
the answer. Whether a line can bind is decided on the LP relaxation of the model without
red lines and participation (binaries in [0, 1]): if even the relaxation's extreme value
of the metric stays strictly inside the bound, no deal can reach it.
"""
from __future__ import annotations

from model.economics.metrics import red_line_bound
from model.optimization.handle import MAX, MIN, NegotiationModel

TOLERANCE = 1e-6     # relative: a bound this close to the extreme can still bind
REVIEW_MAX_COLUMNS = 20_000   # above this many variables the review (one LP per line) is left out


def review_red_lines(model: NegotiationModel) -> dict:
    """{'lines': [{name, label, party, no_deal, bound, breached_by_no_deal, extreme, can_bind}],
    'note': how 'can bind' was decided}."""
    inst, refs = model.inst, model.refs
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
    if model.num_columns > REVIEW_MAX_COLUMNS:
        return {"lines": lines, "note": f"whether each line can bind is not checked above "
                                        f"{REVIEW_MAX_COLUMNS:,} variables (it costs one LP per line)"}
    with model.scratch():
        model.open_rows(("red_line", "participation"))
        model.relax_integrality()
        for line, r in zip(lines, inst.red_lines):
            out = model.optimize(r.metric, MAX if r.sense == "<=" else MIN)
            if out.status == "optimal":
                extreme = out.value
                line["extreme"] = extreme
                gap = TOLERANCE * max(1.0, abs(line["bound"]))
                line["can_bind"] = extreme >= line["bound"] - gap if r.sense == "<=" else extreme <= line["bound"] + gap
            elif out.status == "unbounded":
                line["can_bind"] = True
    return {"lines": lines, "note": "a line can bind if the LP relaxation of the model without red lines and "
                                    "participation reaches its bound"}
