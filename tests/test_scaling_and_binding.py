"""Goods are scaled by their own magnitude, so a unit choice cannot change the deal; and
"binding" comes from the solver's own evidence (a dual, or a slack small against the
row's scale).

Worked out by hand on the tiny instance (tests/tiny.py; participation off): with no
purchase the optimum is 20% on both segments and a deficit of 8,333,333.33 + 1,666,666.67
= 10,000,000. A purchase of LNG worth USD 10 per MMBtu lowers the deficit by its value,
so with 99 million MMBtu allowed the deficit is 10,000,000 - 990,000,000 = -980,000,000;
with a red line of at most 50 million MMBtu it is 10,000,000 - 500,000,000 = -490,000,000.
Stated per Btu (1 MMBtu = 1e6 Btu) or per kWh and GWh, the economics are the same.
"""
from __future__ import annotations

import pytest
from tiny import q, tiny

from model.economics.checks import Check
from model.run import constraint_rows, solve_instance


def lng(unit: str, per_mmbtu: float, red_line: float | None = None) -> dict:
    """The same LNG purchase in `unit`, where one MMBtu is `per_mmbtu` of them."""
    out = {"goods": {"lng": {"label": "US LNG", "unit": unit,
                             "unit_value": q(10.0 / per_mmbtu, f"USD/{unit}"),
                             "max_units": q(99e6 * per_mmbtu, unit),
                             "political_cost": q(0, f"USD/{unit}")}}}
    if red_line is not None:
        out["red_lines"] = {"lng_cap": {"party": "partner", "label": "LNG bought", "reason": "test",
                                        "metric": "purchases_units", "index": "lng", "sense": "<=",
                                        "bound": q(red_line * per_mmbtu, unit)}}
    return out


@pytest.mark.parametrize("unit, per_mmbtu", [("MMBtu", 1.0), ("Btu", 1e6), ("GWh", 0.000293071), ("kWh", 293.071)])
def test_the_unit_of_a_good_does_not_change_the_deal(tmp_path, unit, per_mmbtu):
    r = solve_instance(tiny(tmp_path, lng(unit, per_mmbtu)))
    assert r.status == "optimal" and r.verification.ok
    assert r.stages.stage_two_status == "optimal"
    assert r.metric("deficit").deal == pytest.approx(-980_000_000.0, rel=1e-9)
    bought = next(lv for lv in r.levers if lv.name == "purchase")
    assert bought.value == pytest.approx(99e6 * per_mmbtu, rel=1e-9) and bought.unit == unit


@pytest.mark.parametrize("unit, per_mmbtu", [("MMBtu", 1.0), ("Btu", 1e6), ("kWh", 293.071)])
def test_a_red_line_on_a_good_in_any_unit(tmp_path, unit, per_mmbtu):
    r = solve_instance(tiny(tmp_path, lng(unit, per_mmbtu, red_line=50e6)))
    assert r.status == "optimal" and r.verification.ok
    assert r.metric("deficit").deal == pytest.approx(-490_000_000.0, rel=1e-9)
    cap = next(c for c in r.constraints if c.name == "red_line[lng_cap]")
    # Relaxing the cap by one unit of the good buys one more unit: worth its value, USD 10 per MMBtu.
    assert cap.shown_as_binding and cap.relaxation_value == pytest.approx(10.0 / per_mmbtu, rel=1e-6)


def test_binding_from_the_dual_even_with_a_tiny_slack():
    """The issue's case: a USD red line with dual 1.0 and slack 0.001 USD binds."""
    check = Check("red_line[x]", "a red line", "home", "red_line", -0.001, "<=", 0.0, "USD")
    far = Check("red_line[y]", "far from binding", "home", "red_line", -5e6, "<=", 0.0, "USD")
    close = Check("red_line[z]", "a hair from its bound", "home", "red_line", 999_999_999.9, "<=", 1e9, "USD")
    rows = {r.name: r for r in constraint_rows([check, far, close], {"red_line[x]": 1.0, "red_line[y]": 0.0})}
    assert rows["red_line[x]"].binding and rows["red_line[x]"].shown_as_binding
    assert rows["red_line[x]"].relaxation_value == pytest.approx(-1.0)
    assert not rows["red_line[y]"].binding
    assert rows["red_line[z]"].binding           # 0.1 USD of slack on a USD 1 bn bound, no dual computed


def test_bookkeeping_rows_are_never_shown_as_binding(tmp_path):
    r = solve_instance(tiny(tmp_path))
    shown = {c.kind for c in r.constraints if c.shown_as_binding}
    assert not shown & {"choice", "bound", "fixed_lever"}
    assert any(c.binding and c.kind == "choice" for c in r.constraints)


def test_a_badly_scaled_input_is_named_before_solving(tmp_path):
    """A channel that sells home-made cars at 1e-6 USD each (a unit slip) puts a coefficient of
    1e-9 in the model: the warning names the variable and the row."""
    r = solve_instance(tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(40, "vehicles")}},
                                       "channels": {"dealers": {"unit_value": {"car": q(1e-9, "USD/vehicle")}}}}))
    info = r.stages.coefficients
    assert not info.ok and info.min < 1e-7
    assert "commitment[dealers,car]" in info.smallest.variable
    assert any("commitment[dealers,car]" in w for w in r.warnings)


def test_a_well_scaled_instance_has_no_warning(tmp_path):
    r = solve_instance(tiny(tmp_path, lng("Btu", 1e6)))
    assert r.stages.coefficients.ok
    assert not any("numerically risky" in w for w in r.warnings)
