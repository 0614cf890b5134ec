"""Passing the model to HiGHS in one call (`highs.HighsSolver`): the maps, and incremental
changes giving what a fresh load of the changed model gives."""
from __future__ import annotations

import pyomo.environ as pyo
import pytest
from tiny import q, tiny

from model.economics.metrics import references
from model.economics.responses import option_table
from model.optimization.build import build_model
from model.optimization.highs import make_solver, solve


def built(tmp_path):
    inst = tiny(tmp_path, {"settings": {"participation": True},
                           "segments": {"car": {"partner_ceiling": q(40, "vehicles")}}})
    table = option_table(inst)
    return build_model(inst, table, references(inst, table))


def fresh(m):
    return solve(make_solver(), m).objective


def test_every_variable_and_row_has_its_column_and_row(tmp_path):
    m = built(tmp_path)
    solver = make_solver()
    solver.load(m)
    h = solver.h
    assert h.getNumCol() == len(solver.columns) and h.getNumRow() == len(solver.rows)
    for v in m.component_data_objects(pyo.Var):
        assert id(v) in solver.col_of or any(u is v for u in solver.unused)
    for j, v in enumerate(solver.columns):
        assert solver.col_of[id(v)] == j
    for i, c in enumerate(solver.rows):
        assert solver.row_of[c] == i and c.active


def test_added_and_removed_rows_and_objectives_match_a_fresh_load(tmp_path):
    m = built(tmp_path)
    solver = make_solver()
    base = solve(solver, m).objective
    imports = pyo.value(m.metric["imports_units"])          # at the least deficit
    # Another objective on the same model.
    m.objective.deactivate()
    m.other = pyo.Objective(expr=m.metric["partner_payoff"], sense=pyo.maximize)
    assert solve(solver, m).objective == pytest.approx(fresh(m), rel=1e-9)
    # A row added, then a column and a row that uses it.
    m.other.deactivate()
    m.objective.activate()
    m.cap = pyo.Constraint(expr=m.metric["imports_units"] >= imports)
    m.extra = pyo.Var(bounds=(0.01, 1))
    m.uses_extra = pyo.Constraint(expr=m.extra + m.commitment["dealers", "car"] <= 0.03)   # thousand vehicles
    with_rows = solve(solver, m)
    assert with_rows.status == "optimal" and with_rows.objective > base
    assert with_rows.objective == pytest.approx(fresh(m), rel=1e-9)
    # Rows deactivated: back to the first optimum.
    m.cap.deactivate()
    m.uses_extra.deactivate()
    assert solve(solver, m).objective == pytest.approx(base, rel=1e-9)
    assert len(solver.rows) == solver.h.getNumRow()


def test_a_changed_parameter_reloads(tmp_path):
    """A cap on the cars sold through the dealers, a mutable parameter: at 1e12 it does not bind
    (40 cars, the buyers' ceiling); set to 0.015 thousand (15 cars) the deficit rises by 25 cars
    x $10,000 = USD 0.25 million, as a fresh load of the changed model gives."""
    m = built(tmp_path)
    m.bound = pyo.Param(mutable=True, initialize=1e12)
    m.limit = pyo.Constraint(expr=m.commitment["dealers", "car"] <= m.bound)
    solver = make_solver()
    free = solve(solver, m)
    assert free.status == "optimal" and pyo.value(m.commitment["dealers", "car"]) == pytest.approx(0.04)
    m.bound.set_value(0.015)
    limited = solve(solver, m)
    assert limited.status == "optimal"
    assert limited.objective == pytest.approx(free.objective + 0.25, rel=1e-9)
    assert limited.objective == pytest.approx(fresh(m), rel=1e-9)
