"""Deals over a horizon of years (issue 27), worked by hand on tiny instances.

The tiny case (tests/tiny.py) has full pass-through and a demand elasticity of -1, so imports
at a tariff t are M0 / (1 + t): 1,000 cars at 10,000 USD give 833.33 cars (a deficit of
8,333,333 USD) at 20%, 909.09 at 10% and 1,000 at 0%; the partner's production loss is
1,000 - M. Present values discount year t by 1 / (1 + r)^(t - first year).
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from tiny import q, tiny, write

from model.data.horizon import Horizon, year_instance
from model.economics.loading import load
from model.errors import InstanceError, InstanceErrors
from model.optimization.handle import NegotiationModel
from model.optimization.horizon import HorizonModel
from model.optimization.objectives import solve_objective
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
REL = 1e-9

ONE_SEGMENT = {"segments": {"truck": None}}          # cars only: 1,000 at 10,000 USD, no deal 20%
DEFICIT = {0.0: 10_000_000.0, 0.1: 10_000_000.0 / 1.1, 0.2: 10_000_000.0 / 1.2}   # a year, by tariff
LOSS = {0.0: 0.0, 0.1: 1000 - 1000 / 1.1, 0.2: 1000 - 1000 / 1.2}                 # partner production loss


def horizon(first=2025, last=2026, rate=2, **more) -> dict:
    return {"horizon": {"first_year": first, "last_year": last, "discount_rate": q(rate, "%"), **more}}


def red_line(bound, over="horizon") -> dict:
    return {"red_lines": {"loss": {"party": "partner", "label": "partner loses at most this many cars",
                                   "reason": "plants", "metric": "partner_production_loss", "sense": "<=",
                                   "bound": q(bound, "vehicles"), "over": over}}}


def merged(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        for k, v in p.items():
            out[k] = {**out.get(k, {}), **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def metric(results, name):
    assert results.over_time is not None
    return next(m for m in results.over_time.metrics if m.name == name)


def tariffs(results) -> list[float]:
    assert results.over_time is not None
    return [lv.value for lv in results.over_time.levers if lv.name == "tariff" and lv.index == "car"]


# -- 1. two years, one segment, a discount rate: present values and the optimal path ------------
def test_two_years_present_value_and_optimal_path(tmp_path):
    """Two years at 2%, the partner's production loss at most 170 cars over both. Per year the
    loss is 166.67 at 20%, 90.91 at 10%, 0 at 0%: (20,20), (20,10), (10,20) and (10,10) lose
    333.3, 257.6, 257.6 and 181.8: too many. Of the rest the present value of the deficit is
    (20%, 0%): 8,333,333.33 + 10,000,000 / 1.02 = 18,137,254.90   <- the optimum: the cut comes late
    (0%, 20%): 10,000,000 + 8,333,333.33 / 1.02 = 18,169,934.64
    (10%, 0%): 9,090,909.09 + 10,000,000 / 1.02 = 18,894,830.66
    (0%, 0%):  10,000,000 x (1 + 1 / 1.02)       = 19,803,921.57"""
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(), red_line(170))))
    assert r.status == "optimal"
    ot = r.over_time
    assert ot is not None and ot.years == [2025, 2026]
    assert ot.discount_factors == pytest.approx([1.0, 1 / 1.02], rel=REL)
    assert tariffs(r) == pytest.approx([0.2, 0.0])
    d = metric(r, "deficit")
    assert d.summed == "present value"
    assert d.deal == pytest.approx([DEFICIT[0.2], DEFICIT[0.0]], rel=REL)
    assert d.deal_sum == pytest.approx(8_333_333.333333 + 10_000_000 / 1.02, rel=1e-9)
    assert d.deal_sum == pytest.approx(18_137_254.90, abs=0.01)
    assert d.no_deal_sum == pytest.approx(DEFICIT[0.2] * (1 + 1 / 1.02), rel=REL)
    loss = metric(r, "partner_production_loss")
    assert loss.summed == "total" and loss.deal_sum == pytest.approx(LOSS[0.2], rel=REL)
    assert r.objective.value == pytest.approx(d.deal_sum, rel=REL)
    # The home party's gain (payoff: minus the deficit) by year and in present value.
    home = next(g for g in ot.gains if g.name == "home")
    assert home.deal == pytest.approx([0.0, DEFICIT[0.2] - DEFICIT[0.0]], abs=1e-6)
    assert home.deal_sum == pytest.approx((DEFICIT[0.2] - DEFICIT[0.0]) / 1.02, rel=REL)
    # The one-year sections describe the last year.
    assert r.metric("deficit").deal == pytest.approx(DEFICIT[0.0], rel=REL)
    assert ot.sections_year == 2026
    assert r.verification.ok


def test_schedule_menu_chooses_the_same_path(tmp_path):
    """The same case with the tariff on a menu of three paths (now: 0% both years; later: 20% then 0%;
    never: 20% both years): 'never' loses 333 cars, so the model takes 'later', 18,137,254.90."""
    menu = {"schedules": {"car_tariff": {"lever": "tariff.car", "paths": {
        "now": {"values": {2025: q(0, "%")}},
        "later": {"shape": "phase_out", "start": q(20, "%"), "end": q(0, "%"), "phase_out_year": 2026},
        "never": {"values": {2025: q(20, "%")}}}}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(**menu), red_line(170))))
    assert r.status == "optimal" and r.over_time is not None
    [s] = r.over_time.schedules
    assert (s.lever, s.name, s.path, s.fixed, s.menu) == ("tariff.car", "car_tariff", "later", False,
                                                          ["now", "later", "never"])
    assert s.values == pytest.approx([0.2, 0.0])
    assert metric(r, "deficit").deal_sum == pytest.approx(DEFICIT[0.2] + DEFICIT[0.0] / 1.02, rel=REL)


def test_horizon_red_line_admits_what_the_same_total_per_year_refuses(tmp_path):
    """170 cars over the two years admits (20%, 0%); 85 cars in each year (the same total) refuses every
    tariff above 0% (10% loses 90.9 a year), so the deal is (0%, 0%), 19,803,921.57 in present value."""
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(), red_line(85, over="year"))))
    assert tariffs(r) == pytest.approx([0.0, 0.0])
    assert metric(r, "deficit").deal_sum == pytest.approx(10_000_000 * (1 + 1 / 1.02), rel=REL)
    over = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(), red_line(170))))
    assert metric(over, "deficit").deal_sum < metric(r, "deficit").deal_sum - 1_600_000
    # Stated over the horizon, the line's check sums the years (166.67 <= 170).
    assert over.verification.ok and over.verification.checks > 0


def test_growth_scales_each_years_market(tmp_path):
    """10% a year: 2026's cars are 1,100 (imports at 20%: 916.67, a deficit of 9,166,666.67); an index
    given year by year is the same thing."""
    by_rate = tiny(tmp_path, merged(ONE_SEGMENT, horizon(growth={"car": {"rate": q(10, "%")}})))
    by_index = tiny(tmp_path, merged(ONE_SEGMENT, horizon(growth={"car": {"index": {2025: q(100, "%"),
                                                                                     2026: q(110, "%")}}})))
    for inst in (by_rate, by_index):
        assert year_instance(inst, 2025).segments["car"].imports == pytest.approx(1000)
        assert year_instance(inst, 2026).segments["car"].imports == pytest.approx(1100)
    r = solve_instance(by_rate)
    assert metric(r, "deficit").deal == pytest.approx([DEFICIT[0.2], 1.1 * DEFICIT[0.2]], rel=REL)


# -- 2. a constant path: the one-year deal times the annuity factor -------------------------------
def test_constant_fixed_path_is_the_one_year_deal_times_the_annuity(tmp_path):
    """Three years at 5%, no growth, the car tariff fixed at 10% every year: every money metric's present
    value is the one-year deal's value times 1 + 1/1.05 + 1/1.05^2 = 2.85941, every volume's total is 3 times it."""
    annuity = 1 + 1 / 1.05 + 1 / 1.05 ** 2
    fixed = {"schedules": {"car_tariff": {"lever": "tariff.car", "fixed": "ten",
                                          "paths": {"ten": {"values": {2025: q(10, "%")}}}}}}
    many = solve_instance(tiny(tmp_path, horizon(2025, 2027, 5, **fixed)))
    one = solve_instance(tiny(tmp_path, {"fixed_levers": {"tariff": {"car": q(10, "%")}}}))
    assert many.status == one.status == "optimal"
    assert many.over_time is not None
    compared = 0
    for m in many.over_time.metrics:
        single = one.metric(m.name).deal
        assert single is not None and m.deal is not None
        assert m.deal == pytest.approx([single] * 3, rel=REL, abs=1e-6)
        if m.summed == "present value":
            assert m.deal_sum == pytest.approx(single * annuity, rel=REL, abs=1e-6)
            compared += 1
        elif m.summed == "total":
            assert m.deal_sum == pytest.approx(3 * single, rel=REL, abs=1e-6)
    assert compared > 10
    assert metric(many, "deficit").deal_sum == pytest.approx(annuity * (DEFICIT[0.1] + 100 * 20000 / 1.2), rel=REL)
    [s] = many.over_time.schedules
    assert s.fixed and s.path == "ten" and s.values == pytest.approx([0.1] * 3)


# -- 3. a phase-out year moved later never helps the side giving the concession --------------------
def test_phase_out_later_never_helps_the_giver(tmp_path):
    """The partner buys 2 aircraft a year (1,000,000 USD each, 50,000 USD of political cost) until the
    phase-out year, then none. Moving that year later keeps its concession longer: its payoff's present
    value never rises (each year more costs it 100,000 USD, discounted), the home party's never falls."""
    goods = {"goods": {"aircraft": {"label": "aircraft", "unit": "aircraft",
                                    "unit_value": q(1, "USD million/aircraft"), "max_units": q(5, "aircraft"),
                                    "political_cost": q(50000, "USD/aircraft"), "additional_share": q(100, "%")}},
             "payoffs": {"partner": {"partner_export_margin": q(1, "1"), "partner_political_cost": q(-1, "1")}}}
    gains = {}
    for year in (2025, 2026, 2027, 2028):
        sched = {"schedules": {"buy": {"lever": "purchases.aircraft", "fixed": "p", "paths": {"p": {
            "shape": "phase_out", "start": q(2, "aircraft"), "end": q(0, "aircraft"), "phase_out_year": year}}}}}
        r = solve_instance(tiny(tmp_path, merged(goods, horizon(2025, 2027, 5, **sched))))
        assert r.status == "optimal" and r.over_time is not None
        gains[year] = {g.name: g.deal_sum for g in r.over_time.gains}
    years = sorted(gains)
    for a, b in zip(years, years[1:]):
        assert gains[b]["partner"] <= gains[a]["partner"] + 1e-6
        assert gains[b]["home"] >= gains[a]["home"] - 1e-6
    # By hand: each year of purchases costs the partner 100,000 USD and saves the home 2,000,000 USD.
    assert gains[2025]["partner"] - gains[2028]["partner"] == pytest.approx(100_000 * (1 + 1 / 1.05 + 1 / 1.05 ** 2))
    assert gains[2028]["home"] - gains[2026]["home"] == pytest.approx(2_000_000 * (1 / 1.05 + 1 / 1.05 ** 2))


