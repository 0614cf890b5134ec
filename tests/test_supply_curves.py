"""Supply curves instead of a fixed pass-through, worked by hand on one segment.

Common data: one segment 'car' (tests/tiny.py), M0 = 1,000 at customs value P = $10,000,
calibration tariff t0 = 0 unless a test says otherwise, exporters' margin $9,000 (so the
margin bound never binds unless a test lowers it). Partner supply X = M0 omega^phi (omega the
customs value relative to P), buyer price ratio r = omega tau, tau = (1 + t)/(1 + t0).
"""
from __future__ import annotations

import math

import pytest
from tiny import q, tiny

from model.data.instance import Deal, Segment, TariffOption
from model.economics.loading import load as load_instance
from model.economics.metrics import evaluate
from model.economics.outcomes import option_table
from model.economics.responses import option_outcome
from model.errors import InstanceErrors

CE = "constant_elasticity"


def seg(**kw) -> Segment:
    base = dict(name="car", label="car", tariff_menu="cars", base_tariff=0.0, imports=1000.0, import_price=10000.0,
                exports=0.0, export_price=0.0, elasticity=-1.0, pass_through=None, partner_ceiling=0.0,
                partner_margin=9000.0, home_substitution=0.0, displacement=0.0)
    base.update(kw)
    return Segment(**base)


def flat(rate: float) -> TariffOption:
    return TariffOption(name=f"flat_{rate}", label="", rate=rate)


def one_segment(tmp_path, supply=None, menu=(0, 20, 10), base=0, elasticity=-1.0, **extra):
    """The tiny instance with the car alone on its line: `supply` the partner's supply
    elasticity (None: perfectly elastic), no imposed pass-through, menu floor/ceiling/step in %."""
    car = {"pass_through": None, "base_tariff": q(base, "%"), "elasticity": q(elasticity, "1"),
           "partner_margin": q(9000, "USD/vehicle")}
    if supply is not None:
        car["partner_supply_elasticity"] = q(supply, "1")
    over = {"segments": {"truck": None, "car": car}, "channels": None,
            "tariff_menus": {"cars": {"flat": {"floor": q(menu[0], "%"), "ceiling": q(menu[1], "%"),
                                               "step": q(menu[2], "%")}}},
            "no_deal": {"tariff": {"cars": q(base, "%")}}}
    over.update(extra)
    return tiny(tmp_path, over)


def test_pass_through_is_phi_over_phi_minus_eta(tmp_path):
    """Constant elasticity eta = -1.5, phi = 3: supply = demand, M0 omega^phi = M0 (omega tau)^eta, gives
    omega = tau^(eta/(phi - eta)) and r = tau^(phi/(phi - eta)): in logs the pass-through is exactly
    phi/(phi - eta) = 3/4.5 = 2/3. At t = 20%: r = 1.2^(2/3) = 1.129243, omega = 1.2^(-1/3) = 0.941036,
    imports 1,000 omega^3 = 833.33 (= 1,000/1.2, since omega^3 = 1/1.2). The derived figure
    (r - 1)/(tau - 1) = 0.646216 there, and tends to 2/3 for a small change (reported at t0 itself).
    Linear demand M0 (1 + eta (r - 1)): to first order the same, d r/d tau = phi/(phi - eta) at t0."""
    s = seg(elasticity=-1.5, partner_supply_elasticity=3.0)
    out = option_outcome(s, flat(0.2), CE)
    assert math.log(out.buyer_price_factor) / math.log(1.2) == pytest.approx(2 / 3, rel=1e-12)
    assert out.supply_price_factor == pytest.approx(1.2 ** (-1 / 3), rel=1e-12)
    assert out.imports == pytest.approx(1000 / 1.2, rel=1e-12)
    assert out.unit_value == pytest.approx(10000 * 1.2 ** (-1 / 3), rel=1e-12)
    assert out.pass_through == pytest.approx((1.2 ** (2 / 3) - 1) / 0.2, rel=1e-12)
    assert option_outcome(s, flat(0.0), CE).pass_through == pytest.approx(2 / 3, rel=1e-8)
    assert option_outcome(s, flat(1e-7), CE).pass_through == pytest.approx(2 / 3, rel=1e-6)
    for form in (CE, "linear"):
        assert option_outcome(s, flat(0.0), form).pass_through == pytest.approx(2 / 3, rel=1e-8), form
    # phi = 1, eta = -1: half the tariff reaches buyers (to first order), whatever the form.
    assert option_outcome(seg(partner_supply_elasticity=1.0), flat(0.0), "linear").pass_through == \
        pytest.approx(0.5, rel=1e-8)


