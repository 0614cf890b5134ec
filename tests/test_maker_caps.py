"""Caps per maker (model/data/families/maker_cap.py): the partner's cap on each home maker's
vehicles sold in its market on home standards, chosen from a menu or fixed.

Hand-worked cases on the tiny instance. Its optimum keeps 20% on cars and trucks (imports
worth 8,333,333.33 + 1,666,666.67 = 10,000,000) and fills the dealer network (50 cars at
10,000: 500,000 of exports). Here cars also have today's exports: maker A's 8,000 vehicles
(segment export price 10,000: 80,000,000), each worth 40,000 when the cap moves its sales,
and the partner's buyers would take up to 30,000 home-made cars (the ceiling).

- Cap 10,000 (today's) or 20,000: A sells its demand, 8,000 (its sales, below today's cap):
  deficit 10,000,000 - 80,000,000 - 500,000 = -70,500,000 at either level.
- Cap 5,000: A sells 5,000, 3,000 fewer, worth 3,000 x 40,000 = 120,000,000:
  deficit -70,500,000 + 120,000,000 = 49,500,000.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tiny import merge, q, tiny

from model.analyses.sweep import Plan, run_sweep
from model.data.families.maker_cap import demand_of
from model.data.uncertainty import with_values
from model.economics.loading import load
from model.economics.outcomes import option_table
from model.errors import InstanceErrors
from model.reporting.markdown import report_markdown
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
FREE_DEFICIT = -70_500_000.0


def caps(makers: dict, base=10_000, levels=(5_000, 20_000), exports=8_000, ceiling=30_000, fixed=None) -> dict:
    out = {
        "maker_caps": {"std": {"label": "home makers' cars on home standards", "base": q(base, "vehicles"),
                               "levels": [q(v, "vehicles") for v in levels], "makers": makers}},
        "segments": {"car": {"exports": q(exports, "vehicles"), "partner_ceiling": q(ceiling, "vehicles")}},
    }
    if fixed is not None:
        out["fixed_levers"] = {"maker_cap": {"std": q(fixed, "vehicles")}}
    return out


def maker(sales, **more) -> dict:
    out = {"label": "Maker A", "segment": "car", "unit_value": q(40_000, "USD/vehicle"), "sales": q(sales, "vehicles")}
    out.update({k: q(v, "%" if k == "reservation_share" else "vehicles") for k, v in more.items()})
    return out


def solved(tmp_path, spec: dict):
    r = solve_instance(tiny(tmp_path, spec))
    assert r.status == "optimal" and r.verification.ok
    return r


def cap_lever(r):
    return next(lv for lv in r.levers if lv.name == "maker_cap")


@pytest.mark.parametrize("level", [10_000, 20_000])
def test_a_cap_above_the_maker_s_demand_is_worth_nothing(tmp_path, level):
    r = solved(tmp_path, caps({"a": maker(8_000)}, fixed=level))
    assert r.metric("deficit").deal == pytest.approx(FREE_DEFICIT, rel=1e-9)
    assert r.metric("exports_units").deal == pytest.approx(8_050, rel=1e-9)      # A's 8,000 and 50 committed
    assert cap_lever(r).choice == f"at most {level:,} vehicles per maker"


def test_a_cap_below_the_maker_s_sales_cuts_them(tmp_path):
    r = solved(tmp_path, caps({"a": maker(8_000)}, fixed=5_000))
    assert r.metric("exports_units").deal == pytest.approx(5_050, rel=1e-9)
    assert r.metric("deficit").deal == pytest.approx(FREE_DEFICIT + 3_000 * 40_000, rel=1e-9)     # 49,500,000
    assert r.metric("home_production_gain").deal == pytest.approx(-3_000 + 50, rel=1e-9)
    # The first screen says what the partner set, against no deal (today's cap).
    assert ("sets its cap on home makers' cars on home standards: at most 5,000 vehicles per maker (at most "
            "10,000 vehicles per maker with no deal)") in report_markdown(r)


def test_a_maker_held_back_by_the_cap_sells_its_reservation_share_when_it_rises(tmp_path):
    """B sold today's cap, 10,000; its buyers would take 50% of the 30,000 ceiling = 15,000 with
    no cap. Minimizing the deficit, home asks for the 20,000 cap: B sells 15,000, 5,000 more
    at 40,000: deficit 10,000,000 - (100,000,000 + 200,000,000 + 500,000) = -290,500,000. The
    partner's production loses 0.8 (its displacement) of each home-made car sold there, besides
    the imports the 20% tariffs cut (1,100 - 1,100 / 1.2)."""
    spec = caps({"b": maker(10_000, reservation_share=50)}, exports=10_000)
    spec["segments"]["car"]["displacement"] = q(80, "%")
    r = solved(tmp_path, spec)
    assert cap_lever(r).choice == "at most 20,000 vehicles per maker"
    assert r.metric("deficit").deal == pytest.approx(-290_500_000, rel=1e-9)
    assert r.metric("exports_units").deal == pytest.approx(15_050, rel=1e-9)
    assert r.metric("partner_production_loss").deal == pytest.approx(0.8 * 5_050 + 1_100 - 1_100 / 1.2, rel=1e-9)
    inst = tiny(tmp_path, spec)
    assert demand_of(inst, inst.maker_caps["std"].makers["b"]) == pytest.approx(15_000)


def test_a_sweep_of_the_reservation_share_or_the_ceiling_moves_the_maker_s_demand(tmp_path):
    """Demand is derived where it is used: B's 50% of a 30,000 ceiling is 15,000; a 40% share
    gives 12,000, and 50% of a ceiling swept to 24,000 gives 12,000 too: at the 20,000 cap B
    then sells 2,000 more, not 5,000 (exports 10,000 + 2,000 + the network's 50)."""
    inst = tiny(tmp_path, caps({"b": maker(10_000, reservation_share=50)}, exports=10_000))
    b = inst.maker_caps["std"].makers["b"]
    for path, value in (("maker_caps.std.makers.b.reservation_share", 0.4), ("segments.car.partner_ceiling", 24_000)):
        changed = with_values(inst, {path: value})
        assert demand_of(changed, changed.maker_caps["std"].makers["b"]) == pytest.approx(12_000)
        r = solve_instance(changed)
        assert r.status == "optimal" and r.verification.ok
        assert r.metric("exports_units").deal == pytest.approx(12_050, rel=1e-9)
    assert demand_of(inst, b) == pytest.approx(15_000)


def test_the_extra_sales_count_against_the_partner_buyers_ceiling(tmp_path):
    """B's buyers would take the whole ceiling, 12,000 (a 100% share): the 20,000 cap sells 2,000
    more, which leaves no room for the dealer network's 50 (10,000 + 2,000 + 50 > 12,000). The
    cap is worth 2,000 x 40,000 = 80,000,000 and the network 500,000: the model raises the cap
    and commits nothing: deficit 10,000,000 - 100,000,000 - 80,000,000 = -170,000,000."""
    r = solved(tmp_path, caps({"b": maker(10_000, reservation_share=100)}, exports=10_000, ceiling=12_000))
    assert cap_lever(r).choice == "at most 20,000 vehicles per maker"
    assert r.metric("deficit").deal == pytest.approx(-170_000_000, rel=1e-9)
    assert sum(lv.value for lv in r.levers if lv.name == "commitment") == pytest.approx(0, abs=1e-6)
    ceiling = next(c for c in r.constraints if c.name == "buyer_ceiling[car]")
    assert (ceiling.lhs, ceiling.rhs) == (pytest.approx(12_000), pytest.approx(12_000))


def test_a_maker_with_no_sales_responds_with_zero_unless_it_states_a_reservation_share(tmp_path):
    """Z sold nothing under today's 10,000 cap: its demand is zero, so no cap moves it. Y sold
    nothing because today's cap is 0 (home standards not accepted): with a 10% reservation share
    of the 30,000 ceiling its buyers take 3,000 once the cap is 5,000 (3,000 x 40,000 =
    120,000,000 off the deficit)."""
    r = solved(tmp_path, caps({"z": maker(0)}, exports=0, fixed=20_000))
    assert r.metric("exports_units").deal == pytest.approx(50, rel=1e-9)
    assert r.metric("deficit").deal == pytest.approx(10_000_000 - 500_000, rel=1e-9)
    r = solved(tmp_path, caps({"y": maker(0, reservation_share=10)}, base=0, levels=(0, 5_000), exports=0))
    assert cap_lever(r).choice == "at most 5,000 vehicles per maker"
    assert r.metric("exports_units").deal == pytest.approx(3_050, rel=1e-9)
    assert r.metric("deficit").deal == pytest.approx(10_000_000 - 500_000 - 120_000_000, rel=1e-9)


@pytest.mark.parametrize("spec, field, message", [
    (caps({"a": maker(12_000)}, exports=12_000), "maker_caps.std.makers.a.sales",
     "12,000 vehicles is above the calibration-year cap of 10,000 per maker"),
    (caps({"a": maker(8_000, demand=9_000, reservation_share=10)}), "maker_caps.std.makers.a.reservation_share",
     "not both"),
    (caps({"a": maker(8_000, demand=5_000)}), "maker_caps.std.makers.a.demand",
     "gives a demand of 5,000 vehicles, below its calibration-year sales of 8,000"),
    (caps({"a": maker(0, reservation_share=10)}, exports=0), "maker_caps.std.makers.a.reservation_share",
     "a demand of 3,000 vehicles under the calibration-year cap of 10,000 would sell 3,000, but its sales were 0"),
    (caps({"a": maker(8_000)}, exports=5_000), "maker_caps.std.makers",
     "the capped makers' sales in segment 'car' (8,000) exceed its exports (5,000)"),
    (caps({"a": {**maker(8_000), "segment": "cars"}}), "maker_caps.std.makers.a.segment", "unknown segment 'cars'"),
    (caps({"a": maker(8_000)}, fixed=30_000), "fixed_levers.maker_cap.std",
     "30,000 vehicles is not one of the program's cap levels"),
    ({**caps({"a": maker(8_000)}), "fixed_levers": {"maker_cap": {"std": "cap_3"}}}, "fixed_levers.maker_cap.std",
     "'cap_3' is not a cap level of program 'std'"),
    ({**caps({"a": maker(8_000)}), "fixed_levers": {"maker_cap": {"other": q(5_000, "vehicles")}}},
     "fixed_levers.maker_cap.other", "unknown cap program 'other'"),
])
def test_bad_input_is_refused_with_its_field(tmp_path, spec, field, message):
    with pytest.raises(InstanceErrors) as info:
        tiny(tmp_path, spec)
    text = str(info.value)
    assert f"{field}: " in text and message in text, text


def test_the_korus_instance_doubling_the_cap_is_worth_nothing_and_a_cut_would_cost_ford(tmp_path):
    """instances/korus_2018_caps.yaml: no US maker came near 25,000 (Ford, the largest, sold
    10,737), so the 50,000 cap of the 2018 amendment leaves the deficit at 2017's
    450,000 x 17,000 + 400,000 x 20,000 - (18,557 x 45,000 + 30,000 x 50,000) = $13.315 bn. The
    hypothetical 10,000 cap would cut Ford by 737 vehicles at $40,000: +$29.48 M (a deal the US
    would not sign: with participation on, fixing it is infeasible)."""
    path = ROOT / "instances" / "korus_2018_caps.yaml"
    r = solve_instance(load(path))
    assert r.status == "optimal" and r.verification.ok
    deficit = 450_000 * 17_000 + 400_000 * 20_000 - (18_557 * 45_000 + 30_000 * 50_000)
    assert deficit == 13_314_935_000
    assert (r.metric("deficit").deal, r.metric("deficit").no_deal) == (pytest.approx(deficit), pytest.approx(deficit))
    assert cap_lever(r).choice == "at most 50,000 vehicles per maker" and cap_lever(r).fixed
    data = yaml.safe_load(path.read_text())
    data["fixed_levers"]["maker_cap"]["us_standards"]["value"] = 10_000
    data["settings"]["participation"] = False       # the cut leaves the US worse off than no deal
    (tmp_path / "cut.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    cut = solve_instance(load(tmp_path / "cut.yaml"))
    assert cut.status == "optimal" and cut.verification.ok
    assert cut.metric("deficit").deal - deficit == pytest.approx(737 * 40_000)
    # The README's instance table and docs/model.md state these figures.
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `korus_2018_caps`"))
    assert row.endswith(f"| ${r.metric('deficit').deal / 1e9:.2f} bn |") and "worth $0" in row
    model_doc = (ROOT / "docs" / "model.md").read_text()
    assert f"the deficit stays ${deficit / 1e9:.2f} bn and the doubling is worth $0" in model_doc
    assert f"cut Ford's sales by 737 (${737 * 40_000 / 1e6:.2f} M a year more deficit)" in model_doc


def test_the_family_module_imports_nothing_above_the_data_layer():
    code = ("import json, sys; import model.data.families.maker_cap; "
            "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules if m.startswith('model.')})))")
    layers = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                       cwd=ROOT).stdout)
    assert set(layers) <= {"data", "errors"}, layers