# -- 4. the staged example beats all now and all at the end ----------------------------------------
def test_staged_relief_beats_all_now_and_all_at_the_end():
    """instances/staged_relief.yaml, worked out (r = 5%, A = 1 + 1/1.05 + 1/1.05^2): the partner's relief
    against no deal is 75,757.58 USD a year at 10% and 166,666.67 at 0%, and costs the home country ten
    times that in deficit; its purchases (3 aircraft a year at most, 25,000 USD of political cost each)
    need 75,000 A = 214,456 USD of relief in present value, and each USD of it buys 40 USD of deficit.
      all now:    relief 166,666.67 A (enough), deficit given 1,666,666.67 A          -> home gains 3,000,000 A - 1,666,666.67 A
      at the end: relief 166,666.67 / 1.05^2 (too little: 40 x it bought) at 10x its cost -> home gains 30 x 151,171.58
      staged:     relief 75,757.58 (1 + 1/1.05) + 166,666.67 / 1.05^2 (enough)          -> home gains 3,000,000 A - 10 x it"""
    inst = load(ROOT / "instances" / "staged_relief.yaml")
    d = 1 / 1.05
    a = 1 + d + d * d
    nd = DEFICIT[0.2] * a
    relief = {"all_now": 166_666.666667 * a, "all_at_end": 166_666.666667 * d * d,
              "staged": 75_757.575758 * (1 + d) + 166_666.666667 * d * d}
    hand = {"all_now": 3_000_000 * a - 10 * relief["all_now"], "all_at_end": 30 * relief["all_at_end"],
            "staged": 3_000_000 * a - 10 * relief["staged"]}
    pv = {}
    for path in hand:
        hz = inst.horizon
        one = replace(inst, horizon=replace(hz, schedules=tuple(replace(s, fixed=path) for s in hz.schedules)))
        r = solve_instance(one)
        assert r.status == "optimal"
        pv[path] = metric(r, "deficit").deal_sum
        assert nd - pv[path] == pytest.approx(hand[path], rel=1e-6)
    assert pv["staged"] < pv["all_now"] and pv["staged"] < pv["all_at_end"]
    free = solve_instance(inst)             # the model chooses from the menu: the staged path
    assert free.over_time is not None and free.over_time.schedules[0].path == "staged"
    assert metric(free, "deficit").deal_sum == pytest.approx(pv["staged"], rel=REL)


