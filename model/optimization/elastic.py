"""Why a model has no solution, on the model handle: the elastic model (the fewest steps of
relaxation of chosen rows that admit a solution) and HiGHS's irreducible infeasible subset.

`analyses.diagnose` says which rows may move and how big a step of each is; this module adds a
slack column to each such row, minimizes their sum, and reads back how far each row moved.
"""
from __future__ import annotations

import numpy as np

from model.optimization.forms import Form
from model.optimization.handle import MIN, NegotiationModel, Solution
from model.optimization.highs import load_highspy


def smallest_relaxation(model: NegotiationModel, steps: dict[str, float]) -> tuple[Solution, dict[str, float]]:
    """Give each named row (`steps`: row name -> one step of relaxation, in base units of the row's
    bound) a slack >= 0 counted in steps, and minimize the steps in all:

        row <= bound becomes  row - step * s <= bound;  row >= bound becomes  row + step * s >= bound.

    Returns the solution and, per row, the relaxation it needs (base units). Rows the build left
    out (no variables, always true) need none."""
    rows = {name: i for name in steps if (i := model.row(name)) is not None}
    with model.scratch():
        cols = dict(zip(rows, model.add_columns(len(rows)))) if rows else {}
        for name, i in rows.items():
            size = steps[name] / model.row_scale[name]       # one slack unit moves the bound one step
            model.add_to_row(i, cols[name], -size if model.row_has_upper(i) else size)
        solution = model.optimize(Form({j: 1.0 for j in cols.values()}), MIN)
        if not solution.has_deal:
            return solution, {}
        x = solution.column_values()
        amounts = {name: float(x[j]) * steps[name] for name, j in cols.items()}
    return solution, amounts


def iis(model: NegotiationModel) -> tuple[list[str] | None, str, int]:
    """HiGHS's irreducible infeasible subset of the LP relaxation (yes/no choices made continuous):
    (the named rows in it, a note, the number of the model's own unnamed rows in it). None when the
    relaxation is feasible: the conflict then lies in the yes/no choices, and HiGHS computes an IIS
    only for LPs."""
    highspy = load_highspy()
    names = {i: name for name, i in model.row_index.items()}
    with model.scratch():
        model.relax_integrality()
        model.set_objective(Form(), MIN)
        h = model.h
        h.setOptionValue("iis_strategy", 2)
        try:
            out = model.run()
            if out.status == "unbounded" or out.has_solution:
                return None, ("the LP relaxation (yes/no choices made continuous) is feasible, so the conflict lies "
                              "in the yes/no choices; HiGHS computes an IIS only for LPs"), 0
            status, subset = h.getIis()
        finally:
            h.setOptionValue("iis_strategy", 0)
        if status != highspy.HighsStatus.kOk or not subset.valid_:
            return None, "HiGHS could not compute an IIS for the LP relaxation", 0
        found = [names[i] for i in np.asarray(subset.row_index_).tolist() if i in names]
        model_rows = len(subset.row_index_) - len(found)
    return found, "constraints in conflict in the LP relaxation (an irreducible infeasible subset from HiGHS)", \
        model_rows
