"""Evaluating an offer: is it acceptable as stated, what is the best completion, how far is it
from the frontier, and, if it is not acceptable, the smallest change that makes it so.

- **As stated**: the offer's levers; every lever it leaves out at its no-deal setting (and
  those the instance fixes at the instance's values). Every constraint is checked in plain
  Python (`economics.checks`): the ones it breaks are listed with the amount (red lines,
  participation, ceilings, capacities). Each side's gain = its payoff - its no-deal payoff.
- **Best completion**: the offer's levers fixed, the others chosen as `run` chooses
  (least deficit, then best for the partner), subject to every constraint, and, when the
  offer as stated is acceptable, with neither side's payoff below its payoff under the
  offer as stated (the side that tabled it would not accept less than it offered, nor the
  other side less than it was offered). So a feasible offer's completion is never worse
  for either side than the offer alone. Beside it, the *home-best completion*: the same
  without those two floors (participation and red lines still hold), to show what asking
  for more would cost the other side.
- **Distance to the frontier** (free negotiation: levers the instance fixes are released, as
  for `frontier`): from a point (home payoff H, partner payoff P), the largest t with a deal
  giving home >= H + t and partner >= P + t (both sides better by t at once); and how much
  more each side alone could have with the other held at its level. t <= 0: on the frontier.
- **Smallest change** (when the offer as stated is not acceptable): the acceptable deal
  closest to the offer's own levers (`negotiation.smallest_change`: fewest levers changed,
  then least total change, each on a 0..1 scale of its range, then least deficit). First
  with every lever the offer leaves out kept at its no-deal setting; if no change to the
  offer's levers alone is enough, with those levers free too (they are then listed as added).
"""
from __future__ import annotations

from dataclasses import replace

from model.analyses.deal_terms import changes, deal_of, gives, instance_name, option_label, option_rank
from model.data.instance import Deal, Instance
from model.data.levers import families
from model.data.offers import Offer
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel, Solution
from model.optimization.negotiation import best_equal_gain, best_for, set_payoff_floors, smallest_change
from model.results import (
    Amendment,
    Broken,
    Completion,
    DealSummary,
    Distance,
    FrontierDistance,
    OfferComparison,
    OfferEvaluation,
    OfferLever,
    OfferLine,
    OfferRobustness,
    OfferSource,
    OfferSummary,
    Outcome,
    Solved,
    Stated,
    by_rule,
)

SHOWN_METRICS = ("deficit", "home_payoff", "partner_payoff", "imports_value", "exports_value", "purchases_value",
                 "tariff_revenue", "partner_production_loss")
ON_FRONTIER = 1e-6      # relative to the payoffs' size: a smaller joint gain means the point is on the frontier


def evaluation_status(ev: OfferEvaluation) -> str:
    """'unbounded' if any solve of the evaluation was, else 'error' if any failed (a time limit
    without a deal included), else 'optimal': infeasible solves are results here."""
    seen = {s.status for s in ev.solves()}
    for f in (ev.frontier.from_stated, ev.frontier.from_completion):
        if f is not None:
            seen |= {f.joint_status, f.home_status, f.partner_status}
    if "unbounded" in seen:
        return "unbounded"
    return "error" if seen & {"error", "time_limit"} else "optimal"


METHOD = {
    "stated": "the offer's levers; every lever it leaves out at its no-deal setting; every constraint checked in "
              "plain Python",
    "completion": "the offer's levers fixed; the others chosen to minimize the deficit, then best for the partner; "
                  "when the offer as stated is acceptable, neither side below its payoff under it",
    "frontier": "free negotiation (levers the instance fixes released): the largest gain t both sides can have at "
                "once over a point, and each side's room with the other held at its level",
    "amendment": "the acceptable deal closest to the offer's levers: fewest levers changed, then least total change "
                 "(each on a 0..1 scale of its range), then least deficit; first with the levers the offer leaves out "
                 "at no deal, else with them free",
}


def stated_deal(inst: Instance, offer: Offer) -> Deal:
    """The offer as stated: no deal, then the instance's fixed levers, then the offer's levers."""
    fields = {}
    for f in families():
        fields[f.deal_field] = {**inst.no_deal.values(f.deal_field), **inst.fixed.values(f.deal_field),
                                **offer.levers.values(f.deal_field)}
    return Deal().with_values_of(fields)


def with_offer_fixed(inst: Instance, offer: Offer) -> Instance:
    """`inst` with the offer's levers added to its fixed levers (the offer's values win)."""
    fields = {f.deal_field: {**inst.fixed.values(f.deal_field), **offer.levers.values(f.deal_field)}
              for f in families()}
    return replace(inst, fixed=Deal().with_values_of(fields))