# -- 5. one year: exactly today's deal -------------------------------------------------------------
def one_year(inst):
    return replace(inst, horizon=Horizon(2025, 2025, 0.02, "test"))


ONE_YEAR = [p for p in sorted((ROOT / "instances").glob("*.yaml")) if "\nhorizon:" not in p.read_text()]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=() if p.stem == "toyota_2025" else pytest.mark.slow)
                                  for p in ONE_YEAR])
def test_one_year_horizon_gives_todays_deal(path):
    """Every shipped one-year instance, with a one-year horizon stated: the same deal and objective."""
    inst = load(path)
    assert inst.horizon is None
    objective = inst.settings.objective
    if objective == "nash":
        objective = "min_deficit"        # Nash bargaining is not built over a horizon; its solve is compared here
    today = solve_objective(NegotiationModel(inst), objective)
    over = solve_objective(HorizonModel(one_year(inst)), objective)
    assert over.status == today.status
    assert over.deal == today.deal
    if today.value is not None:
        assert over.value == pytest.approx(today.value, rel=1e-9, abs=1e-6)


def test_one_year_horizon_through_the_file_is_todays_run(tmp_path):
    """The tiny instance with `horizon:` of one year (and no growth) runs the whole solve to today's results."""
    today = solve_instance(tiny(tmp_path, {"settings": {"participation": True}}))
    over = solve_instance(tiny(tmp_path, merged({"settings": {"participation": True}}, horizon(2025, 2025))))
    assert over.over_time is not None and over.over_time.years == [2025]
    assert [(lv.name, lv.index, lv.value) for lv in over.levers] == [(lv.name, lv.index, lv.value) for lv in today.levers]
    assert over.objective.value == pytest.approx(today.objective.value, rel=1e-12)
    assert {m.name: m.deal for m in over.metrics} == pytest.approx({m.name: m.deal for m in today.metrics}, rel=1e-12)


