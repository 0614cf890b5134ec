"""What the red lines cost, and which terms of the deal each one sets.

A red line is a party's political limit; its shadow price says what a marginal step of it is
worth, but a negotiator asks a larger question: what would the deal be without it? For the
deal `run` found, this re-solves the command's one model (the same objective, every other
constraint in place):

- **without any red line**: the free optimum beside the deal, and what the red lines cost
  together (in deficit and in each side's payoff);
- **without each red line alone** (an entry of the instance file, on all its segments at
  once): its cost, and the terms that change, which are the terms that red line sets. A line
  that changes nothing when set aside sets no term of this deal (it may still bind alongside
  another that holds the same term).

Every deal here is verified against the instance with the red line(s) removed. Costs are the
deal without the line minus the deal with it: a negative deficit change is deficit the line
keeps up. The analysis asks the optimization layer and never touches Pyomo.
"""
from __future__ import annotations

from dataclasses import replace

from model.analyses.deal_terms import changes, deal_of
from model.data.instance import Deal, Instance
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel
from model.results import RedLineCost, RedLineCosts

MAX_ENTRIES = 40          # red-line entries priced in a run (one re-solve each, plus one for all)
BUDGET = 20.0             # seconds of re-solves a run allows for them (estimated from the solve)

METHOD = ("Each red line set aside in turn (all its lines, on every segment), then all of them at once; the model "
          "re-solved with the same objective and every other constraint; each deal verified against the instance "
          "without the line(s). Cost = the deal without the line minus the deal with it; the terms that change "
          "are the terms the line sets.")


def entries(inst: Instance) -> dict[str, list[str]]:
    """The instance file's red-line entries -> the names of their lines (one per segment or good)."""
    out: dict[str, list[str]] = {}
    for r in inst.red_lines:
        out.setdefault(r.stated[0], []).append(r.name)
    return out


def applicable(inst: Instance, solve_seconds: float) -> str:
    """'' when `run` prices the red lines of `inst`; otherwise why not."""
    n = len(entries(inst))
    if not n:
        return "the instance states no red line"
    if n > MAX_ENTRIES:
        return f"the instance has {n} red lines, more than the {MAX_ENTRIES} priced in a run"
    if (n + 1) * solve_seconds > BUDGET:
        return (f"pricing {n} red lines would take about {(n + 1) * solve_seconds:.0f} s ({n + 1} re-solves at "
                f"{solve_seconds:.2f} s), more than the {BUDGET:g} s a run allows")
    return ""


def red_line_costs(model: NegotiationModel, deal: Deal) -> RedLineCosts:
    """The deal without all red lines, then without each one (module docstring)."""
    inst = model.inst
    base = evaluate(inst, deal, model.table)
    names = entries(inst)
    labels = {r.stated[0]: (r.stated[1], r.party) for r in inst.red_lines}
    result = RedLineCosts(METHOD)
    result.without_all = _without(model, deal, base, [n for group in names.values() for n in group], "all",
                                  "every red line", None)
    for entry, group in names.items():
        label, party = labels[entry]
        result.each.append(_without(model, deal, base, group, entry, label, party))
    return result


def _without(model: NegotiationModel, deal: Deal, base: dict, lines: list[str], entry: str, label: str,
             party: str | None) -> RedLineCost:
    inst = model.inst
    with model.scratch():
        model.open_named([f"red_line[{name}]" for name in lines])
        solution = model.solve()
    cost = RedLineCost(entry, label, party, solution.status)
    if not solution.has_deal:
        return cost
    after = deal_of(solution)
    freed = replace(inst, red_lines=tuple(r for r in inst.red_lines if r.name not in set(lines)))
    metrics = evaluate(inst, after, model.table)
    worst = max_violation(constraint_checks(freed, after, metrics, model.refs, solution.binaries))
    cost.deficit = metrics["deficit"]
    cost.deficit_change = metrics["deficit"] - base["deficit"]
    cost.payoff_change = {p: metrics[f"{p}_payoff"] - base[f"{p}_payoff"] for p in ("home", "partner")}
    cost.terms = changes(inst, deal, after, model.table)
    cost.verified = worst <= VIOLATION_TOLERANCE
    return cost
