"""The response functions against values worked out by hand."""
import math

import pytest

from model.data.instance import Segment, TariffOption
from model.economics.responses import buyer_surplus_loss, imports_at, option_outcome, price_factor, tariff_for_imports


def seg(**kw):
    base = dict(name="s", label="s", tariff_menu="m", base_tariff=0.0, imports=1000.0, import_price=10000.0,
                exports=0.0, export_price=0.0, elasticity=-1.0, pass_through=1.0, partner_ceiling=0.0,
                partner_margin=1000.0, home_substitution=0.0, displacement=0.0)
    base.update(kw)
    return Segment(**base)


def flat(rate):
    return TariffOption(name=f"flat_{rate}", label="", rate=rate)


def test_constant_elasticity_full_pass_through():
    """e = -1, p = 1, t0 = 0: M(0.25) = 1000 / 1.25 = 800; customs value unchanged (p = 1)."""
    s = seg()
    assert imports_at(s, 0.25, "constant_elasticity") == pytest.approx(800.0)
    out = option_outcome(s, flat(0.25), "constant_elasticity")
    assert out.unit_value == pytest.approx(10000.0)
    assert out.imports_value == pytest.approx(8_000_000.0)
    assert out.tariff_revenue == pytest.approx(0.25 * 8_000_000.0)


def test_constant_elasticity_partial_pass_through():
    """e = -2, p = 0.5, t0 = 0.1, t = 0.3: b = 1.15/1.05; M = 1000 b^-2 = 833.6484;
    customs value v = P b (1 + t0)/(1 + t) = 10000 * (1.15/1.05) * 1.1/1.3 = 9267.399."""
    s = seg(elasticity=-2.0, pass_through=0.5, base_tariff=0.1)
    b = 1.15 / 1.05
    assert price_factor(s, 0.3, "constant_elasticity") == pytest.approx(b)
    out = option_outcome(s, flat(0.3), "constant_elasticity")
    assert out.imports == pytest.approx(1000 / b**2)
    assert out.imports == pytest.approx(833.6484, rel=1e-6)
    assert out.unit_value == pytest.approx(9267.399, rel=1e-6)
    # The exporter absorbs (1 - p) of the tariff: its margin falls by P - v a vehicle.
    v = 10000 * b * 1.1 / 1.3
    assert out.export_margin == pytest.approx(out.imports * (1000 - (10000 - v)))


def test_linear_smart_form_and_floor():
    """Linear: M = M0 (1 + e p (t - t0)/(1 + t0)); e = -2, p = 1, t0 = 0: M(0.25) = 1000 * 0.5 = 500,
    and M(0.6) = 1000 * (1 - 1.2) < 0, floored at 0."""
    s = seg(elasticity=-2.0)
    assert imports_at(s, 0.25, "linear") == pytest.approx(500.0)
    assert imports_at(s, 0.6, "linear") == 0.0


def test_inverse_tariff():
    """tariff_for_imports inverts imports_at in both forms."""
    s = seg(elasticity=-1.5, pass_through=0.7, base_tariff=0.025)
    for form in ("constant_elasticity", "linear"):
        for t in (0.05, 0.15, 0.275):
            assert tariff_for_imports(s, imports_at(s, t, form), form) == pytest.approx(t)


def trq(quota, ti, to, holder="exporters"):
    return TariffOption(name="q", label="", rate=to, quota=quota, in_quota_rate=ti, rent_holder=holder)


def test_quota_marginal_unit_pays_out_of_quota_rate():
    """Q = 500, ti = 0, to = 0.25: M(0.25) = 800 >= 500, so M = 800 at the out-of-quota price;
    buyers pay B = 10000 * 1.25 = 12,500. Exporters hold the rent and charge it: the 500 in-quota
    cars enter at B / (1 + 0) = 12,500, the other 300 at 10,000. Duty = 0.25 * 10000 * 300 =
    750,000; rent = (12500 - 10000) * 500 = 1,250,000; imports value 6,250,000 + 3,000,000."""
    out = option_outcome(seg(), trq(500, 0.0, 0.25), "constant_elasticity")
    assert out.imports == pytest.approx(800.0)
    assert not out.quota_binds
    assert out.tariff_revenue == pytest.approx(750_000.0)
    assert out.quota_rent == pytest.approx(1_250_000.0)
    assert out.imports_value == pytest.approx(9_250_000.0)
    assert out.duty_rate == pytest.approx(750_000 / 9_250_000)
    assert out.export_margin == pytest.approx(800 * 1000 + 1_250_000)


