"""brief.html: the one-page brief `run` writes. Each part is read from the typed results; here
the results of a tiny solve are given round figures by hand (metrics, participation floors,
a zone of agreement, concession values, a binding red line) and each part must say exactly
those figures, chosen by the brief's rules."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from tiny import tiny

from model.reporting import brief
from model.reporting.report_files import write_report
from model.reporting.report_manifest import MARKER
from model.results import ConcessionValue, ConcessionValues, ConstraintRow, Explanation, Frontier, Interval, Zopa
from model.run import solve_instance


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    return solve_instance(tiny(tmp_path_factory.mktemp("brief"), {"settings": {"participation": True}}))


def with_figures(r):
    """Round figures: the deficit $30 bn with no deal, $29 bn with the deal (no purchases: the
    vehicles' balance is the same); Home gains $200 M by its payoff and loses $50 M in welfare,
    Partner gains $300 M and $100 M."""
    figures = {"deficit": (30e9, 29e9), "sector_deficit": (30e9, 29e9), "home_payoff": (-30e9, -29.8e9), "partner_payoff": (1e9, 1.3e9),
               "home_welfare": (5e9, 4.95e9), "partner_welfare": (2e9, 2.1e9)}
    metrics = [replace(m, no_deal=figures[m.name][0], deal=figures[m.name][1]) if m.name in figures else m
               for m in r.metrics]
    floors = [replace(c, slack={"home": 200e6, "partner": 0.0}[c.party]) if c.kind == "participation" else c
              for c in r.constraints]
    return replace(r, metrics=metrics, constraints=floors, frontier=None, concession_values=None)


def test_bottom_line_says_the_deficit_and_each_sides_gains(solved):
    r = with_figures(solved)
    assert brief.bottom_line(r) == (
        "**A deal both Home and Partner prefer to no deal by their payoffs**: the deficit in the negotiated goods "
        "(vehicles; no purchases) is $29.00 bn a year, -$1.00 bn against no deal ($30.00 bn). Gains over no deal by payoff: Home +$200.0 M, "
        "Partner +$300.0 M; in welfare: Home -$50.0 M, Partner +$100.0 M.")
    assert brief.gain_rows(r)[0][:3] == ["Home", "+$200.0 M", "-$50.0 M"]
    # A side that loses by its payoff: the bottom line does not claim both prefer the deal.
    worse = replace(r, metrics=[replace(m, deal=-30.1e9) if m.name == "home_payoff" else m for m in r.metrics])
    assert brief.bottom_line(worse).startswith("**A deal that leaves Home worse off than no deal by its payoff**")


def test_no_deal_says_so(solved):
    r = replace(with_figures(solved), status="infeasible")
    assert brief.bottom_line(r).startswith("**No deal**: no package meets every constraint; the deficit in the "
                                           "negotiated goods (vehicles; no purchases) stays at $30.00 bn a year")
    assert brief.talking_points(r) == []
    unbounded = replace(r, status="unbounded")
    assert "the solve ended unbounded without a verified deal" in brief.bottom_line(unbounded)
    [walk] = brief.walk_away(r)
    assert walk.startswith("Participation was required") and walk.endswith("each side's walk-away point is no deal "
                                                                           "itself.")


def test_walk_away_is_the_floors_without_a_frontier_and_the_zone_with_one(solved):
    r = with_figures(solved)
    home, partner = brief.walk_away(r)
    assert home.endswith("the deal clears this floor by $200.0 M, the most Home's side can be pushed before it "
                         "walks away.")
    assert partner.endswith("the deal is at this floor; Partner is indifferent to walking away.")
    zone = Zopa(Interval(28e9, 29.5e9), Interval(0.0, 400e6), Interval(100e6, 700e6))
    r = replace(r, frontier=Frontier(status="ok", zopa=zone))
    line, gains = brief.walk_away(r)
    assert "have a deficit from $28.00 bn (best for Home) to $29.50 bn (best for Partner)" in line
    assert gains.startswith("Along it Home gains $0 to $400.0 M and Partner $100.0 M to $700.0 M")
    off = replace(r, instance=replace(r.instance, participation=False), frontier=None)
    assert brief.walk_away(off)[0].startswith("Participation was not required")


def concession(lever, party, change, home, partner):
    return ConcessionValue(lever=lever, family="x", label=f"lever {lever}", party=party, kind="option", status="ok",
                           step="one step", direction="last", deficit_change=change, home_value=home,
                           partner_value=partner)


def test_talking_points_are_the_largest_concession_the_binding_red_line_and_a_disagreement(solved):
    r = with_figures(solved)
    values = ConcessionValues(rows=[concession("a", "home", -5e6, 1e6, 2e6), concession("b", "partner", 9e6, -3e6, 4e6),
                                    replace(concession("c", "home", -50e6, 0, 0), status="no_move")])
    red = ConstraintRow(name="red_line[x]", label="Partner: at most 10 plants", party="partner", kind="red_line",
                        lhs=10, sense="<=", rhs=10, unit="vehicles", slack=0, binding=True, relaxation_value=2500.0)
    said = Explanation(name="red_line[x]", label=red.label, party="partner", kind="red_line", step=1000,
                       unit="vehicles", deficit_change=-2.5e6, sentence="")
    r = replace(r, concession_values=values, constraints=[*r.constraints, red], explanations=[said])
    first, second, third = brief.talking_points(r)
    assert first == ("**The concession that moves the deficit most: lever b** (Partner gives; one step): the deficit "
                     "rises by $9.0 M; it is worth -$3.0 M to Home and +$4.0 M to Partner by their payoffs.")
    assert second == ("**Partner's red line binds: Partner: at most 10 plants**: 1,000 vehicles more would lower the "
                      "deficit by $2.5 M.")
    assert third.startswith("**Home's payoff and welfare disagree**: against no deal its payoff rises by $200.0 M "
                            "while its welfare falls by $50.0 M")
    assert len(brief.talking_points(r, 2)) == 2


def test_run_writes_the_brief_and_other_commands_do_not(solved, tmp_path):
    out = write_report(with_figures(solved), tmp_path / "run")
    page = (out / "brief.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    for text in ("Brief: Tiny test negotiation", "Bottom line.", "What Home asks (Partner gives)", "What Home gives",
                 "gain by its payoff", "+$200.0 M", "The walk-away point"):
        assert text in page, text
    assert "brief.html" in json.loads((out / MARKER).read_text())["files"]
    assert not (write_report(with_figures(solved), tmp_path / "sweep", command="sweep") / "brief.html").exists()


def test_robustness_has_its_place(solved, monkeypatch):
    r = with_figures(solved)
    assert "How sure" not in brief.brief_html(r)
    monkeypatch.setattr(brief, "robustness", lambda r: "**A deal in 72 of 200 draws**")
    assert "<h2>How sure</h2><p><b>A deal in 72 of 200 draws</b></p>" in brief.brief_html(r)


def test_fixed_terms_say_what_they_cost(solved):
    from model.results import FreeOptimum
    r = with_figures(solved)
    assert "fixed terms" not in brief.brief_html(r)
    free = FreeOptimum(metric="deficit", fixed=29e9, free=28.5e9, cost=0.5e9)
    assert "<b>The fixed terms cost $500.0 M a year</b>" in brief.brief_html(replace(r, free_optimum=free))