# -- 6. bad input: refused with its field -----------------------------------------------------------
SCHED = {"lever": "tariff.car", "paths": {"p": {"values": {2025: q(10, "%")}}}}


@pytest.mark.parametrize("override, field, words", [
    (horizon(2026, 2025), "horizon.last_year", "before the first"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {"values": {2025: q(10, "%"),
                                                                                  2030: q(0, "%")}}}}}),
     "horizon.schedules.s.paths.p.values.2030", "outside the horizon"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {"values": {2026: q(10, "%")}}}}}),
     "horizon.schedules.s.paths.p.values", "first year"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {"values": {2025: q(15, "%")}}}}}),
     "horizon.schedules.s.paths.p.values.2025.car", "15"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {"values": {2025: "flat_99"}}}}}),
     "horizon.schedules.s.paths.p.values.2025.car", "flat_99"),
    (horizon(schedules={"s": {"lever": "tarif.car", "paths": {"p": {"values": {2025: q(10, "%")}}}}}),
     "horizon.schedules.s.lever", "not a lever"),
    (horizon(schedules={"s": {**SCHED, "fixed": "q"}}), "horizon.schedules.s.fixed", "no path 'q'"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {
        "shape": "linear", "start": q(20, "%"), "end": q(0, "%")}}}}), "horizon.schedules.s.paths.p.shape",
     "cannot be interpolated"),
    (horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {
        "shape": "phase_out", "start": q(20, "%"), "end": q(0, "%")}}}}),
     "horizon.schedules.s.paths.p.phase_out_year", "needs 'phase_out_year'"),
    (horizon(growth={"car": {"index": {2025: q(100, "%")}}}), "horizon.growth.car.index", "2026"),
    (horizon(growth={"bus": {"rate": q(1, "%")}}), "horizon.growth.bus", "unknown segment"),
    (horizon(growth={"car": {}}), "horizon.growth.car", "either 'rate'"),
    ({"horizon": {"first_year": 2025, "last_year": 2026, "discount_rate": q(150, "%")}},
     "horizon.discount_rate.value", "must be"),
    (red_line(100), "red_lines.loss.over", "needs a 'horizon:'"),
    (merged(horizon(), {"red_lines": {"rate": {"party": "partner", "label": "at most 15%", "reason": "parity",
                                               "metric": "tariff_rate", "index": "car", "sense": "<=",
                                               "bound": q(15, "%"), "over": "horizon"}}}),
     "red_lines.rate.over", "does not add up"),
    (merged({"fixed_levers": {"tariff": {"car": q(10, "%")}}}, horizon(schedules={"s": SCHED})),
     "horizon.schedules.s.lever", "fixed in 'fixed_levers'"),
])
def test_bad_horizon_is_refused_with_its_field(tmp_path, override, field, words):
    with pytest.raises((InstanceError, InstanceErrors)) as info:
        load(write(tmp_path, override))
    errors = info.value.errors if isinstance(info.value, InstanceErrors) else [info.value]
    found = [e for e in errors if e.field == field]
    assert found, f"no error at {field}: {[str(e) for e in errors]}"
    assert any(words in e.message for e in found), [str(e) for e in found]
    assert all(e.file.endswith("tiny.yaml") for e in found)


