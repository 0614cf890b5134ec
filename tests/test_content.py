"""Content of production shifted to home plants (issue 24, item 4), worked by hand.

One segment: cars at USD 10,000, calibration tariff 0% kept (so the customs value stays 10,000).
Acme moves 100 cars a year from its partner plants to a home plant.

- No content stated: each car takes its whole value out of imports: the bilateral deficit falls
  by 100 x 10,000 = 1,000,000 (as before content existed).
- Partner content 10%, home content 60%: each home-built car still imports USD 1,000 of partner
  parts and USD 3,000 of third countries' content. Bilateral deficit: -1,000,000 + 100,000 =
  -900,000 = -N x value x (1 - partner content); parts imports from the partner +100,000 =
  N x value x partner content; third countries' imports +300,000; overall deficit (partner and
  third countries) -600,000 = -N x value x home content.
- Partner content 40%, home content 60% (nothing from third countries): bilateral and overall
  deficit both -600,000 = -N x value x home content; parts imports +400,000.
"""
from __future__ import annotations

import pytest
from tiny import q, tiny, write

from model.data.instance import Deal
from model.economics.loading import load
from model.economics.metrics import evaluate
from model.errors import InstanceErrors

N, VALUE = 100, 10_000


def instance(tmp_path, **content):
    maker = {"label": "Acme", "spare_capacity": q(500, "vehicles"), "segments": ["car"]}
    maker.update({k: q(v, "%") for k, v in content.items()})
    return tiny(tmp_path, {"makers": {"acme": maker}})


def moved(inst) -> dict[str, float]:
    """Metrics with N cars shifted, less without, both at the calibration-year tariff (0%)."""
    options = {line: next(o.name for o in inst.line_options(line) if o.rate == 0) for line in inst.lines}
    at = {"tariff": options}
    before, after = evaluate(inst, Deal(**at)), evaluate(inst, Deal(**at, shift={("acme", "car"): float(N)}))
    return {k: after[k] - before[k] for k in after}


def test_without_content_the_whole_value_leaves_imports(tmp_path):
    d = moved(instance(tmp_path))
    assert d["sector_deficit"] == pytest.approx(-N * VALUE)
    assert d["shift_parts_imports_value"] == 0
    assert d["shift_third_content_value"] == 0
    assert d["overall_deficit"] == pytest.approx(-N * VALUE)


def test_partner_parts_and_third_country_content(tmp_path):
    d = moved(instance(tmp_path, partner_content=10, home_content=60))
    assert d["sector_deficit"] == pytest.approx(-N * VALUE * (1 - 0.10))        # -900,000
    assert d["imports_value"] == pytest.approx(-N * VALUE + N * VALUE * 0.10)
    assert d["shift_parts_imports_value"] == pytest.approx(N * VALUE * 0.10)        # +100,000
    assert d["shift_third_content_value"] == pytest.approx(N * VALUE * 0.30)        # +300,000
    assert d["third_imports_value"] == pytest.approx(N * VALUE * 0.30)
    assert d["overall_deficit"] == pytest.approx(-N * VALUE * 0.60)                 # -600,000
    assert d["imports_units"] == pytest.approx(-N)          # the cars themselves no longer cross


def test_home_content_moves_the_deficit_when_nothing_comes_from_third_countries(tmp_path):
    """The issue's statement: a shift of N cars moves the deficit by N x value x home content and
    raises parts imports by N x value x partner content."""
    d = moved(instance(tmp_path, partner_content=40, home_content=60))
    assert d["sector_deficit"] == pytest.approx(-N * VALUE * 0.60)
    assert d["overall_deficit"] == pytest.approx(-N * VALUE * 0.60)
    assert d["shift_parts_imports_value"] == pytest.approx(N * VALUE * 0.40)


def test_home_content_defaults_to_the_rest_of_partner_content(tmp_path):
    inst = instance(tmp_path, partner_content=25)
    assert (inst.makers["acme"].partner_content, inst.makers["acme"].home_content) == (0.25, 0.75)
    assert moved(inst)["shift_third_content_value"] == 0


def test_content_above_the_whole_value_is_refused(tmp_path):
    maker = {"label": "Acme", "spare_capacity": q(500, "vehicles"), "segments": ["car"],
             "partner_content": q(50, "%"), "home_content": q(60, "%")}
    path = write(tmp_path, {"makers": {"acme": maker}})
    with pytest.raises(InstanceErrors) as err:
        load(path)
    text = str(err.value)
    assert "makers.acme.home_content" in text and "more than the vehicle's whole value" in text


def test_the_solver_states_content_as_the_plain_python_does(tmp_path):
    """Minimizing the deficit, Acme shifts its whole capacity, 500 cars: the model's content metrics
    (and, through the verification, every metric) equal the plain-Python ones."""
    from model.run import solve_instance
    inst = instance(tmp_path, partner_content=10, home_content=60)
    r = solve_instance(inst, concessions=False)
    assert r.verification.ok
    assert r.metric("shift_parts_imports_value").deal == pytest.approx(500 * VALUE * 0.10)
    assert r.metric("shift_third_content_value").deal == pytest.approx(500 * VALUE * 0.30)


def test_auto_parts_are_a_product_with_their_own_line(tmp_path):
    """Parts counted in USD (a segment whose unit is a dollar of parts, at USD 1 each): USD 1,000,000
    a year imported at 2.5%, elasticity -1, full pass-through, on a menu of their own (0% or 25%).
    At 25% buyers take 1,000,000 x 1.025 / 1.25 = 820,000 of parts; the deficit minimized keeps
    cars and trucks at 20% (8,333,333 + 1,666,667) and parts at 25%: 10,820,000."""
    from tiny import segment

    from model.run import solve_instance
    parts = segment(1_000_000, 1, tariff_menu="parts", base=2.5, label="auto parts (HS 8708)")
    parts.update(unit="USD", imports=q(1_000_000, "USD"), exports=q(0, "USD"), partner_ceiling=q(0, "USD"),
                 import_price=q(1, "USD/USD"), export_price=q(1, "USD/USD"), partner_margin=q(0.1, "USD/USD"))
    inst = tiny(tmp_path, {"segments": {"parts": parts},
                           "tariff_menus": {"parts": {"flat": {"floor": q(0, "%"), "ceiling": q(25, "%"),
                                                              "step": q(25, "%")}}},
                           "no_deal": {"tariff": {"cars": q(20, "%"), "parts": q(25, "%")}}})
    assert inst.segments["parts"].unit == "USD" and inst.lines["parts"].segments == ("parts",)
    r = solve_instance(inst, concessions=False)
    assert r.metric("deficit").deal == pytest.approx(1000 / 1.2 * 10_000 + 100 / 1.2 * 20_000 + 820_000)
    assert {lv.index: lv.choice for lv in r.levers if lv.name == "tariff"}["parts"] == "flat 25.0%"
