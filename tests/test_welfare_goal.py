"""Welfare as a goal, participation in welfare, and reports that say what they checked
(issue 24 items 3 and 7), worked by hand on tiny instances (tests/tiny.py).

Common data: segment 'car', M0 = 1,000 imports at customs value P = $10,000, demand
elasticity eta, calibration tariff t0 = 0 unless a test says otherwise. With perfectly
elastic partner supply the buyer price ratio is r = 1 + t; home buyers' surplus change is
-P M0 ln r at eta = -1, and tariff revenue t P M0 / r.
"""
from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace as _page  # the few fields a page reads

import pytest
from test_trade_economics import PARTNER
from tiny import q, tiny

from model.data.instance import Deal
from model.economics.checks import constraint_checks
from model.economics.loading import load
from model.economics.metrics import WELFARE, evaluate
from model.errors import InstanceErrors
from model.optimization.handle import NegotiationModel
from model.reporting.alternatives_report import intro
from model.reporting.explanations import participation_gap
from model.reporting.first_screen import disagreements, lose_lose, welfare_lines, zopa_line
from model.reporting.frontier_section import frontier_section, frontier_terminal
from model.reporting.html import report_html
from model.reporting.markdown import method, report_markdown
from model.reporting.offer_report import verdict
from model.reporting.terminal import run_summary
from model.results import InstanceName, Outcome
from model.run import solve_instance
from model.run.pipelines import RUN, Context, Options, execute

ROOT = Path(__file__).resolve().parent.parent


def one_car(tmp_path, menu=(0, 20, 10), no_deal=0, supply=None, elasticity=-1.0, **extra):
    """The car alone on its line, perfectly elastic supply unless `supply` (phi) is given."""
    car = {"pass_through": None, "elasticity": q(elasticity, "1"), "partner_margin": q(9000, "USD/vehicle")}
    if supply is not None:
        car["partner_supply_elasticity"] = q(supply, "1")
    over = {"segments": {"truck": None, "car": car}, "channels": None,
            "tariff_menus": {"cars": {"flat": {"floor": q(menu[0], "%"), "ceiling": q(menu[1], "%"),
                                               "step": q(menu[2], "%")}}},
            "no_deal": {"tariff": {"cars": q(no_deal, "%")}},
            # The partner's payoff never moves (no partner tariff lines: its revenue is 0), so its
            # participation never binds and the home side's measure decides.
            "payoffs": {"home": {"deficit": q(-1, "1")},
                        "partner": {"partner_export_margin": None, "partner_tariff_revenue": q(1, "1")}}}
    over.update(extra)
    return tiny(tmp_path, over)


def home_welfare_by_hand(t: float) -> float:
    """eta = -1, perfectly elastic supply, t0 = 0: -P M0 ln(1 + t) + t P M0 / (1 + t)."""
    return -10_000 * 1000 * math.log(1 + t) + t * 10_000 * 1000 / (1 + t)


def _rate(r, family="tariff"):
    (lever,) = [lv for lv in r.levers if lv.name == family]
    return lever.value


# -- the welfare objective ----------------------------------------------------------------------

def test_with_perfectly_elastic_supply_the_welfare_objective_chooses_free_trade(tmp_path):
    """No terms of trade to win: every tariff is a pure deadweight loss, W(t) < W(0) = 0."""
    inst = one_car(tmp_path, menu=(0, 30, 5), no_deal=30)
    r = solve_instance(inst, objective="welfare", concessions=False)
    assert r.status == "optimal" and r.verification.ok
    assert r.objective.name == "welfare" and r.objective.metric == "home_welfare"
    assert _rate(r) == pytest.approx(0.0)
    assert r.metric("home_welfare").deal == pytest.approx(0.0, abs=1e-3)
    assert r.metric("home_welfare").no_deal == pytest.approx(home_welfare_by_hand(0.30), rel=1e-9)
    # The deficit objective picks the highest tariff instead, with its deadweight loss.
    d = solve_instance(inst, concessions=False)
    assert _rate(d) == pytest.approx(0.30)


