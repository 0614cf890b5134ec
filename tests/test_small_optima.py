"""Tiny instances whose optimum is worked out by hand, one per constraint family.

Common data (tests/tiny.py): cars M0 = 1,000 at P = $10,000, trucks M0 = 100 at $20,000;
calibration tariff 0%, elasticity -1, full pass-through, so at tariff t imports are
M0 / (1 + t) and customs value per vehicle stays P. Menu {0%, 10%, 20%}; no deal = 20%.
Deficit from imports alone:
  cars:   0% 10,000,000   10% 9,090,909.09   20% 8,333,333.33
  trucks: 0%  2,000,000   10% 1,818,181.82   20% 1,666,666.67
A 'dealers' channel sells home-made cars at $10,000 each, up to 50 a year; partner
buyers' ceiling is 0 unless a test raises it.
"""
import pytest
from tiny import q, tiny

import model.optimization.handle as objectives
from model.run import solve_instance


@pytest.fixture(autouse=True, params=[True, False], ids=["fixing", "no-fixing"])
def second_stage_fixing(request, monkeypatch):
    """Every hand-worked optimum holds with the second stage's proven fixings and without them."""
    monkeypatch.setattr(objectives, "FIX_PROVEN", request.param)

CAR = {0: 10_000_000.0, 10: 1e7 / 1.1, 20: 1e7 / 1.2}
TRUCK = {0: 2_000_000.0, 10: 2e6 / 1.1, 20: 2e6 / 1.2}


def solve(tmp_path, overrides=None, **kw):
    r = solve_instance(tiny(tmp_path, overrides), **kw)
    assert r.verification.ok, r.verification
    return r


def deficit(r):
    return r.metric("deficit").deal


def tariffs(r):
    return {lv.index: lv.choice for lv in r.levers if lv.name == "tariff"}


def lever(r, name, index):
    return next(lv.value for lv in r.levers if lv.name == name and lv.index == index)


def binding(r):
    return {c.name for c in r.constraints if c.binding and c.kind not in ("choice", "bound")}


def test_red_line_caps_the_tariff(tmp_path):
    """Partner red line: cars pay at most 10%. Cars at 10%, trucks stay at 20%:
    9,090,909.09 + 1,666,666.67 = 10,757,575.76."""
    r = solve(tmp_path, {"red_lines": {"cap": {
        "party": "partner", "label": "cars at most 10%", "reason": "test", "metric": "tariff_rate",
        "index": "car", "sense": "<=", "bound": q(10, "%")}}})
    assert deficit(r) == pytest.approx(CAR[10] + TRUCK[20])
    assert tariffs(r) == {"car": "flat 10.0%", "truck": "flat 20.0%"}
    assert "red_line[cap]" in binding(r)


def test_commitment_limited_by_buyers_ceiling(tmp_path):
    """Ceiling 30 < capacity 50: 30 cars sold, exports $300,000: deficit 10,000,000 - 300,000.
    Relaxing the ceiling by one car cuts the deficit by that car's $10,000."""
    r = solve(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 300_000)
    assert lever(r, "commitment", "dealers.car") == pytest.approx(30)
    row = next(c for c in r.constraints if c.name == "buyer_ceiling[car]")
    assert row.binding and row.relaxation_value == pytest.approx(10_000)
    assert "channel_capacity[dealers]" not in binding(r)


def test_commitment_limited_by_channel_capacity(tmp_path):
    """Ceiling 80 > capacity 50: 50 cars, deficit 10,000,000 - 500,000; capacity binds."""
    r = solve(tmp_path, {"segments": {"car": {"partner_ceiling": q(80, "vehicles")}}})
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 500_000)
    assert "channel_capacity[dealers]" in binding(r)
    assert "buyer_ceiling[car]" not in binding(r)