def test_with_perfectly_elastic_supply_a_home_tariff_cut_raises_home_welfare(tmp_path):
    """No supply elasticity, no imposed pass-through: r = tau, so buyers pay the whole tariff. From
    t0 = 20% (eta = -1, B0 = P (1 + t0) = 12,000; home welfare = buyers' surplus + tariff revenue
    change; no home producers):
      W(t) = -M0 B0 ln(r) + t P M0/r - t0 P M0,  r = (1 + t)/1.2
      W(20%) = 0;  W(10%) = 1.2e7 ln(1.2/1.1) + 0.1 x 1e7 x 1.2/1.1 - 2e6 = 135,045.61;
      W(0%) = 1.2e7 ln 1.2 - 2e6 = 187,858.68.
    Each cut raises home welfare (no terms of trade to lose)."""
    inst = one_segment(tmp_path, base=20)
    w = {t: evaluate(inst, Deal(tariff={"car": f"flat_{t}"}))["home_welfare"] for t in (0, 10, 20)}
    assert w[20] == pytest.approx(0.0, abs=1e-6)
    assert w[10] == pytest.approx(1.2e7 * math.log(1.2 / 1.1) + 1e6 * 1.2 / 1.1 - 2e6, rel=1e-12)
    assert w[0] == pytest.approx(1.2e7 * math.log(1.2) - 2e6, rel=1e-12)
    assert w[0] > w[10] > w[20]
    assert w[10] == pytest.approx(135_045.61, abs=0.01)


def _golden_max(f, lo: float, hi: float, tol: float = 1e-10) -> float:
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def test_the_optimal_tariff_for_home_welfare_is_the_inverse_supply_elasticity(tmp_path):
    """Home welfare W(t) = buyers' surplus + revenue t w M (t0 = 0, no home producers). With
    B = w (1 + t) and M on the supply curve (dM/M = phi dw/w), dW/dt = -M dw/dt + t (M dw/dt +
    w dM/dt) - ... = t w dM/dt - M dw/dt = 0 at t = (dw/w)/(dM/M) = 1/phi, for any demand curve.
    phi = 4, eta = -1.5: the optimum is 25%. Over the menu 0%, 0.5%, ..., 60% (metrics.evaluate,
    the same metrics the solver states) the best option is 25%; golden-section search on the
    option outcomes at any tariff finds 1/phi to 1e-6."""
    inst = one_segment(tmp_path, supply=4.0, menu=(0, 60, 0.5), elasticity=-1.5)
    table = option_table(inst)
    welfare = {o.rate: evaluate(inst, Deal(tariff={"car": o.name}), table)["home_welfare"] for o in inst.options("car")}
    assert len(welfare) == 121
    assert max(welfare, key=welfare.get) == pytest.approx(0.25, abs=1e-12)
    s = inst.segments["car"]

    def home_welfare(t: float) -> float:
        out = option_outcome(s, flat(t), CE)
        return out.tariff_revenue - out.buyer_cost
    assert _golden_max(home_welfare, 0.0, 1.0) == pytest.approx(0.25, abs=1e-6)
    assert home_welfare(0.25) > max(home_welfare(0.2), home_welfare(0.3)) > home_welfare(0.0)