def test_nash_over_a_horizon_is_refused_in_words(tmp_path):
    inst = tiny(tmp_path, merged({"settings": {"objective": "nash", "participation": True}}, horizon()))
    with pytest.raises(InstanceError, match="not built over a horizon"):
        solve_instance(inst)


# -- 7. the verification restates the rows that tie the years -----------------------------------------
def test_horizon_checks_restate_participation_red_lines_and_schedules(tmp_path):
    """The checks outside the solver: every year's own, plus participation in present value, the red line
    over the horizon and each year of each schedule; a deal off its path fails them."""
    from model.run.horizon import horizon_checks
    menu = {"schedules": {"car_tariff": {"lever": "tariff.car", "paths": {
        "never": {"values": {2025: q(20, "%")}},
        "later": {"shape": "phase_out", "start": q(20, "%"), "end": q(0, "%"), "phase_out_year": 2026}}}}}
    # With participation, any cut leaves the home party worse off (its payoff is minus the deficit): 'never'.
    inst = tiny(tmp_path, merged(ONE_SEGMENT, {"settings": {"participation": True}}, horizon(**menu), red_line(400)))
    model = HorizonModel(inst)
    solution = model.solve()
    x = solution.column_values()
    deals = {t: model.read_year(x, t)[0] for t in model.years}
    from model.economics.metrics import evaluate
    metrics = {t: evaluate(model.year_insts[t], deals[t], model.tables[t]) for t in model.years}
    checks = {c.name: c for c in horizon_checks(model, metrics, deals, model.chosen_paths(x))}
    assert set(checks) == {"horizon_participation[home]", "horizon_participation[partner]", "horizon_red_line[loss]",
                           "schedule[car_tariff,2025]", "schedule[car_tariff,2026]"}
    assert all(c.relative_violation == 0 for c in checks.values())
    assert model.chosen_paths(x) == {"car_tariff": "never"}
    assert checks["horizon_red_line[loss]"].lhs == pytest.approx(2 * LOSS[0.2])
    assert checks["horizon_red_line[loss]"].rhs == pytest.approx(400)
    # The same deal said to follow the other path: its 2026 check fails (both paths are at 20% in 2025).
    off = horizon_checks(model, metrics, deals, {"car_tariff": "later"})
    assert [c.name for c in off if c.relative_violation > 0] == ["schedule[car_tariff,2026]"]
    assert math.isclose(checks["horizon_participation[partner]"].rhs,
                        sum(model.year_refs[t].no_deal["partner_payoff"] / 1.02 ** i
                            for i, t in enumerate(model.years)), rel_tol=REL)


