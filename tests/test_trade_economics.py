"""The second round of economics, on tiny instances worked out by hand.

Common data (tests/tiny.py): cars M0 = 1,000 at P = $10,000, trucks M0 = 100 at $20,000;
calibration tariff 0%, elasticity -1, full pass-through: at tariff t imports are
M0 / (1 + t) and the customs value stays P. Menu {0%, 10%, 20%}, split per segment unless a
test pools it; no deal 20%; participation off.
  cars:   0% 10,000,000   10% 9,090,909.09   20% 8,333,333.33
  trucks: 0%  2,000,000   10% 1,818,181.82   20% 1,666,666.67
"""
from __future__ import annotations

import pytest
from tiny import q, tiny, write

from model.data.instance import TariffOption
from model.economics.loading import load
from model.economics.responses import line_outcomes, option_outcome
from model.errors import InstanceErrors
from model.run import solve_instance

CAR = {0: 10_000_000.0, 10: 1e7 / 1.1, 20: 1e7 / 1.2}
TRUCK = {0: 2_000_000.0, 10: 2e6 / 1.1, 20: 2e6 / 1.2}
POOLED = {"tariff_menus": {"cars": {"split": False}}}


def quota(q_units, ti, to, holder="government"):
    return TariffOption(name="q", label="", rate=to, quota=q_units, in_quota_rate=ti, rent_holder=holder)


def both(tmp_path, overrides=None):
    inst = tiny(tmp_path, {**POOLED, **(overrides or {})})
    return [inst.segments["car"], inst.segments["truck"]]


# -- pooled quotas ------------------------------------------------------------------------
def test_pooled_quota_binds_with_one_tariff_equivalent(tmp_path):
    """Q = 1,000 over both segments, 0% in, 20% out: at 0% buyers want 1,100, at 20% 916.67,
    so the quota binds at the tau with 1,100 / (1 + tau) = 1,000: tau = 10%. Cars 909.09,
    trucks 90.91; the government's rent is tau x value: 0.1 x (9,090,909 + 1,818,182)."""
    out = line_outcomes(both(tmp_path), quota(1000, 0.0, 0.2), "constant_elasticity")
    car, truck = out["car"], out["truck"]
    assert car.effective_tariff == pytest.approx(0.1) and truck.effective_tariff == pytest.approx(0.1)
    assert car.imports + truck.imports == pytest.approx(1000.0)
    assert car.imports == pytest.approx(1000 / 1.1) and truck.imports == pytest.approx(100 / 1.1)
    assert car.quota_rent + truck.quota_rent == pytest.approx(0.1 * (CAR[10] + TRUCK[10]))
    assert car.duty == 0.0 and car.quota_binds


def test_pooled_quota_slack_at_the_out_of_quota_rate(tmp_path):
    """Q = 500: at 20% buyers want 916.67 > 500, so every marginal unit pays 20%; the 500
    in-quota units are shared in proportion (cars 454.55, trucks 45.45), rent 0.2 x P on them."""
    out = line_outcomes(both(tmp_path), quota(500, 0.0, 0.2), "constant_elasticity")
    car, truck = out["car"], out["truck"]
    assert car.imports == pytest.approx(1000 / 1.2) and truck.imports == pytest.approx(100 / 1.2)
    assert car.quota_rent == pytest.approx(0.2 * 10_000 * 500 * 1000 / 1100)
    assert truck.quota_rent == pytest.approx(0.2 * 20_000 * 500 * 100 / 1100)
    assert car.duty == pytest.approx(0.2 * 10_000 * (1000 / 1.2 - 500 * 1000 / 1100))


def test_pooled_quota_not_filled(tmp_path):
    """Q = 2,000: at 0% buyers want only 1,100: all in quota, no rent, 55% filled."""
    inst = tiny(tmp_path, {**POOLED, "tariff_menus": {"cars": {"split": False, "quotas": {"big": {
        "quota": q(2000, "vehicles"), "in_quota": q(0, "%"), "out_of_quota": q(20, "%")}}}},
        "fixed_levers": {"tariff": {"cars": "big"}}})
    r = solve_instance(inst)
    assert r.verification.ok
    (summary,) = r.quotas
    assert summary.imports == pytest.approx(1100.0) and summary.rent == pytest.approx(0.0)
    assert summary.imports / summary.quota == pytest.approx(0.55)
    assert r.metric("deficit").deal == pytest.approx(CAR[0] + TRUCK[0])


