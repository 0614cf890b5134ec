"""Every constraint of the model, re-evaluated in plain Python from lever values.

This does not go through the solver: metrics come from `metrics.evaluate` (the exact
responses of the chosen options) and each constraint family is restated here. The
solver's solution is accepted only if every check holds to VIOLATION_TOLERANCE.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.instance import Deal, Instance
from model.economics.metrics import References, by_index, metric_unit, red_line_bound
from model.economics.responses import option_outcome

VIOLATION_TOLERANCE = 1e-6   # relative to the size of the constraint's terms
BINDING_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Check:
    """One constraint at a solution: `lhs sense rhs`."""

    name: str        # e.g. 'buyer_ceiling[pickup]', the same name the Pyomo model uses
    label: str       # in the instance's words
    party: str | None
    kind: str        # demand, capacity, production, purchase, red_line, participation, choice, fixed_lever, bound
    lhs: float
    sense: str       # '<=', '>=' or '=='
    rhs: float
    unit: str

    @property
    def slack(self) -> float:
        """How far the constraint is from binding (negative: violated)."""
        if self.sense == "<=":
            return self.rhs - self.lhs
        if self.sense == ">=":
            return self.lhs - self.rhs
        return -abs(self.lhs - self.rhs)

    @property
    def scale(self) -> float:
        return max(1.0, abs(self.lhs), abs(self.rhs))

    @property
    def relative_violation(self) -> float:
        return max(0.0, -self.slack) / self.scale

    @property
    def binding(self) -> bool:
        return self.sense == "==" or abs(self.slack) <= BINDING_TOLERANCE * self.scale


def constraint_checks(inst: Instance, deal: Deal, metrics: dict[str, float], refs: References,
                      choice_values: dict[tuple[str, str], float] | None = None,
                      ntb_values: dict[str, float] | None = None) -> list[Check]:
    """All constraints at `deal`. `choice_values`/`ntb_values` are the solver's raw binary
    values, checked for integrality and one option per segment."""
    out: list[Check] = []
    home, partner = inst.parties["home"], inst.parties["partner"]
    if choice_values is not None:
        per_segment = by_index(choice_values, 0)
        for s in inst.segments:
            total = sum(per_segment.get(s, ()))
            out.append(Check(f"one_tariff_option[{s}]", f"exactly one tariff regime on {inst.segments[s].label}",
                             "home", "choice", total, "==", 1.0, "options"))
        binaries = list(choice_values.items()) + list((ntb_values or {}).items())
        worst = max((abs(v - round(v)) for _, v in binaries), default=0.0)
        out.append(Check("integrality", "tariff options and NTB reliefs are yes/no choices", None, "choice",
                         worst, "<=", 0.0, "fraction"))
    commit_by_segment, commit_by_channel = by_index(deal.commitments, 1), by_index(deal.commitments, 0)
    shift_by_segment, shift_by_maker = by_index(deal.shift, 1), by_index(deal.shift, 0)
    for s, seg in inst.segments.items():
        sold = seg.exports + sum(commit_by_segment.get(s, ()))
        ceiling = seg.partner_ceiling + sum(n.ceiling_lift.get(s, 0.0) for k, n in inst.ntb_measures.items()
                                            if deal.ntb.get(k))
        out.append(Check(f"buyer_ceiling[{s}]", f"{partner} buyers' ceiling for {home}-made {seg.label}",
                         "partner", "demand", sold, "<=", ceiling, "vehicles"))
    for c, ch in inst.channels.items():
        sold = sum(commit_by_channel.get(c, ()))
        out.append(Check(f"channel_capacity[{c}]", f"capacity of {ch.label}", "partner", "capacity",
                         sold, "<=", ch.capacity, "vehicles"))
    for k, mk in inst.makers.items():
        moved = sum(shift_by_maker.get(k, ()))
        out.append(Check(f"spare_capacity[{k}]", f"spare capacity in {mk.label}'s {home} plants", "partner",
                         "capacity", moved, "<=", mk.spare_capacity, "vehicles"))
    imports = {s: metrics_imports(inst, deal, s) for s in inst.segments}
    for s, seg in inst.segments.items():
        moved = sum(shift_by_segment.get(s, ()))
        out.append(Check(f"shift_within_imports[{s}]", f"production shifted in {seg.label} replaces existing imports",
                         "partner", "production", moved, "<=", imports[s], "vehicles"))
    for g, good in inst.goods.items():
        out.append(Check(f"purchase_limit[{g}]", f"most {good.label} the partner can buy", "partner", "purchase",
                         deal.purchases.get(g, 0.0), "<=", good.max_units, good.unit))
    negatives = [v for v in (*deal.commitments.values(), *deal.shift.values(), *deal.purchases.values())]
    out.append(Check("levers_nonnegative", "commitments, shifts and purchases are not negative", None, "bound",
                     min(negatives, default=0.0), ">=", 0.0, "vehicles"))
    for r in inst.red_lines:
        out.append(Check(f"red_line[{r.name}]", r.label, r.party, "red_line", metrics[r.metric], r.sense,
                         red_line_bound(r, refs), metric_unit(inst, r.metric)))
    if inst.settings.participation:
        for p in ("home", "partner"):
            out.append(Check(f"participation[{p}]", f"{inst.parties[p]} is at least as well off as with no deal",
                             p, "participation", metrics[f"{p}_payoff"], ">=", refs.no_deal[f"{p}_payoff"], "USD"))
    out.extend(fixed_lever_checks(inst, deal))
    return out


def metrics_imports(inst: Instance, deal: Deal, segment: str) -> float:
    """Imports on `segment` under the deal's tariff option, before production shifts."""
    seg = inst.segments[segment]
    return option_outcome(seg, inst.option(segment, deal.tariff[segment]), inst.settings.response).imports


def fixed_lever_checks(inst: Instance, deal: Deal) -> list[Check]:
    """Levers the instance fixes hold their fixed values."""
    f, out = inst.fixed, []
    for s, o in f.tariff.items():
        out.append(Check(f"fixed_lever[tariff.{s}]", f"tariff on {inst.segments[s].label} fixed to {o}", "home",
                         "fixed_lever", 1.0 if deal.tariff.get(s) == o else 0.0, "==", 1.0, "options"))
    pairs = [("commitments", f.commitments, deal.commitments, "partner"), ("production_shift", f.shift, deal.shift, "partner"),
             ("purchases", f.purchases, deal.purchases, "partner")]
    for family, fixed, got, party in pairs:
        for key, v in fixed.items():
            name = ".".join(key) if isinstance(key, tuple) else key
            out.append(Check(f"fixed_lever[{family}.{name}]", f"{family} {name} fixed", party, "fixed_lever",
                             got.get(key, 0.0), "==", v, "units"))
    for n, on in f.ntb.items():
        out.append(Check(f"fixed_lever[ntb.{n}]", f"NTB relief {n} fixed {'on' if on else 'off'}", "partner",
                         "fixed_lever", float(bool(deal.ntb.get(n))), "==", float(on), "yes/no"))
    return out


def max_violation(checks: list[Check]) -> float:
    return max((c.relative_violation for c in checks), default=0.0)
