"""Third countries and home producers (Armington), trade diversion and welfare, against
values worked out by hand from the formulas in `model/economics/responses.py`."""
import math
from pathlib import Path

import pytest
from tiny import merge, q, tiny

from model.analyses.diversion import trade_diversion
from model.data.instance import Deal
from model.data.uncertainty import with_values
from model.economics.loading import load
from model.economics.metrics import WELFARE, evaluate
from model.economics.outcomes import option_table
from model.economics.responses import buyer_surplus_loss, imports_at, line_outcomes, nest, price_factor
from model.errors import InstanceErrors
from model.optimization.handle import NegotiationModel
from model.run import solve_instance

ROOT = Path(__file__).resolve().parent.parent
TOYOTA = ROOT / "instances" / "smart_defaults.yaml"
ONE_PARTNER = ROOT / "tests" / "one_partner" / "toyota_2025_one_partner.yaml"


def armington(sigma, eta=-1.0, home=None, supply=None):
    """Segment fields that make 'car' an Armington composite (and no home_substitution)."""
    out = {"elasticity": q(eta, "1"), "substitution_elasticity": q(sigma, "1"), "home_substitution": None}
    if home:
        out.update(home_sales=q(home[0], "vehicles"), home_price=q(home[1], "USD/vehicle"))
    if supply:
        out["home_supply_elasticity"] = q(supply, "1")
    return out


def two_sources(tmp_path, sigma=2.0, eta=-1.0, third_tariff=0.0, third_base=0.0, home=None, **extra):
    """One segment 'car': 1,000 cars from the partner and 1,000 from 'other', both at USD 10,000
    and 0% in the calibration year, full pass-through; partner options 0%, 10%, 20%. `extra`
    is merged into the instance (None deletes)."""
    over = {"segments": {"truck": None, "car": armington(sigma, eta, home=home)},
            "channels": None, "no_deal": {"tariff": {"cars": q(0, "%")}},
            "third_countries": {"other": {
                "label": "Other", "tariff": q(third_tariff * 100, "%"), "base_tariff": q(third_base * 100, "%"),
                "segments": {"car": {"imports": q(1000, "vehicles"), "import_price": q(10000, "USD/vehicle")}}}}}
    return tiny(tmp_path, merge(over, extra))


def test_two_sources_diversion_by_hand(tmp_path):
    """Partner's tariff 0% -> 20%, sigma = 2, eta = -1, equal base shares w = 1/2, r_p = 1.2, r_j = 1:
      R = (1/2 1.2^(1 - 2) + 1/2 1^(1 - 2))^(1/(1 - 2)) = (5/12 + 6/12)^-1 = 12/11
      X/X0 = R^eta = 11/12
      Q_p = 1000 (11/12) (1.2 / (12/11))^-2 = 1000 (11/12) (1/1.21) = 757.5758
      Q_j = 1000 (11/12) (1 / (12/11))^-2 = 1000 (12/11) = 1090.9091
    The partner's imports fall by 242.4242, the third country's rise by 90.9091: diversion is
    90.9091 (3/8 of the fall), creation (the change in total imports) -151.5152. In USD at
    10,000 a car (full pass-through, so customs values stay 10,000): x 10,000.
    Home buyers' surplus falls by V0 ln R = 2e7 ln(12/11); tariff revenue 0.2 x 757.5758 x 10,000."""
    inst = two_sources(tmp_path)
    table = option_table(inst)
    at20, at0 = table["car", "flat_20"], table["car", "flat_0"]
    assert at0.imports == pytest.approx(1000.0, rel=1e-12) and at0.third_imports["other"] == pytest.approx(1000.0)
    assert at20.price_index == pytest.approx(12 / 11, rel=1e-12)
    assert at20.imports == pytest.approx(1000 * 11 / 12 / 1.21, rel=1e-12)
    assert at20.third_imports["other"] == pytest.approx(12000 / 11, rel=1e-12)
    assert at20.third_value["other"] == pytest.approx(12000 / 11 * 10000, rel=1e-12)
    assert at20.buyer_cost == pytest.approx(2e7 * math.log(12 / 11), rel=1e-12)
    after = evaluate(inst, Deal(tariff={"car": "flat_20"}), table)
    before = evaluate(inst, Deal(tariff={"car": "flat_0"}), table)
    d = trade_diversion(inst, after, before)
    fall = 1000 - 1000 * 11 / 12 / 1.21
    assert d.partner.units == pytest.approx(-fall, rel=1e-12)
    assert d.diversion.units == pytest.approx(-(12000 / 11 - 1000), rel=1e-12)
    assert d.diverted_share.units == pytest.approx(3 / 8, rel=1e-12)
    assert d.creation.units == pytest.approx(-fall + 12000 / 11 - 1000, rel=1e-12)
    assert d.creation.value + d.diversion.value == pytest.approx(d.partner.value, rel=1e-12)
    assert after["tariff_revenue_change"] == pytest.approx(0.2 * 1000 * 11 / 12 / 1.21 * 10000, rel=1e-12)
    assert after["home_welfare"] == pytest.approx(after["tariff_revenue_change"] - 2e7 * math.log(12 / 11),
                                                  rel=1e-12)
    assert after["overall_deficit"] == pytest.approx((1000 * 11 / 12 / 1.21 + 12000 / 11) * 10000, rel=1e-12)


