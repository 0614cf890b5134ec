"""Explaining the optimum and diagnosing no deal.

Tiny data (tests/tiny.py): with no concession possible, the least deficit is 10,000,000
(both segments at 20%). Shadow prices are checked against finite differences: relax the
bound by a small step, re-solve, compare the change per unit with the reported price.
"""
from pathlib import Path

import pytest
from tiny import q, tiny, write

from model.cli import main
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
DEFICIT_CAP = {"red_lines": {"cap": {"party": "home", "label": "Home: deficit at most $9 M", "reason": "test",
                                     "metric": "deficit", "sense": "<=", "bound": q(9, "USD million")}}}


def test_single_red_line_infeasibility_is_diagnosed_as_that_line(tmp_path):
    """Deficit at most $9 M, but the least possible is $10 M: exactly that red line must move,
    by $1 M, and the relaxed deal (deficit $10 M) satisfies every relaxed constraint."""
    r = solve_instance(tiny(tmp_path, DEFICIT_CAP))
    assert r.status == "infeasible"
    d = r.diagnosis
    assert d.status == "relaxable"
    assert [x.name for x in d.relaxations] == ["red_line[cap]"]
    assert d.relaxations[0].amount == pytest.approx(1_000_000)
    assert d.deal["deficit"] == pytest.approx(10_000_000)
    assert d.verification_of_relaxed_deal <= 1e-6
    assert any(x.name == "red_line[cap]" for x in d.iis)


@pytest.mark.parametrize("bound, status", [(-5, "infeasible"), (5, "optimal")])
def test_red_line_on_a_metric_with_no_terms(tmp_path, bound, status):
    """The tiny instance has no third countries, so its deficit with them is a constant $0:
    a red line asking it to be at most -$5 M can never hold (infeasible, and diagnosed as
    that line), one at most $5 M always holds. Neither may crash the build."""
    red = {"red_lines": {"third": {"party": "home", "label": "Home: third-country deficit cap", "reason": "test",
                                   "metric": "third_countries_deficit", "sense": "<=",
                                   "bound": q(bound, "USD million")}}}
    r = solve_instance(tiny(tmp_path, red))
    assert r.status == status
    if status == "infeasible":
        assert [x.name for x in r.diagnosis.relaxations] == ["red_line[third]"]
        assert r.diagnosis.relaxations[0].amount == pytest.approx(5_000_000)


def test_infeasible_exit_code_differs_from_bad_input(tmp_path, capsys):
    code = main(["run", str(write(tmp_path, DEFICIT_CAP)), "--out", str(tmp_path / "out")])
    text = capsys.readouterr().out
    assert code == 3
    assert "Home: deficit at most $9 M: from $9.0 M to $10.0 M" in text
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Why there is no deal" in report and "Home: deficit at most $9 M" in report


def test_no_zopa_example_is_diagnosed(tmp_path):
    from model.economics.loading import load
    r = solve_instance(load(ROOT / "instances" / "no_zopa_example.yaml"))
    assert r.status == "infeasible"
    d = r.diagnosis
    assert d.status == "relaxable" and d.relaxations
    assert any(x.kind == "red_line" for x in d.relaxations)
    assert d.verification_of_relaxed_deal <= 1e-6


def _deficit(tmp_path, overrides):
    return solve_instance(tiny(tmp_path, overrides)).metric("deficit").deal


@pytest.mark.parametrize("case, family, field, step", [
    # ceiling 30 binds (capacity 50): one more car sold is worth its $10,000 of exports
    ({"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}}, "buyer_ceiling[car]",
     ("segments", "car", "partner_ceiling"), 5),
    # spare capacity 100 binds: one more car built at home replaces a $10,000 import
    ({"makers": {"acme": {"label": "Acme", "spare_capacity": q(100, "vehicles"), "segments": ["car"]}}},
     "spare_capacity[acme]", ("makers", "acme", "spare_capacity"), 5),
])
def test_shadow_price_matches_finite_difference(tmp_path, case, family, field, step):
    r = solve_instance(tiny(tmp_path, case))
    row = next(c for c in r.constraints if c.name == family)
    assert row.binding
    bumped = {**case}
    node = bumped
    for key in field[:-1]:
        node[key] = dict(node[key])
        node = node[key]
    node[field[-1]] = q(node[field[-1]]["value"] + step, node[field[-1]]["unit"])
    change = (r.metric("deficit").deal - _deficit(tmp_path, bumped)) / step
    assert change == pytest.approx(row.relaxation_value, rel=1e-6)
    # and the sentence says it in the instance's words and units
    sentence = next(e for e in r.explanations if e.name == family).sentence
    assert row.label in sentence and "1,000 vehicles" in sentence and "$10.0 M" in sentence


def test_ranging_brackets_the_bound_and_the_rate_holds_inside(tmp_path):
    """Ceiling 30 binds; the channel's capacity 50 ends the rate: the interval's top is 50."""
    case = {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}}
    r = solve_instance(tiny(tmp_path, case))
    rng = next(b for b in r.ranging.bounds if b.name == "buyer_ceiling[car]")
    assert rng.low <= 30 <= rng.high
    assert rng.high == pytest.approx(50)
    inside = _deficit(tmp_path, {"segments": {"car": {"partner_ceiling": q(45, "vehicles")}}})
    assert (r.metric("deficit").deal - inside) / 15 == pytest.approx(10_000)