def test_the_welfare_objective_finds_the_inverse_supply_elasticity_on_two_segments(tmp_path):
    """Two segments on their own lines (split menu 0%, 0.5%, ..., 60%), t0 = 0, no home producers.
    Cars: partner supply elasticity phi = 4, eta = -1.5: the welfare-best tariff is 1/phi = 25%
    (test_supply_curves derives it). Trucks: perfectly elastic supply: free trade, 0%. The
    segments are separable, so the solver's deal is each segment's own optimum, and home
    welfare is the cars' alone: at tau = 1.25 the supply price ratio is
    omega = tau^(eta/(phi - eta)) = 1.25^(-3/11), imports M0 omega^phi, buyers pay r = omega tau:
    W = -P M0 (r^(eta+1) - 1)/(eta + 1) + 0.25 omega P M0 omega^phi."""
    car = {"pass_through": None, "elasticity": q(-1.5, "1"), "partner_margin": q(9000, "USD/vehicle"),
           "partner_supply_elasticity": q(4, "1")}
    truck = {"pass_through": None, "partner_margin": q(19000, "USD/vehicle")}
    inst = tiny(tmp_path, {"segments": {"car": car, "truck": truck}, "channels": None,
                           "tariff_menus": {"cars": {"flat": {"floor": q(0, "%"), "ceiling": q(60, "%"),
                                                              "step": q(0.5, "%")}}},
                           "no_deal": {"tariff": {"cars": q(0, "%")}}})
    r = solve_instance(inst, objective="welfare", concessions=False)
    assert r.status == "optimal" and r.verification.ok
    rates = {lv.index: lv.value for lv in r.levers if lv.name == "tariff"}
    assert rates == {"car": pytest.approx(0.25), "truck": pytest.approx(0.0)}
    omega = 1.25 ** (-1.5 / 5.5)
    rr = omega * 1.25
    by_hand = -1e7 * (rr ** -0.5 - 1) / -0.5 + 0.25 * omega * 10_000 * 1000 * omega ** 4
    assert by_hand > 0                               # the terms-of-trade gain beats the deadweight loss
    assert r.metric("home_welfare").deal == pytest.approx(by_hand, rel=1e-9)
    assert r.objective.value == pytest.approx(by_hand, rel=1e-6)


# -- participation in welfare -------------------------------------------------------------------

def test_participation_in_welfare_binds_where_the_payoff_would_not(tmp_path):
    """No deal at 0%; the deficit objective wants 20%. In payoff (minus the deficit) the home side
    gains; in welfare it loses W(20%) = -10 M ln 1.2 + 2 M / 1.2 = -156,549 against W(0) = 0, so
    participation in welfare keeps the tariff at 0%. The check outside the solver states the
    same row."""
    assert home_welfare_by_hand(0.2) == pytest.approx(-156_549.0, abs=1)
    payoff = solve_instance(one_car(tmp_path, settings={"participation": True}), concessions=False)
    assert _rate(payoff) == pytest.approx(0.2)
    assert payoff.metric("home_welfare").deal == pytest.approx(home_welfare_by_hand(0.2), rel=1e-9)
    for settings in ({"participation": "welfare"}, {"participation": True, "participation_measure": {"home": "welfare"}}):
        inst = one_car(tmp_path, settings=settings)
        assert inst.settings.measure("home") == "home_welfare"
        r = solve_instance(inst, concessions=False)
        assert r.verification.ok and _rate(r) == pytest.approx(0.0), settings
        assert r.instance.participation_measure["home"] == "welfare"
        checks = {c.name: c for c in constraint_checks(inst, Deal(tariff={"car": "flat_20"}),
                                                       evaluate(inst, Deal(tariff={"car": "flat_20"})),
                                                       NegotiationModel(inst).refs)}
        assert checks["participation[home]"].lhs == pytest.approx(home_welfare_by_hand(0.2), rel=1e-9)
        assert checks["participation[home]"].slack < 0
    # Welfare for the partner only: its payoff never moves, but its exporters lose their $9,000
    # margin on 1,000 - 833.3 cars at 20% (-$1.5 M), so held to welfare it refuses 20% as well.
    inst = one_car(tmp_path, settings={"participation": True, "participation_measure": {"partner": "welfare"}})
    assert inst.settings.measure("home") == "home_payoff"
    assert evaluate(inst, Deal(tariff={"car": "flat_20"}))["partner_welfare"] == pytest.approx(-1.5e6, rel=1e-9)
    assert _rate(solve_instance(inst, concessions=False)) == pytest.approx(0.0)


