"""The independent check (`economics/checks.py`) fails when it should: for every constraint
family, a deal that breaks that family by a known amount gives that row, with that slack and
relative violation, and nothing else is violated, so `max_violation` is exactly that amount.
End to end, a solution pushed over a ceiling after the solve is status "error", exit 1, and
no deal in the report.

Data: tests/tiny.py (cars 1,000 at $10,000, trucks 100 at $20,000, options 0/10/20%, a
'dealers' channel of capacity 50 selling cars at $10,000). Relative violation is
-slack / max(1, |lhs|, |rhs|).
"""
from __future__ import annotations

import json

import pytest
from pledge_family import PLEDGES
from tiny import q, tiny, write

import model.run as run
from model.cli import main
from model.data.instance import Deal
from model.data.levers import register_lever_family, unregister_lever_family
from model.economics.checks import VIOLATION_TOLERANCE, constraint_checks, max_violation
from model.economics.metrics import evaluate, references
from model.economics.outcomes import option_table

AT_20 = {"car": "flat_20", "truck": "flat_20"}
MAKER = {"makers": {"acme": {"label": "Acme", "spare_capacity": q(100, "vehicles"), "segments": ["car"]}}}
GRAIN = {"goods": {"grain": {"label": "grain", "unit": "tonne", "unit_value": q(1000, "USD/tonne"),
                             "max_units": q(100, "tonne"), "political_cost": q(0, "USD/tonne")}}}
NTB = {"ntb_measures": {"standards": {"label": "accept home standards", "political_cost": q(5000, "USD"),
                                      "ceiling_lift": {"car": q(40, "vehicles")}}},
       "payoffs": {"partner": {"partner_political_cost": q(-1, "1")}}}
CAP = {"red_lines": {"cap": {"party": "partner", "label": "cars at most 10%", "reason": "test",
                             "metric": "tariff_rate", "index": "car", "sense": "<=", "bound": q(10, "%")}}}


def binaries_of(deal: Deal, inst, off: float = 0.0) -> dict:
    """The solver's binaries for `deal` (the chosen option 1, the others 0), the chosen car option at 1 - off."""
    tariff = {(line, o.name): (1.0 - off if (line == "car" and o.name == deal.values("tariff")[line]) else
                               float(o.name == deal.values("tariff")[line])) for line in inst.lines for o in inst.line_options(line)}
    return {"tariff": tariff, "ntb_relief": {n: float(bool(deal.values("ntb").get(n))) for n in inst.ntb_measures}}


def checked(inst, deal, binaries=None):
    table = option_table(inst)
    return constraint_checks(inst, deal, evaluate(inst, deal, table), references(inst, table), binaries)