def test_a_quota_that_grows_by_year_has_its_rent_each_year(tmp_path):
    """A tariff-rate quota of 500 cars at 0% (20% above) in 2025, 700 from 2026, its rent held by the
    exporters: 833.33 cars come in either way (the marginal car pays 20%), so both years the quota is
    full (its fill, imports over the quota, is 1.67 and 1.19) and its tariff equivalent is 20%; the rent is 20% x 10,000 x 500 = 1,000,000 in 2025 and
    x 700 = 1,400,000 in 2026."""
    quotas = {"tariff_menus": {"cars": {"quotas": {
        size: {"quota": q(n, "vehicles"), "in_quota": q(0, "%"), "out_of_quota": q(20, "%"), "rent_holder": "exporters"}
        for size, n in (("q500", 500), ("q700", 700))}}}}
    grows = {"schedules": {"trq": {"lever": "tariff.car", "fixed": "growing", "paths": {
        "growing": {"values": {2025: "q500", 2026: "q700"}}}}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, quotas, horizon(**grows))))
    assert r.status == "optimal" and r.over_time is not None
    rows = [(y.year, y.quota.option, y.quota.rent, y.quota.tariff_equivalent, y.quota.fill) for y in r.over_time.quotas]
    assert rows == [(2025, "q500", pytest.approx(1_000_000), pytest.approx(0.2), pytest.approx(1000 / 1.2 / 500)),
                    (2026, "q700", pytest.approx(1_400_000), pytest.approx(0.2), pytest.approx(1000 / 1.2 / 700))]
    rent = metric(r, "partner_quota_rent")
    assert rent.deal == pytest.approx([1_000_000, 1_400_000])
    assert rent.deal_sum == pytest.approx(1_000_000 + 1_400_000 / 1.02)
    assert metric(r, "tariff_rate[car]").deal is not None       # per-segment metrics are there by year too


@pytest.mark.parametrize("command", ["frontier", "alternatives"])
def test_commands_not_built_over_a_horizon_refuse_in_words(tmp_path, command):
    """`frontier`, `alternatives` and `evaluate` would solve one year of a horizon instance: they refuse."""
    from model import jobs
    path = write(tmp_path, horizon())
    with pytest.raises(InstanceError, match=f"`{command}` is not built for a deal over several years"):
        if command == "frontier":
            jobs.frontier(str(path), 3, out=str(tmp_path / "out"))
        else:
            jobs.alternatives(str(path), 2, 0.05, None, 0.01, out=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("mode", ["present_value", "every_year"])
def test_participation_in_present_value_or_every_year(tmp_path, mode):
    """Cars at 20% in 2025 and 0% in 2026 (fixed); the partner may buy up to 3 aircraft a year (1,000,000
    USD each, 25,000 USD of political cost). Its relief is 0 in 2025 and 166,666.67 in 2026 (1,000 USD of
    margin on 166.67 more cars). In present value that relief pays for 3 aircraft in each year (150,000
    USD in 2026 money at most): the deficit's present value is 8,333,333.33 - 3,000,000 + (10,000,000 -
    3,000,000) / 1.02. If no year may be worse than no deal, it buys none in 2025: 3,000,000 more."""
    goods = {"goods": {"aircraft": {"label": "aircraft", "unit": "aircraft",
                                    "unit_value": q(1, "USD million/aircraft"), "max_units": q(3, "aircraft"),
                                    "political_cost": q(25000, "USD/aircraft"), "additional_share": q(100, "%")}},
             "payoffs": {"partner": {"partner_export_margin": q(1, "1"), "partner_political_cost": q(-1, "1")}},
             "settings": {"participation": True, "noise_threshold": 0.001}}
    later = {"schedules": {"cut": {"lever": "tariff.car", "fixed": "later", "paths": {"later": {
        "shape": "phase_out", "start": q(20, "%"), "end": q(0, "%"), "phase_out_year": 2026}}}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, goods, horizon(participation=mode, **later))))
    assert r.status == "optimal" and r.over_time is not None and r.over_time.participation == mode
    bought = [lv.value for lv in r.over_time.levers if lv.name == "purchase"]
    partner = next(g for g in r.over_time.gains if g.name == "partner")
    if mode == "present_value":
        assert bought == pytest.approx([3, 3])
        assert partner.deal == pytest.approx([-75_000, 166_666.666667 - 75_000])
        pv = DEFICIT[0.2] - 3_000_000 + (DEFICIT[0.0] - 3_000_000) / 1.02
    else:
        assert bought == pytest.approx([0, 3], abs=1e-9)
        assert partner.deal == pytest.approx([0, 166_666.666667 - 75_000], abs=1e-6)
        pv = DEFICIT[0.2] + (DEFICIT[0.0] - 3_000_000) / 1.02
    assert metric(r, "deficit").deal_sum == pytest.approx(pv, rel=REL)
    assert partner.deal_sum >= -1e-6


