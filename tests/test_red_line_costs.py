"""What the red lines cost, and which terms each sets (issue 25 item 3): the deal re-solved
without each red line and without all, on the command's one model, worked by hand on tiny."""
from __future__ import annotations

import pytest
from tiny import q, tiny

from model.analyses.red_line_costs import applicable, entries, red_line_costs
from model.optimization.handle import NegotiationModel
from model.reporting.red_line_section import red_line_costs as section
from model.run import solve_instance

CAR = {10: 1e7 / 1.1, 20: 1e7 / 1.2}
# The partner caps cars at 10% (it binds: the home side wants 20%); the home side asks at least 5%
# on cars (it never binds).
LINES = {"red_lines": {
    "cap": {"party": "partner", "label": "cars at most 10%", "reason": "test", "metric": "tariff_rate",
            "index": "car", "sense": "<=", "bound": q(10, "%")},
    "floor": {"party": "home", "label": "cars at least 5%", "reason": "test", "metric": "tariff_rate",
              "index": "car", "sense": ">=", "bound": q(5, "%")}}}


def test_each_red_line_and_all_of_them_set_aside(tmp_path):
    """With the cap, cars pay 10% (deficit CAR[10] + trucks); without it, 20%: the deficit falls by
    CAR[10] - CAR[20] = 757,575.76, home's payoff (minus the deficit) rises by as much, and the
    partner's export margin ($1,000 on each of 1,000/(1 + t) cars) falls by 909,090.91 - 833,333.33
    = 75,757.58. The cap sets the car tariff; the floor sets nothing."""
    inst = tiny(tmp_path, LINES)
    assert entries(inst) == {"cap": ["cap"], "floor": ["floor"]}
    model = NegotiationModel(inst)
    deal = model.solve()
    costs = red_line_costs(model, _deal(deal))
    cap, floor = costs.each
    assert (cap.entry, cap.label, cap.party) == ("cap", "cars at most 10%", "partner")
    assert cap.deficit_change == pytest.approx(CAR[20] - CAR[10])
    assert cap.payoff_change["home"] == pytest.approx(CAR[10] - CAR[20])
    assert cap.payoff_change["partner"] == pytest.approx(1e6 / 1.2 - 1e6 / 1.1)
    assert [(t.lever, t.before, t.to) for t in cap.terms] == [("tariff.car", "flat 10.0%", "flat 20.0%")]
    assert cap.verified
    assert floor.deficit_change == pytest.approx(0.0, abs=1e-6) and floor.terms == [] and floor.verified
    every = costs.without_all
    assert every.entry == "all" and every.deficit_change == pytest.approx(CAR[20] - CAR[10])
    # Relaxing a constraint never worsens the optimum: without lines the deficit is no higher.
    assert all(c.deficit_change <= 1e-6 for c in [every, *costs.each])


def test_a_red_line_on_several_segments_is_set_aside_whole(tmp_path):
    """The cap stated on both lines (cars and trucks at most 10%) is one entry of two lines: set
    aside, both tariffs return to 20%."""
    both = {"red_lines": {"cap": {"party": "partner", "label": "at most 10%", "reason": "test",
                                  "metric": "tariff_rate", "segments": ["car", "truck"], "sense": "<=",
                                  "bound": q(10, "%")}}}
    inst = tiny(tmp_path, both)
    assert entries(inst) == {"cap": ["cap.car", "cap.truck"]}
    model = NegotiationModel(inst)
    (cap,) = red_line_costs(model, _deal(model.solve())).each
    assert sorted((t.lever, t.to) for t in cap.terms) == [("tariff.car", "flat 20.0%"), ("tariff.truck", "flat 20.0%")]


def test_the_run_report_says_what_each_line_costs(tmp_path):
    r = solve_instance(tiny(tmp_path, LINES))
    text = section(r)
    assert text.startswith("## What the red lines cost, and which terms each sets")
    # Trucks at 20% (2,000,000 / 1.2) with the cars at 20% without the cap: $10.0 M.
    assert ("| cars at most 10% | Partner | $10.0 M | -$757.6 k | +$757.6 k | -$75.8 k | "
            "Home tariff on cars: cars: flat 10.0% -> flat 20.0% |") in text
    assert "**Without any red line** the deficit would be $10.0 M (-$757.6 k against the deal)" in text
    assert "Setting these aside changes no term of this deal: cars at least 5%." in text


def test_no_red_lines_or_too_many_re_solves_are_said_not_priced(tmp_path):
    assert applicable(tiny(tmp_path), 0.01) == "the instance states no red line"
    assert "more than the 20 s a run allows" in applicable(tiny(tmp_path, LINES), 10.0)


def _deal(solution):
    from model.analyses.deal_terms import deal_of
    return deal_of(solution)


def test_the_guides_figures_for_the_default_instance_are_the_commands():
    """README.md states the first calibration's red-line costs (docs/negotiating.md states the default's:
    tests/test_guides_on_default.py)."""
    from pathlib import Path

    from model.economics.loading import load
    from model.formatting import money
    root = Path(__file__).resolve().parent.parent
    r = solve_instance(load(root / "instances" / "smart_defaults.yaml"))
    v = r.red_line_costs
    each = {c.entry: c for c in v.each}
    loss, rice = each["japan_production_loss"], each["japan_rice"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert loss.terms and rice.terms and -loss.deficit_change > -rice.deficit_change > 0
    assert not each["japan_car_tariff_cap"].terms and not each["us_car_tariff_floor"].terms
    assert f"holds up {money(-loss.deficit_change)} of deficit; without any red line the\n  deficit would be " \
           f"{money(v.without_all.deficit)})" in readme