@pytest.mark.parametrize("holder", ["government", "home_importers", "exporters"])
def test_rent_goes_to_its_holder(tmp_path, holder):
    """The binding Q = 1,000 quota, fixed: rent 0.1 x 10,909,090.91 = 1,090,909.09. The government
    counts it as (licence) revenue; home importers hold it as their own metric; exporters charge
    it, so the import value (and the deficit) rise by it and so does the partner's margin."""
    rent = 0.1 * (CAR[10] + TRUCK[10])
    inst = tiny(tmp_path, {"tariff_menus": {"cars": {"split": False, "quotas": {"q1000": {
        "quota": q(1000, "vehicles"), "in_quota": q(0, "%"), "out_of_quota": q(20, "%"),
        "rent_holder": holder}}}}, "fixed_levers": {"tariff": {"cars": "q1000"}}})
    r = solve_instance(inst)
    assert r.verification.ok
    m = {row.name: row.deal for row in r.metrics}
    (summary,) = r.quotas
    assert summary.rent == pytest.approx(rent) and summary.tariff_equivalent == pytest.approx(0.1)
    assert summary.rent_holder == holder and summary.binds
    margin_without_rent = 1000 / 1.1 * 1000 + 100 / 1.1 * 1000
    if holder == "government":
        assert m["tariff_revenue"] == pytest.approx(rent) and m["home_importer_rent"] == 0
        assert m["deficit"] == pytest.approx(CAR[10] + TRUCK[10])
    elif holder == "home_importers":
        assert m["tariff_revenue"] == pytest.approx(0.0) and m["home_importer_rent"] == pytest.approx(rent)
    else:
        assert m["deficit"] == pytest.approx(CAR[10] + TRUCK[10] + rent)
        assert m["partner_export_margin"] == pytest.approx(margin_without_rent + rent)


def test_export_restraint(tmp_path):
    """A restraint of 800 a year over both segments, no tariff (calibration 0%): buyers want 1,100
    at 0%, so the tariff equivalent is 1,100 / 800 - 1 = 37.5%: cars 727.27, trucks 72.73. The
    exporters charge the rent: cars enter at 10,000 x 1.375, trucks at 20,000 x 1.375, so the
    import value stays 12,000,000 (elasticity -1) and the rent is 0.375 x (7,272,727 + 1,454,545)."""
    inst = tiny(tmp_path, {"tariff_menus": {"cars": {"split": False, "export_restraints": {
        "ver": {"label": "export restraint of 800 a year", "quota": q(800, "vehicles")}}}},
        "fixed_levers": {"tariff": {"cars": "ver"}}})
    r = solve_instance(inst)
    assert r.verification.ok
    (summary,) = r.quotas
    assert summary.kind == "export restraint" and summary.rent_holder == "exporters"
    assert summary.tariff_equivalent == pytest.approx(0.375)
    assert summary.imports == pytest.approx(800.0)
    assert summary.rent == pytest.approx(0.375 * (1000 / 1.375 * 10_000 + 100 / 1.375 * 20_000))
    assert r.metric("imports_value").deal == pytest.approx(12_000_000.0)
    assert r.metric("tariff_revenue").deal == pytest.approx(0.0)


# -- tariff lines --------------------------------------------------------------------------
def test_one_tariff_line_over_two_segments(tmp_path):
    """A red line keeps trucks at 10% at most. Split per segment the deal is cars 20%, trucks 10%:
    8,333,333.33 + 1,818,181.82; as one legislated line both pay 10%: 9,090,909.09 + 1,818,181.82."""
    cap = {"red_lines": {"truck_cap": {"party": "partner", "label": "trucks at most 10%", "reason": "test",
                                       "metric": "tariff_rate", "segments": ["truck"], "sense": "<=",
                                       "bound": q(10, "%")}}}
    split = solve_instance(tiny(tmp_path, cap))
    assert split.metric("deficit").deal == pytest.approx(CAR[20] + TRUCK[10])
    pooled = solve_instance(tiny(tmp_path, {**cap, **POOLED}))
    assert pooled.metric("deficit").deal == pytest.approx(CAR[10] + TRUCK[10])
    (lever,) = [lv for lv in pooled.levers if lv.name == "tariff"]
    assert lever.index == "cars" and lever.choice == "flat 10.0%"


def test_a_segment_on_a_pooled_line_cannot_get_its_own_tariff(tmp_path):
    path = write(tmp_path, {**POOLED, "fixed_levers": {"tariff": {"car": q(10, "%"), "truck": q(20, "%")}}})
    with pytest.raises(InstanceErrors, match="one option applies to the whole line"):
        load(path)