def test_channel_sells_only_segments_it_sources(tmp_path):
    """The channel has no trucks: raising the truck ceiling changes nothing (deficit 10,000,000)."""
    r = solve(tmp_path, {"segments": {"truck": {"partner_ceiling": q(500, "vehicles")}}})
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20])
    assert all(lv.index != "dealers.truck" for lv in r.levers)


NTB = {"ntb_measures": {"standards": {"label": "accept home standards", "political_cost": q(5000, "USD"),
                                      "ceiling_lift": {"car": q(40, "vehicles")}}},
       "payoffs": {"partner": {"partner_political_cost": q(-1, "1")}}}


def test_ntb_relief_lifts_the_ceiling(tmp_path):
    """Ceiling 0, relief lifts it by 40: relief chosen, 40 cars sold: 10,000,000 - 400,000."""
    r = solve(tmp_path, NTB)
    assert lever(r, "ntb_relief", "standards") == 1.0
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 400_000)


def test_participation_makes_home_pay_for_ntb_relief(tmp_path):
    """Partner payoff = export margin ($1,000 a vehicle, unaffected by the tariff under full
    pass-through) - political cost. Relief costs the partner $5,000; with participation on it
    needs a tariff cut worth at least that: trucks 20% -> 10% adds 100,000/1.1 - 100,000/1.2 =
    $7,575.76 of margin for +151,515.15 of deficit (cars 20% -> 10% would add $757,575.76 of
    deficit). Home's participation (deficit <= 10,000,000) holds: the deal is cars 20%,
    trucks 10%, relief on, 50 cars sold... but the ceiling is 40: deficit
    8,333,333.33 + 1,818,181.82 - 400,000 = 9,751,515.15. With participation off, no cut:
    10,000,000 - 400,000."""
    free = solve(tmp_path, NTB)
    assert deficit(free) == pytest.approx(CAR[20] + TRUCK[20] - 400_000)
    r = solve(tmp_path, {**NTB, "settings": {"participation": True}})
    assert tariffs(r) == {"car": "flat 20.0%", "truck": "flat 10.0%"}
    assert lever(r, "ntb_relief", "standards") == 1.0
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[10] - 400_000)
    partner = r.metric("partner_payoff")
    assert partner.deal - partner.no_deal == pytest.approx(100_000 / 1.1 - 100_000 / 1.2 - 5000)


def test_participation_blocks_a_deal_too_costly_for_the_partner(tmp_path):
    """Relief costing $50,000 needs cars cut to 10% (+$75,757.58 margin), which raises the
    deficit by 757,575.76 - 400,000 > 0: home would be worse off than no deal. So no relief,
    and the deal is the no-deal setting: deficit 10,000,000."""
    r = solve(tmp_path, {**NTB, "ntb_measures": {"standards": {**NTB["ntb_measures"]["standards"],
                                                                "political_cost": q(50_000, "USD")}},
                         "settings": {"participation": True}})
    assert lever(r, "ntb_relief", "standards") == 0.0
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20])


MAKER = {"makers": {"acme": {"label": "Acme", "spare_capacity": q(100, "vehicles"), "segments": ["car"]}}}


def test_production_shift_bounded_by_spare_capacity(tmp_path):
    """100 cars moved to home plants replace 100 imports of $10,000: 10,000,000 - 1,000,000."""
    r = solve(tmp_path, MAKER)
    assert lever(r, "production_shift", "acme.car") == pytest.approx(100)
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 1_000_000)
    assert "spare_capacity[acme]" in binding(r)


def test_production_shift_bounded_by_imports_it_replaces(tmp_path):
    """Spare capacity 5,000 exceeds car imports at any tariff (at most 1,000): every imported
    car is shifted, so the car deficit is 0 whatever the car tariff (a tie the model may break
    either way) and the deficit is trucks only, 1,666,666.67. The shift equals the imports
    of the chosen option, 1,000 / (1 + t), and no more."""
    r = solve(tmp_path, {"makers": {"acme": {**MAKER["makers"]["acme"], "spare_capacity": q(5000, "vehicles")}}})
    t = {"flat 0.0%": 0.0, "flat 10.0%": 0.1, "flat 20.0%": 0.2}[tariffs(r)["car"]]
    assert lever(r, "production_shift", "acme.car") == pytest.approx(1000 / (1 + t))
    assert deficit(r) == pytest.approx(TRUCK[20])
    assert "shift_within_imports[car]" in {c.name for c in r.constraints if c.binding}