def test_substitution_equal_to_minus_demand_elasticity_collapses_to_one_equation(tmp_path):
    """Q_i = Q_i0 R^eta (r_i / R)^-sigma = Q_i0 R^(eta + sigma) r_i^-sigma, so with sigma = -eta every
    source's quantity is Q_i0 r_i^eta, whatever the other prices: the partner's imports are the
    one-partner form's M0 b^e with e = eta, for every option (a quota's too), home producers'
    sales do not move (r_h = 1) and a third country's are Q_j0 r_j^eta (here r_j = 1.1 / 1.05,
    its tariff having risen from 5% to 10%). The whole solve then gives the one-partner deal."""
    quota = {"cars": {"quotas": {"q": {"quota": q(900, "vehicles"), "in_quota": q(0, "%"),
                                       "out_of_quota": q(20, "%")}}}}
    nested = two_sources(tmp_path, sigma=1.3, eta=-1.3, third_tariff=0.10, third_base=0.05, home=(3000, 12000),
                         tariff_menus=quota)
    single = tiny(tmp_path, {"segments": {"truck": None, "car": {"elasticity": q(-1.3, "1")}}, "channels": None,
                             "no_deal": {"tariff": {"cars": q(0, "%")}}, "tariff_menus": quota})
    form = "constant_elasticity"
    seg_n, seg_s = nested.segments["car"], single.segments["car"]
    for t in (0.0, 0.05, 0.1, 0.2, 0.35):
        n = nest(seg_n, price_factor(seg_n, t, form), form)
        assert n.partner == pytest.approx(imports_at(seg_s, t, form), rel=1e-12)
        assert n.home == pytest.approx(3000.0, rel=1e-12)
        assert n.third["other"] == pytest.approx(1000 * (1.1 / 1.05) ** -1.3, rel=1e-12)
    for o in nested.options("car"):
        a, b = line_outcomes([seg_n], o, form)["car"], line_outcomes([seg_s], o, form)["car"]
        assert a.imports == pytest.approx(b.imports, rel=1e-12) and a.imports_value == pytest.approx(b.imports_value)
        assert a.quota_rent == pytest.approx(b.quota_rent, rel=1e-9, abs=1e-6)
    rn, rs = solve_instance(nested), solve_instance(single)
    assert rn.status == rs.status == "optimal"
    assert {lv.index: lv.choice for lv in rn.levers} == {lv.index: lv.choice for lv in rs.levers}
    assert rn.metric("deficit").deal == pytest.approx(rs.metric("deficit").deal, rel=1e-12)


def _with(seg, **kw):
    from dataclasses import replace
    return replace(seg, **kw)