def test_objective_in_the_last_year(tmp_path):
    """The two-year case with `objective: last_year`: 2026's deficit is least at 20% (8,333,333.33), which
    leaves 170 - 166.67 = 3.33 cars of the loss for 2025: 0% then. The present value would take (20%, 0%)."""
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(objective="last_year"), red_line(170))))
    assert r.status == "optimal" and r.over_time is not None and r.over_time.objective == "last_year"
    assert tariffs(r) == pytest.approx([0.0, 0.2])
    assert r.objective.value == pytest.approx(DEFICIT[0.2], rel=REL)
    assert r.over_time.objective_value == r.objective.value


def test_the_rows_that_tie_the_years_are_among_the_constraints(tmp_path):
    """The red line over the horizon is a constraint of the deal: 166.67 cars lost of 170, with its dual in
    the fixed LP (the tariffs fixed, no amount left to move: none)."""
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, horizon(), red_line(170))))
    row = next(c for c in r.constraints if c.name == "horizon_red_line[loss]")
    assert (row.lhs, row.sense, row.rhs) == (pytest.approx(LOSS[0.2]), "<=", pytest.approx(170))
    assert row.kind == "red_line" and row.party == "partner" and not row.binding


def test_run_writes_over_time_and_reads_it_back(tmp_path):
    """`solve.py run` on the staged example: results.json holds `over_time`, read back typed, the schedule chosen."""
    import json

    from model import jobs
    from model.results import Results, YearValues
    status, _ = jobs.run(str(ROOT / "instances" / "staged_relief.yaml"), out=str(tmp_path / "out"))
    assert status == "optimal"
    back = Results.from_dict(json.loads((tmp_path / "out" / "results.json").read_text()))
    assert back.over_time is not None and isinstance(back.over_time.metrics[0], YearValues)
    assert back.over_time.years == [2025, 2026, 2027] and back.over_time.schedules[0].path == "staged"
    assert any("describe 2027, the last year" in w for w in back.warnings)
    assert back.frontier is None and back.concession_values is None and back.red_line_costs is None


AIRCRAFT = {"goods": {"aircraft": {"label": "aircraft", "unit": "aircraft", "unit_value": q(1, "USD million/aircraft"),
                                   "max_units": q(3, "aircraft"), "political_cost": q(25000, "USD/aircraft"),
                                   "additional_share": q(100, "%")}}}
AT_MOST_4 = {"red_lines": {"total": {"party": "partner", "label": "at most 4 aircraft over the deal", "reason": "budget",
                                     "metric": "purchases_units", "index": "aircraft", "sense": "<=",
                                     "bound": q(4, "aircraft"), "over": "horizon"}}}


def test_scaled_paths_let_the_model_choose_the_level(tmp_path):
    """Three years at 5%, the partner buys at most 4 aircraft over the deal (3 a year at most). The menu:
    'flat_one' (1 a year: 3 in all), 'constant' (scaled: L every year, 3L <= 4, so L = 4/3) and 'ramp'
    (scaled, values 1, 2, 3: L/3, 2L/3, L; 2L <= 4, so L = 2). Each aircraft lowers the deficit by
    1,000,000 USD: in present value 'constant' buys 4/3 x (1 + 1/1.05 + 1/1.05^2) = 3.8125, 'ramp'
    2/3 + 4/3 / 1.05 + 2 / 1.05^2 = 3.7506, 'flat_one' 2.8594: the model takes 'constant' at 4/3 a year."""
    menu = {"schedules": {"buy": {"lever": "purchases.aircraft", "paths": {
        "flat_one": {"values": {2025: q(1, "aircraft")}},
        "constant": {"scaled": True, "values": {2025: q(1, "aircraft")}},
        "ramp": {"scaled": True, "values": {2025: q(1, "aircraft"), 2026: q(2, "aircraft"), 2027: q(3, "aircraft")}}}}}}
    settings = {"settings": {"noise_threshold": 0.001}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, AIRCRAFT, AT_MOST_4, settings, horizon(2025, 2027, 5, **menu))))
    assert r.status == "optimal" and r.over_time is not None
    [s] = r.over_time.schedules
    assert (s.path, s.level) == ("constant", pytest.approx(4 / 3))
    assert s.values == pytest.approx([4 / 3] * 3)
    a = 1 + 1 / 1.05 + 1 / 1.05 ** 2
    assert metric(r, "deficit").deal_sum == pytest.approx((DEFICIT[0.2] - 4 / 3 * 1e6) * a, rel=REL)
    # The ramp fixed: its level is 2 (2L = 4), so 2/3, 4/3 and 2 aircraft.
    fixed = {"schedules": {"buy": {**menu["schedules"]["buy"], "fixed": "ramp"}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, AIRCRAFT, AT_MOST_4, settings, horizon(2025, 2027, 5, **fixed))))
    [s] = r.over_time.schedules
    assert (s.path, s.fixed, s.level) == ("ramp", True, pytest.approx(2.0))
    assert s.values == pytest.approx([2 / 3, 4 / 3, 2])
    assert r.verification.ok