def test_purchases_up_to_their_limit(tmp_path):
    """500 tonnes at $1,000 a tonne: deficit 10,000,000 - 500,000; the limit binds at $1,000/t."""
    r = solve(tmp_path, {"goods": {"grain": {"label": "grain", "unit": "tonne",
                                             "unit_value": q(1000, "USD/tonne"), "max_units": q(500, "tonne"),
                                             "political_cost": q(0, "USD/tonne")}}})
    assert lever(r, "purchase", "grain") == pytest.approx(500)
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 500_000)
    row = next(c for c in r.constraints if c.name == "purchase_limit[grain]")
    assert row.relaxation_value == pytest.approx(1000)


def test_red_line_relative_to_baseline(tmp_path):
    """Partner: imports at least 90% of the calibration year's 1,100 (990). Feasible pairs:
    cars 10% + trucks 20% = 909.09 + 83.33 = 992.42 is the cheapest in deficit
    (10,757,575.76); cars 20% gives at most 933.33."""
    r = solve(tmp_path, {"red_lines": {"keep": {
        "party": "partner", "label": "imports at least 90% of 2024", "reason": "test",
        "metric": "imports_units", "sense": ">=", "bound": q(90, "%"), "relative_to": "baseline"}}})
    assert tariffs(r) == {"car": "flat 10.0%", "truck": "flat 20.0%"}
    assert deficit(r) == pytest.approx(CAR[10] + TRUCK[20])


def test_red_line_relative_to_no_deal(tmp_path):
    """Imports at least 105% of no deal's 916.67 (962.5): cars 10% + trucks 20% (992.42) again;
    cars 20% + trucks 0% gives 933.33 < 962.5."""
    r = solve(tmp_path, {"red_lines": {"keep": {
        "party": "partner", "label": "imports 5% above no deal", "reason": "test",
        "metric": "imports_units", "sense": ">=", "bound": q(105, "%"), "relative_to": "no_deal"}}})
    assert deficit(r) == pytest.approx(CAR[10] + TRUCK[20])


def test_fixed_lever(tmp_path):
    """Cars fixed at 0%: 10,000,000 + 1,666,666.67, and the fixed lever is verified."""
    r = solve(tmp_path, {"fixed_levers": {"tariff": {"car": q(0, "%")}}})
    assert deficit(r) == pytest.approx(CAR[0] + TRUCK[20])
    assert next(lv for lv in r.levers if lv.index == "car").fixed


def test_lexicographic_stage_picks_the_partner_best_tie(tmp_path):
    """Two channels sell the same cars at the same $10,000 (same deficit), but dealer margins
    differ ($0 vs $700). Ceiling 50: stage two sends all 50 through the better-paid dealers."""
    r = solve(tmp_path, {
        "segments": {"car": {"partner_ceiling": q(50, "vehicles")}},
        "channels": {"premium": {"label": "premium dealers", "capacity": q(50, "vehicles"),
                                 "unit_value": {"car": q(10000, "USD/vehicle")}, "dealer_margin": q(700, "USD/vehicle")}},
        "payoffs": {"partner": {"dealer_margin": q(1, "1")}}})
    assert deficit(r) == pytest.approx(CAR[20] + TRUCK[20] - 500_000)
    assert lever(r, "commitment", "premium.car") == pytest.approx(50)
    assert lever(r, "commitment", "dealers.car") == pytest.approx(0, abs=1e-6)