def offered_keys(offer: Offer) -> set:
    """{(deal field, key)} of the levers an offer sets."""
    return {(f.deal_field, key) for f in families() for key in offer.levers.values(f.deal_field)}


def evaluate_offer(model: NegotiationModel, offer: Offer) -> OfferEvaluation:
    """Everything the module docstring lists, every deal verified outside the solver."""
    inst = model.inst
    bound = with_offer_fixed(inst, offer)
    refs, table = model.refs, model.table
    no_deal = {p: refs.no_deal[f"{p}_payoff"] for p in ("home", "partner")}
    no_deal.update({f"{p}_welfare": refs.no_deal[f"{p}_welfare"] for p in ("home", "partner")})
    offered = offered_keys(offer)
    levers = {f.deal_field: offer.levers.values(f.deal_field) for f in families() if offer.levers.values(f.deal_field)}

    # As stated.
    deal = stated_deal(inst, offer)
    metrics = evaluate(inst, deal, table)
    checks = constraint_checks(bound, deal, metrics, refs)
    rules = {f"red_line[{r.name}]": r.stated for r in inst.red_lines}
    broken = [_broken(c, rules) for c in checks
              if c.kind != "fixed_lever" and c.relative_violation > VIOLATION_TOLERANCE]
    outcome = _outcome(inst, deal, metrics, no_deal)
    stated = Stated(outcome.metrics, outcome.payoffs, outcome.gains, outcome.gives, acceptable=not broken,
                    broken=broken, max_violation=max_violation(checks))
    point = {p: metrics[f"{p}_payoff"] for p in ("home", "partner")}

    # Best completion: the offer's levers fixed (over the instance's own fixings), the rest chosen.
    with model.free_terms(only=offered):
        model.force(levers)
        with model.scratch():
            if stated.acceptable:
                set_payoff_floors(model, point)
            solution = model.solve()
        completion = Completion(solution.status, solution.message, floors=stated.acceptable)
        if solution.has_deal:
            _fill(completion, _verified_outcome(inst, bound, model, solution, no_deal))
            completion.added = changes(inst, deal, deal_of(solution), table)
            if stated.acceptable:
                gains = completion.gains or {}
                completion.no_worse = {p: gains[p] >= stated.gains[p] - VIOLATION_TOLERANCE * max(1.0, abs(point[p]))
                                       for p in ("home", "partner")}
        if stated.acceptable:
            home_best = model.solve()
            completion.home_best = Solved(home_best.status, home_best.message)
            if home_best.has_deal:
                _fill(completion.home_best, _verified_outcome(inst, bound, model, home_best, no_deal))
                completion.home_best.added = changes(inst, deal, deal_of(home_best), table)

    # Distance to the frontier.
    free = replace(inst, fixed=Deal())
    with model.free_terms():
        frontier = FrontierDistance(_distance(free, model, point, no_deal))
        if solution.has_deal and completion.payoffs is not None:
            frontier.from_completion = _distance(free, model, completion.payoffs, no_deal)

    result = OfferEvaluation(
        offer=OfferSummary(offer.name, offer.title, offer.file, offer.tabled_by, offer.note or "", _offer_levers(inst, offer),
                           {k: OfferSource(v.kind, v.text, v.year) for k, v in offer.sources.items()}),
        parties=dict(inst.parties), instance=instance_name(inst),
        stated=stated, completion=completion, frontier=frontier, method=dict(METHOD))
    if not stated.acceptable:
        result.amendment = _amendment(model, offer, deal, no_deal)
    result.status = evaluation_status(result)
    return result


def _fill(solved: Solved, verified: tuple[Outcome, float]) -> None:
    """A solve's deal: its outcome and how well it passed the checks."""
    outcome, worst = verified
    solved.metrics, solved.payoffs, solved.gains, solved.gives = (outcome.metrics, outcome.payoffs, outcome.gains,
                                                                   outcome.gives)
    solved.welfare_gains = outcome.welfare_gains
    solved.verified, solved.max_violation = worst <= VIOLATION_TOLERANCE, worst


def _verified_outcome(inst: Instance, bound: Instance, model: NegotiationModel, solution: Solution,
                      no_deal: dict[str, float]) -> tuple[Outcome, float]:
    """A completion's outcome, verified against the instance with the offer's levers fixed: (outcome,
    the largest relative violation)."""
    metrics = evaluate(inst, deal_of(solution), model.table)
    checks = constraint_checks(bound, deal_of(solution), metrics, model.refs, solution.binaries)
    return _outcome(inst, deal_of(solution), metrics, no_deal), max_violation(checks)


def _broken(c, rules: dict[str, tuple[str, str]]) -> Broken:
    """A broken check, with the rule it belongs to (`rules`: check name -> the red line's entry and
    label as the instance states it; any other check is its own rule)."""
    rule, rule_label = rules.get(c.name, (c.name, c.label))
    return Broken(c.name, c.label, c.party, c.kind, c.lhs, c.sense, c.rhs, c.unit, -c.slack, rule, rule_label)


