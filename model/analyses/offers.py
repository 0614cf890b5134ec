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

from dataclasses import dataclass, field, replace

from model.analyses.deal_terms import IN_USE, gives, option_label, option_rank
from model.data.instance import Deal, Instance
from model.data.levers import families
from model.data.offers import Offer
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate
from model.optimization.handle import NegotiationModel
from model.optimization.negotiation import best_equal_gain, best_for, set_payoff_floors, smallest_change

SHOWN_METRICS = ("deficit", "home_payoff", "partner_payoff", "imports_value", "exports_value", "purchases_value",
                 "tariff_revenue", "partner_production_loss")
ON_FRONTIER = 1e-6      # relative to the payoffs' size: a smaller joint gain means the point is on the frontier


@dataclass
class OfferEvaluation:
    offer: dict
    parties: dict
    instance: dict
    stated: dict
    completion: dict
    frontier: dict
    amendment: dict | None = None
    notes: list[str] = field(default_factory=list)

    def status(self) -> str:
        """'unbounded' if any solve of the evaluation was, else 'error' if any failed (a time
        limit without a deal included), else 'optimal': infeasible solves are results here."""
        seen = {self.completion.get("status"), (self.completion.get("home_best") or {}).get("status"),
                (self.amendment or {}).get("status")}
        for f in self.frontier.values():
            seen |= {f.get("joint_status"), f.get("home_status"), f.get("partner_status")}
        if "unbounded" in seen:
            return "unbounded"
        return "error" if seen & {"error", "time_limit"} else "optimal"

    def to_dict(self) -> dict:
        return {"offer": self.offer, "parties": self.parties, "instance": self.instance, "stated": self.stated,
                "completion": self.completion, "frontier": self.frontier, "amendment": self.amendment,
                "method": METHOD, "notes": self.notes, "status": self.status()}


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
    broken = [_broken(c) for c in checks if c.kind != "fixed_lever" and c.relative_violation > VIOLATION_TOLERANCE]
    stated = {"acceptable": not broken, "broken": broken, "max_violation": max_violation(checks),
              **_outcome(inst, deal, metrics, no_deal)}
    point = {p: metrics[f"{p}_payoff"] for p in ("home", "partner")}

    # Best completion: the offer's levers fixed (over the instance's own fixings), the rest chosen.
    with model.free_terms(only=offered):
        model.force(levers)
        with model.scratch():
            if stated["acceptable"]:
                set_payoff_floors(model, point)
            solution = model.solve()
        completion = {"status": solution.status, "message": solution.message, "floors": stated["acceptable"]}
        if solution.has_deal:
            completion.update(_verified_outcome(inst, bound, model, solution, no_deal))
            completion["added"] = _changes(inst, deal, solution.deal, table)
            if stated["acceptable"]:
                completion["no_worse"] = {p: completion["gains"][p] >= stated["gains"][p]
                                          - VIOLATION_TOLERANCE * max(1.0, abs(point[p])) for p in ("home", "partner")}
        if stated["acceptable"]:
            home_best = model.solve()
            completion["home_best"] = {"status": home_best.status, "message": home_best.message}
            if home_best.has_deal:
                completion["home_best"].update(_verified_outcome(inst, bound, model, home_best, no_deal))
                completion["home_best"]["added"] = _changes(inst, deal, home_best.deal, table)

    # Distance to the frontier.
    free = replace(inst, fixed=Deal())
    with model.free_terms():
        frontier = {"from_stated": _distance(free, model, point, no_deal)}
        if solution.has_deal:
            frontier["from_completion"] = _distance(free, model, completion["payoffs"], no_deal)

    result = OfferEvaluation(
        offer={"name": offer.name, "title": offer.title, "file": offer.file, "tabled_by": offer.tabled_by,
               "note": offer.note, "levers": _offer_levers(inst, offer),
               "sources": {k: {"kind": v.kind, "text": v.text, "year": v.year} for k, v in offer.sources.items()}},
        parties=dict(inst.parties), instance={"name": inst.name, "title": inst.title, "file": inst.file,
                                    "participation": inst.settings.participation,
                                    "participation_measure": dict(inst.settings.participation_measure)},
        stated=stated, completion=completion, frontier=frontier)
    if not stated["acceptable"]:
        result.amendment = _amendment(model, offer, deal, no_deal)
    return result


def _verified_outcome(inst: Instance, bound: Instance, model: NegotiationModel, solution, no_deal: dict) -> dict:
    """A completion's outcome, verified against the instance with the offer's levers fixed."""
    metrics = evaluate(inst, solution.deal, model.table)
    checks = constraint_checks(bound, solution.deal, metrics, model.refs, solution.binaries)
    worst = max_violation(checks)
    return {**_outcome(inst, solution.deal, metrics, no_deal), "verified": worst <= VIOLATION_TOLERANCE,
            "max_violation": worst}


