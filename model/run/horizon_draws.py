"""A draw of an instance with a horizon (a sweep's, or `run`'s robustness draws): the multi-year model
built for the draw's numbers, solved and verified as `run` solves it (`run.horizon.solve_horizon`:
every year's deal checked outside the solver, and the rows that tie the years). In a draw without
a deal, `solve_draw(..., sides=True)` decides who walks away on the draw's own model
(`HorizonSides`, the tests of `analyses.deal_robustness.walks_away`).

The fast re-solve of one built model (`optimization.resolve.Resolver`) covers one-year models
only, so each draw of a horizon instance rebuilds its model (`REBUILD_REASON`, said in the sweep's
summary). A draw's metrics are those of the last year (the deal fully phased in, as the deal's
report describes it), plus the present values over the horizon (`analyses.sweep_summary.PV_OUTCOMES`).
`analyses.sweep` receives `solve_draw` as an argument (it stays below `run/`); Dask workers import
it by name.
"""
from __future__ import annotations

import numpy as np

from model.analyses.deal_robustness import walks_away
from model.data.instance import Instance
from model.optimization.handle import INF, MIN
from model.optimization.horizon import HorizonModel
from model.optimization.resolve import DrawResult
from model.results import OverTime
from model.run.horizon import solve_horizon

REBUILD_REASON = ("a deal over a horizon: the multi-year model is rebuilt for each draw; the fast re-solve covers "
                  "one-year models")


class HorizonSides:
    """Whether a draw's multi-year model has a deal once some rows no longer bind: the resolver's
    `deal_without` for a model rebuilt for the draw. ('participation', p) opens p's participation in
    present value and, under `every_year`, its row in every year; ('red_line', name) the red line in
    every year (or its row over the horizon). Stage one only (whether, not which)."""

    def __init__(self, model: HorizonModel):
        self.model = model
        solver = model.solver
        self.rows: dict[str, list[int]] = {}        # 'red_line[x]', 'participation[home]' -> HiGHS rows, every year
        for name, con in model.m.row_info.items():
            if con in solver.row_of:
                self.rows.setdefault(name.replace("horizon_", "", 1), []).append(solver.row_of[con])
        for b in model.blocks.values():
            for name, con in b.row_info.items():
                if con in solver.row_of:
                    self.rows.setdefault(name, []).append(solver.row_of[con])

    def deal_without(self, inst: Instance, free: set[tuple[str, object]]) -> bool | None:
        model = self.model
        rows = sorted({i for family, key in free for i in self.rows.get(f"{family}[{key}]", [])})
        with model.scratch():
            if rows:
                model.set_row_bounds(rows, np.full(len(rows), -INF), np.full(len(rows), INF))
            solution = model.optimize(model.base.settings.objective_metric, MIN)
            return solution.has_deal or solution.status == "unbounded"


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


def solve_draw(inst: Instance, sides: bool = False) -> DrawResult:
    """One draw of a horizon instance: built, solved, verified; its last year's metrics and the present values.
    `sides`: in a draw without a deal (infeasible), decide who walks away on the draw's own model
    (`HorizonSides`, as `analyses.deal_robustness.walks_away` does on a re-solve)."""
    model = HorizonModel(inst)
    results, verified = solve_horizon(model)
    if verified is None:
        who = walks_away(HorizonSides(model), inst) if sides and results.status == "infeasible" else None
        return DrawResult(results.status, results.message, method="rebuild", walks_away=who)
    v = results.verification
    return DrawResult(results.status, results.message, verified.deal,
                      {**verified.metrics, **present_values(results.over_time)}, v.max_violation, v.ok, "rebuild")
