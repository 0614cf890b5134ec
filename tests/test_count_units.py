"""Volumes in different count units never add up: totals sum the headline unit's segments only.

Two segments, worked by hand: cars counted in vehicles and auto parts counted in USD (a unit is a
dollar of parts at calibration-year prices). The headline unit is the unit most segments share, the
first segment's among equals: here 'vehicles'.

- cars: 1,000 imported at USD 10,000, 0% in the calibration year, elasticity -1, full pass-through;
  40 exported at USD 10,000; a dealer network may take 30 more.
- parts: USD 1,000,000 imported at 2.5%, elasticity -1, full pass-through; USD 200,000 exported;
  home producers make up half the parts imports lost (home_substitution 0.5).
- Acme shifts 100 cars to its home plants; each carries 10% partner content (USD 1,000 of parts)
  imported on the parts line.
- Jobs: 2 a vehicle built at home, 3 a vehicle no longer built in the partner country.

The deal: cars at 10%, parts at 25%, 30 cars through the dealers, Acme's 100 cars shifted.
- cars imported: 1,000 / 1.1 = 909.09, less the 100 shifted: 809.09 vehicles;
- parts imported: 1,000,000 x 1.025 / 1.25 = 820,000, plus 100 x 1,000 = 100,000: USD 920,000
  (imports_units[parts], in USD), which imports_units leaves out;
- imports value: 809.09 x 10,000 + 920,000 = 9,010,909;
- exports: 40 + 30 = 70 vehicles; exports value 700,000 + 200,000 (parts) = 900,000;
- home production: 30 (dealers) + 100 (shifted) = 130 vehicles (the parts' USD 90,000 of home
  substitute production is not vehicles); partner production loss: 90.91 + 100 = 190.91 vehicles;
- jobs: home 2 x 130 = 260, partner -3 x 190.91 = -572.73.
"""
from __future__ import annotations

import pytest
from tiny import q, segment, tiny

from model.data.catalogue import metric_label, metric_unit
from model.data.instance import Deal
from model.economics.metrics import evaluate
from model.run import solve_instance

CARS_IN = 1000 / 1.1 - 100                      # 809.09 vehicles
PARTS_IN = 1_000_000 * 1.025 / 1.25 + 100_000   # USD 920,000 of parts
LOST = 1000 - CARS_IN                           # 190.91 vehicles


def parts() -> dict:
    seg = segment(1_000_000, 1, tariff_menu="parts", base=2.5, label="auto parts", substitution=0.5)
    seg.update(unit="USD", imports=q(1_000_000, "USD"), exports=q(200_000, "USD"), partner_ceiling=q(200_000, "USD"),
               import_price=q(1, "USD/USD"), export_price=q(1, "USD/USD"), partner_margin=q(0.1, "USD/USD"))
    return seg


def overrides() -> dict:
    return {
        "segments": {"truck": None, "car": segment(1000, 10000, label="cars", exports=40, ceiling=100),
                     "parts": parts()},
        "tariff_menus": {"parts": {"flat": {"floor": q(0, "%"), "ceiling": q(25, "%"), "step": q(25, "%")}}},
        "no_deal": {"tariff": {"cars": q(20, "%"), "parts": q(25, "%")}},
        "makers": {"acme": {"label": "Acme", "spare_capacity": q(100, "vehicles"), "segments": ["car"],
                            "partner_content": q(10, "%"), "parts_segment": "parts"}},
        "jobs_per_unit": {"home": q(2, "jobs/vehicle"), "partner": q(3, "jobs/vehicle")},
    }


DEAL = Deal(tariff={"car": "flat_10", "parts": "flat_25"}, commitments={("dealers", "car"): 30.0},
            shift={("acme", "car"): 100.0})