def _outcome(inst: Instance, deal: Deal, metrics: dict, no_deal: dict[str, float]) -> Outcome:
    payoffs = {p: metrics[f"{p}_payoff"] for p in ("home", "partner")}
    return Outcome({k: metrics[k] for k in SHOWN_METRICS}, payoffs, {p: payoffs[p] - no_deal[p] for p in payoffs},
                   gives(inst, deal), {p: metrics[f"{p}_welfare"] - no_deal[f"{p}_welfare"] for p in payoffs
                                       if f"{p}_welfare" in no_deal})


def _offer_levers(inst: Instance, offer: Offer) -> list[OfferLever]:
    out = []
    for f in families():
        for key, v in offer.levers.values(f.deal_field).items():
            shown = option_label(inst, f, key, v) if f.kind == "option" else (("yes" if v else "no")
                                                                             if f.kind == "switch" else v)
            out.append(OfferLever(f"{f.short}.{f.key_text(key)}", f.label(inst, key), f.party, shown, f.unit(inst, key)))
    return out


def _distance(inst: Instance, model: NegotiationModel, point: dict[str, float], no_deal: dict[str, float]) -> Distance:
    """How much better both sides could do than `point` (payoffs, USD): see the module docstring."""
    joint = best_equal_gain(model, point["home"], point["partner"])
    size = max(1.0, abs(point["home"]), abs(point["partner"]))
    best = {party: best_for(model, party, {other: point[other]})
            for party, other in (("home", "partner"), ("partner", "home"))}

    def room(party: str) -> float | None:
        value = best[party].value
        return value - point[party] if best[party].has_deal and value is not None else None

    def summary(solution: Solution) -> DealSummary | None:
        return _verified_summary(inst, model, solution, no_deal) if solution.has_deal else None
    gain = joint.value if joint.has_deal else None
    return Distance(point, gain, joint.status, gain is not None and gain <= ON_FRONTIER * size, summary(joint),
                    room("home"), best["home"].status, summary(best["home"]),
                    room("partner"), best["partner"].status, summary(best["partner"]))


def _verified_summary(inst: Instance, model: NegotiationModel, solution: Solution,
                      no_deal: dict[str, float]) -> DealSummary:
    metrics = evaluate(inst, deal_of(solution), model.table)
    checks = constraint_checks(inst, deal_of(solution), metrics, model.refs, solution.binaries)
    worst = max_violation(checks)
    return DealSummary(metrics["deficit"], {p: metrics[f"{p}_payoff"] - no_deal[p] for p in ("home", "partner")},
                       worst <= VIOLATION_TOLERANCE, worst)


def _amendment(model: NegotiationModel, offer: Offer, stated: Deal, no_deal: dict[str, float]) -> Amendment:
    """The smallest change to the offer's levers that makes it acceptable (module docstring)."""
    target = {f.deal_field: offer.levers.values(f.deal_field) for f in families() if offer.levers.values(f.deal_field)}
    offered = offered_keys(offer)
    # The offer's levers are free to change here, also where the instance itself fixes them.
    fixed = {f.deal_field: {k: v for k, v in model.inst.fixed.values(f.deal_field).items()
                            if (f.deal_field, k) not in offered} for f in families()}
    inst = replace(model.inst, fixed=Deal().with_values_of(fixed))
    rest = {f.deal_field: {k: v for k, v in stated.values(f.deal_field).items() if (f.deal_field, k) not in offered}
            for f in families()}
    for f in families():              # amounts the offer leaves out are zero as stated
        if f.kind == "quantity":
            rest[f.deal_field] = {k: rest[f.deal_field].get(k, 0.0) for k in f.keys(inst)
                                  if (f.deal_field, k) not in offered}
        elif f.kind == "switch":
            rest[f.deal_field] = {k: bool(rest[f.deal_field].get(k, False)) for k in f.keys(inst)
                                  if (f.deal_field, k) not in offered}

    def rank(family, line, option):
        return option_rank(inst, model.table, family, line, option)
    with model.free_terms(only=offered):
        with model.forced(rest):
            solution = smallest_change(model, target, rank)
        scope = "the offer's levers only (the levers it leaves out stay at no deal)"
        if not solution.has_deal:
            solution = smallest_change(model, target, rank)
            scope = ("the offer's levers, with the levers it leaves out chosen too (no change to its levers alone is "
                     "enough)")
    if not solution.has_deal:
        why = ("no change to the offer makes it acceptable: no deal satisfies every constraint"
               if solution.status == "infeasible" else
               f"the smallest change could not be found ({solution.status}: {solution.message or 'no reason given'})")
        return Amendment(solution.status, why, scope="none")
    metrics = evaluate(inst, deal_of(solution), model.table)
    checks = constraint_checks(inst, deal_of(solution), metrics, model.refs, solution.binaries)
    amendment = Amendment(solution.status, "", scope=scope, objective=solution.value,
                          changes=changes(inst, stated, deal_of(solution), model.table, only=offered))
    amendment.added = changes(inst, stated, deal_of(solution), model.table,
                               only={(f.deal_field, k) for f in families() for k in f.keys(inst)} - offered)
    _fill(amendment, (_outcome(inst, deal_of(solution), metrics, no_deal), max_violation(checks)))
    return amendment


