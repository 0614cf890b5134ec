"""Sweeps and comparisons of instances with a horizon (issue 27 item 3): the discount rate and the growth rates a
year swept by --param and drawn by --monte-carlo, each draw solved over the years, the present
values in sweep.csv checked by hand; and compare's present values side by side.

instances/staged_relief.yaml (2025-2027): cars, 1,000 a year at USD 10,000 with full pass-through
and elasticity -1, so imports are worth USD 10 M / (1 + tariff) a year; no deal keeps the 20%
tariff (USD 8,333,333 a year, the whole no-deal deficit). Its deal (the header works it out): 10%
in 2025 and 2026, 0 in 2027, with 3 aircraft of USD 1 M a year bought: a deficit of
10/1.1 - 3 = USD 6,090,909 in 2025 and 2026 and 10 - 3 = USD 7 M in 2027.
"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from model import jobs
from model.data.uncertainty import UnknownField, with_values
from model.economics.loading import load
from model.formatting import money

ROOT = Path(__file__).resolve().parent.parent
STAGED = ROOT / "instances" / "staged_relief.yaml"
NO_DEAL = 10e6 / 1.2
DEAL = (10e6 / 1.1 - 3e6, 10e6 / 1.1 - 3e6, 7e6)


def pv(values, rate: float) -> float:
    return sum(v / (1 + rate) ** k for k, v in enumerate(values))


def rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_swept_discount_rate_gives_each_rates_present_values(tmp_path):
    status, text = jobs.sweep(str(STAGED), ["horizon.discount_rate=1,3"], 0, 0, 1, None, out=str(tmp_path / "sw"))
    assert status == "optimal"
    assert "rebuilt the model for 2 draws (a deal over a horizon" in text
    line = "horizon.discount_rate=1: deficit $7.0 M in the last year, $19.0 M in present value"   # 6.09 + 6.03 + 6.86
    assert line in text and f"`{line}`" in (ROOT / "README.md").read_text(encoding="utf-8")
    drawn = rows(tmp_path / "sw" / "sweep.csv")
    assert [d["horizon.discount_rate"] for d in drawn] == ["1", "3"]
    for d, rate in zip(drawn, (0.01, 0.03)):
        assert float(d["pv_deficit_no_deal"]) == pytest.approx(pv([NO_DEAL] * 3, rate), rel=1e-8)
        assert float(d["pv_deficit"]) == pytest.approx(pv(DEAL, rate), rel=1e-8)
        assert float(d["pv_home_gain"]) == pytest.approx(pv([NO_DEAL - x for x in DEAL], rate), rel=1e-8)
        assert float(d["deficit"]) == pytest.approx(7e6)             # the last year's, whatever the rate
    report = (tmp_path / "sw" / "report.md").read_text()
    assert "| deficit, last year | deficit, present value |" in report
    assert "The deficit above is 2027's, the last year. **Present values** at 5% a year" in report   # its first screen


def test_growth_rates_and_the_discount_rate_are_drawn_and_each_draw_solved_over_the_years(tmp_path):
    folder = tmp_path / "inst"
    folder.mkdir()
    shutil.copy(STAGED, folder / STAGED.name)
    (folder / "drawn.yaml").write_text("""schema_version: 1
extends: staged_relief.yaml
name: staged_drawn
horizon:
  growth:
    car: {rate: {value: 2, unit: "%", source: a_round}}
uncertainty:
  horizon.discount_rate:
    distribution: uniform
    low: {value: 1, unit: "%", source: a_round}
    high: {value: 7, unit: "%", source: a_round}
  horizon.growth.car.rate:
    distribution: uniform
    low: {value: -2, unit: "%", source: a_round}
    high: {value: 6, unit: "%", source: a_round}