def test_volume_totals_are_the_cars_alone_and_value_totals_include_the_parts(tmp_path):
    inst = tiny(tmp_path, overrides())
    assert inst.quantity_unit == "vehicles" and inst.uncounted == ("parts",)
    v = evaluate(inst, DEAL)
    assert v["imports_units"] == pytest.approx(CARS_IN)
    assert v["imports_units[parts]"] == pytest.approx(PARTS_IN)
    assert v["imports_value"] == pytest.approx(CARS_IN * 10_000 + PARTS_IN)
    assert v["exports_units"] == pytest.approx(70)
    assert v["exports_value"] == pytest.approx(700_000 + 200_000)
    assert v["home_production_gain"] == pytest.approx(130)
    assert v["partner_production_loss"] == pytest.approx(LOST)
    assert v["home_jobs"] == pytest.approx(260)
    assert v["partner_jobs"] == pytest.approx(-3 * LOST)
    assert v["sector_deficit"] == pytest.approx(CARS_IN * 10_000 + PARTS_IN - 900_000)


def test_the_calibration_year_counts_vehicles(tmp_path):
    base = evaluate(tiny(tmp_path, overrides()), None)
    assert base["imports_units"] == pytest.approx(1000)
    assert base["imports_units[parts]"] == pytest.approx(1_000_000)
    assert base["exports_units"] == pytest.approx(40)
    assert base["imports_value"] == pytest.approx(10_000_000 + 1_000_000)


def test_labels_and_units_say_vehicles_for_the_totals_and_usd_for_the_parts(tmp_path):
    inst = tiny(tmp_path, overrides())
    assert metric_unit(inst, "imports_units") == "vehicles"
    assert metric_unit(inst, "exports_units") == "vehicles"
    assert metric_unit(inst, "home_production_gain") == "vehicles"
    assert metric_unit(inst, "imports_units[parts]") == "USD"
    assert metric_label(inst, "imports_units") == "vehicles imported from the partner"
    assert "auto parts" in metric_label(inst, "imports_units[parts]")
    # Values cover every line, parts included, and say so.
    assert metric_label(inst, "imports_value") == "value of vehicles and auto parts imported from the partner"
    assert metric_unit(inst, "imports_value") == "USD"


def test_the_solver_and_the_report_agree(tmp_path):
    """Solved (cars free, parts free): the verification re-evaluates every metric, the parts' own
    included, in plain Python; the report gives the totals in vehicles and the parts in USD."""
    r = solve_instance(tiny(tmp_path, overrides()), concessions=False)
    assert r.status == "optimal" and r.verification.ok
    assert r.metric("imports_units").unit == "vehicles"
    assert r.metric("imports_units[parts]").unit == "USD"
    cars = r.metric("imports_units").deal
    assert cars < 1000 and r.metric("imports_units[parts]").deal > 100_000


@pytest.mark.parametrize("variant", ["plain", "buyers", "korea", "parts_maker"])
def test_the_models_expressions_equal_the_plain_python(tmp_path, variant):
    """Every metric as the MILP states it equals the plain Python at its solution, with and without
    a commitment on the parts line, and with a third country selling parts."""
    from model.optimization.handle import NegotiationModel
    inst = tiny(tmp_path, {"plain": overrides, "buyers": with_parts_buyers, "korea": with_korea,
                           "parts_maker": with_parts_maker}[variant]())
    model = NegotiationModel(inst)
    solution = model.solve()
    deal, _ = model.read(solution.x, threshold=0.0)
    plain = evaluate(inst, deal, model.table)
    assert "imports_units[parts]" in model.m.METRICS
    for name in model.m.METRICS:
        assert model.value(name, solution) == pytest.approx(plain[name], rel=1e-6, abs=1e-6 * model.scale(name)), name


def test_a_segment_in_the_minority_unit_is_the_one_left_out(tmp_path):
    """Parts first and two vehicle segments: the headline unit is the one most segments share."""
    over = overrides()
    over["segments"] = {"parts": parts(), "car": segment(1000, 10000, label="cars"),
                        "truck": segment(100, 20000, label="trucks")}
    inst = tiny(tmp_path, over)
    assert inst.quantity_unit == "vehicles" and inst.uncounted == ("parts",)
    assert evaluate(inst, None)["imports_units"] == pytest.approx(1100)