def test_quota_rent_held_by_the_government_is_licence_revenue():
    """Same quota, rent to the home government (auctioned licences): customs value stays 10,000,
    duty 750,000 plus licence revenue 1,250,000 = 2,000,000 = 0.25 of 8,000,000 (a flat 25%)."""
    out = option_outcome(seg(), trq(500, 0.0, 0.25, "government"), "constant_elasticity")
    assert out.imports_value == pytest.approx(8_000_000.0)
    assert out.duty == pytest.approx(750_000.0)
    assert out.tariff_revenue == pytest.approx(2_000_000.0)
    assert out.export_margin == pytest.approx(800 * 1000)
    importers = option_outcome(seg(), trq(500, 0.0, 0.25, "home_importers"), "constant_elasticity")
    assert importers.tariff_revenue == pytest.approx(750_000.0)
    assert importers.home_importer_rent == pytest.approx(1_250_000.0)


def test_quota_does_not_bind():
    """Q = 2000 > M(ti = 0.1) = 909.09: every vehicle is in quota at 10%, no rent."""
    out = option_outcome(seg(), trq(2000, 0.1, 0.25), "constant_elasticity")
    assert out.imports == pytest.approx(1000 / 1.1)
    assert out.tariff_revenue == pytest.approx(0.1 * out.imports_value)
    assert out.quota_rent == pytest.approx(0.0)


def test_quota_binds():
    """Q = 850 between M(0.25) = 800 and M(0.1) = 909.09: M = 850, buyers' price factor
    1000/850, tariff equivalent tau = 1000/850 - 1 = 0.17647, buyer price B = 10000 (1 + tau).
    Government holds the rent: duty at ti = 0.1 on all 850 at 10,000, rent = (tau - 0.1) *
    10000 * 850 = 650,000. Exporters hold it: in-quota customs value B / 1.1 = 10,695.19, duty
    0.1 * 10,695.19 * 850 = 909,090.91, rent (10,695.19 - 10,000) * 850 = 590,909.09; either way
    duty + rent = (B - 10000) * 850 = 1,500,000."""
    tau = 1000 / 850 - 1
    gov = option_outcome(seg(), trq(850, 0.1, 0.25, "government"), "constant_elasticity")
    assert gov.quota_binds
    assert gov.imports == pytest.approx(850.0)
    assert gov.effective_tariff == pytest.approx(tau)
    assert gov.duty == pytest.approx(0.1 * 850 * 10000)
    assert gov.quota_rent == pytest.approx(650_000.0)
    exp = option_outcome(seg(), trq(850, 0.1, 0.25), "constant_elasticity")
    v_in = 10000 * (1 + tau) / 1.1
    assert exp.duty == pytest.approx(0.1 * v_in * 850)
    assert exp.quota_rent == pytest.approx((v_in - 10000) * 850)
    assert exp.duty + exp.quota_rent == pytest.approx(1_500_000.0)
    assert exp.imports_value == pytest.approx(v_in * 850)


def test_buyer_surplus_loss_closed_forms():
    """B0 = P (1 + t0) = 10000. e = -1: loss = M0 B0 ln b; at b = 1.25: 1e7 * ln 1.25 = 2,231,435.5.
    e = -2: loss = M0 B0 (b^-1 - 1)/(-1) = 1e7 * (1 - 0.8) = 2,000,000.
    Linear e = -2: loss = M0 B0 [(b-1) + e (b-1)^2/2] = 1e7 (0.25 - 0.0625) = 1,875,000; past the
    zero-demand price b = 1.5 the area stops growing: at b = 2 it is 1e7 (0.5 - 0.25) = 2,500,000."""
    assert buyer_surplus_loss(seg(), 1.25, "constant_elasticity") == pytest.approx(1e7 * math.log(1.25))
    assert buyer_surplus_loss(seg(elasticity=-2.0), 1.25, "constant_elasticity") == pytest.approx(2_000_000.0)
    assert buyer_surplus_loss(seg(elasticity=-2.0), 1.25, "linear") == pytest.approx(1_875_000.0)
    assert buyer_surplus_loss(seg(elasticity=-2.0), 2.0, "linear") == pytest.approx(2_500_000.0)


def test_tariff_cut_below_base_is_a_gain_for_buyers():
    """A tariff below the calibration rate lowers buyers' price: negative loss, more imports."""
    s = seg(base_tariff=0.1)
    out = option_outcome(s, flat(0.0), "constant_elasticity")
    assert out.imports > s.imports
    assert out.buyer_cost < 0