@pytest.mark.parametrize("settings, words", [
    ({"participation": "utility"}, "settings.participation"),
    ({"participation_measure": {"home": "happiness"}}, "settings.participation_measure.home"),
    ({"participation_measure": {"third": "welfare"}}, "settings.participation_measure"),
    ({"objective": "welfare_max"}, "settings.objective"),
])
def test_bad_welfare_settings_are_named(tmp_path, settings, words):
    with pytest.raises(InstanceErrors, match=words.replace(".", r"\.")):
        one_car(tmp_path, settings=settings)


def test_the_diagnosis_says_no_deal_leaves_both_sides_as_well_off_in_welfare(tmp_path):
    """Home's red line: imports at most 900. At 10% imports are 1,000/1.1 = 909.1, too many; at
    20% they are 833.3, so the tariff must be 20%. There home welfare is -156,549 against 0 with
    no deal, and the partner's exporters lose their $9,000 margin on 1,000 - 833.3 cars: $1.5 M.
    No deal within the red lines leaves both as well off in welfare, and the smallest relaxation
    ($100 M steps against 1,000-vehicle steps) asks each to accept its loss."""
    red = {"imports_cap": {"party": "home", "label": "imports at most 900", "reason": "test",
                           "metric": "imports_units", "sense": "<=", "bound": q(900, "vehicles")}}
    inst = one_car(tmp_path, settings={"participation": "welfare"}, red_lines=red)
    r = solve_instance(inst, concessions=False)
    assert r.status == "infeasible"
    x = {x.party: x for x in r.diagnosis.relaxations}
    assert {v.kind for v in x.values()} == {"participation"}
    assert x["home"].amount == pytest.approx(-home_welfare_by_hand(0.2), rel=1e-6)
    assert x["partner"].amount == pytest.approx(9000 * (1000 - 1000 / 1.2), rel=1e-6)
    gap = participation_gap(r)
    assert gap == ("**No deal within the red lines leaves both sides at least as well off as no deal (each by its "
                   "welfare, not its payoff)**: Home would have to accept $156.5 k less welfare than with no deal; Partner would "
                   "have to accept $1.5 M less welfare than with no deal.")
    assert gap in report_markdown(r)
    # In payoff (minus the deficit) the same red line leaves a deal, and nothing is said.
    ok = solve_instance(one_car(tmp_path, settings={"participation": True}, red_lines=red), concessions=False)
    assert ok.has_deal and participation_gap(ok) == ""


# -- whose welfare ----------------------------------------------------------------------------

PARTNER_LINE = PARTNER        # the partner's 10% on 100 home-made cars (test_trade_economics)


def test_a_partner_that_cuts_its_own_tariff_counts_its_buyers(tmp_path):
    """100 home-made cars at $10,000 pay the partner's 10%; export elasticity -2, full
    pass-through. Cut to 0%: buyers' price ratio r = 1/1.1, their surplus gain
    P0 X0 (1/r - 1) = 1,100,000 x 0.1 = $110,000, against $100,000 of tariff revenue lost:
    the partner's welfare rises by $10,000 on these two lines."""
    inst = tiny(tmp_path, PARTNER_LINE)
    keep, cut = (evaluate(inst, Deal(tariff={"car": "flat_20", "truck": "flat_20"}, partner_tariff={"jp_cars": o}))
                 for o in ("flat_10", "flat_0"))
    assert keep["partner_buyer_surplus_change"] == pytest.approx(0.0, abs=1e-9)
    assert cut["partner_buyer_surplus_change"] == pytest.approx(110_000.0, rel=1e-12)
    assert cut["partner_tariff_revenue_change"] - keep["partner_tariff_revenue_change"] == pytest.approx(-100_000.0)
    assert cut["partner_welfare"] - keep["partner_welfare"] == pytest.approx(10_000.0, rel=1e-9)
    assert "partner_buyer_surplus_change" in WELFARE["partner"][0]
    # The solver's statement of the term agrees with the plain-Python one.
    r = solve_instance(inst, concessions=False)
    assert r.verification.ok and _rate(r, "partner_tariff") == pytest.approx(0.0)
    assert r.metric("partner_buyer_surplus_change").deal == pytest.approx(110_000.0, rel=1e-9)


@pytest.mark.slow      # every shipped instance
def test_welfare_closes_for_every_party_on_every_shipped_instance():
    """Each WELFARE party's net is the sum of its lines, with no deal and in the calibration year
    (where every change is zero), third countries included."""
    assert set(WELFARE) == {"home", "partner", "third"}
    for path in sorted((ROOT / "instances").glob("*.yaml")):
        inst = load(path)
        for deal in (inst.no_deal, None):
            v = evaluate(inst, deal)
            for party, (parts, net) in WELFARE.items():
                assert v[net] == pytest.approx(sum(v[k] for k in parts), rel=1e-12, abs=1e-6), (path.stem, party)
                if deal is None:
                    assert v[net] == pytest.approx(0.0, abs=1e-3), (path.stem, party)


