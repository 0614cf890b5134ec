"""Production shifts under quotas and export restraints (issue 24, item 5), worked by hand.

One segment: 1,000 cars a year at USD 10,000, calibration tariff 0%, constant elasticity -1, the
whole tariff passed to buyers, so the brand's sales at buyer price factor r are 1,000 / r. An
export restraint of 800 a year, rent held by the exporters (they charge it in their price).

- No shift: sales 800, r = 1.25, buyers pay 12,500; rent (12,500 - 10,000) x 800 = 2,000,000;
  tariff equivalent 25%.
- 100 built in a home plant: they need no licence, so the brand sells 900, r = 10/9, and
  imports stay at 800; rent (11,111.11 - 10,000) x 800 = 888,888.89; tariff equivalent 11.11%;
  buyers' loss 10,000,000 ln(10/9) = 1,053,605.16 instead of 10,000,000 ln(1.25).
- 200: the brand sells 1,000 at r = 1: the cap is just full, no rent.
- 250: the cap no longer binds: sales 1,000, imports 750, no rent.

The model states a shift under a quota linearly: with spare capacity 250 (the line's span), the
chord from no shift to 250, i.e. -8,000 of rent and -0.2 cars imported per car shifted. At 100
the statement says rent 1,200,000 and imports 780; the quota table shows it (it equals the
metrics) and, beside it, the line solved exactly: 888,888.89 and 800.
"""
from __future__ import annotations

import math

import pytest
from expected_outcomes import shipped
from tiny import q, tiny

from model.data.families.production_shift import quota_lines
from model.data.instance import Deal
from model.economics.loading import load
from model.economics.metrics import evaluate
from model.economics.outcomes import chosen_outcomes
from model.economics.responses import line_outcomes
from model.economics.shifts import quota_summary
from model.run import solve_instance

RESTRAINT = {
    "segments": {"truck": None},
    "tariff_menus": {"cars": {"export_restraints": {"ver": {"label": "restraint of 800", "quota": q(800, "vehicles")}}}},
    "makers": {"acme": {"label": "Acme", "spare_capacity": q(250, "vehicles"), "segments": ["car"]}},
    "fixed_levers": {"tariff": {"car": "ver"}},
}


def deal(x: float) -> Deal:
    return Deal(tariff={"car": "ver"}, shift={("acme", "car"): float(x)})


def exact(inst, x: float):
    option = inst.line_option("car", "ver")
    return line_outcomes([inst.segments["car"]], option, inst.settings.response, {"car": x})["car"]


@pytest.mark.parametrize("x,imports,rent,tariff,binds", [
    (0, 800, 2_000_000, 0.25, True),
    (100, 800, 800 * (1e5 / 9 - 1e4), 1 / 9, True),
    (200, 800, 0, 0.0, False),
    (250, 750, 0, 0.0, False),
])
def test_a_home_built_vehicle_needs_no_licence(tmp_path, x, imports, rent, tariff, binds):
    o = exact(tiny(tmp_path, RESTRAINT), x)
    assert o.imports == pytest.approx(imports)
    assert o.quota_rent == pytest.approx(rent, abs=1e-3)
    assert o.effective_tariff == pytest.approx(tariff, abs=1e-9)
    assert o.shifted == x
    assert o.buyer_cost == pytest.approx(1e7 * math.log(1000 / (800 + x)) if x < 200 else 0.0, abs=1e-3)


def test_the_statement_is_the_chord_and_the_table_says_how_far_it_is_off(tmp_path):
    inst = tiny(tmp_path, RESTRAINT)
    d = deal(100)
    m = evaluate(inst, d)
    (row,) = quota_summary(inst, d, chosen_outcomes(inst, d))
    assert (row.imports, row.rent) == (pytest.approx(780), pytest.approx(1_200_000))
    assert row.tariff_equivalent == pytest.approx(0.15)
    assert (row.exact_imports, row.exact_rent) == (pytest.approx(800), pytest.approx(800 * (1e5 / 9 - 1e4)))
    assert row.exact_tariff_equivalent == pytest.approx(1 / 9)
    assert m["quota_imports[car]"] == pytest.approx(row.imports)
    assert m["quota_rent[car]"] == pytest.approx(row.rent)
    assert m["partner_quota_rent"] == pytest.approx(1_200_000)
    assert m["imports_units"] == pytest.approx(780)
    # Buyers: the chord between 10,000,000 ln 1.25 and 0.
    assert m["buyer_cost"] == pytest.approx(1e7 * math.log(1.25) * 150 / 250)
    # The shifted cars are home production whatever the quota; partner plants lose only the cars
    # no longer imported (at the span, 250 of which 50 fewer imports: 0.2 a shifted car).
    assert m["home_production_gain"] == pytest.approx(100)
    assert m["partner_production_loss"] == pytest.approx(1000 - 800 + 20)