# (case, overrides, deal, binaries: None or (tariff values) , row name, lhs, rhs)
#   lhs/rhs worked out by hand; the slack is rhs - lhs for '<=', lhs - rhs for '>=', -|lhs - rhs| for '=='.
CASES = [
    # Sold 90 cars; ceiling 30 lifted by 40 with the relief on: 70. Capacity raised to 100 so only the ceiling breaks.
    ("buyer ceiling", {**NTB, "segments": {"car": {"partner_ceiling": q(30, "vehicles")}},
                       "channels": {"dealers": {"capacity": q(100, "vehicles")}}},
     Deal(tariff=AT_20, commitments={("dealers", "car"): 90.0}, ntb={"standards": True}),
     "buyer_ceiling[car]", 90.0, 70.0),
    # 70 cars through a channel of 50 (ceiling 100).
    ("channel capacity", {"segments": {"car": {"partner_ceiling": q(100, "vehicles")}}},
     Deal(tariff=AT_20, commitments={("dealers", "car"): 70.0}), "channel_capacity[dealers]", 70.0, 50.0),
    # 130 cars moved where 100 are spare (car imports at 20%: 833.33, so the shift replaces imports).
    ("spare capacity", MAKER, Deal(tariff=AT_20, shift={("acme", "car"): 130.0}), "spare_capacity[acme]", 130.0, 100.0),
    # 900 cars moved (spare 5,000) where only 1,000 / 1.2 = 833.33 are imported at 20%.
    ("shift within imports", {"makers": {"acme": {**MAKER["makers"]["acme"], "spare_capacity": q(5000, "vehicles")}}},
     Deal(tariff=AT_20, shift={("acme", "car"): 900.0}), "shift_within_imports[car]", 900.0, 1000 / 1.2),
    # 130 tonnes bought where at most 100 can be.
    ("purchase limit", GRAIN, Deal(tariff=AT_20, purchases={"grain": 130.0}), "purchase_limit[grain]", 130.0, 100.0),
    # A negative purchase: -20 tonnes.
    ("non-negativity", GRAIN, Deal(tariff=AT_20, purchases={"grain": -20.0}), "levers_nonnegative", -20.0, 0.0),
    # Cars at 20% against the partner's 'at most 10%': tariff_rate[car] = 0.2.
    ("red line", CAP, Deal(tariff=AT_20), "red_line[cap]", 0.2, 0.1),
    # Relief granted and nothing else: the partner loses its political cost, 5,000, against no deal. Its payoff is
    # its exporters' margin, $1,000 on each of the 1,000/1.2 + 100/1.2 vehicles imported at 20%, less that cost.
    ("participation (partner)", {**NTB, "settings": {"participation": True}},
     Deal(tariff=AT_20, ntb={"standards": True}), "participation[partner]", 1100 / 1.2 * 1000 - 5000, 1100 / 1.2 * 1000),
    # Cars at 0%: home's payoff (-deficit) falls by CAR[0] - CAR[20] = 10,000,000 - 8,333,333.33.
    ("participation (home)", {"settings": {"participation": True}}, Deal(tariff={"car": "flat_0", "truck": "flat_20"}),
     "participation[home]", -(1e7 + 2e6 / 1.2), -(1e7 / 1.2 + 2e6 / 1.2)),
    # Cars fixed at 10%, the deal has 20%: the check reads 1 when the option matches, else 0.
    ("fixed option", {"fixed_levers": {"tariff": {"car": q(10, "%")}}}, Deal(tariff=AT_20),
     "fixed_lever[tariff.car]", 0.0, 1.0),
    # 25 cars where 20 are fixed.
    ("fixed amount", {"segments": {"car": {"partner_ceiling": q(100, "vehicles")}},
                      "fixed_levers": {"commitments": {"dealers": {"car": q(20, "vehicles")}}}},
     Deal(tariff=AT_20, commitments={("dealers", "car"): 25.0}), "fixed_lever[commitments.dealers.car]", 25.0, 20.0),
    # Relief fixed off, the deal grants it.
    ("fixed switch", {**NTB, "fixed_levers": {"ntb": {"standards": False}}},
     Deal(tariff=AT_20, ntb={"standards": True}), "fixed_lever[ntb.standards]", 1.0, 0.0),
]


def slack_of(sense: str, lhs: float, rhs: float) -> float:
    return {"<=": rhs - lhs, ">=": lhs - rhs, "==": -abs(lhs - rhs)}[sense]


@pytest.mark.parametrize("case, over, deal, name, lhs, rhs", CASES, ids=[c[0] for c in CASES])
def test_each_family_reports_its_violation(tmp_path, case, over, deal, name, lhs, rhs):
    inst = tiny(tmp_path, over)
    checks = checked(inst, deal)
    (row,) = [c for c in checks if c.name == name]
    assert row.lhs == pytest.approx(lhs, rel=1e-12) and row.rhs == pytest.approx(rhs, rel=1e-12)
    expected = slack_of(row.sense, lhs, rhs)
    assert expected < 0
    assert row.slack == pytest.approx(expected, rel=1e-12)
    assert row.relative_violation == pytest.approx(-expected / max(1.0, abs(lhs), abs(rhs)), rel=1e-12)
    assert max_violation(checks) == pytest.approx(row.relative_violation, rel=1e-12)
    assert [c.name for c in checks if c.relative_violation > 0] == [name]


def test_the_limits_themselves_pass(tmp_path):
    """On the bound exactly (70 cars sold, ceiling 30 + 40) nothing is violated, and 1e-7 beyond
    it is within VIOLATION_TOLERANCE; 1e-5 beyond is not."""
    inst = tiny(tmp_path, CASES[0][1])
    at = Deal(tariff=AT_20, commitments={("dealers", "car"): 70.0}, ntb={"standards": True})
    assert max_violation(checked(inst, at)) == 0.0
    for excess, ok in ((1e-7, True), (1e-5, False)):
        deal = Deal(tariff=AT_20, commitments={("dealers", "car"): 70.0 * (1 + excess)}, ntb={"standards": True})
        worst = max_violation(checked(inst, deal))
        assert worst == pytest.approx(excess / (1 + excess), rel=1e-6) and (worst <= VIOLATION_TOLERANCE) == ok


