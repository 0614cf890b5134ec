"""The `linear` response is SMART's system (WITS; Laird and Yeats 1986; Jammes and Olarreaga
2005, "Explaining SMART and GSIM"), checked against SMART's formulas worked by hand.

SMART, with world prices fixed (export supply elasticity infinite, SMART's default 99), for a
preferential cut on partner k from t0 to t1 (trade values M at world prices):
  trade creation   TC_k = M_k eta (t1 - t0)/(1 + t0)          (eta < 0: a cut creates trade)
  trade diversion  TD_k = M_k M_K sigma D / (M_k + M_K + M_k sigma D),   D = 1 - (1 + t1)/(1 + t0)
                   (M_K: the other suppliers' imports, which lose TD_k in proportion to theirs)
  revenue          TR1 - TR0 = sum_i t1_i M1_i - sum_i t0_i M0_i,   M1_k = M_k + TC_k + TD_k
  welfare          W = 1/2 (t0 - t1) TC_k                      (the triangle SMART reports)
The model's buyers' surplus gain is the whole trapezoid, the rectangle (t0 - t1) M_k plus SMART's
triangle W.

The issue's case: M = $1 bn from the partner and $1 bn from the rest of the world, t0 = 10%,
eta = -1.5, sigma = 1.5, the partner cut to 5%: D = 0.05/1.1 = 0.0454545,
  TC = 1e9 x 1.5 x 0.05/1.1 = 68,181,818.18;  TD = 1e18 x 1.5 D / (2e9 + 1.5e9 D) = 32,967,032.97.
(Reading SMART's diversion on the partner's imports after creation, M'_k = M_k + TC_k, with
denominator (M'_k + M_K)(1 + sigma D), gives the same 32,967,032.97 here because sigma = -eta;
the two readings differ otherwise.)
"""
from __future__ import annotations

import pytest
from tiny import q, tiny

from model.analyses.diversion import trade_diversion
from model.data.instance import Deal, TariffOption
from model.economics.metrics import evaluate
from model.economics.outcomes import option_table
from model.economics.responses import option_outcome

D = 0.05 / 1.1
TC = 1e9 * 1.5 * D
TD = 1e18 * 1.5 * D / (2e9 + 1e9 * 1.5 * D)


def smart_case(tmp_path, others=None, form="linear", sigma=1.5, eta=-1.5, other_tariff=10):
    """One segment 'car': the partner's 100,000 cars at $10,000 ($1 bn), each other supplier's
    units at $10,000 (default: 'row' with $1 bn), every tariff 10% in the calibration year, the
    others' tariff `other_tariff` %; perfectly elastic supply (no imposed pass-through); partner
    options 5% and 10%; `response` = form."""
    others = others or {"row": 100_000}
    over = {"settings": {"response": form},
            "tariff_menus": {"cars": {"flat": {"floor": q(5, "%"), "ceiling": q(10, "%"), "step": q(5, "%")}}},
            "segments": {"truck": None, "car": {
                "imports": q(100_000, "vehicles"), "base_tariff": q(10, "%"), "elasticity": q(eta, "1"),
                "substitution_elasticity": q(sigma, "1"), "home_substitution": None, "pass_through": None}},
            "channels": None, "no_deal": {"tariff": {"cars": q(10, "%")}},
            "third_countries": {c: {"label": c, "tariff": q(other_tariff, "%"), "base_tariff": q(10, "%"),
                                    "segments": {"car": {"imports": q(units, "vehicles"),
                                                         "import_price": q(10000, "USD/vehicle")}}}
                                for c, units in others.items()}}
    return tiny(tmp_path, over)


def test_smart_creation_diversion_revenue_and_welfare_with_one_rival(tmp_path):
    """The issue's case by SMART's formulas (module docstring): creation $68.18 M, diversion
    $32.97 M; revenue 0.05 (1e9 + TC + TD) + 0.1 (1e9 - TD) - 0.1 x 2e9; buyers gain the rectangle
    0.05 x 1e9 plus SMART's welfare triangle 1/2 x 0.05 x TC = 1,704,545.45."""
    inst = smart_case(tmp_path)
    table = option_table(inst)
    before, after = (evaluate(inst, Deal(tariff={"car": f"flat_{t}"}), table) for t in (10, 5))
    d = trade_diversion(inst, after, before)
    assert d.creation.value == pytest.approx(TC, rel=1e-12)
    assert d.diversion.value == pytest.approx(TD, rel=1e-12)
    assert d.creation.value == pytest.approx(68.18e6, abs=0.01e6)
    assert d.diversion.value == pytest.approx(32.97e6, abs=0.01e6)
    assert d.partner.value == pytest.approx(TC + TD, rel=1e-12)
    revenue = 0.05 * (1e9 + TC + TD) + 0.1 * (1e9 - TD) - 0.1 * 2e9
    assert after["tariff_revenue_change"] == pytest.approx(revenue, rel=1e-12)
    smart_welfare = 0.5 * 0.05 * TC
    assert smart_welfare == pytest.approx(1_704_545.45, abs=0.01)
    assert after["consumer_surplus_change"] == pytest.approx(0.05 * 1e9 + smart_welfare, rel=1e-12)
    assert after["home_welfare"] == pytest.approx(0.05 * 1e9 + smart_welfare + revenue, rel=1e-12)
    assert before["home_welfare"] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("others", [{"a": 60_000, "b": 40_000}, {"a": 50_000, "b": 150_000},
                                    {"a": 20_000, "b": 30_000, "c": 250_000}])
