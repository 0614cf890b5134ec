"""Parts as a tariff line linked to shifted vehicles' content (issue 24, item 4), worked by hand.

The tiny instance (tests/tiny.py) plus auto parts counted in USD (a unit is a dollar of parts at
USD 1 in the calibration year): USD 1,000,000 a year imported at 2.5%, elasticity -1, the partner's
margin USD 0.10 a unit, on a menu of its own (0% or 25%). Acme builds cars (USD 10,000, 10%
partner content) and names `parts_segment: parts`. All tariffs held: cars at 0%, parts at 25%.

A shift of 100 cars: q = 100 x 10,000 x 10% / 1 = 100,000 units of parts imported on the parts
line. With full pass-through the parts' customs value stays USD 1:
- imports value: -100 x 10,000 + 100,000 = -900,000 (the bilateral balance moves by as much);
- duty on the parts: 100,000 x 25% = 25,000, in tariff revenue and out of Acme's plant margin;
- the partner's exporters: -100 x 1,000 (the cars' margin) + 100,000 x 0.10 = -90,000.
Without `parts_segment` the same parts are a bare USD 100,000 of imports: no duty, no margin.
"""
from __future__ import annotations

import pytest
from tiny import q, segment, tiny, write

from model.data.instance import Deal
from model.economics.loading import load
from model.economics.metrics import evaluate
from model.errors import InstanceErrors
from model.run import solve_instance

N, VALUE, CONTENT = 100, 10_000, 0.10
PARTS_UNITS = N * VALUE * CONTENT                    # 100,000 units of parts (USD 1 each in the calibration year)


def parts_segment(pass_through: float = 1.0) -> dict:
    parts = segment(1_000_000, 1, tariff_menu="parts", base=2.5, label="auto parts (HS 8708)",
                    pass_through=pass_through)
    parts.update(unit="USD", imports=q(1_000_000, "USD"), exports=q(0, "USD"), partner_ceiling=q(0, "USD"),
                 import_price=q(1, "USD/USD"), export_price=q(1, "USD/USD"), partner_margin=q(0.1, "USD/USD"))
    return parts


def overrides(linked: bool = True, pass_through: float = 1.0, **maker) -> dict:
    acme = {"label": "Acme", "spare_capacity": q(N, "vehicles"), "segments": ["car"],
            "partner_content": q(CONTENT * 100, "%"), **maker}
    if linked:
        acme["parts_segment"] = "parts"
    return {"segments": {"parts": parts_segment(pass_through)},
            "tariff_menus": {"parts": {"flat": {"floor": q(0, "%"), "ceiling": q(25, "%"), "step": q(25, "%")}}},
            "no_deal": {"tariff": {"cars": q(20, "%"), "parts": q(25, "%")}},
            "makers": {"acme": acme}}


def moved(inst, parts_option: str = "flat_25") -> dict[str, float]:
    """Metrics with N cars shifted less without, cars at 0% and parts at `parts_option`."""
    at = {"tariff": {"car": "flat_0", "truck": "flat_0", "parts": parts_option}}
    before = evaluate(inst, Deal(**at))
    after = evaluate(inst, Deal(**at, shift={("acme", "car"): float(N)}))
    return {k: after[k] - before[k] for k in after}


def test_shifted_content_is_imported_on_the_parts_line_at_its_tariff(tmp_path):
    d = moved(tiny(tmp_path, overrides()))
    assert d["shift_parts_imports_value"] == pytest.approx(PARTS_UNITS)                 # +100,000
    assert d["imports_value"] == pytest.approx(-N * VALUE + PARTS_UNITS)                # -900,000
    assert d["deficit"] == pytest.approx(-900_000)
    assert d["sector_deficit"] == pytest.approx(-900_000)
    assert d["shift_parts_duty"] == pytest.approx(0.25 * PARTS_UNITS)                  # +25,000
    assert d["tariff_revenue"] == pytest.approx(25_000)
    assert d["partner_plant_margin"] == pytest.approx(-25_000)
    assert d["partner_export_margin"] == pytest.approx(-N * 1000 + 0.10 * PARTS_UNITS)  # -90,000
    assert d["imports_units"] == pytest.approx(-N)                     # cars out; the parts are in USD, not vehicles
    assert d["imports_units[parts]"] == pytest.approx(PARTS_UNITS)     # the parts line, in its own unit (USD)


def test_at_a_zero_parts_tariff_no_duty_is_paid(tmp_path):
    d = moved(tiny(tmp_path, overrides()), parts_option="flat_0")
    assert d["shift_parts_duty"] == pytest.approx(0.0)
    assert d["tariff_revenue"] == pytest.approx(0.0)
    assert d["deficit"] == pytest.approx(-900_000)