def _broken(c) -> dict:
    return {"name": c.name, "label": c.label, "party": c.party, "kind": c.kind, "value": c.lhs, "sense": c.sense,
            "bound": c.rhs, "unit": c.unit, "amount": -c.slack}


def _outcome(inst: Instance, deal: Deal, metrics: dict, no_deal: dict) -> dict:
    payoffs = {p: metrics[f"{p}_payoff"] for p in ("home", "partner")}
    return {"metrics": {k: metrics[k] for k in SHOWN_METRICS}, "payoffs": payoffs,
            "gains": {p: payoffs[p] - no_deal[p] for p in payoffs},
            "welfare_gains": {p: metrics[f"{p}_welfare"] - no_deal[f"{p}_welfare"] for p in payoffs
                              if f"{p}_welfare" in no_deal},
            "gives": gives(inst, deal)}


def _offer_levers(inst: Instance, offer: Offer) -> list[dict]:
    out = []
    for f in families():
        for key, v in offer.levers.values(f.deal_field).items():
            shown = option_label(inst, f, key, v) if f.kind == "option" else (("yes" if v else "no")
                                                                             if f.kind == "switch" else v)
            out.append({"lever": f"{f.short}.{f.key_text(key)}", "label": f.label(inst, key), "party": f.party,
                        "value": shown, "unit": f.unit(inst, key)})
    return out


def _changes(inst: Instance, before: Deal, after: Deal, table, only: set | None = None) -> list[dict]:
    """Levers whose setting differs between two deals: [{lever, label, party, from, to, unit}]."""
    out = []
    for f in families():
        a, b = before.values(f.deal_field), after.values(f.deal_field)
        for key in f.keys(inst):
            if only is not None and (f.deal_field, key) not in only:
                continue
            x, y = a.get(key), b.get(key)
            if f.kind == "option":
                if x == y:
                    continue
                x, y = option_label(inst, f, key, x), option_label(inst, f, key, y)
            elif f.kind == "switch":
                if bool(x) == bool(y):
                    continue
                x, y = ("yes" if x else "no"), ("yes" if y else "no")
            else:
                x, y = float(x or 0.0), float(y or 0.0)
                if abs(x - y) < IN_USE * f.scale(inst, key):
                    continue
            out.append({"lever": f"{f.short}.{f.key_text(key)}", "label": f.label(inst, key), "party": f.party,
                        "from": x, "to": y, "unit": f.unit(inst, key)})
    return out


def _distance(inst: Instance, model: NegotiationModel, point: dict, no_deal: dict) -> dict:
    """How much better both sides could do than `point` (payoffs, USD): see the module docstring."""
    out = {"from": point}
    joint = best_equal_gain(model, point["home"], point["partner"])
    out["joint_gain"] = joint.value if joint.has_deal else None
    out["joint_status"] = joint.status
    size = max(1.0, abs(point["home"]), abs(point["partner"]))
    out["on_frontier"] = joint.has_deal and joint.value <= ON_FRONTIER * size
    if joint.has_deal:
        out["joint_deal"] = _verified_summary(inst, model, joint, no_deal)
    for party, other in (("home", "partner"), ("partner", "home")):
        best = best_for(model, party, {other: point[other]})
        out[f"{party}_room"] = (best.value - point[party]) if best.has_deal else None
        out[f"{party}_status"] = best.status
        if best.has_deal:
            out[f"{party}_best_deal"] = _verified_summary(inst, model, best, no_deal)
    return out


def _verified_summary(inst: Instance, model: NegotiationModel, solution, no_deal: dict) -> dict:
    metrics = evaluate(inst, solution.deal, model.table)
    checks = constraint_checks(inst, solution.deal, metrics, model.refs, solution.binaries)
    worst = max_violation(checks)
    return {"deficit": metrics["deficit"], "gains": {p: metrics[f"{p}_payoff"] - no_deal[p] for p in ("home", "partner")},
            "verified": worst <= VIOLATION_TOLERANCE, "max_violation": worst}


def _amendment(model: NegotiationModel, offer: Offer, stated: Deal, no_deal: dict) -> dict:
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
        return {"status": solution.status, "scope": "none", "message": why}
    metrics = evaluate(inst, solution.deal, model.table)
    checks = constraint_checks(inst, solution.deal, metrics, model.refs, solution.binaries)
    worst = max_violation(checks)
    return {"status": solution.status, "scope": scope, "objective": solution.value,
            "changes": _changes(inst, stated, solution.deal, model.table, only=offered),
            "added": _changes(inst, stated, solution.deal, model.table,
                              only={(f.deal_field, k) for f in families() for k in f.keys(inst)} - offered),
            **_outcome(inst, solution.deal, metrics, no_deal), "verified": worst <= VIOLATION_TOLERANCE,
            "max_violation": worst}
