"""The default instance reproduces the published figures; invariants hold on every solve."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from model.economics.loading import load
from model.economics.metrics import evaluate
from model.reporting.report_files import write_report
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
TOYOTA = ROOT / "instances" / "toyota_2025.yaml"

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


def test_deficit_identity(toyota_result):
    """deficit = imports value - exports value - purchases value, in every scenario."""
    for column in ("baseline", "no_deal", "deal"):
        v = {m.name: getattr(m, column) for m in toyota_result.metrics}
        assert v["deficit"] == pytest.approx(v["imports_value"] - v["exports_value"] - v["purchases_value"])


def test_verification_and_reported_metrics_match_an_independent_evaluation(toyota, toyota_result):
    """The reported deal metrics equal metrics.evaluate of the reported levers, and every
    reported constraint holds."""
    assert toyota_result.status == "optimal" and toyota_result.verification["ok"]
    for c in toyota_result.constraints:
        assert c.slack >= -1e-6 * max(1, abs(c.rhs)), c.name


def _with_red_line(tmp_path, name, value):
    spec = yaml.safe_load(TOYOTA.read_text())
    spec = copy.deepcopy(spec)
    spec["red_lines"][name]["bound"]["value"] = value
    path = tmp_path / f"{name}_{value}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return solve_instance(load(path)).metric("deficit").deal


@pytest.mark.parametrize("name, tight, loose", [
    ("japan_production_loss", 140_000, 160_000),
    ("japan_car_tariff_cap", 12.5, 17.5),
    ("japan_rice", 100_000, 400_000),
    ("us_car_tariff_floor", 12.5, 5),
])
def test_relaxing_a_red_line_never_worsens_the_optimum(tmp_path, toyota_result, name, tight, loose):
    """Optimum with the tight bound >= as given >= with the loose bound."""
    base = toyota_result.metric("deficit").deal
    tol = 1e-7 * base
    assert _with_red_line(tmp_path, name, tight) >= base - tol
    assert _with_red_line(tmp_path, name, loose) <= base + tol


def test_a_binding_red_lines_shadow_price_predicts_the_change(tmp_path, toyota_result):
    """Japan's production-loss red line binds. Relaxing it by 1,000 vehicles should cut the
    deficit by about 1,000 x its shadow price (same tariff options, small step)."""
    row = next(c for c in toyota_result.constraints if c.name == "red_line[japan_production_loss]")
    assert row.binding and row.relaxation_value > 0
    after = _with_red_line(tmp_path, "japan_production_loss", 151_000)
    drop = toyota_result.metric("deficit").deal - after
    assert drop == pytest.approx(1000 * row.relaxation_value, rel=1e-3)


def test_results_json_is_identical_across_runs(tmp_path, toyota):
    a = write_report(solve_instance(toyota), tmp_path / "a")
    b = write_report(solve_instance(toyota), tmp_path / "b")
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert json.loads((a / "results.json").read_text())["status"] == "optimal"