# -- the default instance: disagreement and lose-lose steps ------------------------------------

@pytest.fixture(scope="module")
def default_results():
    return solve_instance(load(ROOT / "instances" / "smart_defaults.yaml"))


@pytest.mark.slow      # whole commands
def test_the_default_instance_flags_payoff_and_welfare_disagreeing(default_results):
    r = default_results
    pay, wel = (r.metric(f"home_{m}").deal - r.metric(f"home_{m}").no_deal for m in ("payoff", "welfare"))
    assert pay > 0 > wel
    (line,) = disagreements(r)
    assert line.startswith("**United States' payoff and welfare disagree**")
    assert "its payoff rises by $968.1 M while its welfare falls by $1.06 bn" in line
    md = report_markdown(r)
    assert line in md and "- Japan's welfare against no deal: +$2.01 bn" in md
    assert "payoff and welfare disagree" in report_html(r)
    assert "payoff and welfare disagree" in run_summary(r, Path("out"))
    assert all("participation held it to its payoff" in w for w in welfare_lines(r)[:2])
    from model.reporting.words import measured_by
    assert measured_by(r.instance.participation_measure, r.instance.parties) == " (each by its payoff, not its welfare)"


@pytest.mark.slow      # whole commands
def test_the_default_instance_flags_a_step_that_loses_for_both_sides(default_results):
    """Toyota's last 1,000 luxury cars built in the US: both payoffs fall, and the deficit falls
    (by the re-solve that prices concessions), so the deficit-first second stage keeps it."""
    r = default_results
    (line,) = lose_lose(r)
    assert "Toyota: luxury cars built in United States, the last 1,000 vehicles" in line
    assert "costs United States $3.7 M and Japan $5.1 M (the deficit falls by $4.1 M)" in line
    assert line in report_markdown(r)


def test_welfare_objective_on_the_default_instance(tmp_path):
    r = solve_instance(load(ROOT / "instances" / "smart_defaults.yaml"), objective="welfare", concessions=False)
    assert r.status == "optimal" and r.verification.ok
    w = r.metric("home_welfare")
    assert w.deal - w.no_deal == pytest.approx(-994.3e6, abs=0.05e6)
    assert "maximizes the home country's welfare" in method(r)


# -- item 7: no claim without its check ---------------------------------------------------------

CLAIMS = ("deals both sides prefer to no deal have", "leaves both at least as well off", "leaves both sides at least",
          "Zone of possible agreement", "zone of possible agreement:")


def _run(inst):
    return execute(RUN, Context(NegotiationModel(inst), Options(frontier_points=3, concessions=False)))


def test_with_participation_off_no_page_claims_both_sides_gain(tmp_path):
    """Participation off (tiny's default): the first screen, the zone line, the frontier section
    and its terminal text, the method, the html, the offer verdict and the alternatives say it
    was not required, and none says both sides gain."""
    inst = tiny(tmp_path)
    assert not inst.settings.participation
    r = _run(inst)
    assert r.has_deal and r.frontier is not None and r.frontier.status == "ok"
    pages = {"markdown": report_markdown(r), "html": report_html(r), "terminal": run_summary(r, Path("out")),
             "frontier terminal": frontier_terminal(r, Path("out")), "method": method(r),
             "verdict": verdict(_page(stated=_page(acceptable=True), parties=dict(r.instance.parties),
                                          instance=InstanceName("t", "t", "t.yaml", participation=False))),
             "alternatives": intro(_page(count=3, within=0.01, best_deficit=1e6, band=1.01e6, method="",
                                         min_difference=0.01, parties=dict(r.instance.parties),
                                         instance=InstanceName("t", "t", "t.yaml", participation=False)))}
    for name, text in pages.items():
        question_removed = text.replace(r.instance.question, "")
        for claim in CLAIMS:
            assert claim not in question_removed, (name, claim)
        assert "not required" in text, name
    assert zopa_line(r).startswith("Frontier (participation was not required")
    assert "not a zone of possible agreement" in frontier_section(r)