def _simpson(f, a: float, b: float, n: int = 4000) -> float:
    h = (b - a) / n
    return h / 3 * (f(a) + f(b) + sum((4 if i % 2 else 2) * f(a + i * h) for i in range(1, n)))


@pytest.mark.parametrize("e, b", [(-1.0, 1.25), (-2.0, 1.25), (-0.7, 1.4), (-1.5, 0.9)])
def test_consumer_surplus_constant_elasticity_closed_form(tmp_path, e, b):
    """One-partner form, M(beta) = M0 beta^e: the loss M0 B0 integral_1^b beta^e d beta is
    M0 B0 (b^(e+1) - 1)/(e + 1), or M0 B0 ln b at e = -1: against Simpson's rule to 1e-9."""
    seg = tiny(tmp_path, {"segments": {"car": {"elasticity": q(e, "1")}}}).segments["car"]
    closed = seg.imports * seg.import_price * (math.log(b) if e == -1 else (b ** (e + 1) - 1) / (e + 1))
    numeric = seg.imports * seg.import_price * _simpson(lambda x: x ** e, 1.0, b)
    assert buyer_surplus_loss(seg, b, "constant_elasticity") == pytest.approx(closed, rel=1e-12)
    assert numeric == pytest.approx(closed, rel=1e-9)


@pytest.mark.parametrize("e, b", [(-2.0, 1.25), (-2.0, 2.0), (-1.25, 1.1), (-1.5, 0.95)])
def test_consumer_surplus_smart_linear_form(tmp_path, e, b):
    """Linear (SMART), M(beta) = M0 max(0, 1 + e (beta - 1)): the loss is
    M0 B0 [(b' - 1) + e (b' - 1)^2 / 2] with b' = min(b, 1 - 1/e), where demand reaches zero;
    against Simpson's rule (split at the kink) to 1e-9."""
    seg = tiny(tmp_path, {"segments": {"car": {"elasticity": q(e, "1")}}}).segments["car"]
    top = min(b, 1 - 1 / e)
    closed = seg.imports * seg.import_price * ((top - 1) + e * (top - 1) ** 2 / 2)
    numeric = seg.imports * seg.import_price * _simpson(lambda x: max(0.0, 1 + e * (x - 1)), 1.0, top)
    assert buyer_surplus_loss(seg, b, "linear") == pytest.approx(closed, rel=1e-12)
    assert numeric == pytest.approx(closed, rel=1e-9)


@pytest.mark.parametrize("form", ["constant_elasticity"])
def test_composite_consumer_surplus_is_the_integral_of_every_source_demand(tmp_path, form):
    """The composite's loss V0 integral_1^R X(rho)/X0 d rho equals the line integral of the
    Marshallian demands along the partner's price path (Shephard's lemma: dV0 (...) / db =
    Q_p(b) B_p0), here with the third country's price fixed at its calibration value: to 1e-9.
    (The linear form is SMART's system, whose buyers' loss is SMART's own: tests/test_smart.py.)"""
    inst = two_sources(tmp_path, sigma=2.5, home=(3000, 12000), settings={"response": form})
    seg = inst.segments["car"]
    b = 1.2
    loss = line_outcomes([seg], inst.option("car", "flat_20"), form)["car"].buyer_cost
    numeric = _simpson(lambda x: nest(seg, x, form).partner * seg.import_price, 1.0, b)
    assert loss == pytest.approx(numeric, rel=1e-9)


