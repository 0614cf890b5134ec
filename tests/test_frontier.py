"""The Pareto frontier: non-dominated, monotone, its home end is the min-deficit deal."""
from pathlib import Path

import pytest
from tiny import q, tiny, write

from model.analyses.frontier import compute_frontier
from model.cli import main
from model.economics.loading import load
from model.optimization.handle import NegotiationModel
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def toyota_frontier():
    inst = load(ROOT / "instances" / "smart_defaults.yaml")
    return inst, compute_frontier(NegotiationModel(inst), 5)


def test_points_are_verified_monotone_and_non_dominated(toyota_frontier):
    _, f = toyota_frontier
    pts = f.points
    assert f.status == "ok" and len(pts) >= 3
    assert all(p.verified for p in pts)
    for a, b in zip(pts, pts[1:]):      # deficit rises, partner payoff rises: a trade-off
        assert b.deficit > a.deficit and b.partner_payoff > a.partner_payoff
    for p in pts:
        assert not any(o is not p and o.deficit <= p.deficit and o.partner_payoff >= p.partner_payoff
                       for o in pts)


def test_min_deficit_deal_is_the_home_end(toyota_frontier):
    inst, f = toyota_frontier
    r = solve_instance(inst)
    assert f.points[0].deficit == pytest.approx(r.metric("deficit").deal, rel=1e-7)
    assert f.points[0].partner_payoff == pytest.approx(r.metric("partner_payoff").deal, rel=1e-6)
    assert f.zopa.deficit.low == f.points[0].deficit


def test_every_frontier_deal_is_in_the_zopa(toyota_frontier):
    """Participation is on: both gains over no deal are >= 0 at every point."""
    _, f = toyota_frontier
    assert all(p.home_gain >= -1 and p.partner_gain >= -1 for p in f.points)


def test_no_zopa_reports_the_participation_shortfall(tmp_path):
    """Participation on. Home's red line: a deficit at most 99% of no deal's $10 M ($9.9 M).
    The only lever that cuts the deficit is relief lifting the car ceiling by 40 (-$400,000),
    which costs the partner $1 M of political cost; tariff cuts, the only compensation, raise
    the deficit. Cutting trucks to 10% (+$151,515.15 of deficit, deficit $9.75 M) still meets
    home's red line and gives the partner $7,575.76; any larger cut breaks it (trucks 0%:
    $9.93 M; cars 10%: $10.36 M). So no deal suits both, and the smallest participation
    shortfall is the partner's: 1,000,000 - 7,575.76 = $992,424.24."""
    case = {"settings": {"participation": True},
            "segments": {"car": {"partner_ceiling": q(0, "vehicles")}},
            "ntb_measures": {"standards": {"label": "standards", "political_cost": q(1, "USD million"),
                                           "ceiling_lift": {"car": q(40, "vehicles")}}},
            "payoffs": {"partner": {"partner_political_cost": q(-1, "1")}},
            "red_lines": {"must": {"party": "home", "label": "Home: deficit below no deal", "reason": "test",
                                   "metric": "deficit", "sense": "<=", "bound": q(99, "%"), "relative_to": "no_deal"}}}
    f = compute_frontier(NegotiationModel(tiny(tmp_path, case)), 3)
    assert f.status == "no_zopa"
    assert f.shortfall.kind == "participation"
    assert f.shortfall.total == pytest.approx(1_000_000 - (100_000 / 1.1 - 100_000 / 1.2))
    assert set(f.shortfall.by_party) == {"partner"}


def test_frontier_command_writes_csv_chart_and_report(tmp_path, capsys):
    path = write(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}},
                            "settings": {"participation": True},
                            "payoffs": {"partner": {"dealer_margin": q(1, "1")}}})
    assert main(["frontier", str(path), "--points", "3", "--out", str(tmp_path / "fr")]) == 0
    names = {p.name for p in (tmp_path / "fr").iterdir()}
    assert {"frontier.csv", "frontier.svg", "report.md", "results.json"} <= names
    assert "zone of possible agreement" in (tmp_path / "fr" / "report.md").read_text()
    assert (tmp_path / "fr" / "frontier.svg").read_text().startswith("<?xml")
    assert 'data-chart="frontier"' in (tmp_path / "fr" / "report.html").read_text()
    import openpyxl
    assert "frontier" in openpyxl.load_workbook(tmp_path / "fr" / "results.xlsx", read_only=True).sheetnames