def test_a_scaled_path_needs_an_amount_with_a_limit(tmp_path):
    tariff = horizon(schedules={"s": {"lever": "tariff.car", "paths": {"p": {"scaled": True,
                                                                             "values": {2025: q(10, "%")}}}}})
    with pytest.raises(InstanceErrors) as info:
        load(write(tmp_path, tariff))
    assert [e.field for e in info.value.errors] == ["horizon.schedules.s.paths.p.scaled"]
    unlimited = merged(AIRCRAFT, {"goods": {"aircraft": {**AIRCRAFT["goods"]["aircraft"], "max_units": "unlimited"}}},
                       horizon(schedules={"s": {"lever": "purchases.aircraft", "paths": {"p": {
                           "scaled": True, "values": {2025: q(1, "aircraft")}}}}}))
    with pytest.raises(InstanceErrors, match="has none") as info:
        load(write(tmp_path, unlimited))
    assert [e.field for e in info.value.errors] == ["horizon.schedules.s.paths.p.scaled"]


def test_third_countries_grow_with_the_segment_unless_stated(tmp_path):
    """A CES segment with the partner and 'other' (1,000 cars each): the segment's market grows 10% a year.
    'Other' grows with it (its 2026 sales 1,100), so every source scales and 2026's option table is
    1.1 times 2025's (the nest is homogeneous of degree one in the market); stated at 0% it stays at 1,000."""
    from test_armington import two_sources
    grows = horizon(growth={"car": {"rate": q(10, "%")}})
    inst = two_sources(tmp_path, **grows)
    y26 = year_instance(inst, 2026).segments["car"]
    assert (y26.imports, y26.armington.suppliers[0].imports) == (pytest.approx(1100), pytest.approx(1100))
    model = HorizonModel(inst)
    for key, outcome in model.tables[2025].items():
        assert model.tables[2026][key].imports == pytest.approx(1.1 * outcome.imports, rel=1e-12)
        assert model.tables[2026][key].third_imports["other"] == pytest.approx(1.1 * outcome.third_imports["other"],
                                                                               rel=1e-12)
    own = two_sources(tmp_path, **merged(grows, horizon(growth={"car": {"rate": q(10, "%")}},
                                                        third_country_growth={"other": {"rate": q(0, "%")}})))
    y26 = year_instance(own, 2026).segments["car"]
    assert (y26.imports, y26.armington.suppliers[0].imports) == (pytest.approx(1100), pytest.approx(1000))


def test_a_yes_no_relief_on_a_menu_of_paths(tmp_path):
    """A relief (accepting home standards) lifts the partner buyers' ceiling for home-made cars by 50, which
    the dealers' 50 cars of capacity then sell: 500,000 USD less deficit a year (50 x 10,000). Free, it would
    be granted both years; on a menu of 'later' (2026 only) and 'never' the model takes 'later', saving
    500,000 / 1.02; fixed to 'never' it saves nothing."""
    relief = {"ntb_measures": {"standards": {"label": "accept home standards", "political_cost": q(0, "USD"),
                                             "ceiling_lift": {"car": q(50, "vehicles")}}}}
    menu = {"schedules": {"std": {"lever": "ntb.standards", "paths": {
        "later": {"values": {2025: False, 2026: True}}, "never": {"values": {2025: False}}}}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, relief, horizon(**menu))))
    assert r.over_time is not None and r.over_time.schedules[0].path == "later"
    assert r.over_time.schedules[0].values == [0.0, 1.0]
    assert metric(r, "deficit").deal_sum == pytest.approx(DEFICIT[0.2] + (DEFICIT[0.2] - 500_000) / 1.02, rel=REL)
    never = {"schedules": {"std": {**menu["schedules"]["std"], "fixed": "never"}}}
    r = solve_instance(tiny(tmp_path, merged(ONE_SEGMENT, relief, horizon(**never))))
    assert r.over_time is not None and r.over_time.schedules[0].values == [0.0, 0.0]
    assert metric(r, "deficit").deal_sum == pytest.approx(DEFICIT[0.2] * (1 + 1 / 1.02), rel=REL)