def test_home_supply_elasticity_clears_the_home_market_and_gives_its_surplus(tmp_path):
    """With home supply Q_h0 r_h^eps, r_h clears the home market (supply = the nest's demand), and
    producers gain Q_h0 P_h0 (r_h^(eps + 1) - 1)/(eps + 1) = the integral of supply over price."""
    inst = two_sources(tmp_path, home=(3000, 12000))
    a = inst.segments["car"].armington
    seg = _with(inst.segments["car"], armington=_with(a, home_supply_elasticity=2.0))
    n = nest(seg, 1.2, "constant_elasticity")
    assert n.home_price > 1
    assert 3000 * n.home_price ** 2.0 == pytest.approx(n.home, rel=1e-10)
    out = line_outcomes([seg], inst.option("car", "flat_20"), "constant_elasticity")["car"]
    closed = 3000 * 12000 * (n.home_price ** 3 - 1) / 3
    assert out.producer_surplus == pytest.approx(closed, rel=1e-10)
    assert out.producer_surplus == pytest.approx(_simpson(lambda r: 3000 * 12000 * r ** 2, 1.0, n.home_price),
                                                 rel=1e-9)


def _shipped():
    return sorted((ROOT / "instances").glob("*.yaml")) + [ONE_PARTNER]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=() if p.stem == "toyota_2025" else pytest.mark.slow)
                                  for p in _shipped()])
def test_welfare_accounting_closes_on_every_shipped_instance(path):
    """For each party, the reported parts sum to a total derived apart from `metrics`
    (test_independent_derivations.headline: welfare as a whole, from the levers and the options'
    responses), with no deal and with the deal, and are zero in the calibration year; and the
    MILP's welfare and balance expressions at the deal equal the plain-Python evaluation (the
    two statements of the metrics agree)."""
    from test_independent_derivations import _deal_from_levers, headline, sections_instance
    r = solve_instance(load(path))
    inst = sections_instance(load(path))
    derived = {"no_deal": headline(inst, inst.no_deal)}
    if r.has_deal:
        derived["deal"] = headline(inst, _deal_from_levers(inst, r))
    for column, total in derived.items():
        v = {m.name: getattr(m, column) for m in r.metrics}
        for parts, net in WELFARE.values():
            assert sum(v[k] for k in parts) == pytest.approx(total[net], rel=1e-9, abs=1e-3), (column, net)
        assert v["overall_deficit"] == pytest.approx(v["sector_deficit"] + v["third_countries_deficit"],
                                                     rel=1e-12, abs=1e-3)
    assert all(abs(r.metric(net).baseline) < 1e-3 for _, net in WELFARE.values())   # changes from 2024
    if not r.has_deal:
        return
    model = NegotiationModel(inst)
    solution = model.solve()
    if solution.status != "optimal":
        return
    deal, _ = model.read(solution.x, threshold=0.0)
    plain = evaluate(inst, deal, model.table)
    for name in model.m.METRICS:
        scale = model.scale(name)
        assert model.value(name, solution) == pytest.approx(plain[name], rel=1e-6, abs=1e-6 * scale), name


def test_one_partner_form_gives_the_results_it_gave_before_third_countries():
    """The default instance as it was (no third countries, `home_substitution`): the deficits,
    payoffs and tariff choices it gave before this change, read from that version's results.
    The deal's figures since the solution is polished (binaries exact, levers re-solved): that
    version's deficit, 29,494,195,125.4, was $389 below the optimum, 29,494,195,514.34, which
    GLPK's glpsol gives on the exported LP (a binary was 2.4e-7 off 1)."""
    r = solve_instance(load(ONE_PARTNER))
    assert r.status == "optimal"
    expected = {"deficit": (40216999000.0, 31379951688.4, 29494195514.34),
                "imports_units": (1500000.0, 1296136.69152, 1376800.0),
                "buyer_cost": (0.0, 4884776414.91, 2518162355.26),
                "home_production_gain": (0.0, 81545.3233925, 91881.0797751),
                "home_payoff": (-39150874000.0, -26716344028.9, -25894432727.82),
                "partner_payoff": (5148200000.0, -157226785.856, 1397437848.868)}
    for name, values in expected.items():
        m = r.metric(name)
        assert (m.baseline, m.no_deal, m.deal) == pytest.approx(values, rel=1e-9), name
    assert {lv.index: lv.choice for lv in r.levers if lv.name == "tariff"} == {
        "cars": "flat 15.0%", "light_trucks": "flat 50.0%"}
    assert r.diversion is None and r.metric("third_imports_units").deal == 0