def test_the_solver_shifts_to_the_span_where_the_statement_is_exact(tmp_path):
    """Minimizing the deficit, Acme shifts its whole capacity: 250 cars, the chord's end, where the
    cap no longer binds: imports 750 at USD 10,000, no rent (deficit 7,500,000 instead of 800 at
    12,500 = 10,000,000)."""
    r = solve_instance(tiny(tmp_path, RESTRAINT), concessions=False)
    assert r.verification.ok
    (row,) = r.quotas
    assert row.shifted == pytest.approx(250)
    assert row.imports == pytest.approx(row.exact_imports) == pytest.approx(750)
    assert row.rent == pytest.approx(row.exact_rent, abs=1e-3)
    assert not row.binds
    assert r.metric("deficit").deal == pytest.approx(7_500_000)
    assert r.metric("deficit").no_deal == pytest.approx(1000 / 1.2 * 10_000)   # no deal: 20%, customs value 10,000


POOLED = {
    "tariff_menus": {"cars": {"split": False, "export_restraints": {
        "ver": {"label": "restraint of 800", "quota": q(800, "vehicles")}}}},
    "makers": {"acme": {"label": "Acme", "spare_capacity": q(150, "vehicles"), "segments": ["car", "truck"]}},
    "fixed_levers": {"tariff": {"cars": "ver"}},
}


@pytest.mark.parametrize("mix", [(150, 0), (70, 80), (100, 50), (75, 75)])
def test_exact_at_the_span_for_any_mix_of_a_pooled_lines_segments(tmp_path, mix):
    """A restraint of 800 over cars (1,000) and trucks (100, USD 20,000): buyers want 1,100 at 0%.
    Acme's 150 of spare capacity is the line's span: however it is split between cars and trucks
    (trucks at most their sales at the span's market), the statement equals the line solved
    exactly; the cap stays full (800 imported) and the rent falls."""
    inst = tiny(tmp_path, POOLED)
    d = Deal(tariff={"cars": "ver"}, shift={("acme", "car"): float(mix[0]), ("acme", "truck"): float(mix[1])})
    (row,) = quota_summary(inst, d, chosen_outcomes(inst, d))
    assert row.imports == pytest.approx(row.exact_imports) == pytest.approx(800)
    assert row.rent == pytest.approx(row.exact_rent, rel=1e-9)
    assert row.tariff_equivalent == pytest.approx(row.exact_tariff_equivalent, rel=1e-9)
    # 950 cars and trucks sold over 800 licences: tariff equivalent 1,100/950 - 1.
    assert row.exact_tariff_equivalent == pytest.approx(1100 / 950 - 1)
    m = evaluate(inst, d)
    solved = line_outcomes(list(inst.segments.values()), inst.line_option("cars", "ver"), "constant_elasticity",
                           {"car": float(mix[0]), "truck": float(mix[1])})
    assert m["imports_value"] == pytest.approx(sum(o.imports_value for o in solved.values()), rel=1e-9)
    assert m["buyer_cost"] == pytest.approx(sum(o.buyer_cost for o in solved.values()), rel=1e-9)


def test_a_shift_under_a_quota_may_exceed_todays_imports(tmp_path):
    """Under the binding restraint 800 cars are imported, but Acme may build more than 800 at home:
    up to the brand's sales at the span's market (1,000 at the in-quota rate, with capacity
    2,000): then nothing is imported. The check reads the same bound."""
    inst = tiny(tmp_path, {**RESTRAINT, "makers": {"acme": {"label": "Acme", "spare_capacity": q(2000, "vehicles"),
                                                            "segments": ["car"]}}})
    r = solve_instance(inst, concessions=False)
    assert r.verification.ok
    assert r.metric("imports_units").deal == pytest.approx(0, abs=1e-6)
    assert [lv.value for lv in r.levers if lv.name == "production_shift"] == [pytest.approx(1000)]