def test_smart_with_several_suppliers(tmp_path, others):
    """Several suppliers besides the partner: SMART's M_K is their total, and each loses TD in
    proportion to its imports: TD = M_k M_K 1.5 D / (M_k + M_K + M_k 1.5 D), supplier j loses
    TD M_j / M_K; creation is the partner's alone (the others' prices do not move)."""
    inst = smart_case(tmp_path, others=others)
    out = option_table(inst)["car", "flat_5"]
    mk = sum(others.values()) * 10_000
    td = 1e9 * mk * 1.5 * D / (1e9 + mk + 1e9 * 1.5 * D)
    assert out.imports * 10_000 == pytest.approx(1e9 + TC + td, rel=1e-12)
    for c, units in others.items():
        assert out.third_value[c] == pytest.approx(units * 10_000 - td * units * 10_000 / mk, rel=1e-12)


def test_a_uniform_price_change_diverts_nothing(tmp_path):
    """Every supplier's tariff cut from 10% to 5% (the others' by the scenario, the partner's by
    the option): relative prices do not move, so SMART diverts nothing, and each source's trade
    rises by its own creation, M_i x 1.5 x 0.05/1.1."""
    inst = smart_case(tmp_path, others={"a": 60_000, "b": 40_000}, other_tariff=5)
    out = option_table(inst)["car", "flat_5"]
    assert out.imports * 10_000 == pytest.approx(1e9 + TC, rel=1e-12)
    assert out.third_value["a"] == pytest.approx(0.6e9 * (1 + 1.5 * D), rel=1e-12)
    assert out.third_value["b"] == pytest.approx(0.4e9 * (1 + 1.5 * D), rel=1e-12)


def test_one_supplier_is_the_one_partner_linear_form(tmp_path):
    """An Armington segment whose only source is the partner is SMART with one supplier: the
    one-partner linear form M0 (1 + e (r - 1)), on flat tariffs and quotas alike, and the
    one-partner form's buyers' loss (the same trapezoid)."""
    base = {"settings": {"response": "linear"}, "segments": {"truck": None, "car": {"elasticity": q(-1.5, "1")}},
            "channels": None, "no_deal": {"tariff": {"cars": q(0, "%")}}}
    single = tiny(tmp_path, base)
    nested = tiny(tmp_path, {**base, "segments": {"truck": None, "car": {
        "elasticity": q(-1.5, "1"), "substitution_elasticity": q(1.5, "1"), "home_substitution": None}}})
    options = [TariffOption(name=f"t{t}", label="", rate=t) for t in (0.0, 0.1, 0.2, 0.5, 0.9)] + [
        TariffOption(name="q", label="", rate=0.2, quota=900.0, in_quota_rate=0.0, rent_holder="government")]
    for o in options:
        a, b = option_outcome(nested.segments["car"], o, "linear"), option_outcome(single.segments["car"], o, "linear")
        for f in ("imports", "imports_value", "tariff_revenue", "quota_rent", "buyer_cost", "export_margin"):
            assert getattr(a, f) == pytest.approx(getattr(b, f), rel=1e-12, abs=1e-9), (o.name, f)


def _diversion(inst, t: float) -> float:
    """Units diverted from 'row' to the partner when its tariff falls from 10% to t."""
    out = option_outcome(inst.segments["car"], TariffOption(name="t", label="", rate=t), inst.settings.response)
    return 100_000 - out.third_imports["row"]


def test_a_one_level_ces_sigma_is_smarts_sigma_minus_eta_to_first_order(tmp_path):
    """CES nest: d ln Q_row = (eta + sigma_CES) s_p d ln r_p; SMART: d ln M_row = sigma_SMART s_p
    d ln r_p (s_p the partner's share, here 1/2 in both, the tariffs being equal). So SMART's
    sigma = 1.5 with eta = -1.5 is a CES sigma of 1.5 + 1.5 = 3: for a small cut the two
    diversions agree, and their gap halves with the cut (first order). Entered as 1.5 in the CES
    nest (sigma = -eta), the rest of the world would not move at all."""
    smart = smart_case(tmp_path)
    ces = smart_case(tmp_path, form="constant_elasticity", sigma=3.0)
    naive = smart_case(tmp_path, form="constant_elasticity", sigma=1.5)
    gaps = []
    for cut in (1e-3, 5e-4):
        a, b = _diversion(smart, 0.1 - cut), _diversion(ces, 0.1 - cut)
        assert a > 0 and b == pytest.approx(a, rel=5e-3)
        gaps.append(abs(b / a - 1))
    assert gaps[1] == pytest.approx(gaps[0] / 2, rel=0.02)
    assert _diversion(naive, 0.099) == pytest.approx(0.0, abs=1e-6)