def test_a_restraint_rent_is_buyer_price_less_supply_price_at_the_cap(tmp_path):
    """An export restraint of 800 (t0 = 0, eta = -1, phi = 2), no imposed pass-through. At the cap
    buyers pay r with 1,000 r^-1 = 800: r = 1.25, B = 12,500; exporters' supply price on their
    curve at 800 is w = 10,000 (0.8)^(1/2) = 8,944.27. Rent per unit = B/(1 + t0) - w = 3,555.73;
    rent = 800 x 3,555.73 = 2,844,582.47 (exporters hold it and charge it: customs value 12,500).
    Tariff equivalent: the tariff giving imports 800 on the same curves, r / omega - 1 =
    1.25/0.894427 - 1 = 39.7542%; as a flat tariff it gives 800. No pass-through parameter enters."""
    inst = one_segment(tmp_path, supply=2.0, tariff_menus={"cars": {"export_restraints": {
        "ver": {"label": "restraint of 800", "quota": q(800, "vehicles")}}}},
        fixed_levers={"tariff": {"cars": "ver"}})
    s = inst.segments["car"]
    out = option_table(inst)["car", "ver"]
    w = 10000 * math.sqrt(0.8)
    assert out.imports == pytest.approx(800.0, rel=1e-12) and out.quota_binds
    assert out.buyer_price_factor == pytest.approx(1.25, rel=1e-10)
    assert out.supply_price_factor == pytest.approx(math.sqrt(0.8), rel=1e-10)
    assert out.quota_rent == pytest.approx((12500 - w) * 800, rel=1e-10)
    assert out.quota_rent == pytest.approx(2_844_582.47, abs=0.01)
    assert out.unit_value == pytest.approx(12500.0, rel=1e-10)
    assert out.effective_tariff == pytest.approx(1.25 / math.sqrt(0.8) - 1, rel=1e-10)
    assert option_outcome(s, flat(out.effective_tariff), CE).imports == pytest.approx(800.0, rel=1e-10)
    # Exporters: margin on volume, surplus along the curve (X0 w0 (omega^3 - 1)/3), and the rent.
    curve = 1000 * 10000 * (0.8 ** 1.5 - 1) / 3
    assert out.export_margin == pytest.approx(9000 * 800 + curve + out.quota_rent, rel=1e-10)


def test_infinite_supply_elasticity_is_the_limit_of_steep_supply_curves():
    """phi = 1e12 against perfectly elastic supply (phi infinite: r = tau, customs value P), on flat
    tariffs and a binding quota: every figure agrees to 1e-9, the exporters' surplus included
    (margin on volume plus the curve's surplus, which tends to Q (w - w0) = 0)."""
    flat_options = [flat(t) for t in (0.0, 0.1, 0.25, 0.5)]
    quota = TariffOption(name="q", label="", rate=0.3, quota=850.0, in_quota_rate=0.05, rent_holder="exporters")
    fields = ("imports", "unit_value", "imports_value", "duty", "tariff_revenue", "quota_rent", "buyer_cost",
              "export_margin", "buyer_price_factor", "effective_tariff", "pass_through")
    for form in (CE, "linear"):
        steep, elastic = seg(base_tariff=0.025, partner_supply_elasticity=1e12), seg(base_tariff=0.025)
        for o in [*flat_options, quota]:
            a, b = option_outcome(steep, o, form), option_outcome(elastic, o, form)
            for f in fields:
                assert getattr(a, f) == pytest.approx(getattr(b, f), rel=1e-9, abs=1e-6), (form, o.name, f)
        # ... and perfectly elastic supply is today's full pass-through, p = 1.
        imposed = seg(base_tariff=0.025, pass_through=1.0)
        for o in [*flat_options, quota]:
            a, b = option_outcome(elastic, o, form), option_outcome(imposed, o, form)
            for f in fields:
                assert getattr(a, f) == pytest.approx(getattr(b, f), rel=1e-12, abs=1e-6), (form, o.name, f)


def test_absorption_stays_bounded_by_the_margin_on_a_supply_curve():
    """phi = 0.2 (steep supply), eta = -1, margin $500 (omega >= 0.95), t = 50%: unbounded, omega =
    1.5^(-1/1.2) = 0.7132 would absorb $2,868 a car. Bounded: the exporter sells at 9,500, off its
    curve, what buyers take at r = 0.95 x 1.5 = 1.425: 1,000/1.425 = 701.75 (its curve would
    supply 1,000 x 0.95^0.2 = 989.8 there). Its surplus: margin on volume, 500 x 701.75, plus
    PS(Q, w) - PS0 = w Q - w0 Q (Q/X0)^(1/phi) phi/(phi + 1) - w0 X0/(phi + 1)."""
    s = seg(partner_margin=500.0, partner_supply_elasticity=0.2)
    out = option_outcome(s, flat(0.5), CE)
    m = 1000 / 1.425
    assert out.unit_value == pytest.approx(9500.0, rel=1e-12)
    assert out.buyer_price_factor == pytest.approx(1.425, rel=1e-12)
    assert out.imports == pytest.approx(m, rel=1e-12)
    ps = 9500 * m - 10000 * m * (m / 1000) ** 5 * 0.2 / 1.2 - 10000 * 1000 / 1.2
    assert out.export_margin == pytest.approx(500 * m + ps, rel=1e-12)
    assert out.pass_through == pytest.approx(0.425 / 0.5, rel=1e-12)
    gentle = option_outcome(s, flat(0.02), CE)            # within the margin: on the curve
    assert gentle.imports == pytest.approx(1000 * gentle.supply_price_factor ** 0.2, rel=1e-12)
    assert gentle.unit_value > 9500