# -- the partner's tariffs -----------------------------------------------------------------
PARTNER = {
    "partner_tariff_menus": {"jp_cars": {"label": "cars", "flat": {"floor": q(0, "%"), "ceiling": q(10, "%"),
                                                                   "step": q(10, "%")}}},
    "segments": {"car": {"exports": q(100, "vehicles"), "partner_ceiling": q(150, "vehicles"),
                         "partner_tariff_menu": "jp_cars", "partner_base_tariff": q(10, "%"),
                         "export_elasticity": q(-2, "1"), "export_pass_through": q(100, "%")}},
    "no_deal": {"tariff": {"cars": q(20, "%")}, "partner_tariff": {"jp_cars": q(10, "%")}},
}


def test_partner_tariff_cut_raises_home_exports(tmp_path):
    """The partner's 10% on 100 home-made cars ($10,000 each), export elasticity -2: cut to 0%,
    exports become 100 x (1 / 1.1)^-2 = 121 and the buyers' ceiling 150 x 1.21 = 181.5. The
    dealers' 50 (their capacity) fit either way. Deficit: 10,000,000 - 121 x 10,000 - 50 x 10,000
    = 8,290,000; keeping 10% would give 10,000,000 - 1,000,000 - 500,000 = 8,500,000."""
    r = solve_instance(tiny(tmp_path, PARTNER))
    assert r.verification.ok
    assert r.metric("deficit").deal == pytest.approx(8_290_000.0)
    assert r.metric("exports_units").deal == pytest.approx(171.0)
    (lever,) = [lv for lv in r.levers if lv.name == "partner_tariff"]
    assert lever.party == "partner" and lever.value == pytest.approx(0.0)
    kept = solve_instance(tiny(tmp_path, {**PARTNER, "fixed_levers": {"partner_tariff": {"jp_cars": q(10, "%")}}}))
    assert kept.metric("deficit").deal == pytest.approx(8_500_000.0)
    assert r.metric("partner_tariff_revenue").no_deal == pytest.approx(0.1 * 100 * 10_000)


def test_the_partner_tariff_scales_the_buyers_ceiling(tmp_path):
    """With the dealers' capacity unlimited the ceiling binds: at 0% buyers take 181.5 home-made
    cars in all, 121 of them today's exports, so commitments are 60.5."""
    r = solve_instance(tiny(tmp_path, {**PARTNER, "channels": {"dealers": {"capacity": "unlimited"}}}))
    assert r.verification.ok
    commitment = next(lv for lv in r.levers if lv.name == "commitment")
    assert commitment.value == pytest.approx(60.5)


# -- purchases, red lines, absorption, production shifts -----------------------------------
def test_only_the_additional_share_of_purchases_lowers_the_deficit(tmp_path):
    """10 aircraft at $1,000,000, 30% additional: the deficit falls by 3,000,000 (to 7,000,000);
    the negotiated goods' balance stays 10,000,000 and the gross purchases are 10,000,000."""
    r = solve_instance(tiny(tmp_path, {"goods": {"jet": {
        "label": "aircraft", "unit": "aircraft", "unit_value": q(1, "USD million/aircraft"),
        "max_units": q(10, "aircraft"), "political_cost": q(0, "USD/aircraft"),
        "additional_share": q(30, "%")}}}))
    m = {row.name: row.deal for row in r.metrics}
    assert m["deficit"] == pytest.approx(7_000_000.0)
    assert m["sector_deficit"] == pytest.approx(CAR[20] + TRUCK[20])
    assert m["purchases_gross_value"] == pytest.approx(10_000_000.0)
    assert not any("additional_share" in w for w in r.warnings)


def test_a_relative_red_line_on_a_negative_reference_is_rejected(tmp_path):
    """Home exports of 2,000 cars at $10,000 exceed imports (12,000,000 at 0%): the baseline
    deficit is -8,000,000, and 90% of it would be a looser bound, not a tighter one."""
    path = write(tmp_path, {
        "segments": {"car": {"exports": q(2000, "vehicles"), "partner_ceiling": q(2000, "vehicles")}},
        "red_lines": {"cap": {"party": "home", "label": "deficit cap", "reason": "test", "metric": "deficit",
                              "sense": "<=", "bound": q(90, "%"), "relative_to": "baseline"}}})
    with pytest.raises(InstanceErrors) as err:
        load(path)
    text = str(err.value)
    assert "red_lines.cap.relative_to" in text and "negative" in text


