"""Every constraint of the model, re-evaluated in plain Python from lever values.

This does not go through the solver: metrics come from `metrics.evaluate` (the exact
responses of the chosen options) and each constraint family is restated here. The
solver's solution is accepted only if every check holds to VIOLATION_TOLERANCE.

This module is the one deliberate restatement of the model: every other consumer derives
rows, ranges and labels from one declaration, but the checks are written again, from the
economics, so that a mistake in the model's rows (or in Pyomo, or HiGHS) cannot also
hide in the check that is meant to catch it. Keep them independent of `optimization`.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.instance import Deal, Instance
from model.data.levers import families
from model.economics.metrics import References, by_index, metric_unit, red_line_bound
from model.economics.responses import chosen_export_factors, chosen_outcomes

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
                      binaries: dict[str, dict] | None = None) -> list[Check]:
    """All constraints at `deal`. `binaries` are the solver's raw binary values per lever
    family (`optimization.build.read_deal`), checked for integrality and one option per line."""
    out: list[Check] = []
    home, partner = inst.parties["home"], inst.parties["partner"]
    if binaries is not None:
        for f in families():
            if f.kind != "option":
                continue
            per_key = by_index(binaries.get(f.name, {}), 0)
            for key in f.keys(inst):
                out.append(Check(f"one_{f.name}_option[{key}]", f"exactly one option for {f.label(inst, key)}",
                                 f.party, "choice", sum(per_key.get(key, ())), "==", 1.0, "options"))
        worst = max((abs(v - round(v)) for values in binaries.values() for v in values.values()), default=0.0)
        out.append(Check("integrality", "tariff options and NTB reliefs are yes/no choices", None, "choice",
                         worst, "<=", 0.0, "fraction"))
    commit_by_segment, commit_by_channel = by_index(deal.commitments, 1), by_index(deal.commitments, 0)
    shift_by_segment, shift_by_maker = by_index(deal.shift, 1), by_index(deal.shift, 0)
    xf = chosen_export_factors(inst, deal)     # the partner's tariff scales exports and the ceiling alike
    for s, seg in inst.segments.items():
        sold = seg.exports * xf[s] + sum(commit_by_segment.get(s, ()))
        ceiling = seg.partner_ceiling * xf[s] + sum(n.ceiling_lift.get(s, 0.0) for k, n in inst.ntb_measures.items()
                                            if deal.ntb.get(k))
        out.append(Check(f"buyer_ceiling[{s}]", f"{partner} buyers' ceiling for {home}-made {seg.label}",
                         "partner", "demand", sold, "<=", ceiling, seg.unit))
    for c, ch in inst.channels.items():
        sold = sum(commit_by_channel.get(c, ()))
        out.append(Check(f"channel_capacity[{c}]", f"capacity of {ch.label}", "partner", "capacity",
                         sold, "<=", ch.capacity, _unit_of(inst, ch.segments)))
    for k, mk in inst.makers.items():
        moved = sum(shift_by_maker.get(k, ()))
        out.append(Check(f"spare_capacity[{k}]", f"spare capacity in {mk.label}'s {home} plants", "partner",
                         "capacity", moved, "<=", mk.spare_capacity, _unit_of(inst, mk.segments)))
    outcomes = chosen_outcomes(inst, deal)        # recomputed from the responses, not from the table
    imports = {s: outcomes[s].imports for s in inst.segments}
    for s, seg in inst.segments.items():
        moved = sum(shift_by_segment.get(s, ()))
        out.append(Check(f"shift_within_imports[{s}]", f"production shifted in {seg.label} replaces existing imports",
                         "partner", "production", moved, "<=", imports[s], seg.unit))
    for g, good in inst.goods.items():
        out.append(Check(f"purchase_limit[{g}]", f"most {good.label} the partner can buy", "partner", "purchase",
                         deal.purchases.get(g, 0.0), "<=", good.max_units, good.unit))
    quantities = [f for f in families() if f.kind == "quantity"]
    amounts = [v for f in quantities for v in deal.values(f.deal_field).values()]
    out.append(Check("levers_nonnegative", "commitments, shifts, purchases and other amounts are not negative",
                     None, "bound", min(amounts, default=0.0), ">=", 0.0, "units"))
    for f in families():                  # lever families that bring their own check
        if f.checks is not None:
            out.extend(f.checks(inst, deal.values(f.deal_field)))
    for r in inst.red_lines:
        out.append(Check(f"red_line[{r.name}]", r.label, r.party, "red_line", metrics[r.metric], r.sense,
                         red_line_bound(r, refs), metric_unit(inst, r.metric)))
    if inst.settings.participation:
        for p in ("home", "partner"):
            out.append(Check(f"participation[{p}]", f"{inst.parties[p]} is at least as well off as with no deal",
                             p, "participation", metrics[f"{p}_payoff"], ">=", refs.no_deal[f"{p}_payoff"], "USD"))
    out.extend(fixed_lever_checks(inst, deal))
    return out


def _unit_of(inst: Instance, segments) -> str:
    return inst.segments[segments[0]].unit if segments else "vehicles"


def fixed_lever_checks(inst: Instance, deal: Deal) -> list[Check]:
    """Levers the instance fixes hold their fixed values."""
    out = []
    for f in families():
        got = deal.values(f.deal_field)
        for key, fixed in inst.fixed.values(f.deal_field).items():
            name = f"fixed_lever[{f.section}.{f.key_text(key)}]"
            if f.kind == "option":
                out.append(Check(name, f"{f.label(inst, key)} fixed to {fixed}", f.party, "fixed_lever",
                                 1.0 if got.get(key) == fixed else 0.0, "==", 1.0, "options"))
            elif f.kind == "switch":
                out.append(Check(name, f"{f.label(inst, key)} fixed {'on' if fixed else 'off'}", f.party,
                                 "fixed_lever", float(bool(got.get(key))), "==", float(fixed), "yes/no"))
            else:
                out.append(Check(name, f"{f.label(inst, key)} fixed", f.party, "fixed_lever",
                                 got.get(key, 0.0), "==", fixed, f.unit(inst, key)))
    return out


def max_violation(checks: list[Check]) -> float:
    return max((c.relative_violation for c in checks), default=0.0)