def test_with_participation_on_the_pages_say_what_was_required(tmp_path):
    inst = tiny(tmp_path, {"settings": {"participation": True, "participation_measure": {"home": "welfare"}},
                           "no_deal": {"tariff": {"cars": q(20, "%")}}})
    r = _run(inst)
    assert r.has_deal
    by = "(Home by its welfare, Partner by its payoff)"
    assert f"Participation was required: every deal reported leaves both sides at least as well off as no deal {by}." \
        in method(r)
    if r.frontier is not None and r.frontier.status == "ok":
        assert zopa_line(r).startswith(f"Zone of possible agreement: deals both sides prefer to no deal {by}")
        assert f"leaves both at least as well off as no deal {by}" in frontier_section(r)
    assert verdict(_page(stated=_page(acceptable=True), parties=dict(r.instance.parties),
                         instance=InstanceName("t", "t", "t.yaml", True, {"home": "welfare"}))) \
        .startswith(f"**Acceptable as stated**: it breaks no red line, leaves both sides at least as well off as no "
                    f"deal {by}")


def test_participation_in_welfare_leaves_the_default_instance_without_a_deal():
    """Both sides held to their welfare: no deal within the red lines leaves the US as well off,
    and it would have to accept the welfare-best deal's loss (the welfare objective's figure)."""
    from dataclasses import replace
    inst = load(ROOT / "instances" / "smart_defaults.yaml")
    inst = replace(inst, settings=replace(inst.settings, participation_measure={"home": "welfare",
                                                                                "partner": "welfare"}))
    r = solve_instance(inst, concessions=False)
    assert r.status == "infeasible"
    assert participation_gap(r) == ("**No deal within the red lines leaves both sides at least as well off as no "
                                    "deal (each by its welfare, not its payoff)**: United States would have to accept $994.3 M less "
                                    "welfare than with no deal.")


@pytest.mark.slow      # whole commands
def test_the_docs_state_the_welfare_figures_the_model_gives(default_results):
    """README and docs/model.md quote these figures: each is asserted here against a solve."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    model_md = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    summary = run_summary(default_results, Path("out"))
    for line in ("welfare against no deal: United States -$1.06 bn, Japan +$2.01 bn, Third countries -$39.7 M",
                 "United States' payoff and welfare disagree: against no deal its payoff rises by $968.1 M while its",
                 "States, the last 1,000 vehicles (of 11,200 vehicles), costs United States $3.7 M and Japan $5.1 M (the"):
        assert line in summary and line in readme, line
    assert "the US payoff rises by $968.1 M" in model_md and "US welfare falls by $1.06 bn" in model_md
    assert "-$3.7 M for the US, -$5.1 M for Japan,\nthe deficit -$4.1 M" in model_md
    welfare = solve_instance(load(ROOT / "instances" / "smart_defaults.yaml"), objective="welfare", concessions=False)
    w = welfare.metric("home_welfare")
    from model.formatting import money
    assert money(w.no_deal - w.deal) == "$994.3 M"
    assert "US welfare $994.3 M below no\ndeal's" in readme and "$994.3 M below no deal's" in model_md
    assert '"United States would have to accept $994.3 M less welfare than with no\ndeal"' in model_md


def test_standards_relief_gives_the_partner_buyers_access_to_the_rationed_units(tmp_path):
    """Ceiling C = 100 home-made cars at P = $10,000, relief lifts it by L = 100, e = -1 (the car's
    own elasticity: no export elasticity). Buyers would take 200 at P; the barrier rations them
    to 100; relief admits 100 more, worth the area between 10,000 x 200/x and 10,000 over
    [100, 200]: 10,000 x (200 ln 2 - 100) = $386,294. Political cost and the payoffs aside, it
    enters the partner's welfare only when granted."""
    inst = tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(100, "vehicles")}},
                           "ntb_measures": {"standards": {"label": "standards", "political_cost": q(0, "USD"),
                                                          "ceiling_lift": {"car": q(100, "vehicles")}}}})
    by_hand = 10_000 * (200 * math.log(2) - 100)
    assert by_hand == pytest.approx(386_294.4, abs=0.1)
    deal = {on: evaluate(inst, Deal(tariff={"car": "flat_20", "truck": "flat_20"}, ntb={"standards": on}))
            for on in (False, True)}
    assert deal[False]["partner_buyer_surplus_change"] == pytest.approx(0.0, abs=1e-9)
    assert deal[True]["partner_buyer_surplus_change"] == pytest.approx(by_hand, rel=1e-12)
    assert deal[True]["partner_welfare"] - deal[False]["partner_welfare"] == pytest.approx(by_hand, rel=1e-9)
    r = solve_instance(inst, concessions=False)
    granted = next(lv for lv in r.levers if lv.name == "ntb_relief")
    assert r.metric("partner_buyer_surplus_change").deal == pytest.approx(by_hand * granted.value, rel=1e-9,
                                                                        abs=1e-6)


