"""What binds is ranked by the value of one realistic step of each bound (issue 26 item 1),
not per unit of the bound (a vehicle, a tonne, an aircraft), and the step is said.

Hand-worked tiny case (tests/tiny.py, participation off, least deficit): the partner buyers'
ceiling of 30 home-made cars binds, each car sold through the dealers $10,000 of exports (the
rate holds up to their capacity, 50); a grain purchase limit of 1,000 tonnes binds, each tonne
$100 of additional purchases (political cost 0).
- Per unit the cars come first ($10,000 a car against $100 a tonne).
- By the default steps (1,000 vehicles; USD 100 million of a good = 1,000,000 tonnes of
  grain) grain comes first: $100.0 M against $10.0 M.
- With `settings.steps` of 20,000 vehicles and USD 1 million (10,000 tonnes) the cars come
  first again: $200.0 M against $1.0 M.
"""
from __future__ import annotations

import re

import pytest
from tiny import q, tiny

from model.data.steps import bound_step, step_key
from model.errors import InstanceErrors
from model.reporting.first_screen import ranking_note, top_constraints
from model.run import solve_instance

GRAIN = {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}},
         "goods": {"grain": {"label": "grain", "unit": "tonne", "unit_value": q(100, "USD/tonne"),
                             "max_units": q(1000, "tonne"), "political_cost": q(0, "USD/tonne"),
                             "additional_share": q(100, "%")}}}
STATED = {**GRAIN, "channels": {"dealers": {"capacity": q(100_000, "vehicles")}}, "settings": {"participation": False,
                                "steps": {"commitment": q(20, "thousand vehicles"),
                                          "purchase": q(1, "USD million")}}}


def ranked(r):
    top, _ = top_constraints(r)
    return [re.match(r"\*\*(.+?)\*\*", t).group(1) for t in top], top


def test_the_case_is_the_hand_worked_one(tmp_path):
    r = solve_instance(tiny(tmp_path, GRAIN))
    rows = {c.name: c for c in r.constraints}
    assert rows["buyer_ceiling[car]"].relaxation_value == pytest.approx(10_000)
    assert rows["purchase_limit[grain]"].relaxation_value == pytest.approx(100)


def test_default_steps_rank_the_grain_first_and_say_each_step(tmp_path):
    r = solve_instance(tiny(tmp_path, GRAIN))
    labels, top = ranked(r)
    assert labels == ["most grain the partner can buy", "Partner buyers' ceiling for Home-made cars"]
    assert top[0].endswith("1.00 M tonnes ($100.0 M worth) more would lower the deficit by $100.0 M")
    assert top[1].endswith("1,000 vehicles more would lower the deficit by $10.0 M at most (the rate holds only up "
                           "to 50 vehicles)")
    assert ranking_note(r).endswith("the default steps, which `settings.steps` can change")


def test_stated_steps_rank_the_cars_first(tmp_path):
    inst = tiny(tmp_path, STATED)
    assert inst.settings.steps == {"commitment": 20_000, "purchase": 1e6}
    r = solve_instance(inst)
    labels, top = ranked(r)
    assert labels == ["Partner buyers' ceiling for Home-made cars", "most grain the partner can buy"]
    assert top[0].endswith("20,000 vehicles more would lower the deficit by $200.0 M")      # capacity 100,000
    assert top[1].endswith("10,000 tonnes ($1.0 M worth) more would lower the deficit by $1.0 M")
    assert "the instance's `settings.steps`" in ranking_note(r)
    assert any(i.path == "settings.steps.purchase" and i.source == "test" for i in r.inputs)


def test_each_bound_takes_its_familys_step(tmp_path):
    inst = tiny(tmp_path, {**GRAIN, "red_lines": {
        "cap": {"party": "partner", "label": "cars at most 10%", "reason": "test", "metric": "tariff_rate",
                "index": "car", "sense": "<=", "bound": q(10, "%")},
        "grain": {"party": "partner", "label": "grain at most 500 t", "reason": "test", "metric": "purchases_units",
                  "index": "grain", "sense": "<=", "bound": q(500, "tonne")},
        "made": {"party": "partner", "label": "production falls by at most 50", "reason": "test",
                 "metric": "partner_production_loss", "sense": "<=", "bound": q(50, "vehicles")}}})
    assert step_key(inst, "red_line[made]", "vehicles") == "production_shift"
    assert step_key(inst, "buyer_ceiling[car]", "vehicles") == "commitment"
    assert step_key(inst, "participation[home]", "USD") == "money"
    assert bound_step(inst, "red_line[cap]", "fraction").amount == pytest.approx(0.01)
    grain = bound_step(inst, "red_line[grain]", "tonne")
    assert grain.key == "purchase" and grain.amount == pytest.approx(1e6) and grain.money == pytest.approx(1e8)
    assert bound_step(inst, "participation[home]", "USD").amount == pytest.approx(1e8)


def test_a_step_for_no_family_or_in_the_wrong_unit_is_a_clear_error(tmp_path):
    with pytest.raises(InstanceErrors) as exc:
        tiny(tmp_path, {"settings": {"steps": {"comitment": q(1000, "vehicles"),
                                               "tariff": q(1000, "vehicles")}}})
    said = {e.field: (e.message, e.hint) for e in exc.value.errors}
    assert said["settings.steps.comitment"][0] == "no step for 'comitment'"
    assert "commitment" in said["settings.steps.comitment"][1]
    assert "settings.steps.tariff.unit" in said and "not accepted" in said["settings.steps.tariff.unit"][0]