def test_default_instance_calibrates_to_the_published_2024_imports_of_each_supplier():
    """US imports of vehicles in 2024 (typed in from data.md, not read from the instance):
    units (AFP; ACEA for the EU) and values (Congressional analysis as reported by Opportimes)."""
    base = evaluate(load(TOYOTA), None)
    published = {"korea": (1.4e6, 37.4e9), "mexico": (3.0e6, 78.7e9), "eu": (750_000, 45.4e9),
                 "canada": (1.1e6, 32.4e9)}
    for c, (units, value) in published.items():
        assert base[f"third_imports_units[{c}]"] == pytest.approx(units, rel=1e-3)
        assert base[f"third_imports_value[{c}]"] == pytest.approx(value, rel=1e-3)
    assert base["home_production_gain"] == 0 and base["consumer_surplus_change"] == 0


def test_a_higher_third_country_tariff_diverts_its_sales_to_the_others():
    """Korea at 25% instead of 15%: fewer Korean imports, more from Japan and the other third
    countries, and more US-built sales, at any partner tariff (e.g. 15% on cars)."""
    inst = load(TOYOTA)
    korea = with_values(inst, {"third_countries.korea.tariff": 0.25})
    assert all(s.tariff == 0.25 for g in korea.segments.values() if g.armington
               for s in g.armington.suppliers if s.country == "korea")
    deal = Deal(tariff={"cars": "flat_15", "light_trucks": "flat_25"})
    a, b = evaluate(inst, deal), evaluate(korea, deal)
    assert b["third_imports_units[korea]"] < a["third_imports_units[korea]"]
    for c in ("mexico", "eu", "canada"):
        assert b[f"third_imports_units[{c}]"] > a[f"third_imports_units[{c}]"]
    assert b["imports_units"] > a["imports_units"] and b["home_production_gain"] > a["home_production_gain"]


def test_sweep_over_a_third_country_tariff_resolves_and_verifies():
    """`sweep --param third_countries.korea.tariff=15,25` re-solves the one built model and
    verifies each draw; the overall deficit falls when Korean cars pay more."""
    from model.analyses.sweep import Plan, run_sweep
    result = run_sweep(load(TOYOTA), Plan(params=(("third_countries.korea.tariff", (15.0, 25.0)),)), progress=False)
    assert [r["status"] for r in result.rows] == ["optimal", "optimal"]
    assert all(r["verified"] and r["method"] == "re-solve" for r in result.rows)
    at15, at25 = (r["metrics"] for r in result.rows)
    assert at25["third_imports_value"] < at15["third_imports_value"]
    assert at25["overall_deficit"] < at15["overall_deficit"]
    assert result.summary.by_grid_point[0].overall_deficit is not None


@pytest.mark.slow
def test_compare_shows_diversion_side_by_side(tmp_path):
    from model.analyses.compare import compare
    from model.reporting.comparison import markdown
    comp, _ = compare([TOYOTA, ROOT / "instances" / "korea_at_25.yaml"], tmp_path / "cache", solve_instance)
    assert all(d is not None for d in comp.diversion)
    text = markdown(comp)
    assert "## Trade creation and diversion, side by side" in text and "South Korea imports, units" in text


def test_report_shows_balances_diversion_and_welfare(tmp_path):
    from model.reporting.markdown import report_markdown
    from model.reporting.terminal import run_summary
    r = solve_instance(load(TOYOTA))
    text = report_markdown(r)
    for heading in ("## Balances, trade creation and diversion", "### Trade creation and diversion: the deal against "
                    "no deal", "## Welfare by party and cause"):
        assert heading in text
    assert "overall balance in the modelled lines" in run_summary(r, tmp_path) and "welfare against no deal" in run_summary(r, tmp_path)


