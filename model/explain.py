"""Why the optimum is what it is: shadow prices in plain words, and ranging.

Shadow prices and ranging come from the LP with the chosen tariff options and NTB reliefs
fixed (see `solver.fixed_lp_duals`): they hold while those choices stay as they are, and
ranging says how far a bound or a lever's cost can move before the deal's structure (the
optimal basis of that LP) changes.
"""
from __future__ import annotations

import math

from .build import MONEY, VOL
from .formatting import money, value
from .results import Results

# The step each sentence speaks of, by the constraint's unit (base units).
STEP = {"vehicles": 1000.0, "USD": 1e8, "fraction": 0.01}
COUNTED_ONE_BY_ONE = ("aircraft",)   # goods bought in units, not in thousands (tonnes)
# Model units per base unit of each lever family (vehicle levers are in thousands).
LEVER_SCALE = {"commitment": VOL, "production_shift": VOL, "purchase": 1.0}


def step_words(step: float, unit: str) -> str:
    if unit == "fraction":
        return "one percentage point"
    return value(step, unit)


def sentences(r: Results) -> list[dict]:
    """One sentence per binding constraint, in the instance's labels and units."""
    home, partner = r.instance["parties"]["home"], r.instance["parties"]["partner"]
    out = []
    for c in r.constraints:
        if not c.binding or c.kind in ("choice", "bound", "fixed_lever"):
            continue
        step = STEP.get(c.unit, 1.0 if c.unit in COUNTED_ONE_BY_ONE else 1000.0)
        gain = None if c.relaxation_value is None else c.relaxation_value * step
        what = step_words(step, c.unit)
        if c.kind == "participation":
            party = home if c.party == "home" else partner
            lead = f"If {party} accepted a deal worth {money(step)} less to it than no deal"
        elif c.sense == "<=":
            lead = f"If '{c.label}' allowed {what} more"
        else:
            lead = f"If '{c.label}' allowed {what} less"
        if gain is None:
            text = f"'{c.label}' binds; no shadow price was computed for it."
        elif abs(gain) < 1e-6 * max(1.0, abs(r.metric('deficit').deal or 1.0)):
            text = (f"'{c.label}' binds, but relaxing it alone would not lower the deficit while the chosen "
                    "tariff options and NTB reliefs stay as they are.")
        else:
            text = f"{lead}, the deficit could fall by {money(gain)}."
        rng = next((g for g in r.extras.get("ranging", {}).get("bounds", []) if g["name"] == c.name), None)
        if rng and gain:
            text += (f" This rate holds while the bound stays between {value(rng['low'], c.unit)} and "
                     f"{value(rng['high'], c.unit)}.")
        out.append({"name": c.name, "label": c.label, "party": c.party, "kind": c.kind, "step": step,
                    "unit": c.unit, "deficit_change": None if gain is None else -gain, "sentence": text})
    return out


def ranging(solver, m, lp, user_bounds: dict[str, float]) -> dict:
    """HiGHS ranging of the fixed LP, in base units: for each binding bound, the interval of
    its right-hand side over which its shadow price holds; for each continuous lever, the
    interval of its cost in the deficit objective over which the deal stays optimal."""
    rng = getattr(lp, "ranging", None)
    if rng is None:
        return {}
    try:
        status, data = rng
    except (TypeError, ValueError):
        return {}
    if "kOk" not in str(status):
        return {}
    var_index = getattr(solver, "_pyomo_var_to_solver_var_map", {})
    con_index = getattr(solver, "_pyomo_con_to_solver_con_map", {})
    highs_lp = solver._solver_model.getLp()
    # Each attribute read of a highspy vector copies the whole vector: read each once.
    row_upper, row_lower = list(highs_lp.row_upper_), list(highs_lp.row_lower_)
    row_dn, row_up = list(data.row_bound_dn.value_), list(data.row_bound_up.value_)
    cost_dn, cost_up = list(data.col_cost_dn.value_), list(data.col_cost_up.value_)
    bounds = []
    for name, con in m.row_info.items():
        i = con_index.get(con)
        if i is None or i >= len(row_up) or name not in user_bounds:
            continue
        scale = m.row_scale[name]
        # HiGHS ranges the row's own bound, with constants (today's exports, fixed choices)
        # moved across; shift the interval back to the bound as the instance states it.
        row_bound = row_upper[i] if con.upper is not None else row_lower[i]
        shift = user_bounds[name] - row_bound * scale
        low, high = row_dn[i] * scale + shift, row_up[i] * scale + shift
        bounds.append({"name": name, "low": _finite(low), "high": _finite(high)})
    costs = []
    coefficient = _objective_coefficients(m)
    for family, per in LEVER_SCALE.items():
        comp = getattr(m, family)
        for idx in comp:
            j = var_index.get(id(comp[idx]))
            if j is None or j >= len(cost_up):
                continue
            # Objective coefficients are USD million per model unit; report USD per base unit.
            to_base = MONEY / per
            costs.append({"lever": f"{family}[{'.'.join(idx) if isinstance(idx, tuple) else idx}]",
                          "cost": _finite(coefficient.get(id(comp[idx]), 0.0) * to_base),
                          "low": _finite(cost_dn[j] * to_base),
                          "high": _finite(cost_up[j] * to_base)})
    return {"source": "HiGHS ranging of the fixed LP", "bounds": bounds, "lever_costs": costs}