def test_absorption_is_bounded_by_the_margin(tmp_path):
    """Pass-through 10%, margin $500 a car, 20% tariff: nominally buyers' price rises 2%, so the
    customs value would fall to 10,000 x 1.02 / 1.2 = 8,500 (absorbing 1,500 > 500). The exporter
    absorbs at most its margin: customs value 9,500, buyers pay 9,500 x 1.2 = 11,400 (b = 1.14,
    pass-through 70%), imports 1,000 / 1.14, and the margin per car is 0."""
    car = tiny(tmp_path, {"segments": {"car": {"pass_through": q(10, "%"),
                                               "partner_margin": q(500, "USD/vehicle")}}}).segments["car"]
    out = option_outcome(car, TariffOption(name="t", label="", rate=0.2), "constant_elasticity")
    assert out.unit_value == pytest.approx(9_500.0)
    assert out.buyer_price_factor == pytest.approx(1.14)
    assert out.imports == pytest.approx(1000 / 1.14)
    assert out.pass_through == pytest.approx(0.7)
    assert out.export_margin == pytest.approx(0.0, abs=1e-6)
    gentle = option_outcome(car, TariffOption(name="t", label="", rate=0.02), "constant_elasticity")
    assert gentle.pass_through == pytest.approx(0.1)      # 10,000 x 1.002 / 1.02 = 9,823.5: within the margin


@pytest.mark.parametrize("plant_margin, shifted", [(3000, 100.0), (500, 0.0)])
def test_a_production_shift_can_be_the_partners_own_choice(tmp_path, plant_margin, shifted):
    """The partner maximizes its own payoff (export margin + plant margin). A car moved to the
    maker's home-country plant loses its export margin ($1,000 at full pass-through) and earns the
    plant margin: with $3,000 the partner shifts all 100 it can; with $500 it shifts none."""
    r = solve_instance(tiny(tmp_path, {
        "makers": {"maker": {"label": "maker", "spare_capacity": q(100, "vehicles"), "segments": ["car"],
                             "home_plant_margin": q(plant_margin, "USD/vehicle")}},
        "payoffs": {"partner": {"partner_export_margin": q(1, "1"), "partner_plant_margin": q(1, "1")}},
        "settings": {"participation": False, "objective": "weighted",
                     "objective_weights": {"partner_payoff": 1}}}))
    assert r.verification.ok
    shift = next(lv for lv in r.levers if lv.name == "production_shift")
    assert shift.value == pytest.approx(shifted, abs=1e-6)


# -- solver noise and other products -----------------------------------------------------------
def test_amounts_below_the_noise_threshold_read_as_zero(tmp_path):
    from model.data.levers import families
    from model.optimization.build import read_deal
    inst = tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    values = {"tariff_choice": {("car", "flat_20"): 1.0, ("truck", "flat_20"): 1.0},
              "commitment": {("dealers", "car"): 0.0003}}       # thousand vehicles: 0.3 vehicles
    deal, _ = read_deal(inst, families(), lambda name: values.get(name, {}))
    assert deal.values("commitments")[("dealers", "car")] == 0.0
    values["commitment"][("dealers", "car")] = 0.0006
    deal, _ = read_deal(inst, families(), lambda name: values.get(name, {}))
    assert deal.values("commitments")[("dealers", "car")] == pytest.approx(0.6)


def test_any_product_counted_in_its_own_unit(tmp_path):
    """The tiny negotiation restated as steel in tonnes (same numbers) gives the same deal, and
    its quantities are reported in tonnes."""
    def tonnes(overrides):
        out = {"segments": {}, "channels": {"dealers": {"capacity": q(50, "tonne"),
                                                        "unit_value": {"car": q(10000, "USD/tonne")},
                                                        "dealer_margin": q(0, "USD/tonne")}}}
        for s, price in (("car", 10000), ("truck", 20000)):
            out["segments"][s] = {"unit": "tonne", "imports": q(1000 if s == "car" else 100, "tonne"),
                                  "import_price": q(price, "USD/tonne"), "exports": q(0, "tonne"),
                                  "export_price": q(10000, "USD/tonne"), "partner_ceiling": q(30, "tonne"),
                                  "partner_margin": q(1000, "USD/tonne")}
        return out
    steel = solve_instance(tiny(tmp_path, tonnes({})))
    cars = solve_instance(tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")},
                                                       "truck": {"partner_ceiling": q(30, "vehicles")}}}))
    assert steel.metric("deficit").deal == pytest.approx(cars.metric("deficit").deal)
    assert steel.metric("imports_units").unit == "tonne"
    assert "tonne imported from the partner" == steel.metric("imports_units").label
    assert next(lv for lv in steel.levers if lv.name == "commitment").unit == "tonne"