def _quota_instances():
    return [pytest.param(p, id=p.stem, marks=() if p.stem in ("toyota_2025", "restraint_and_shift") else pytest.mark.slow)
            for p in shipped() if quota_lines(load(p))]


@pytest.mark.parametrize("path", _quota_instances())
def test_quota_table_equals_the_metrics(path):
    """For every pooled quota and restraint on every shipped instance: fill, rent and tariff
    equivalent in the quota table are the metrics (quota_imports, quota_rent,
    quota_tariff_equivalent), and the line's rent is the partner's quota rent metric where the
    exporters hold it and it is the only quota line."""
    inst = load(path)
    r = solve_instance(inst, concessions=False)
    if r.status != "optimal":                  # no deal (an instance built to have none): no quota table
        assert r.status == "infeasible" and r.quotas == [], path.stem
        return
    for row in r.quotas:
        assert r.metric(f"quota_imports[{row.line}]").deal == pytest.approx(row.imports, rel=1e-9)
        assert row.fill == pytest.approx(row.imports / row.quota, rel=1e-9)
        assert r.metric(f"quota_rent[{row.line}]").deal == pytest.approx(row.rent, rel=1e-9, abs=1e-3)
        assert r.metric(f"quota_tariff_equivalent[{row.line}]").deal == pytest.approx(row.tariff_equivalent,
                                                                                       rel=1e-9)
        if row.rent_holder == "exporters" and len(r.quotas) == 1:
            assert r.metric("partner_quota_rent").deal == pytest.approx(row.rent, rel=1e-9, abs=1e-3)
        if row.shifted == 0:
            assert row.exact_imports is None


def test_the_report_says_how_far_the_statement_is_from_the_exact_line(tmp_path):
    """Shift fixed at 100: the quota table states 780 imported and rent 1,200,000 (the chord); the
    note under it gives the line solved exactly (800 imported, 100% filled, rent 888,889, tariff
    equivalent 11.1%) and the difference: -20 imported, +311,111 of rent (as the report rounds them)."""
    from model.reporting.markdown import quotas
    inst = tiny(tmp_path, {**RESTRAINT, "fixed_levers": {"tariff": {"car": "ver"},
                                                         "production_shift": {"acme": {"car": q(100, "vehicles")}}}})
    r = solve_instance(inst, concessions=False)
    text = quotas(r)
    assert "100 vehicles built in Home plants need no licence" in text
    assert "the line is 100% filled (800 vehicles imported)" in text
    assert "tariff equivalent 11.1%" in text
    assert "rent is $888.9 k" in text
    assert "off by -20.00 vehicles imported and +$311.1 k of rent" in text


@pytest.mark.slow      # every shipped instance with a quota
@pytest.mark.parametrize("path", [p for p in shipped() if quota_lines(load(p))], ids=lambda p: p.stem)
def test_every_quota_option_with_a_shift_has_its_table_equal_to_the_metrics(path):
    """Every quota and restraint option of every shipped instance, with half of every maker's
    spare capacity shifted (spread over its segments): the quota table's imports, fill, rent and
    tariff equivalent are the metrics, and beside them the line solved exactly at that shift."""
    inst = load(path)
    shift = {(k, s): min(mk.spare_capacity, 1e5) / 2 / len(mk.segments) for k, mk in inst.makers.items()
             for s in mk.segments}
    base = inst.no_deal.fields()
    for name in quota_lines(inst):
        for option in inst.line_options(name):
            if not option.is_quota:
                continue
            d = Deal(**{**base, "tariff": {**base["tariff"], name: option.name}, "shift": shift})
            m = evaluate(inst, d)
            row = next(r for r in quota_summary(inst, d, chosen_outcomes(inst, d)) if r.line == name)
            assert m[f"quota_imports[{name}]"] == pytest.approx(row.imports, rel=1e-12)
            assert row.fill == pytest.approx(row.imports / row.quota)
            assert m[f"quota_rent[{name}]"] == pytest.approx(row.rent, rel=1e-12, abs=1e-6)
            assert m[f"quota_tariff_equivalent[{name}]"] == pytest.approx(row.tariff_equivalent, rel=1e-12)
            moved = sum(x for (_, s), x in shift.items() if s in inst.lines[name].segments)
            assert row.shifted == pytest.approx(moved)
            assert (row.exact_imports is None) == (moved == 0)
