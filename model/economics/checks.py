"""Every constraint of the model, re-evaluated in plain Python from lever values.

This does not go through the solver: metrics come from `metrics.evaluate` (the exact
responses of the chosen options), the core's constraint families are restated here and
each lever family's own rows by its `checks` (in its module). The solver's solution is
accepted only if every check holds to VIOLATION_TOLERANCE.

This module is the one deliberate restatement of the model: every other consumer derives
rows, ranges and labels from one declaration, but the checks are written again, from the
economics, so that a mistake in the model's rows (or in Pyomo, or HiGHS) cannot also
hide in the check that is meant to catch it. Keep them independent of `optimization`.
"""
from __future__ import annotations

from model.data.catalogue import metric_unit
from model.data.families.base import BINDING_TOLERANCE, PARTNER_CEILING, PARTNER_SALES, Check, families
from model.data.instance import Deal, Instance
from model.economics.metrics import References, by_index, export_factors, partner_market, red_line_bound
from model.economics.outcomes import chosen_outcomes

__all__ = ["VIOLATION_TOLERANCE", "BINDING_TOLERANCE", "Check", "constraint_checks", "fixed_lever_checks",
           "max_violation"]

VIOLATION_TOLERANCE = 1e-6   # relative to the size of the constraint's terms


def constraint_checks(inst: Instance, deal: Deal, metrics: dict[str, float], refs: References,
                      binaries: dict[str, dict] | None = None) -> list[Check]:
    """All constraints at `deal`. `binaries` are the solver's raw binary values per lever
    family (`optimization.build.read_deal`), checked for integrality and one option per key.

    The core's rows are restated here (one option per key, the buyers' ceiling, red lines,
    participation, fixed levers); each lever family restates its own (`LeverFamily.checks`),
    against the chosen options' outcomes recomputed from the responses, not from the table."""
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
    xf = export_factors(inst, deal)       # today's exports and the ceiling scale alike
    market = partner_market(inst, deal)
    for s, seg in inst.segments.items():
        sold = seg.exports * xf[s] + market.get((PARTNER_SALES, s), 0)
        ceiling = seg.partner_ceiling * xf[s] + market.get((PARTNER_CEILING, s), 0)
        out.append(Check(f"buyer_ceiling[{s}]", f"{partner} buyers' ceiling for {home}-made {seg.label}",
                         "partner", "demand", sold, "<=", ceiling, seg.unit))
    outcomes = chosen_outcomes(inst, deal)        # recomputed from the responses, not from the table
    for f in families():
        out.extend(f.checks(inst, deal.values(f.deal_field), outcomes))
    quantities = [f for f in families() if f.kind == "quantity"]
    amounts = [v for f in quantities for v in deal.values(f.deal_field).values()]
    out.append(Check("levers_nonnegative", "commitments, shifts, purchases and other amounts are not negative",
                     None, "bound", min(amounts, default=0.0), ">=", 0.0, "units"))
    for r in inst.red_lines:
        out.append(Check(f"red_line[{r.name}]", r.label, r.party, "red_line", metrics[r.metric], r.sense,
                         red_line_bound(r, refs), metric_unit(inst, r.metric)))
    if inst.settings.participation:
        for p in ("home", "partner"):
            m = inst.settings.measure(p)
            out.append(Check(f"participation[{p}]", f"{inst.parties[p]} is at least as well off as with no deal"
                             + (" (in welfare)" if m.endswith("_welfare") else ""),
                             p, "participation", metrics[m], ">=", refs.no_deal[m], "USD"))
    out.extend(fixed_lever_checks(inst, deal))
    return out


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
