"""A sweep's draw of an instance with a horizon: the multi-year model built for the draw's numbers,
solved and verified as `run` solves it (`run.horizon.solve_horizon`: every year's deal checked
outside the solver, and the rows that tie the years).

The fast re-solve of one built model (`optimization.resolve.Resolver`) covers one-year models
only, so each draw of a horizon instance rebuilds its model (`REBUILD_REASON`, said in the sweep's
summary). A draw's metrics are those of the last year (the deal fully phased in, as the deal's
report describes it), plus the present values over the horizon (`analyses.sweep_summary.PV_OUTCOMES`).
`analyses.sweep` receives `solve_draw` as an argument (it stays below `run/`); Dask workers import
it by name.
"""
from __future__ import annotations

from model.data.instance import Instance
from model.optimization.horizon import HorizonModel
from model.optimization.resolve import DrawResult
from model.results import OverTime
from model.run.horizon import solve_horizon

REBUILD_REASON = ("a deal over a horizon: the multi-year model is rebuilt for each draw; the fast re-solve covers "
                  "one-year models")


def present_values(ot: OverTime | None) -> dict[str, float]:
    """The draw's present values: the deficit with the deal and with no deal, each party's gain over no deal."""
    if ot is None:
        return {}
    out: dict[str, float] = {}
    d = next((v for v in ot.metrics if v.name == "deficit"), None)
    if d is not None and d.deal_sum is not None and d.no_deal_sum is not None:
        out["pv_deficit"], out["pv_deficit_no_deal"] = d.deal_sum, d.no_deal_sum
    for g in ot.gains:
        if g.deal_sum is not None:
            out[f"pv_{g.name}_gain"] = g.deal_sum - (g.no_deal_sum or 0.0)
    return out


def solve_draw(inst: Instance) -> DrawResult:
    """One draw of a horizon instance: built, solved, verified; its last year's metrics and the present values."""
    results, verified = solve_horizon(HorizonModel(inst))
    if verified is None:
        return DrawResult(results.status, results.message, method="rebuild")
    v = results.verification
    return DrawResult(results.status, results.message, verified.deal,
                      {**verified.metrics, **present_values(results.over_time)}, v.max_violation, v.ok, "rebuild")