def test_one_option_per_line(tmp_path):
    """Binaries with two car options at 1: the row sums 2 against 1: slack -1, relative 1/2."""
    inst = tiny(tmp_path)
    deal = Deal(tariff=AT_20)
    binaries = binaries_of(deal, inst)
    binaries["tariff"]["car", "flat_0"] = 1.0
    checks = checked(inst, deal, binaries)
    (row,) = [c for c in checks if c.name == "one_tariff_option[car]"]
    assert (row.lhs, row.rhs, row.slack, row.relative_violation) == (2.0, 1.0, -1.0, 0.5)
    assert max_violation(checks) == 0.5
    assert [c.name for c in checks if c.relative_violation > 0] == ["one_tariff_option[car]"]


def test_integrality(tmp_path):
    """The chosen car option's binary at 1 - 3e-4: integrality lhs 3e-4 against 0, relative
    3e-4 (scale 1); the one-option row sums 1 - 3e-4, off by 3e-4 as well."""
    inst = tiny(tmp_path)
    deal = Deal(tariff=AT_20)
    checks = checked(inst, deal, binaries_of(deal, inst, off=3e-4))
    (row,) = [c for c in checks if c.name == "integrality"]
    assert row.lhs == pytest.approx(3e-4, rel=1e-9) and row.slack == pytest.approx(-3e-4, rel=1e-9)
    assert row.relative_violation == pytest.approx(3e-4, rel=1e-9)
    assert max_violation(checks) == pytest.approx(3e-4, rel=1e-9)
    assert max_violation(checked(inst, deal, binaries_of(deal, inst))) == 0.0


def test_a_lever_familys_own_check(tmp_path):
    """The pledge family (tests/pledge_family.py) brings 'at most its cap': a cap of USD 8 M and a
    pledge of USD 10 M give slack -2 M, relative 2/10."""
    register_lever_family(PLEDGES)
    try:
        inst = tiny(tmp_path, {"investment_pledges": {"plants": {"label": "new plants", "cap": q(8, "USD million"),
                                                                 "political_cost": q(10, "%")}}})
        checks = checked(inst, Deal(tariff=AT_20).with_values("pledges", {"plants": 10e6}))
    finally:
        unregister_lever_family(PLEDGES.name)
    (row,) = [c for c in checks if c.name == "pledge_cap[plants]"]
    assert (row.slack, row.relative_violation) == (pytest.approx(-2e6), pytest.approx(0.2))
    assert max_violation(checks) == pytest.approx(0.2)


def _pushed_over_the_ceiling(monkeypatch, cars: float):
    """Read the solver's deal back with `cars` more cars sold through the dealers than it chose."""
    from model.optimization.handle import LoadedModel
    real = LoadedModel.read

    def over(self, x, threshold=None):
        deal, binaries = real(self, x, threshold)
        key = ("dealers", "car")
        sold = deal.values("commitments")
        return deal.with_values("commitments", {**sold, key: sold.get(key, 0) + cars}), binaries
    monkeypatch.setattr(LoadedModel, "read", over)


def test_a_solution_over_a_ceiling_is_an_error(tmp_path, monkeypatch):
    """Ceiling 30 cars, capacity 50: the solver sells 30. Read back as 40, the ceiling is broken by
    10 (relative 10/40): status error naming the ceiling, not a deal, and the CLI exits 1 with
    no deal in the report."""
    over = {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}}
    clean = run.solve_instance(tiny(tmp_path, over))
    assert clean.status == "optimal" and clean.verification.ok
    _pushed_over_the_ceiling(monkeypatch, 10.0)
    r = run.solve_instance(tiny(tmp_path, over))
    assert r.status == "error" and not r.verification.ok
    assert r.verification.worst == "buyer_ceiling[car]"
    assert r.verification.max_violation == pytest.approx(10 / 40, rel=1e-9)
    assert "buyer_ceiling[car]" in r.message and "not reported as a deal" in r.message
    assert r.levers == [] and r.metric("deficit").deal is None and not r.has_deal
    out = tmp_path / "out"
    assert main(["run", str(write(tmp_path, over)), "--out", str(out)]) == 1
    saved = json.loads((out / "results.json").read_text())
    assert saved["status"] == "error" and saved["verification"]["ok"] is False
    assert saved["verification"]["worst"] == "buyer_ceiling[car]"
    assert saved["levers"] == [] and saved["objective"]["value"] is None
    assert all(m["deal"] is None for m in saved["metrics"])
    report = (out / "report.md").read_text()
    assert "not reported as a deal" in report and "No deal is reported" in report
    assert "## Levers" not in report and "40 vehicles" not in report
