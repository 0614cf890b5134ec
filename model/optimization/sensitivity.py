"""Ranging of the fixed LP (HiGHS): how far a bound or a lever's cost can move before the
deal's structure (the optimal basis of the LP with the chosen binaries fixed) changes."""
from __future__ import annotations

import math

from model.optimization.build import variable_name
from model.optimization.handle import FixedLp, NegotiationModel
from model.results import BoundRange, CostRange, Ranging


def ranging(model: NegotiationModel, lp: FixedLp, user_bounds: dict[str, float]) -> Ranging | None:
    """HiGHS ranging of the fixed LP, in base units: for each binding bound, the interval of
    its right-hand side over which its shadow price holds; for each continuous lever, the
    interval of its cost in the deficit objective over which the deal stays optimal."""
    rng = lp.ranging
    if rng is None:
        return None
    try:
        status, data = rng
    except (TypeError, ValueError):
        return None
    if "kOk" not in str(status):
        return None
    # Each attribute read of a highspy vector copies the whole vector: read each once.
    row_dn, row_up = list(data.row_bound_dn.value_), list(data.row_bound_up.value_)
    cost_dn, cost_up = list(data.col_cost_dn.value_), list(data.col_cost_up.value_)
    bounds = []
    for name, i in model.row_index.items():
        if i >= len(row_up) or name not in user_bounds:
            continue
        scale = model.row_scale[name]
        # HiGHS ranges the row's own bound, with constants (today's exports, fixed choices)
        # moved across; shift the interval back to the bound as the instance states it.
        row_bound = model.row_upper[i] if model.row_has_upper(i) else model.row_lower[i]
        shift = user_bounds[name] - row_bound * scale
        low, high = row_dn[i] * scale + shift, row_up[i] * scale + shift
        bounds.append(BoundRange(name, _finite(low), _finite(high)))
    costs = []
    objective = model.form(model.objective_metric).terms
    money = model.scale(model.objective_metric)
    for f in model.families:
        if f.kind != "quantity":
            continue
        for key, j in model.columns[variable_name(f)].items():
            if j >= len(cost_up):
                continue
            # Objective coefficients are USD million per model unit; report USD per base unit.
            to_base = money / f.scale(model.inst, key)
            costs.append(CostRange(f"{f.name}[{f.key_text(key)}]", _finite(objective.get(j, 0.0) * to_base),
                                   _finite(cost_dn[j] * to_base), _finite(cost_up[j] * to_base)))
    return Ranging("HiGHS ranging of the fixed LP", bounds, costs)


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) or abs(x) >= 1e29 else x