def _objective_coefficients(m) -> dict[int, float]:
    """id(variable) -> its coefficient in the deficit objective."""
    from pyomo.repn import generate_standard_repn
    repn = generate_standard_repn(m.objective.expr, quadratic=False, compute_values=True)
    return {id(v): c for v, c in zip(repn.linear_vars, repn.linear_coefs)}


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) or abs(x) >= 1e29 else x


def report_section(r: Results) -> str:
    """Why this deal: the sentences, then ranging of the lever costs."""
    lines = []
    expl = r.extras.get("explanations")
    if expl:
        lines += ["## Why this deal: what each binding constraint costs", "",
                  "Each sentence reads a shadow price from the LP with the chosen tariff options and NTB reliefs "
                  "fixed; it holds for small changes, within the range given.", ""]
        lines += [f"- {e['sentence']}" for e in expl]
    costs = [c for c in r.extras.get("ranging", {}).get("lever_costs", []) if c["low"] is not None or c["high"] is not None]
    used = {f"{lv.name}[{lv.index}]": lv for lv in r.levers}
    rows = []
    for c in costs:
        lv = used.get(c["lever"])
        if lv is None or abs(lv.value) < 1e-6:
            continue
        rows.append([lv.label, money(c["cost"]), "-inf" if c["low"] is None else money(c["low"]),
                     "+inf" if c["high"] is None else money(c["high"])])
    if rows:
        from .report import table
        lines += ["", "### How far each lever's effect on the deficit may move before the deal changes", "",
                  "Per unit of the lever (a vehicle, a tonne, an aircraft); from HiGHS ranging of the fixed LP.", "",
                  table(["lever", "deficit change per unit", "lowest", "highest"], rows)]
    diag = r.extras.get("diagnosis")
    if diag:
        lines += ["", diagnosis_section(r)]
    return "\n".join(lines)


def diagnosis_section(r: Results) -> str:
    from .diagnose import describe
    d = r.extras["diagnosis"]
    labels = {c["name"]: c["label"] for c in d.get("labels", [])}
    lines = ["## Why there is no deal, and what would make one possible", ""]
    if d["status"] != "relaxable":
        lines.append("No relaxation of red lines, participation, buyers' ceilings or channel capacities admits a "
                     "deal: the conflict is in the structure of the instance (check the data).")
    else:
        lines.append("The smallest relaxation that makes a deal possible (each constraint measured in its own "
                     "unit: 1,000 vehicles, USD 100 million, one percentage point):")
        lines.append("")
        for x in d["relaxations"]:
            lines.append(f"- **{x['label']}**: move the bound from {value(x['bound'], x['unit'])} to "
                         f"{value(x['relaxed_bound'], x['unit'])} ({value(x['amount'], x['unit'])}).")
        deal = d["deal"]
        lines += ["", f"With that relaxation the deal would have a deficit of {money(deal['deficit'])}, "
                  f"{r.instance['parties']['home']}'s payoff {money(deal['home_payoff'])} and "
                  f"{r.instance['parties']['partner']}'s {money(deal['partner_payoff'])}; it satisfies every "
                  f"constraint once relaxed (largest violation {d['verification_of_relaxed_deal']:.1e})."]
    if d.get("iis"):
        lines += ["", f"Conflicting constraints ({d['iis_note']}): "
                  + "; ".join(describe(x["name"], labels) for x in d["iis"]) + "."]
    else:
        lines += ["", f"No irreducible infeasible subset: {d['iis_note']}."]
    return "\n".join(lines)