def test_third_countries_on_their_supply_curves(tmp_path):
    """Partner and 'other' 1,000 cars each at $10,000, 0% in the calibration year; sigma = 2,
    eta = -1; the partner's pass-through 1 (its 20% tariff reaches buyers whole), the other
    country's supply elasticity 2. Its market clears: units = 1,000 omega^2 at the equilibrium's
    customs value 10,000 omega, and demand at its buyer price omega gives the same units.
    Diversion raises its price (omega > 1) and its exporters gain their curve's surplus,
    1,000 x 10,000 (omega^3 - 1)/3 (the metric third_exporter_surplus_change). With perfectly
    elastic supply its price would not move and it would sell the hand-worked 1,090.91."""
    from test_armington import two_sources

    from model.economics.responses import nest
    inst = two_sources(tmp_path, third_countries={"other": {"supply_elasticity": q(2, "1")}})
    out = option_table(inst)["car", "flat_20"]
    units, value = out.third_imports["other"], out.third_value["other"]
    omega = value / units / 10000
    assert omega > 1
    assert units == pytest.approx(1000 * omega ** 2, rel=1e-12)
    demand = nest(inst.segments["car"], 1.2, CE)          # the partner at r = 1.2, the other clearing
    assert demand.third["other"] == pytest.approx(units, rel=1e-12)
    assert demand.third_price["other"] == pytest.approx(omega, rel=1e-12)
    assert out.third_surplus["other"] == pytest.approx(1e7 * (omega ** 3 - 1) / 3, rel=1e-10)
    assert units < 12000 / 11                              # supply that must be paid more sells less
    v = evaluate(inst, Deal(tariff={"car": "flat_20"}))
    assert v["third_exporter_surplus_change"] == pytest.approx(out.third_surplus["other"], rel=1e-12)
    assert v["third_exporter_surplus_change[other]"] == v["third_exporter_surplus_change"]
    assert evaluate(inst, None)["third_exporter_surplus_change"] == 0.0


@pytest.mark.parametrize("over, field, words", [
    ({"segments": {"car": {"partner_supply_elasticity": q(2, "1")}}}, "segments.car.partner_supply_elasticity",
     "both 'pass_through' and 'partner_supply_elasticity'"),
    ({"segments": {"car": {"partner_supply_elasticity": q(0, "1"), "pass_through": None}}},
     "segments.car.partner_supply_elasticity.value", "must be > 0"),
])
def test_an_imposed_pass_through_and_a_supply_curve_are_not_both_given(tmp_path, over, field, words):
    with pytest.raises(InstanceErrors) as e:
        tiny(tmp_path, over)
    assert any(x.field == field and words in x.message for x in e.value.errors), \
        [(x.field, x.message) for x in e.value.errors]


def test_unlimited_supply_is_perfectly_elastic(tmp_path):
    """`partner_supply_elasticity: unlimited` is perfectly elastic supply: the outcomes of leaving it out."""
    a = one_segment(tmp_path, base=20)
    b = tiny(tmp_path, {"segments": {"truck": None, "car": {
        "pass_through": None, "base_tariff": q(20, "%"), "partner_margin": q(9000, "USD/vehicle"),
        "partner_supply_elasticity": "unlimited"}}, "channels": None, "no_deal": {"tariff": {"cars": q(20, "%")}}})
    assert math.isinf(b.segments["car"].partner_supply_elasticity)
    assert option_table(a) == option_table(b)