def test_objective_can_name_the_overall_balance(tmp_path):
    """Minimizing the overall deficit gives an overall deficit no higher than the bilateral
    objective's deal does (and the bilateral deficit no lower)."""
    bilateral = solve_instance(two_sources(tmp_path, home=(3000, 12000)))
    overall = solve_instance(two_sources(tmp_path, home=(3000, 12000),
                                         settings={"participation": False, "objective_metric": "overall_deficit"}))
    assert overall.objective.metric == "overall_deficit"
    assert overall.metric("overall_deficit").deal <= bilateral.metric("overall_deficit").deal + 1e-6
    assert overall.metric("deficit").deal >= bilateral.metric("deficit").deal - 1e-6


def test_jobs_metrics_are_jobs_per_unit_times_production(tmp_path):
    inst = two_sources(tmp_path, home=(3000, 12000), jobs_per_unit={"home": q(0.08, "jobs/vehicle"),
                                                                    "partner": q(100, "jobs/thousand vehicles")})
    v = evaluate(inst, Deal(tariff={"car": "flat_20"}))
    assert v["home_jobs"] == pytest.approx(0.08 * v["home_production_gain"])
    assert v["partner_jobs"] == pytest.approx(-0.1 * v["partner_production_loss"])


@pytest.mark.parametrize("over, field, words", [
    ({"segments": {"car": {"substitution_elasticity": None, "elasticity": q(-1, "1"),
                           "home_substitution": q(0, "%")}}},
     "third_countries.other.segments.car", "has no 'substitution_elasticity'"),
    ({"segments": {"car": {"home_substitution": q(40, "%")}}}, "segments.car.home_substitution", "one-partner form"),
    ({"segments": {"car": {"home_sales": q(10, "vehicles")}}}, "segments.car.home_price", "both"),
    ({"settings": {"objective_metric": "overall_deficti"}}, "settings.objective_metric", "not a balance"),
])
def test_misstated_armington_data_are_named(tmp_path, over, field, words):
    with pytest.raises(InstanceErrors) as e:
        two_sources(tmp_path, **over)
    errors = e.value.errors
    assert any(x.field == field and words in x.message for x in errors), [(x.field, x.message) for x in errors]


def test_red_lines_and_calibration_on_a_third_country(tmp_path):
    inst = two_sources(tmp_path, red_lines={"cap": {
        "party": "home", "label": "imports from Other at most 1,050", "reason": "test", "metric": "third_imports_units",
        "index": "other", "sense": "<=", "bound": q(1050, "vehicles")}},
        calibration={"third_imports_value[other]": q(10, "USD million")})
    assert inst.red_lines[0].metric == "third_imports_units[other]"
    assert inst.calibration == {"third_imports_value[other]": 1e7}


def test_payoffs_and_the_weighted_objective_may_use_welfare_metrics(tmp_path):
    """A home payoff on its welfare (and a jobs weight in USD/job), and a weighted objective on
    both parties' welfare, load and solve; the weighted optimum is no worse in total welfare
    than the bilateral-deficit deal."""
    over = {"payoffs": {"home": {"deficit": None, "home_welfare": q(1, "1"), "home_jobs": q(50000, "USD/job")},
                        "partner": {"partner_welfare": q(1, "1")}},
            "jobs_per_unit": {"home": q(0.08, "jobs/vehicle")}, "settings": {"participation": True}}
    inst = two_sources(tmp_path, home=(3000, 12000), **over)
    assert inst.payoff_weights["home"] == {"home_welfare": 1.0, "home_jobs": 50000.0}
    weighted = solve_instance(two_sources(tmp_path, home=(3000, 12000), **merge(over, {"settings": {
        "objective": "weighted", "objective_weights": {"home_welfare": 1, "partner_welfare": 1}}})))
    bilateral = solve_instance(inst)
    assert weighted.status == bilateral.status == "optimal"

    def total(r):
        return r.metric("home_welfare").deal + r.metric("partner_welfare").deal
    assert total(weighted) >= total(bilateral) - 1e-6