@pytest.mark.parametrize("makers, exports, ceiling", [
    ({"b": maker(10_000, reservation_share=100)}, 10_000, 12_000),       # the ceiling binds: -170,000,000
    ({"a": maker(8_000)}, 8_000, 30_000),                                # every level alike: -70,500,000
])
def test_the_linopy_restatement_reaches_the_same_optimum(tmp_path, makers, exports, ceiling):
    linopy_model = pytest.importorskip("linopy_model", reason="linopy not installed: pip install -e '.[test]'")
    inst = tiny(tmp_path, caps(makers, exports=exports, ceiling=ceiling))
    m, info = linopy_model.build_linopy(inst)
    status, objective = linopy_model.solve_linopy(m, info)
    assert objective is not None, status
    assert objective * 1e6 == pytest.approx(solve_instance(inst).metric("deficit").deal, rel=1e-9)


ARMINGTON = {
    "segments": {
        "car": {"substitution_elasticity": q(3, "1"), "home_sales": q(1_000, "vehicles"),
                "home_price": q(10_000, "USD/vehicle"), "home_substitution": None},
        "truck": {"substitution_elasticity": q(3, "1"), "home_sales": q(1_000, "vehicles"),
                  "home_price": q(20_000, "USD/vehicle"), "home_substitution": None},
    },
    "third_countries": {"korea": {"label": "Korea", "tariff": q(0, "%"), "base_tariff": q(0, "%"),
                                  "pass_through": q(1, "fraction"), "exports_value": q(0, "USD"),
                                  "segments": {"car": {"imports": q(500, "vehicles"),
                                                       "import_price": q(10_000, "USD/vehicle")},
                                               "truck": {"imports": q(50, "vehicles"),
                                                         "import_price": q(20_000, "USD/vehicle")}}}},
}


