"""The scale benchmark's linopy model (benchmarks/linopy_model.py) restates our first stage.

linopy is in the `test` extra; without it these tests are skipped, with the reason (and fail
in CI, which sets REQUIRE_INDEPENDENT_CHECKS=1). On every shipped instance with a deal
linopy's optimum is our stage-one deficit, and every metric linopy can state (third countries,
quota rents, partner tariff lines and welfare included), evaluated at linopy's deal, equals
the economics' plain-Python value for that deal."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from model.data.families import partner_tariff
from model.data.levers import MONEY, families
from model.economics.loading import load
from model.economics.metrics import INDEXED_METRICS, METRICS, evaluate
from model.optimization.build import read_deal
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
try:
    from linopy_model import build_linopy, metric_scale, solve_linopy
    MISSING = None
except ImportError as exc:         # linopy not installed: skipped, or failed under REQUIRE_INDEPENDENT_CHECKS
    MISSING = f"could not import linopy ({exc}): pip install -e '.[test]'"

# linopy restates the one-year model; instances over a horizon (`horizon:`) are checked by GLPK on the
# exported multi-year LP (test_independent_solver) and by hand in test_over_time.
INSTANCES = [p for p in sorted((ROOT / "instances").glob("*.yaml")) if "\nhorizon:" not in p.read_text()]
pytestmark = [pytest.mark.linopy, pytest.mark.slow, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.stem)
def test_same_stage_one_optimum(path):
    inst = load(path)
    ours = solve_instance(inst)
    m, info = build_linopy(inst)
    status, objective = solve_linopy(m, info)
    if ours.status == "infeasible":
        assert objective is None and "infeasible" in status
        return
    stage_one = ours.stages.stage_one_deficit           # USD; linopy's objective is USD million
    assert objective is not None, status
    assert objective * MONEY == pytest.approx(stage_one, rel=1e-9)
    # The reported deal (polished: choices exact, levers re-solved) is within the gap of that optimum.
    assert ours.metric(inst.settings.objective_metric).deal == pytest.approx(objective * MONEY, rel=1e-9)


def _all_metrics(inst) -> list[str]:
    names = [k for k in METRICS]
    for base, info in INDEXED_METRICS.items():
        names += [f"{base}[{k}]" for k in info.keys(inst)]
    return names


def _linopy_deal(inst, m):
    """The deal at linopy's solution, read as our own solutions are."""
    sol = {name: m.variables[name].solution.values for name in m.variables}
    lines, plines = list(inst.lines), list(inst.partner_lines)
    segs = {s: i for i, s in enumerate(inst.segments)}
    values = {
        "tariff_choice": {(ln, o.name): sol["tariff_choice"][i, j] for i, ln in enumerate(lines)
                          for j, o in enumerate(inst.line_options(ln))},
        "partner_tariff_choice": {(pl, o.name): sol["partner_tariff_choice"][i, j] for i, pl in enumerate(plines)
                                  for j, o in enumerate(partner_tariff.line_options(inst, pl))},
        "ntb_relief": {n: sol["ntb_relief"][i] for i, n in enumerate(inst.ntb_measures)},
        "commitment": {(c, s): sol["commitment"][i, segs[s]] for i, (c, ch) in enumerate(inst.channels.items())
                       for s in ch.segments},
        "production_shift": {(k, s): sol["production_shift"][i, segs[s]] for i, (k, mk) in enumerate(inst.makers.items())
                             for s in mk.segments},
        "purchase": {g: sol["purchase"][i] for i, g in enumerate(inst.goods)},
        "maker_cap_choice": {(p, o): sol["maker_cap_choice"][i, j] for i, (p, pr) in enumerate(inst.maker_caps.items())
                             for j, o in enumerate(pr.options)},
    }
    deal, _ = read_deal(inst, families(), lambda name: values.get(name, {}), threshold=0.0)
    return deal


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.stem)
def test_every_metric_at_linopys_deal(path):
    inst = load(path)
    names = _all_metrics(inst)
    m, info = build_linopy(inst, extra_metrics=names)
    status, _ = solve_linopy(m, info)
    if "infeasible" in status:
        assert solve_instance(inst).status == "infeasible"          # no deal for our solver either
        return
    assert status == "ok/optimal"
    expected = evaluate(inst, _linopy_deal(inst, m))
    for name in names:
        got = float(info["metrics"][name].solution) * metric_scale(inst, name)
        assert math.isclose(got, expected[name], rel_tol=1e-7, abs_tol=1e-3 * metric_scale(inst, name)), name


def test_shipped_instances_cover_the_new_terms():
    """Third countries (the default instance) and partner tariff lines are exercised above."""
    insts = [load(p) for p in INSTANCES]
    assert load(ROOT / "instances" / "smart_defaults.yaml").third_countries
    assert any(i.partner_lines for i in insts)


@pytest.mark.parametrize("fixed", [None, 0, 25])
def test_parts_line_of_shifted_content_restated(tmp_path, fixed):
    """A maker with a parts segment (tests/test_parts_line.py): linopy's optimum is our stage
    one, and every metric at linopy's deal equals the plain-Python value, with the parts line
    free or fixed at 0% or 25%."""
    from test_parts_line import overrides
    from tiny import q, tiny
    over = overrides()
    if fixed is not None:
        over["fixed_levers"] = {"tariff": {"parts": q(fixed, "%")}}
    inst = tiny(tmp_path, over)
    ours = solve_instance(inst, concessions=False)
    names = _all_metrics(inst)
    m, info = build_linopy(inst, extra_metrics=names)
    status, objective = solve_linopy(m, info)
    assert status == "ok/optimal" and objective is not None
    assert objective * MONEY == pytest.approx(ours.stages.stage_one_deficit, rel=1e-9)
    expected = evaluate(inst, _linopy_deal(inst, m))
    assert expected["shift_parts_duty"] == pytest.approx(ours.metric("shift_parts_duty").deal, abs=1e-3)
    for name in names:
        got = float(info["metrics"][name].solution) * metric_scale(inst, name)
        assert math.isclose(got, expected[name], rel_tol=1e-7, abs_tol=1e-3 * metric_scale(inst, name)), name


@pytest.mark.parametrize("variant", ["plain", "buyers", "korea", "parts_maker"])
def test_count_units_restated(tmp_path, variant):
    """Cars in vehicles and parts in USD (tests/test_count_units.py), with and without a commitment on
    the parts line or a third country selling parts: linopy's volume totals count the cars alone and its imports_units[parts] is in
    USD, as the plain Python's."""
    from test_count_units import overrides, with_korea, with_parts_buyers, with_parts_maker
    from tiny import tiny
    inst = tiny(tmp_path, {"plain": overrides, "buyers": with_parts_buyers, "korea": with_korea,
                           "parts_maker": with_parts_maker}[variant]())
    names = _all_metrics(inst)
    assert "imports_units[parts]" in names
    m, info = build_linopy(inst, extra_metrics=names)
    status, objective = solve_linopy(m, info)
    assert status == "ok/optimal" and objective is not None
    expected = evaluate(inst, _linopy_deal(inst, m))
    for name in names:
        got = float(info["metrics"][name].solution) * metric_scale(inst, name)
        assert math.isclose(got, expected[name], rel_tol=1e-7, abs_tol=1e-3 * metric_scale(inst, name)), name