def test_a_hostile_third_country_label_reaches_the_report_as_text(tmp_path):
    """A third country's label is free text: it reaches report.html escaped, like every other."""
    from test_injection import check_page

    from model.reporting.report_files import write_report
    label = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    inst = two_sources(tmp_path, home=(3000, 12000), third_countries={"other": {"label": label}})
    out = write_report(solve_instance(inst), tmp_path / "report")
    assert label in check_page(out / "report.html")


def test_gtap_two_level_nest_by_hand(tmp_path):
    """GTAP's nest: home producers against the imports' composite (ESUBD = 2), the partner against
    'other' inside it (ESUBM = 4); eta = -1. Base values at buyer prices: partner 1e7, other 1e7,
    home 2e7 (2,000 at 10,000). The partner's 20% reaches buyers whole: r_p = 1.2.
      R_M = (1/2 1.2^-3 + 1/2)^(-1/3) = 1.0820395;   R = (1/2 R_M^-1 + 1/2)^-1 = 1.0394034
      q_p = R^-1 (R_M/R)^-2 (1.2/R_M)^-4 = 0.5868747;  q_j = R^-1 (R_M/R)^-2 (1/R_M)^-4 = 1.2169434
      q_h = R^-1 (1/R)^-2 = R = 1.0394034;  buyers' loss V0 ln R = 4e7 ln 1.0394034.
    With ESUBD = ESUBM the two levels are the one-level nest, option for option."""
    two = two_sources(tmp_path, home=(2000, 10000), segments={"car": {
        "substitution_elasticity": q(2, "1"), "import_substitution_elasticity": q(4, "1")}})
    out = option_table(two)["car", "flat_20"]
    rm = (0.5 * 1.2 ** -3 + 0.5) ** (-1 / 3)
    r = 1 / (0.5 / rm + 0.5)
    assert (rm, r) == pytest.approx((1.0820395188557128, 1.0394034398063692), rel=1e-12)
    assert out.price_index == pytest.approx(r, rel=1e-12)
    assert out.imports == pytest.approx(1000 * (1 / r) * (rm / r) ** -2 * (1.2 / rm) ** -4, rel=1e-12)
    assert out.imports == pytest.approx(586.8747313, rel=1e-9)
    assert out.third_imports["other"] == pytest.approx(1216.9434428, rel=1e-9)
    assert out.home_gain == pytest.approx(2000 * (r - 1), rel=1e-10)
    assert out.buyer_cost == pytest.approx(4e7 * math.log(r), rel=1e-12)
    one = option_table(two_sources(tmp_path, home=(2000, 10000), segments={"car": {
        "substitution_elasticity": q(2, "1")}}))
    same = option_table(two_sources(tmp_path, home=(2000, 10000), segments={"car": {
        "substitution_elasticity": q(2, "1"), "import_substitution_elasticity": q(2, "1")}}))
    for key, o in one.items():
        for f in ("imports", "imports_value", "buyer_cost", "home_gain", "price_index"):
            assert getattr(same[key], f) == pytest.approx(getattr(o, f), rel=1e-12), (key, f)
        assert same[key].third_imports["other"] == pytest.approx(o.third_imports["other"], rel=1e-12)


def test_published_gtap_elasticities_enter_as_published(tmp_path):
    """GTAP's motor vehicles (ESUBD 2.8, ESUBM 5.6) load as written and solve; under SMART's linear
    system the two-level nest is refused, naming the field."""
    over = {"segments": {"car": {"substitution_elasticity": q(2.8, "1"),
                                 "import_substitution_elasticity": q(5.6, "1")}}}
    inst = two_sources(tmp_path, home=(3000, 12000), **over)
    a = inst.segments["car"].armington
    assert (a.substitution, a.import_substitution) == (2.8, 5.6)
    assert solve_instance(inst).status == "optimal"
    with pytest.raises(InstanceErrors) as e:
        two_sources(tmp_path, home=(3000, 12000), settings={"response": "linear"}, **over)
    assert any(x.field == "segments.car.import_substitution_elasticity" and "two-level" in x.message
               for x in e.value.errors)
