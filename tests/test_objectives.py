"""Weighted and Nash-bargaining objectives on a case with a closed form.

A linear frontier (tests/tiny.py data, participation off): the tariff is fixed at 10% on
both segments, against 20% with no deal. Under full pass-through the partner's margin is
$1,000 a vehicle whatever the tariff, so the cut gives the partner a fixed gain from the
extra volume, and costs home a fixed deficit increase:
  G = 1,000 * [(1000 + 100)/1.1 - (1000 + 100)/1.2] = 83,333.33
  L = 1e7/1.1 - 1e7/1.2 + 2e6/1.1 - 2e6/1.2 = 909,090.91
The partner may also buy q tonnes of a good worth v = $1,000 a tonne to home (the deficit
falls by v q) at a political cost c = $10 a tonne (up to 10,000 t). Gains over no deal:
  home h = v q - L,  partner p = G - c q:  a straight frontier, p = G - c (h + L)/v.
Nash with weights w_h, w_p maximizes w_h log h + w_p log p; the first-order condition
w_h v / h = w_p c / p with the frontier gives
  h* = w_h/(w_h + w_p) (v G/c - L),   p* = w_p/(w_h + w_p) (G - c L/v):
each party gets its weight's share of its largest possible gain; equal weights give the
midpoint of the gains.

Tolerance: the approximation stops when the linear and true log objectives agree to 1e-6
relative. The log objective is flat at its maximum (an error e in the gains moves it by
about e^2/2), so gains agree only to about the square root of that: rel 2e-3 here.
"""
import pytest
from tiny import q, tiny

from model.run import solve_instance

NASH_REL = 2e-3
V, C = 1000.0, 10.0
G = 1000 * (1100 / 1.1 - 1100 / 1.2)
L = 1e7 / 1.1 - 1e7 / 1.2 + 2e6 / 1.1 - 2e6 / 1.2
CASE = {
    "settings": {"participation": False},
    "fixed_levers": {"tariff": {"cars": q(10, "%")}},
    "goods": {"lng": {"label": "LNG", "unit": "tonne", "unit_value": q(V, "USD/tonne"),
                      "max_units": q(10_000, "tonne"), "political_cost": q(C, "USD/tonne")}},
    "payoffs": {"home": {"deficit": q(-1, "1")},
                "partner": {"partner_export_margin": q(1, "1"), "partner_political_cost": q(-1, "1")}},
}


def gains(r):
    return {p: r.metric(f"{p}_payoff").deal - r.metric(f"{p}_payoff").no_deal for p in ("home", "partner")}


def nash_case(wh, wp, tariff=10):
    return {**CASE, "fixed_levers": {"tariff": {"cars": q(tariff, "%")}},
            "settings": {"participation": False, "objective": "nash", "nash_weights": {"home": wh, "partner": wp}}}


def test_equal_weights_give_the_midpoint_of_the_gains(tmp_path):
    """Equal weights: h* = (v G/c - L)/2, p* = (G - c L/v)/2."""
    r = solve_instance(tiny(tmp_path, nash_case(1, 1)))
    assert r.status == "optimal" and r.verification.ok
    g = gains(r)
    assert g["home"] == pytest.approx((V * G / C - L) / 2, rel=NASH_REL)
    assert g["partner"] == pytest.approx((G - C * L / V) / 2, rel=NASH_REL)
    assert r.stages.nash.relative_gap <= 1e-6


def test_unequal_weights_split_the_gains_in_proportion(tmp_path):
    """Weights 3:1: home gets 3/4 of its maximal gain, partner 1/4 of its maximal gain."""
    r = solve_instance(tiny(tmp_path, nash_case(3, 1)))
    g = gains(r)
    assert g["home"] == pytest.approx(0.75 * (V * G / C - L), rel=NASH_REL)
    assert g["partner"] == pytest.approx(0.25 * (G - C * L / V), rel=NASH_REL)


def test_no_nash_deal_when_a_party_cannot_gain(tmp_path):
    """Without the tariff cut the partner only loses from purchases: no deal gives both a gain."""
    r = solve_instance(tiny(tmp_path, nash_case(1, 1, tariff=20)))
    assert r.status == "infeasible"
    assert "no Nash" in r.message or "no deal" in r.message


def test_weighted_all_on_minus_deficit_reproduces_min_deficit(tmp_path):
    base = {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}}
    md = solve_instance(tiny(tmp_path, base))
    w = solve_instance(tiny(tmp_path, {**base, "settings": {"participation": False, "objective": "weighted",
                                                             "objective_weights": {"deficit": -1}}}))
    assert w.status == "optimal" and w.verification.ok
    assert w.metric("deficit").deal == pytest.approx(md.metric("deficit").deal)
    assert w.objective.value == pytest.approx(-md.metric("deficit").deal)


def test_weighted_without_weights_is_an_input_error(tmp_path, capsys):
    from tiny import write

    from model.cli import main
    assert main(["run", str(write(tmp_path)), "--objective", "weighted", "--out", str(tmp_path / "o")]) == 2
    assert "settings.objective_weights" in capsys.readouterr().err