def with_parts_buyers() -> dict:
    """overrides() plus a partner network that may buy up to USD 100,000 of home-made parts."""
    over = overrides()
    over["segments"]["parts"]["partner_ceiling"] = q(300_000, "USD")
    over["channels"] = {"dealers": {"label": "partner dealers", "capacity": q(50, "vehicles"),
                                    "unit_value": {"car": q(10000, "USD/vehicle")}, "dealer_margin": q(0, "USD/vehicle")},
                        "parts_buyers": {"label": "partner parts buyers", "capacity": q(100_000, "USD"),
                                         "unit_value": {"parts": q(1, "USD/USD")}, "dealer_margin": q(0, "USD/USD")}}
    return over


def test_a_commitment_on_the_parts_line_moves_values_not_vehicles(tmp_path):
    """A dealer network that imports USD 50,000 of home-made parts: exports_value +50,000, every
    count total as before (the parts are dollars, not vehicles)."""
    inst = tiny(tmp_path, with_parts_buyers())
    base = evaluate(inst, DEAL)
    more = evaluate(inst, Deal(tariff={"car": "flat_10", "parts": "flat_25"}, shift={("acme", "car"): 100.0},
                               commitments={("dealers", "car"): 30.0, ("parts_buyers", "parts"): 50_000.0}))
    assert more["exports_value"] - base["exports_value"] == pytest.approx(50_000)
    for name in ("exports_units", "home_production_gain", "partner_production_loss", "home_jobs", "partner_jobs"):
        assert more[name] == pytest.approx(base[name]), name


def with_korea() -> dict:
    """overrides() with the parts an Armington composite of the partner's and Korea's."""
    over = overrides()
    over["segments"]["parts"].update(elasticity=q(-1, "1"), substitution_elasticity=q(2, "1"), home_substitution=None)
    over["third_countries"] = {"korea": {"label": "Korea", "tariff": q(2.5, "%"), "base_tariff": q(2.5, "%"),
                                         "segments": {"parts": {"imports": q(1_000_000, "USD"),
                                                                "import_price": q(1, "USD/USD")}}}}
    return over


def with_parts_maker() -> dict:
    """overrides() plus a partner parts maker that may move USD 50,000 of its parts output to home plants."""
    over = overrides()
    over["makers"]["beta"] = {"label": "Beta", "spare_capacity": q(50_000, "USD"), "segments": ["parts"]}
    return over


def test_parts_moved_to_home_plants_are_not_vehicles(tmp_path):
    """Beta moves USD 50,000 of parts output to home plants: the parts' imports (their own metric, in
    USD) fall by it, the home and partner production totals (vehicles) do not move."""
    inst = tiny(tmp_path, with_parts_maker())
    at = {"tariff": {"car": "flat_10", "parts": "flat_25"}}
    before = evaluate(inst, Deal(**at))
    after = evaluate(inst, Deal(**at, shift={("beta", "parts"): 50_000.0}))
    assert after["imports_units[parts]"] - before["imports_units[parts]"] == pytest.approx(-50_000)
    for name in ("imports_units", "home_production_gain", "partner_production_loss", "home_jobs", "partner_jobs"):
        assert after[name] == pytest.approx(before[name]), name


def test_a_third_country_selling_parts_adds_dollars_not_vehicles(tmp_path):
    """Parts as an Armington composite of the partner's and Korea's (USD 1,000,000 each at USD 1,
    sigma 2, eta -1, full pass-through). Parts at 25% instead of 2.5% divert parts to Korea: its
    value rises, while third_imports_units (vehicles: the cars have no third supplier) stays 0."""
    inst = tiny(tmp_path, with_korea())
    low = evaluate(inst, Deal(tariff={"car": "flat_10", "parts": "flat_0"}))
    high = evaluate(inst, Deal(tariff={"car": "flat_10", "parts": "flat_25"}))
    assert high["third_imports_value[korea]"] > low["third_imports_value[korea]"] > 0
    assert high["third_imports_value"] - low["third_imports_value"] == pytest.approx(
        high["third_imports_value[korea]"] - low["third_imports_value[korea]"])
    for v in (low, high):
        assert v["third_imports_units"] == 0 and v["third_imports_units[korea]"] == 0
        assert v["imports_units"] == pytest.approx(1000 / 1.1)
    assert high["imports_units[parts]"] < low["imports_units[parts]"]