""", encoding="utf-8")
    status, text = jobs.sweep(str(folder / "drawn.yaml"), [], 4, 7, 1, None, out=str(tmp_path / "mc"))
    assert status == "optimal" and "present value of the deficit over the horizon: median" in text
    # The sensitivity to the discount rate alone (growth at the instance's 2%): the staged deal's deficit,
    # imports grown 2% a year, discounted at each end's rate; the last year's deficit does not move.
    summary = json.loads((tmp_path / "mc" / "sweep_summary.json").read_text())
    rate = next(x for x in summary["sensitivity"] if x["path"] == "horizon.discount_rate")
    grown = [10e6 * 1.02 ** k / (1.1 if k < 2 else 1.0) - 3e6 for k in range(3)]
    for end in ("low", "high"):
        assert rate[end]["pv_deficit"] == pytest.approx(pv(grown, rate[end]["value"] / 100), rel=1e-8)
    assert rate["swing"] == pytest.approx(0.0, abs=1e-3) and rate["pv_swing"] < 0
    assert f"horizon.discount_rate moves the deficit by $0 in the last year, its present value by " \
           f"{money(rate['pv_swing'], True)}" in text
    drawn = rows(tmp_path / "mc" / "sweep.csv")
    assert len(drawn) == 4 and len({d["horizon.discount_rate"] for d in drawn}) == 4
    for d in drawn:
        r, g = float(d["horizon.discount_rate"]) / 100, float(d["horizon.growth.car.rate"]) / 100
        assert -0.02 <= g <= 0.06 and 0.01 <= r <= 0.07
        # With no deal the deficit is the imports at 20%, grown by (1 + g) a year, discounted at r.
        assert float(d["pv_deficit_no_deal"]) == pytest.approx(pv([NO_DEAL * (1 + g) ** k for k in range(3)], r),
                                                               rel=1e-6)


def test_with_values_sets_a_horizons_rates(tmp_path):
    inst = load(ROOT / "instances" / "july_2025_over_time.yaml")
    v = with_values(inst, {"horizon.discount_rate": 0.03, "horizon.growth.suv.rate": 0.05})
    assert v.horizon.discount_rate == 0.03 and v.horizon.factors[2] == pytest.approx(1 / 1.03 ** 2)
    assert [v.horizon.growth["suv"].factor(k) for k in range(3)] == pytest.approx([1.0, 1.05, 1.1025])
    assert v.horizon.growth["ev"] == inst.horizon.growth["ev"]            # the others as they were
    with pytest.raises(UnknownField, match="not a number of this instance"):         # no growth for cars
        with_values(load(STAGED), {"horizon.growth.car.rate": 0.05})
    with pytest.raises(UnknownField, match="has no horizon"):
        with_values(load(ROOT / "instances" / "toyota_2025.yaml"), {"horizon.discount_rate": 0.05})


# -- compare: two horizons and a one-year instance, end to end ------------------------------------

def test_compare_gives_each_horizons_present_values_beside_a_one_year_instance(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                     # the results cache goes under ./reports
    shutil.copy(STAGED, tmp_path / STAGED.name)
    (tmp_path / "at_2pct.yaml").write_text("schema_version: 1\nextends: staged_relief.yaml\nname: at_2pct\n"
                                           "horizon:\n  discount_rate: {value: 2, unit: \"%\", source: a_round}\n",
                                           encoding="utf-8")
    (tmp_path / "one_year.yaml").write_text("schema_version: 1\nextends: staged_relief.yaml\nname: one_year\n"
                                            "horizon: null\n", encoding="utf-8")
    status, text = jobs.compare([tmp_path / "staged_relief.yaml", tmp_path / "at_2pct.yaml",
                                 tmp_path / "one_year.yaml"], out=str(tmp_path / "cmp"))
    assert status == "optimal"
    five, two = pv(DEAL, 0.05), pv(DEAL, 0.02)          # the same staged deal, discounted at each rate
    md = (tmp_path / "cmp" / "comparison.md").read_text()
    assert (f"| deficit with the deal, present value | {money(five)} | {money(two)} ({money(two - five, True)}) "
            "| n/a |") in md
    assert "| years | 2025 to 2027 | 2025 to 2027 | one year |" in md
    assert "one_year has one year and no present value" in md
    rows_ = rows(tmp_path / "cmp" / "comparison_over_time.csv")
    assert {r["instance"] for r in rows_} == {"staged_relief", "at_2pct"}
    deficits = [float(r["deal"]) for r in rows_ if r["instance"] == "at_2pct" and r["metric"] == "deficit"]
    assert deficits == pytest.approx(list(DEAL), rel=1e-8)
    sums = rows(tmp_path / "cmp" / "comparison_over_time_sums.csv")
    assert [float(r["deal"]) for r in sums if r["metric"] == "deficit"] == pytest.approx([five, two], rel=1e-8)
    assert "deficit with the deal, PV" in text