def test_the_default_instance_values_its_standards_relief_for_japans_buyers(default_results):
    m = default_results.metric("partner_buyer_surplus_change")
    from model.formatting import money
    assert money(m.deal - m.no_deal) == "$253.1 M"
    for doc in ("README.md", "docs/model.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert "$253.1 M" in text and "$2.01 bn" in text, doc


def test_the_offer_report_gives_both_measures_and_says_when_they_disagree():
    from model.reporting.offer_report import _gains
    d = _page(parties={"home": "Home", "partner": "Partner"})
    block = Outcome({"deficit": 5e9}, {}, {"home": 2e6, "partner": 1e6}, {}, {"home": -3e6, "partner": 1e6})
    assert _gains(d, block) == ("deficit $5.00 bn; Home +$2.0 M, Partner +$1.0 M over no deal in payoff, Home -$3.0 M, "
                                "Partner +$1.0 M in welfare (**payoff and welfare disagree for Home**)")
    block.welfare_gains["home"] = 3e6
    assert "disagree" not in _gains(d, block)


def test_third_countries_win_or_lose_their_margin_with_diversion(tmp_path):
    """Partner and 'other' 1,000 cars each at $10,000, sigma = 2, eta = -1, both perfectly elastic
    (test_armington's two sources). The partner's 20% diverts 90.909 cars to 'other'
    (1,000 x 12/11 - 1,000); at an unchanged price its curve surplus does not move, so with a 10%
    margin its welfare rises by 0.1 x 10,000 x 90.909 = $90,909. Without a margin: zero."""
    from test_armington import two_sources
    deal = Deal(tariff={"car": "flat_20"})
    plain = evaluate(two_sources(tmp_path), deal)
    assert plain["third_welfare"] == pytest.approx(0.0, abs=1e-6)
    with_margin = two_sources(tmp_path, third_countries={"other": {"margin": q(10, "%")}})
    assert with_margin.third_countries["other"].margin == pytest.approx(0.1)
    v = evaluate(with_margin, deal)
    assert v["third_imports_units"] == pytest.approx(12000 / 11, rel=1e-12)
    assert v["third_welfare"] == pytest.approx(0.1 * 10_000 * (12000 / 11 - 1000), rel=1e-10)
    assert v["third_exporter_surplus_change[other]"] == pytest.approx(v["third_welfare"], rel=1e-12)
    # A sweep may draw it: the country's margin reaches its supply of each segment.
    from model.data.uncertainty import with_values
    drawn = with_values(with_margin, {"third_countries.other.margin": 0.2})
    assert drawn.segments["car"].armington.suppliers[0].margin == pytest.approx(0.2)
    assert evaluate(drawn, deal)["third_welfare"] == pytest.approx(2 * v["third_welfare"], rel=1e-10)


def test_the_default_instance_says_diversion_costs_third_countries(default_results):
    t = default_results.metric("third_welfare")
    from model.formatting import money
    assert money(t.deal - t.no_deal, True) == "-$39.7 M"
    assert "Third countries -$39.7 M" in run_summary(default_results, Path("out"))
    assert "196 of 241 inputs are assumptions" in report_markdown(default_results)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "196 of its 241 numbers" in readme and "Third countries -$39.7 M" in readme


def test_without_their_margin_diversion_looked_like_a_gain_to_third_countries(default_results):
    """docs/model.md: the same deal, the third countries' margins set to 0, gives them +$19.5 M."""
    from test_independent_derivations import _deal_from_levers

    from model.data.uncertainty import with_values
    from model.formatting import money
    inst = load(ROOT / "instances" / "smart_defaults.yaml")
    bare = with_values(inst, {f"third_countries.{c}.margin": 0.0 for c in inst.third_countries})
    deal = _deal_from_levers(inst, default_results)
    gain = evaluate(bare, deal)["third_welfare"] - evaluate(bare, inst.no_deal)["third_welfare"]
    assert money(gain, True) == "+$19.5 M"
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert "(+$19.5 M on\n  the default deal); with it the deal costs them $39.7 M" in text
