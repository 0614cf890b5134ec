"""What each concession is worth to each side, on a tiny instance worked out by hand.

Case (tests/tiny.py data, see test_small_optima.py): partner buyers take 30 home-made cars
($10,000 of exports each) through a channel of capacity 50, whose dealers earn $700 a car;
accepting home standards lifts the ceiling by 40 cars at a political cost of $5,000. The
partner's payoff is exporters' margin ($1,000 a vehicle imported) + dealers' margin -
political cost; home's is -deficit. Participation off.

The optimum: 20% on both segments (deficit 10,000,000 from imports), relief granted,
50 cars sold (capacity binds): deficit 9,500,000; partner: margin + 35,000 - 5,000.

Each lever, one step, every other lever re-optimized:
- car tariff (20% is no deal's: not in use): next step, cut to 10%: imports 1,000/1.1
  instead of 1,000/1.2: deficit +757,575.76, partner margin +75,757.58 (costly: home gives
  ten times what the partner gets);
- truck tariff likewise: deficit +151,515.15, partner +7,575.76;
- the relief (granted): its last step, withdrawn: the ceiling falls to 30 cars: deficit
  9,700,000, so relief is worth 200,000 to home and 20 x 700 - 5,000 = 9,000 to the partner
  (win-win);
- the commitment (50 cars, in use): its last step is all 50 (the step is 1,000 cars, capped by
  the amount): without them the deficit is 10,000,000 and the relief, now useless, is dropped
  by the second stage (it costs the partner 5,000): worth 500,000 to home ($10,000 a car) and
  35,000 - 5,000 = 30,000 to the partner ($600 a car).
"""
import json

import pytest
from tiny import q, tiny, write

from model.analyses.concessions import concession_values, trade
from model.cli import main
from model.optimization.handle import NegotiationModel
from model.run import solve_instance

CAR = {0: 10_000_000.0, 10: 1e7 / 1.1, 20: 1e7 / 1.2}
TRUCK = {0: 2_000_000.0, 10: 2e6 / 1.1, 20: 2e6 / 1.2}
CASE = {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}},
        "channels": {"dealers": {"dealer_margin": q(700, "USD/vehicle")}},
        "ntb_measures": {"standards": {"label": "accept home standards", "political_cost": q(5000, "USD"),
                                       "ceiling_lift": {"car": q(40, "vehicles")}}},
        "payoffs": {"partner": {"dealer_margin": q(1, "1"), "partner_political_cost": q(-1, "1")}}}


@pytest.fixture
def priced(tmp_path):
    inst = tiny(tmp_path, CASE)
    r = solve_instance(inst)
    assert r.status == "optimal" and r.metric("deficit").deal == pytest.approx(9_500_000)
    return inst, r, {row.lever: row for row in r.concession_values.rows}


def test_values_equal_the_hand_computed_payoff_differences(priced):
    _, _, rows = priced
    car, truck, relief, sold = (rows["tariff.car"], rows["tariff.truck"], rows["ntb.standards"],
                                rows["commitment.dealers.car"])
    assert (car.direction, car.with_setting, car.without_setting) == ("next", "flat 10.0%", "flat 20.0%")
    assert car.deficit_change == pytest.approx(CAR[10] - CAR[20])
    assert car.home_value == pytest.approx(-(CAR[10] - CAR[20]))
    assert car.partner_value == pytest.approx(1e6 / 1.1 - 1e6 / 1.2)
    assert car.trade == "costly" and car.party == "home"
    assert truck.home_value == pytest.approx(-(TRUCK[10] - TRUCK[20]))
    assert truck.partner_value == pytest.approx(1e5 / 1.1 - 1e5 / 1.2)
    assert relief.direction == "last" and relief.party == "partner"
    assert relief.home_value == pytest.approx(200_000) and relief.partner_value == pytest.approx(9_000)
    assert relief.trade == "win-win"
    assert sold.direction == "last" and sold.size == pytest.approx(50)
    assert sold.home_value == pytest.approx(500_000) and sold.partner_value == pytest.approx(30_000)
    assert sold.home_per_unit == pytest.approx(10_000) and sold.partner_per_unit == pytest.approx(600)
    assert all(row.status == "ok" and row.verified for row in rows.values())


