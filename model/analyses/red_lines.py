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
from model.results import RedLineReview, RedLineRow

TOLERANCE = 1e-6     # relative: a bound this close to the extreme can still bind
REVIEW_MAX_COLUMNS = 20_000   # above this many variables the review (one LP per line) is left out


def review_red_lines(model: NegotiationModel) -> RedLineReview:
    """Each red line: its bound, its value with no deal (breached?), and whether it can bind."""
    inst, refs = model.inst, model.refs
    lines = []
    for r in inst.red_lines:
        bound = red_line_bound(r, refs)
        at_no_deal = refs.no_deal[r.metric]
        breached = at_no_deal > bound if r.sense == "<=" else at_no_deal < bound
        lines.append(RedLineRow(f"red_line[{r.name}]", r.label, r.party, r.sense, r.metric, bound, at_no_deal,
                                breached))
    if not lines:
        return RedLineReview([], "no red lines")
    if model.num_columns > REVIEW_MAX_COLUMNS:
        return RedLineReview(lines, f"whether each line can bind is not checked above {REVIEW_MAX_COLUMNS:,} "
                                    "variables (it costs one LP per line)")
    with model.scratch():
        model.open_rows(("red_line", "participation"))
        model.relax_integrality()
        for line, r in zip(lines, inst.red_lines):
            out = model.optimize(r.metric, MAX if r.sense == "<=" else MIN)
            if out.status == "optimal" and out.value is not None:     # (an optimal solve has its value)
                extreme = out.value
                line.extreme = extreme
                gap = TOLERANCE * max(1.0, abs(line.bound))
                line.can_bind = extreme >= line.bound - gap if r.sense == "<=" else extreme <= line.bound + gap
            elif out.status == "unbounded":
                line.can_bind = True
    return RedLineReview(lines, "a line can bind if the LP relaxation of the model without red lines and "
                                "participation reaches its bound")
