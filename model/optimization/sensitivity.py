"""Ranging of the fixed LP (HiGHS): how far a bound or a lever's cost can move before the
deal's structure (the optimal basis of the LP with the chosen binaries fixed) changes."""
from __future__ import annotations

import math

from model.optimization.build import MONEY


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
    var_index, con_index = solver.col_of, solver.row_of
    highs_lp = solver.h.getLp()
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
    for family, scales in m.lever_scale.items():
        comp, f = getattr(m, family), m.lever_families_by_name[family]
        for idx in comp:
            j = var_index.get(id(comp[idx]))
            if j is None or j >= len(cost_up):
                continue
            # Objective coefficients are USD million per model unit; report USD per base unit.
            to_base = MONEY / scales[idx]
            costs.append({"lever": f"{family}[{f.key_text(idx)}]",
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