def test_values_agree_with_solving_the_forced_instance(tmp_path, priced):
    """The same differences from `run` on instances that fix the lever (fixed_levers)."""
    _, r, rows = priced

    def payoffs(fixed):
        forced = solve_instance(tiny(tmp_path, {**CASE, "fixed_levers": fixed}), concessions=False)
        return {p: forced.metric(f"{p}_payoff").deal for p in ("home", "partner")}
    best = {p: r.metric(f"{p}_payoff").deal for p in ("home", "partner")}
    cut = payoffs({"tariff": {"car": q(10, "%")}})                       # next step: with = forced
    assert rows["tariff.car"].home_value == pytest.approx(cut["home"] - best["home"])
    assert rows["tariff.car"].partner_value == pytest.approx(cut["partner"] - best["partner"])
    withdrawn = payoffs({"ntb": {"standards": False}})                  # last step: without = forced
    assert rows["ntb.standards"].home_value == pytest.approx(best["home"] - withdrawn["home"])
    assert rows["ntb.standards"].partner_value == pytest.approx(best["partner"] - withdrawn["partner"])
    none_sold = payoffs({"commitments": {"dealers": {"car": q(0, "vehicles")}}})
    assert rows["commitment.dealers.car"].partner_value == pytest.approx(best["partner"] - none_sold["partner"])


def test_a_lever_the_instance_fixes_is_not_priced(tmp_path):
    inst = tiny(tmp_path, {**CASE, "fixed_levers": {"tariff": {"truck": q(10, "%")}}})
    r = solve_instance(inst)
    rows = {row.lever: row for row in r.concession_values.rows}
    assert rows["tariff.truck"].status == "fixed" and rows["tariff.truck"].home_value is None
    assert rows["tariff.car"].status == "ok"


def test_a_step_a_red_line_forbids_falls_back_to_the_other_direction(tmp_path):
    """Partner red line: cars pay at most 10%. The car tariff is cut to 10% (in use), but its last
    step (back to 20%) breaks the red line, so the next cut (to 0%) is priced instead."""
    inst = tiny(tmp_path, {**CASE, "red_lines": {"cap": {
        "party": "partner", "label": "cars at most 10%", "reason": "test", "metric": "tariff_rate",
        "index": "car", "sense": "<=", "bound": q(10, "%")}}})
    r = solve_instance(inst)
    row = next(x for x in r.concession_values.rows if x.lever == "tariff.car")
    assert row.direction == "next" and (row.without_setting, row.with_setting) == ("flat 10.0%", "flat 0.0%")
    assert "leaves no deal that satisfies every constraint" in row.note
    assert row.home_value == pytest.approx(-(CAR[0] - CAR[10]))


def test_run_writes_the_table_chart_and_json(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(write(tmp_path, CASE)), "--out", str(out)]) == 0
    saved = json.loads((out / "results.json").read_text())
    assert {row["lever"] for row in saved["concession_values"]["rows"]} == {
        "tariff.car", "tariff.truck", "ntb.standards", "commitment.dealers.car"}
    report = (out / "report.md").read_text()
    assert "## What each concession is worth to each side" in report and "concession_values.svg" in report
    assert (out / "concession_values.svg").read_text().startswith("<?xml")
    assert (out / "concession_values.csv").read_text().splitlines()[0].startswith("lever,family,label,party")
    assert 'data-chart="concession_values"' in (out / "report.html").read_text()


def test_the_rule_skips_other_objectives(tmp_path):
    r = solve_instance(tiny(tmp_path, {**CASE, "settings": {"objective": "weighted",
                                                            "objective_weights": {"deficit": -1}}}))
    assert "min_deficit objective" in r.concession_values.skipped


def test_concession_values_directly(tmp_path, priced):
    """Called on the optimal deal written out by hand (not the one `run` read back), the function
    gives the values worked out in the module docstring."""
    inst, _, _ = priced
    from model.data.instance import Deal
    deal = Deal(tariff={"car": "flat_20", "truck": "flat_20"}, commitments={("dealers", "car"): 50.0},
                ntb={"standards": True})
    rows = {row.lever: row for row in concession_values(NegotiationModel(inst), deal).rows}
    sold, relief = rows["commitment.dealers.car"], rows["ntb.standards"]
    assert sold.home_value == pytest.approx(500_000) and sold.partner_value == pytest.approx(30_000)
    assert relief.home_value == pytest.approx(200_000) and relief.partner_value == pytest.approx(9_000)
    assert rows["tariff.car"].home_value == pytest.approx(-(CAR[10] - CAR[20]))


@pytest.mark.parametrize("giver, home, partner, reading", [
    ("home", -10, 30, "integrative"), ("home", -10, 15, "distributive"), ("home", -30, 10, "costly"),
    ("partner", 5, 0, "win-win"), ("partner", -5, -1, "lose-lose"), ("partner", -5, 3, "reverse"),
    ("home", 0, 0, "no effect")])
def test_trade_readings(giver, home, partner, reading):
    assert trade(giver, home, partner) == reading