def test_tariff_rate_quota_rent_by_holder(tmp_path):
    """Quota 500 at 0%, 20% above, fixed on cars: buyers take 833.33 at 20% > 500, so car imports
    equal flat 20%'s (the marginal car pays 20%). The rent on the 500 in-quota cars is
    0.2 * 10,000 * 500 = $1,000,000. Held by the exporters, who charge it, it raises car
    imports' value by $1,000,000 (the deficit too) and the partner's margin by as much; held by
    the home government (auctioned licences) the deficit is flat 20%'s and duty plus licence
    revenue equals flat 20%'s revenue, 0.2 * 8,333,333.33. Left free, the exporters' version
    loses to flat 20%, whose deficit is $1,000,000 lower."""
    def quota(holder):
        return {"tariff_menus": {"cars": {"quotas": {"q500": {
            "quota": q(500, "vehicles"), "in_quota": q(0, "%"), "out_of_quota": q(20, "%"),
            "rent_holder": holder}}}}, "fixed_levers": {"tariff": {"car": "q500"}}}
    exporters = solve(tmp_path, quota("exporters"))
    assert deficit(exporters) == pytest.approx(CAR[20] + TRUCK[20] + 1_000_000)
    margin = exporters.metric("partner_export_margin")
    assert margin.deal - margin.no_deal == pytest.approx(1_000_000)
    government = solve(tmp_path, quota("government"))
    assert deficit(government) == pytest.approx(CAR[20] + TRUCK[20])
    assert government.metric("tariff_revenue").deal == pytest.approx(0.2 * (CAR[20] + TRUCK[20]))
    free = solve(tmp_path, {"tariff_menus": quota("exporters")["tariff_menus"]})
    assert tariffs(free)["car"] == "flat 20.0%" and deficit(free) == pytest.approx(CAR[20] + TRUCK[20])


def test_the_tie_break_holds_the_deficit_to_its_tolerance(tmp_path):
    """Cars imported 12,000,000 a year (at 20%: 12e10 / 1.2 = 1e11 of deficit, so that the
    tolerance, $100, is far above HiGHS's resolution of $0.10). Two reliefs, either of which
    fills the dealers' 50 cars: 'standards' lifts the ceiling by 50 at a political cost of
    $5,000, 'labels' by 49.9 at $1,000 (both together cost more and sell no more). With
    'standards' the deficit is 1e11 + 1,666,666.67 - 500,000; 'labels' sells 0.1 of a car less,
    $1,000 more deficit (1.0e-8 relative), but is $4,000 better for the partner. Stage two
    keeps the deficit within lexicographic_tolerance = 1e-9 of the optimum ($100): 'standards'
    stays. With a tolerance of 2e-8 ($2,000) it takes 'labels'."""
    reliefs = {"segments": {"car": {"imports": q(12_000_000, "vehicles")}}, "ntb_measures": {
        "standards": {"label": "accept home standards", "political_cost": q(5000, "USD"),
                      "ceiling_lift": {"car": q(50, "vehicles")}},
        "labels": {"label": "accept home labels", "political_cost": q(1000, "USD"),
                   "ceiling_lift": {"car": q(49.9, "vehicles")}}},
        "payoffs": {"partner": {"partner_political_cost": q(-1, "1")}}}
    best = 1e11 + TRUCK[20] - 500_000
    strict = solve(tmp_path, reliefs)
    assert lever(strict, "ntb_relief", "standards") == 1.0 and lever(strict, "ntb_relief", "labels") == 0.0
    assert deficit(strict) == pytest.approx(best, rel=1e-12)
    loose = solve(tmp_path, {**reliefs, "settings": {"participation": False, "lexicographic_tolerance": 2e-8}})
    assert lever(loose, "ntb_relief", "labels") == 1.0 and lever(loose, "ntb_relief", "standards") == 0.0
    assert deficit(loose) == pytest.approx(best + 1000, rel=1e-12)