def test_the_supply_curves_instance_derives_its_pass_through_and_the_default_imposes_it(tmp_path):
    """instances/supply_curves.yaml: smart_defaults with Japan's supply elasticity 0.6 in place of the
    imposed 50%. Compact cars at no deal's 27.5% (t0 = 2.5%, tau = 1.275/1.025 = 1.243902): on the
    curve omega would be tau^(e/(phi - e)) with e about -1.44, about 0.86, an absorption beyond the
    12% margin; so the exporters sell at 0.88 P, off their curve, and buyers pay r = 0.88 tau =
    1.094634: a pass-through of (r - 1)/(tau - 1) = 0.388. The report's pass-through table says the
    price is set by supply curves there, and by an imposed pass-through in smart_defaults."""
    from pathlib import Path

    from model.reporting.markdown import report_markdown
    from model.run import solve_instance
    root = Path(__file__).resolve().parent.parent
    inst = load_instance(root / "instances" / "supply_curves.yaml")
    out = option_table(inst)["compact", "flat_27.5"]
    tau = 1.275 / 1.025
    assert out.supply_price_factor == pytest.approx(0.88, rel=1e-12)
    assert out.pass_through == pytest.approx((0.88 * tau - 1) / (tau - 1), rel=1e-12)
    assert out.pass_through == pytest.approx(0.388, abs=5e-4)
    assert out.pass_through_imposed is None
    r = solve_instance(inst)
    cars = next(x for x in r.pass_through.no_deal if x.line == "cars")
    assert cars.set_by == "supply curve" and not cars.imposed
    text = report_markdown(r)
    assert "## Pass-through" in text and "imposed by the instance" not in text
    default = solve_instance(load_instance(root / "instances" / "smart_defaults.yaml"))
    assert all(x.imposed and x.imposed_value == pytest.approx(0.5) for x in default.pass_through.deal)
    assert "the pass-through is imposed by the instance" in report_markdown(default)


@pytest.mark.parametrize("system", ["one level", "two levels", "no home", "smart"])
def test_demand_elasticities_are_the_derivatives_of_the_quantities(system):
    """The Newton steps use E_ik = d ln q_i / d ln r_k in closed form: against central differences
    (step 1e-6 in ln r_k) at prices where every source's quantity is positive, to 1e-6."""
    from model.economics.nests import NestedCES, Smart
    third, partner, home = [3e7, 1e7], 2e7, (4e7 if system != "no home" else 0.0)
    demand = {"one level": NestedCES(third, partner, home, -1.2, 2.5, None),
              "two levels": NestedCES(third, partner, home, -1.2, 2.5, 5.0),
              "no home": NestedCES(third, partner, home, -1.2, 2.5, 5.0),
              "smart": Smart([*third, partner, home], [*third, partner, home], -1.2, 1.5)}[system]
    r = [1.05, 0.97, 1.18] + ([1.02] if home else [])
    q = demand.quantities(r)
    e = demand.elasticities(r, q)
    for k in range(len(r)):
        up, down = list(r), list(r)
        up[k] *= math.exp(1e-6)
        down[k] *= math.exp(-1e-6)
        qu, qd = demand.quantities(up), demand.quantities(down)
        for i in range(len(r)):
            assert e[i][k] == pytest.approx((math.log(qu[i]) - math.log(qd[i])) / 2e-6, abs=1e-6), (i, k)


def test_every_source_on_its_curve_clears_at_once(tmp_path):
    """The partner (phi = 1.5), 'other' (phi = 2) and home producers (eps = 3) all on supply curves
    in one CES segment (sigma = 2, eta = -1): at the partner's 20% each clears its market,
    Q_i = Q_i0 omega_i^phi_i, with the demand system's quantities at buyer prices omega_i tau_i."""
    from test_armington import armington

    from model.economics.responses import market, state
    car = {**armington(2.0, home=(3000, 12000), supply=3.0), "partner_supply_elasticity": q(1.5, "1")}
    inst = tiny(tmp_path, {"segments": {"truck": None, "car": {**car, "pass_through": None}}, "channels": None,
                           "no_deal": {"tariff": {"cars": q(0, "%")}},
                           "third_countries": {"other": {
                               "label": "Other", "tariff": q(0, "%"), "base_tariff": q(0, "%"),
                               "supply_elasticity": q(2, "1"), "segments": {"car": {
                                   "imports": q(1000, "vehicles"), "import_price": q(10000, "USD/vehicle")}}}}})
    s = inst.segments["car"]
    st = state(s, 0.2, CE)
    phis = [2.0, 1.5, 3.0]
    taus = [1.0, 1.2, 1.0]
    for i in range(3):
        assert st.ratios[i] == pytest.approx(st.supply_prices[i] * taus[i], rel=1e-12)
        assert st.quantities[i] == pytest.approx(st.supply_prices[i] ** phis[i], rel=1e-11)
    assert st.quantities == pytest.approx(market(s, CE).demand.quantities(st.ratios), rel=1e-15)
    out = option_table(inst)["car", "flat_20"]
    assert out.imports == pytest.approx(1000 * st.quantities[1], rel=1e-12)
    assert out.producer_surplus == pytest.approx(3000 * 12000 * (st.supply_prices[2] ** 4 - 1) / 4, rel=1e-10)
