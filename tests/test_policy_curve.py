"""`sweep --lever`: one lever held at each value, the rest negotiated (issue 26 item 5), worked by
hand on tiny (cars 1,000 at $10,000, elasticity -1 with full pass-through: imports of cars are
worth 10,000,000 / (1 + t); trucks 2,000,000 / (1 + t); the partner earns $1,000 a car imported)."""
from __future__ import annotations

import csv
import json

import pytest
from tiny import q, tiny, write

from model.analyses.deal_terms import deal_of
from model.analyses.policy_curve import parse_lever, policy_curve
from model.cli import main
from model.errors import InstanceError
from model.optimization.handle import NegotiationModel
from model.results import PolicyCurve, from_data

CAR = {0: 1e7, 10: 1e7 / 1.1, 20: 1e7 / 1.2}
TRUCK20 = 2e6 / 1.2
CAP = {"red_lines": {"cap": {"party": "partner", "label": "cars at most 10%", "reason": "test",
                             "metric": "tariff_rate", "index": "car", "sense": "<=", "bound": q(10, "%")}}}


def test_the_car_tariff_held_at_each_rate(tmp_path):
    """At 0% and 10% the rest is negotiated (trucks at 20%: the home side's least deficit); at 20% the
    partner's cap leaves no deal. Home's payoff is minus the deficit; the partner's gain from 0% over
    10% is $1,000 x (1,000 - 1,000 / 1.1) = 90,909.09."""
    inst = tiny(tmp_path, CAP)
    model = NegotiationModel(inst)
    deal = deal_of(model.solve())
    curve = policy_curve(model, "tariff.car", (0.0, 10.0, 20.0), deal)
    zero, ten, twenty = curve.points
    assert [p.value for p in curve.points] == pytest.approx([0.0, 0.10, 0.20])
    assert curve.unit == "fraction" and curve.deal_value == pytest.approx(0.10)
    assert zero.deficit == pytest.approx(CAR[0] + TRUCK20) and ten.deficit == pytest.approx(CAR[10] + TRUCK20)
    assert twenty.deficit is None and twenty.status == "infeasible"
    no_deal = model.refs.no_deal["deficit"]
    assert ten.gains["home"] == pytest.approx(no_deal - ten.deficit)
    assert zero.gains["partner"] - ten.gains["partner"] == pytest.approx(1e6 - 1e6 / 1.1)
    assert zero.verified and ten.verified
    # The curve leaves the model as it was: the deal re-solves to the same deficit.
    assert deal_of(model.solve()).values("tariffs") == deal.values("tariffs")


def test_sweep_lever_writes_its_curve(tmp_path, capsys):
    path = write(tmp_path, CAP)
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--lever", "tariff.car=0,10,20", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "at 3 values, the rest negotiated" in text and "flat 20.0%: no deal (infeasible)" in text
    rows = list(csv.DictReader((out / "policy_curve.csv").open()))
    assert [r["status"] for r in rows] == ["optimal", "optimal", "infeasible"]
    assert float(rows[1]["deficit"]) == pytest.approx(CAR[10] + TRUCK20)
    report = (out / "report.md").read_text()
    assert "## The deal along one lever:" in report and "![The deal along" in report
    assert "<svg" in (out / "policy_curve.svg").read_text()
    saved = json.loads((out / "results.json").read_text())["policy_curve"]
    assert from_data(PolicyCurve, saved).points[2].deficit is None


@pytest.mark.parametrize("arg, words", [
    ("tariff.cars=0,10", "'tariff.cars' is not a lever of this instance"),
    ("tariff.car=12", "12% is not on the line's menu"),
    ("tariff.car", "--lever 'tariff.car': write FAMILY.KEY=v1,v2,..."),
    ("tariff.car=0,x", "the values must be numbers separated by commas"),
])
def test_a_bad_lever_is_refused_before_solving(tmp_path, capsys, arg, words):
    out = tmp_path / "sw"
    assert main(["sweep", str(write(tmp_path, CAP)), "--lever", arg, "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_parse_lever():
    assert parse_lever("tariff.cars=0, 2.5,5") == ("tariff.cars", (0.0, 2.5, 5.0))
    with pytest.raises(ValueError, match="finite"):
        parse_lever("tariff.cars=nan")
    assert InstanceError  # the refusals above are InstanceErrors, said with file and field


@pytest.mark.slow
def test_the_guides_curve_for_the_default_instance_is_the_commands():
    """docs/sweeps.md's curves on the default instance (instances/toyota_2025.yaml) are the command's:
    the car line, and the parts line."""
    from pathlib import Path

    from model.economics.loading import load
    from model.formatting import money
    root = Path(__file__).resolve().parent.parent
    model = NegotiationModel(load(root / "instances" / "toyota_2025.yaml"))
    base = deal_of(model.solve())
    guide = " ".join((root / "docs" / "sweeps.md").read_text(encoding="utf-8").split())

    def said(points) -> str:
        def listed(xs: list[str]) -> str:
            return ", ".join(xs[:-1]) + " and " + xs[-1]
        return (f"{listed([money(p.deficit) for p in points])} (the US gains "
                f"{listed([money(p.gains['home'], True) for p in points])}, Japan "
                f"{listed([money(p.gains['partner'], True) for p in points])})")

    curve = policy_curve(model, "tariff.cars", (10.0, 12.5, 15.0, 17.5, 20.0, 25.0), base)
    assert [p.status for p in curve.points[:3]] == ["infeasible"] * 3
    assert all(p.deficit is not None for p in curve.points[3:])
    assert "--lever tariff.cars=10,12.5,15,17.5,20,25" in guide
    assert f"25% it gives deficits of {said(curve.points[3:])}" in guide
    parts = policy_curve(model, "tariff.parts", (2.5, 10.0, 15.0, 20.0, 27.5), base)
    assert parts.points[0].status == "infeasible" and all(p.deficit is not None for p in parts.points[1:])
    assert "(`--lever tariff.parts=2.5,10,15,20,27.5`) there is no deal at 2.5%" in guide
    assert f"27.5% the deficits are {said(parts.points[1:])}" in guide