@pytest.mark.parametrize("form", ["constant_elasticity", "linear"])
@pytest.mark.parametrize("armington", [False, True], ids=["one_partner", "armington"])
def test_a_line_with_no_trade_is_accepted_and_responds_with_zero(tmp_path, form, armington):
    """Trucks: no imports from the partner in the calibration year. Every tariff option leaves
    them at zero (no value, duty, margin or buyers' cost), in the single equation and in the
    Armington nest (CES or SMART's linear system), where Korea's 50 trucks and home
    producers' 1,000 do not move either, whatever the tariff on the partner. The deal is
    then the cars' alone: 20% leaves 1,000 / 1.2 cars in the one-partner form."""
    spec = {"settings": {"response": form}, "segments": {"truck": {"imports": q(0, "vehicles")}}}
    if armington:
        spec = merge(ARMINGTON, spec)        # keeps the None that removes home_substitution
    inst = tiny(tmp_path, spec)
    table = option_table(inst)
    trucks = [table["truck", o.name] for o in inst.line_options("truck")]
    assert len(trucks) == 3
    for out in trucks:
        assert (out.imports, out.imports_value, out.duty, out.export_margin, out.buyer_cost) == (0, 0, 0, 0, 0)
        if armington:
            assert out.third_imports["korea"] == pytest.approx(50, rel=1e-12)
            assert out.home_gain == pytest.approx(0, abs=1e-9)
    r = solve_instance(inst)
    assert r.status == "optimal" and r.verification.ok
    if not armington and form == "constant_elasticity":
        assert r.metric("imports_units").deal == pytest.approx(1_000 / 1.2, rel=1e-9)


def test_a_sweep_over_a_maker_s_reservation_share_re_solves_the_one_model(tmp_path):
    """`sweep --param maker_caps.std.makers.b.reservation_share=50,40` (%): at the 20,000 cap B
    sells 15,000 then 12,000, so the deficit moves by 3,000 x 40,000 = 120,000,000."""
    inst = tiny(tmp_path, caps({"b": maker(10_000, reservation_share=50)}, exports=10_000))
    result = run_sweep(inst, Plan(params=(("maker_caps.std.makers.b.reservation_share", (50.0, 40.0)),)),
                       progress=False)
    high, low = result.rows
    assert all(row["status"] == "optimal" and row["verified"] for row in result.rows)
    assert high["levers"]["maker_cap.std"] == low["levers"]["maker_cap.std"] == "cap_20000"
    assert low["metrics"]["deficit"] - high["metrics"]["deficit"] == pytest.approx(120_000_000, rel=1e-9)
