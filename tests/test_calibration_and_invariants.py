"""The default instance reproduces the published figures; invariants hold on every solve."""
import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from model.economics.loading import load
from model.economics.metrics import evaluate
from model.reporting.report_files import write_report
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
TOYOTA = ROOT / "instances" / "smart_defaults.yaml"

# Published figures for 2024, typed in from data.md (not read from the instance).
PUBLISHED = {
    "imports_units": 1.5e6,          # GlobalData via just-auto
    "imports_value": 41.07e9,        # just-auto
    "exports_units": 11_000,         # JADA: US-brand sales in Japan
    "exports_value": 853e6,          # US Commerce Department
    "deficit": 41.07e9 - 853e6,
}


@pytest.fixture(scope="module")
def toyota():
    return load(TOYOTA)


@pytest.fixture(scope="module")
def toyota_result(toyota):
    return solve_instance(toyota)


def test_baseline_reproduces_published_figures(toyota):
    baseline = evaluate(toyota, None)
    for name, published in PUBLISHED.items():
        assert baseline[name] == pytest.approx(published, rel=1e-3), name


def test_reported_metrics_equal_an_independent_evaluation_of_the_reported_levers(toyota, toyota_result):
    """The deal metrics in results equal `metrics.evaluate` of the levers as results.json reports
    them (read back from their labels and texts), and every reported constraint holds. (The
    deficit identity and the welfare totals are derived apart from `metrics` in
    test_independent_derivations.py.)"""
    from test_independent_derivations import _deal_from_levers
    assert toyota_result.status == "optimal" and toyota_result.verification.ok
    again = evaluate(toyota, _deal_from_levers(toyota, toyota_result))
    for row in toyota_result.metrics:
        assert row.deal == pytest.approx(again[row.name], rel=1e-12, abs=1e-6), row.name
    for c in toyota_result.constraints:
        assert c.slack >= -1e-6 * max(1, abs(c.rhs)), c.name


def _with_red_line(tmp_path, name, value):
    spec = yaml.safe_load(TOYOTA.read_text())
    spec = copy.deepcopy(spec)
    spec["red_lines"][name]["bound"]["value"] = value
    path = tmp_path / f"{name}_{value}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return solve_instance(load(path)).metric("deficit").deal


def _red_lines():
    """(instance, red line) for every red line of every shipped instance (indexed ones one by one);
    the default instance's run in the fast loop, the others are marked slow."""
    return [pytest.param(path, r.name, id=f"{path.stem}-{r.name}",
                         marks=() if path.stem == "toyota_2025" else pytest.mark.slow)
            for path in sorted((ROOT / "instances").glob("*.yaml")) for r in load(path).red_lines]


@pytest.fixture(scope="module")
def resolvers():
    return {}


def moved(inst, name: str, bound: float):
    """`inst` with the one red line `name` (an expanded per-segment line included) at `bound`."""
    return replace(inst, red_lines=tuple(replace(r, bound=bound) if r.name == name else r for r in inst.red_lines))


@pytest.mark.parametrize("path, name", _red_lines())
def test_relaxing_a_red_line_never_worsens_the_optimum(path, name, resolvers):
    """Each red line moved by a quarter of its bound: loosened, the optimal deficit is no worse
    (and a deal exists if one did); tightened, no better (or no deal). Re-solved on one built
    model per instance (`resolve.Resolver`, equal to a fresh solve: test_sweep.py), to the gap
    the solve promises (MIP_REL_GAP and the lexicographic tolerance)."""
    from model.optimization.handle import NegotiationModel
    from model.optimization.highs import MIP_REL_GAP
    from model.optimization.resolve import Resolver
    inst = load(path)
    if path not in resolvers:
        resolvers[path] = Resolver(NegotiationModel(inst))
    resolver = resolvers[path]
    line = next(r for r in inst.red_lines if r.name == name)
    step = 0.25 * abs(line.bound) or 1.0
    looser = line.bound + step if line.sense == "<=" else line.bound - step
    tighter = line.bound - step if line.sense == "<=" else line.bound + step
    base = resolver.solve(inst)
    loose = resolver.solve(moved(inst, name, looser))
    tight = resolver.solve(moved(inst, name, tighter))
    assert all(d.status in ("optimal", "infeasible") for d in (base, loose, tight))
    assert all(d.verified for d in (base, loose, tight) if d.status == "optimal")
    if base.status == "infeasible":
        assert tight.status == "infeasible"
        return
    best = base.metrics["deficit"]
    tol = (MIP_REL_GAP + inst.settings.lexicographic_tolerance) * abs(best)
    assert loose.status == "optimal" and loose.metrics["deficit"] <= best + tol
    assert tight.status == "infeasible" or tight.metrics["deficit"] >= best - tol


def test_a_binding_red_lines_shadow_price_predicts_the_change(tmp_path, toyota_result):
    """Japan's production-loss red line binds. Relaxing it by 1,000 vehicles should cut the
    deficit by about 1,000 x its shadow price (same tariff options, small step)."""
    row = next(c for c in toyota_result.constraints if c.name == "red_line[japan_production_loss]")
    assert row.binding and row.relaxation_value > 0
    after = _with_red_line(tmp_path, "japan_production_loss", 151_000)
    drop = toyota_result.metric("deficit").deal - after
    assert drop == pytest.approx(1000 * row.relaxation_value, rel=1e-3)


@pytest.mark.slow
def test_results_json_is_identical_across_runs(tmp_path, toyota):
    a = write_report(solve_instance(toyota), tmp_path / "a")
    b = write_report(solve_instance(toyota), tmp_path / "b")
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert json.loads((a / "results.json").read_text())["status"] == "optimal"
