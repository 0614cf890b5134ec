"""The model handle (`optimization.handle.NegotiationModel`): built once, every change made on
HiGHS's copy gives what a fresh build of the changed instance gives, and leaving `scratch` puts
the model back exactly as it was."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from tiny import q, tiny

from model.optimization.handle import MAX, MIN, NegotiationModel

# Whole commands on the default instance (model builds counted over whole commands): seconds each, so not in the fast loop.
pytestmark = pytest.mark.slow

CASE = {"segments": {"car": {"partner_ceiling": q(40, "vehicles")}}}      # participation off (tiny's default)


def least_deficit(inst) -> float:
    """The optimum of a freshly built model of `inst`."""
    return NegotiationModel(inst).solve().value


def lp_arrays(model: NegotiationModel) -> dict:
    lp = model.h.getLp()
    return {"col_lower": np.asarray(lp.col_lower_), "col_upper": np.asarray(lp.col_upper_),
            "row_lower": np.asarray(lp.row_lower_), "row_upper": np.asarray(lp.row_upper_),
            "integrality": np.asarray([int(t) for t in lp.integrality_]), "value": np.asarray(lp.a_matrix_.value_),
            "index": np.asarray(lp.a_matrix_.index_), "num": (lp.num_col_, lp.num_row_)}


def test_every_variable_and_row_has_its_column_and_row(tmp_path):
    model = NegotiationModel(tiny(tmp_path, CASE))
    solver = model.solver
    assert model.h.getNumCol() == len(solver.columns) and model.h.getNumRow() == len(solver.rows)
    for v in model.m.component_data_objects(pyo.Var):
        assert solver.columns[solver.col_of[id(v)]] is v
    for name, i in model.row_index.items():
        assert solver.rows[i] is model.m.row_info[name]


def test_forcing_a_lever_equals_an_instance_that_fixes_it(tmp_path):
    """Cars forced to 0% on the built model: the optimum of the instance with `fixed_levers` cars 0%."""
    model = NegotiationModel(tiny(tmp_path, CASE))
    free = model.solve().value
    with model.forced({"tariff": {"car": "flat_0"}}):
        forced = model.solve()
    fixed = least_deficit(tiny(tmp_path, {**CASE, "fixed_levers": {"tariff": {"car": q(0, "%")}}}))
    assert forced.deal.values("tariff")["car"] == "flat_0"
    assert forced.value == pytest.approx(fixed, rel=1e-12) and forced.value != pytest.approx(free, rel=1e-6)
    assert model.solve().value == pytest.approx(free, rel=1e-12)        # released on leaving


def test_a_bound_on_a_metric_equals_a_red_line(tmp_path):
    """imports_units >= 950 as a row on the built model, and as a red line of a fresh instance."""
    model = NegotiationModel(tiny(tmp_path, CASE))
    free = model.solve().value
    with model.bounded("imports_units", ">=", 950.0):
        held = model.solve().value
    line = {"red_lines": {"keep": {"party": "partner", "label": "imports", "reason": "test",
                                   "metric": "imports_units", "sense": ">=", "bound": q(950, "vehicles")}}}
    assert held == pytest.approx(least_deficit(tiny(tmp_path, {**CASE, **line})), rel=1e-12)
    assert held > free * (1 + 1e-6)


def test_releasing_fixed_terms_equals_the_free_instance(tmp_path):
    fixed = NegotiationModel(tiny(tmp_path, {**CASE, "fixed_levers": {"tariff": {"truck": q(0, "%")}}}))
    own = fixed.solve().value
    with fixed.free_terms():
        free = fixed.solve().value
    assert free == pytest.approx(least_deficit(tiny(tmp_path, CASE)), rel=1e-12) and free < own
    assert fixed.solve().value == pytest.approx(own, rel=1e-12)


def test_leaving_scratch_restores_the_model_exactly(tmp_path):
    """Forced levers, released terms, added rows and columns, relaxed integrality and opened rows:
    HiGHS's copy is the loaded model again, array for array."""
    model = NegotiationModel(tiny(tmp_path, {**CASE, "fixed_levers": {"tariff": {"truck": q(10, "%")}}}))
    before = lp_arrays(model)
    with model.scratch():
        model.release_fixed_terms()
        model.force({"commitments": {("dealers", "car"): 30.0}})
        model.bound("deficit", "<=", 1e9)
        cols = model.add_columns(3, 0.0, 1.0, integer=True)
        model.add_to_row(model.row("buyer_ceiling[car]"), cols[0], -1.0)
        model.relax_integrality()
        model.open_rows(("participation",))
        assert model.optimize("partner_payoff", MAX).has_deal
        assert lp_arrays(model)["num"] != before["num"]
    after = lp_arrays(model)
    for key, value in before.items():
        assert np.array_equal(np.asarray(after[key]), np.asarray(value)), key


def test_optimize_reports_the_objective_in_base_units(tmp_path):
    model = NegotiationModel(tiny(tmp_path, CASE))
    best = model.optimize("imports_units", MIN)
    assert best.value == pytest.approx(model.value("imports_units", best), rel=1e-12)
    from model.economics.metrics import evaluate
    assert best.value == pytest.approx(evaluate(model.inst, best.deal, model.table)["imports_units"], rel=1e-9)


def test_a_run_builds_the_model_once(tmp_path, monkeypatch):
    """`solve.py run` on the default instance: one model built for the solve, the concession
    values, the frontier and Nash deal, the red-line review and the ranging."""
    from pathlib import Path

    from model import jobs
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setattr(NegotiationModel, "builds", 0)
    status, _ = jobs.run(str(root / "instances" / "smart_defaults.yaml"), out=str(tmp_path / "report"))
    assert status == "optimal" and NegotiationModel.builds == 1


def test_a_sweep_builds_one_model_in_this_process(tmp_path, monkeypatch):
    """`sweep --workers 1` (draws solved here): the base solve, the draws and the sensitivity
    re-solves all use the command's one model."""
    from pathlib import Path

    from model import jobs
    from model.analyses import sweep
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setattr(NegotiationModel, "builds", 0)
    monkeypatch.setattr(sweep, "_LOCAL", type(sweep._LOCAL)())       # no Resolver cached by earlier tests
    status, _ = jobs.sweep(str(root / "instances" / "smart_defaults.yaml"),
                           ["segments.suv.elasticity=-1.2,-0.8"], monte_carlo=3, seed=1, workers=1, scheduler=None,
                           out=str(tmp_path / "sweep"))
    assert status == "optimal" and NegotiationModel.builds == 1