def side_by_side(model: NegotiationModel, evaluations: list[OfferEvaluation]) -> OfferComparison:
    """Offers already evaluated on `model`, beside no deal and the optimum `run` finds (least
    deficit, then best for the partner, every constraint held), each with its deficit, each
    side's payoff and welfare over no deal, and the rules it breaks as stated."""
    inst, refs = model.inst, model.refs
    zero = {p: 0.0 for p in ("home", "partner")}
    lines = [OfferLine("no deal", "no deal", "no_deal", refs.no_deal["deficit"], dict(zero), dict(zero), None)]
    best = model.solve()
    if best.has_deal:
        metrics = evaluate(inst, deal_of(best), model.table)
        worst = max_violation(constraint_checks(inst, deal_of(best), metrics, refs, best.binaries))
        no_deal = {p: refs.no_deal[f"{p}_payoff"] for p in ("home", "partner")}
        no_deal.update({f"{p}_welfare": refs.no_deal[f"{p}_welfare"] for p in ("home", "partner")})
        outcome = _outcome(inst, deal_of(best), metrics, no_deal)
        lines.append(OfferLine("optimum", "the optimum (as run finds it)", "optimum", metrics["deficit"],
                               outcome.gains, outcome.welfare_gains, worst <= VIOLATION_TOLERANCE))
    else:
        lines.append(OfferLine("optimum", "the optimum (as run finds it)", "optimum", None, None, None, None,
                               status=best.status))
    for ev in evaluations:
        s, c = ev.stated, ev.completion
        rules = by_rule(s.broken)
        rb = ev.robustness
        lines.append(OfferLine(ev.offer.name, ev.offer.title, "offer", s.metrics["deficit"], s.gains, s.welfare_gains,
                               s.acceptable, [g[0].rule_label or g[0].label for g in rules.values()], len(s.broken),
                               c.metrics["deficit"] if c.metrics else None, c.gains, ev.status,
                               rb.draws if rb else 0, rb.acceptable if rb and rb.draws else None))
    statuses = {line.status for line in lines}
    status = "unbounded" if "unbounded" in statuses else "error" if statuses - {"optimal", "infeasible"} else "optimal"
    return OfferComparison(dict(inst.parties), instance_name(inst), lines, evaluations, status)


def offer_robustness(inst: Instance, offer: Offer, draws: int, seed: int = 0) -> OfferRobustness:
    """The offer as stated in each of `draws` draws of the instance's uncertainty (the same draws
    as `run --robustness` and `sweep --monte-carlo` with this seed): each draw's instance, its
    option table and references recomputed, the stated deal's metrics evaluated and every
    constraint checked in plain Python (no solve: the offer's levers are all it says, the rest at
    no deal). Counts the draws in which it stays acceptable, and each broken rule and side."""
    from model.analyses.sweep import Plan, draw_instance
    from model.economics.metrics import references
    from model.economics.outcomes import option_table
    if not inst.uncertainty or draws <= 0:
        return OfferRobustness(0, seed, skipped="the instance declares no uncertainty" if not inst.uncertainty
                               else "no draws were asked for")
    plan = Plan(samples=draws, seed=seed)
    result = OfferRobustness(draws, seed)
    for d in range(draws):
        variant = draw_instance(inst, plan, d)[1]
        table = option_table(variant)
        deal = stated_deal(variant, offer)
        metrics = evaluate(variant, deal, table)
        checks = constraint_checks(with_offer_fixed(variant, offer), deal, metrics, references(variant, table))
        rules = {f"red_line[{r.name}]": r.stated for r in variant.red_lines}
        broken = by_rule([_broken(c, rules) for c in checks
                          if c.kind != "fixed_lever" and c.relative_violation > VIOLATION_TOLERANCE])
        if not broken:
            result.acceptable += 1
        for group in broken.values():
            label = group[0].rule_label or group[0].label
            result.broken_by[label] = result.broken_by.get(label, 0) + 1
        for party in {b.party for group in broken.values() for b in group if b.party}:
            result.whose[party] = result.whose.get(party, 0) + 1
    return result