def test_the_parts_lines_customs_value_applies(tmp_path):
    """Pass-through 0.5 on parts: at 25% the partner's exporters absorb part of the tariff, so a unit
    of parts enters at v = (1 + 0.5 x 0.25) / (1 + 0.5 x 0.025) x 1.025 / 1.25 = 0.911111: the
    parts are worth 91,111, the balance moves by -908,889, the duty is 22,778."""
    v = (1 + 0.5 * 0.25) / (1 + 0.5 * 0.025) * 1.025 / 1.25
    assert v == pytest.approx(0.9111111, rel=1e-6)
    d = moved(tiny(tmp_path, overrides(pass_through=0.5)))
    assert d["shift_parts_imports_value"] == pytest.approx(PARTS_UNITS * v)
    assert d["deficit"] == pytest.approx(-N * VALUE + PARTS_UNITS * v)
    assert d["shift_parts_duty"] == pytest.approx(0.25 * PARTS_UNITS * v)
    # The exporters' margin per unit falls by what they absorb: 0.10 - (1 - v).
    assert d["partner_export_margin"] == pytest.approx(-N * 1000 + PARTS_UNITS * (0.10 - (1 - v)))


def test_without_a_parts_segment_the_parts_are_a_bare_value(tmp_path):
    d = moved(tiny(tmp_path, overrides(linked=False)))
    assert d["shift_parts_imports_value"] == pytest.approx(PARTS_UNITS)
    assert d["deficit"] == pytest.approx(-900_000)
    assert d["shift_parts_duty"] == pytest.approx(0.0) and d["tariff_revenue"] == pytest.approx(0.0)
    assert d["partner_export_margin"] == pytest.approx(-N * 1000)
    assert d["imports_units"] == pytest.approx(-N)


def test_the_solver_states_the_parts_terms_as_the_plain_python_does(tmp_path):
    """Minimizing the deficit: cars and trucks at 20%, parts at 25%, Acme shifts its 100 cars.
    Deficit: cars 1,000/1.2 x 10,000 - 1,000,000 = 7,333,333; trucks 1,666,667; parts
    1,000,000 x 1.025/1.25 = 820,000 plus the shift's 100,000: 9,920,000. The parts' duty 25,000.
    The verification re-evaluates every metric in plain Python: it agrees."""
    r = solve_instance(tiny(tmp_path, overrides()), concessions=False)
    assert r.status == "optimal" and r.verification.ok
    assert r.metric("deficit").deal == pytest.approx(1000 / 1.2 * VALUE - N * VALUE + 100 / 1.2 * 20_000
                                                     + 820_000 + PARTS_UNITS, abs=1e-3)
    assert r.metric("shift_parts_duty").deal == pytest.approx(25_000, abs=1e-3)
    assert r.metric("partner_plant_margin").deal == pytest.approx(-25_000, abs=1e-3)


def test_the_parts_option_chosen_is_the_one_the_shift_pays(tmp_path):
    """With the parts line fixed at 0%, the shift's parts pay no duty in the model either (the
    split over the parts options follows the binary)."""
    r = solve_instance(tiny(tmp_path, {**overrides(), "fixed_levers": {"tariff": {"parts": q(0, "%")}}}),
                       concessions=False)
    assert r.verification.ok
    assert r.metric("shift_parts_duty").deal == pytest.approx(0.0, abs=1e-6)
    assert r.metric("shift_parts_imports_value").deal == pytest.approx(PARTS_UNITS, abs=1e-3)


@pytest.mark.parametrize("maker, words", [
    ({"parts_segment": "gears"}, "unknown segment 'gears'"),
    ({"parts_segment": "car"}, "is one of the segments the maker builds"),
])
def test_a_bad_parts_segment_is_refused_with_its_field(tmp_path, maker, words):
    over = overrides(linked=False)
    over["makers"]["acme"].update(maker)
    with pytest.raises(InstanceErrors) as err:
        load(write(tmp_path, over))
    text = str(err.value)
    assert "makers.acme.parts_segment" in text and words in text


def test_a_parts_line_with_a_quota_is_refused(tmp_path):
    over = overrides()
    over["tariff_menus"]["parts"]["quotas"] = {"trq": {"quota": q(500_000, "USD"), "in_quota": q(0, "%"),
                                                       "out_of_quota": q(25, "%")}}
    with pytest.raises(InstanceErrors) as err:
        load(write(tmp_path, over))
    assert "makers.acme.parts_segment" in str(err.value) and "has a quota option" in str(err.value)


@pytest.mark.parametrize("fixed", [None, 0])
def test_the_models_expressions_equal_the_plain_python_at_the_solution(tmp_path, fixed):
    """Every metric as the MILP states it (the parts_content split included) equals the plain-Python
    evaluation of the deal it found, with the parts line free (25% chosen) or fixed at 0%."""
    from model.optimization.handle import NegotiationModel
    over = overrides()
    if fixed is not None:
        over["fixed_levers"] = {"tariff": {"parts": q(fixed, "%")}}
    inst = tiny(tmp_path, over)
    model = NegotiationModel(inst)
    solution = model.solve()
    assert solution.status == "optimal"
    deal, _ = model.read(solution.x, threshold=0.0)
    plain = evaluate(inst, deal, model.table)
    assert plain["shift_parts_duty"] == pytest.approx(0.25 * PARTS_UNITS if fixed is None else 0.0, abs=1e-6)
    for name in model.m.METRICS:
        assert model.value(name, solution) == pytest.approx(plain[name], rel=1e-6, abs=1e-6 * model.scale(name)), name
