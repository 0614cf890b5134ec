"""Exact import response to each tariff option, computed before the solve.

Each option is a fixed point on the demand curve, so its imports, customs value,
tariff revenue, quota rent and buyers' surplus loss are computed here exactly with
the nonlinear curve; the optimization then only chooses among them (a MILP).

Notation for a segment: M0 imports at the calibration tariff t0, P customs value per
vehicle, e < 0 the import-demand elasticity, p the pass-through to buyers.

Buyer price factor b(t) (buyer price relative to the calibration year):
  constant elasticity: b = (1 + p t) / (1 + p t0),       M = M0 b^e
  linear (SMART):      b = 1 + p (t - t0) / (1 + t0),     M = M0 (1 + e (b - 1)), floored at 0
The buyer pays the customs value v plus duty, v (1 + t) = b P (1 + t0), so the
exporter's customs value is v = P b (1 + t0) / (1 + t): with full pass-through (p = 1)
v = P; with none (p = 0) the exporter absorbs the whole tariff.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from model.data.instance import Instance, Segment, TariffOption


@dataclass(frozen=True)
class OptionOutcome:
    """What one tariff option does to one segment's imports (per year)."""

    effective_tariff: float    # the rate that sets the buyer price (between the quota rates if the quota binds)
    imports: float             # vehicles
    unit_value: float          # customs value, USD a vehicle
    imports_value: float       # USD
    tariff_revenue: float      # USD
    quota_rent: float          # USD, accrues to the partner's makers (they import through their own subsidiaries)
    buyer_price_factor: float  # buyer price relative to the calibration year
    buyer_cost: float          # home buyers' surplus loss relative to the calibration year, USD
    export_margin: float       # partner exporters' margin including quota rent, USD
    quota_binds: bool

    @property
    def duty_rate(self) -> float:
        """Trade-weighted tariff actually paid: revenue over customs value."""
        return self.tariff_revenue / self.imports_value if self.imports_value > 0 else self.effective_tariff


def price_factor(seg: Segment, tariff: float, form: str) -> float:
    if form == "constant_elasticity":
        return (1 + seg.pass_through * tariff) / (1 + seg.pass_through * seg.base_tariff)
    return 1 + seg.pass_through * (tariff - seg.base_tariff) / (1 + seg.base_tariff)


def imports_at(seg: Segment, tariff: float, form: str) -> float:
    """M(t): import volume at buyer tariff `tariff`."""
    b = price_factor(seg, tariff, form)
    if form == "constant_elasticity":
        return seg.imports * b ** seg.elasticity
    return max(0.0, seg.imports * (1 + seg.elasticity * (b - 1)))


def tariff_for_imports(seg: Segment, volume: float, form: str) -> float:
    """The tariff at which buyers take exactly `volume` (inverse of `imports_at`)."""
    p, t0 = seg.pass_through, seg.base_tariff
    if form == "constant_elasticity":
        b = (volume / seg.imports) ** (1 / seg.elasticity)
        return (b * (1 + p * t0) - 1) / p
    b = 1 + (volume / seg.imports - 1) / seg.elasticity
    return t0 + (b - 1) * (1 + t0) / p


def buyer_surplus_loss(seg: Segment, b: float, form: str) -> float:
    """Loss of home buyers' surplus when their price moves from b = 1 to b: the area
    left of the demand curve, B0 * integral_1^b M(beta) d beta, with B0 = P (1 + t0)."""
    b0_price = seg.import_price * (1 + seg.base_tariff)
    e = seg.elasticity
    if form == "constant_elasticity":
        area = math.log(b) if abs(e + 1) < 1e-12 else (b ** (e + 1) - 1) / (e + 1)
    else:
        top = min(b, 1 - 1 / e)          # demand reaches zero at beta = 1 - 1/e
        area = (top - 1) + e * (top - 1) ** 2 / 2
    return seg.imports * b0_price * area


def option_outcome(seg: Segment, option: TariffOption, form: str) -> OptionOutcome:
    """The exact outcome of `option` on `seg`.

    A tariff-rate quota (quota Q, in-quota rate ti, out-of-quota rate to): if buyers take
    at least Q at to, the marginal vehicle pays to and M = M(to); if they take at most Q at
    ti, M = M(ti); otherwise the quota binds, M = Q, and the buyer price is the one at
    which buyers take exactly Q. In-quota vehicles pay ti, the rest to; the difference
    between the buyer price and duty paid on in-quota vehicles is the quota rent.
    """
    if not option.is_quota:
        t_eff, imports, binds = option.rate, imports_at(seg, option.rate, form), False
        in_quota = 0.0
    else:
        q, ti, to = option.quota, option.in_quota_rate, option.rate
        at_out, at_in = imports_at(seg, to, form), imports_at(seg, ti, form)
        if at_out >= q:
            t_eff, imports, binds = to, at_out, False
        elif at_in <= q:
            t_eff, imports, binds = ti, at_in, False
        else:
            t_eff, imports, binds = tariff_for_imports(seg, q, form), q, True
        in_quota = min(imports, q)
    b = price_factor(seg, t_eff, form)
    unit_value = seg.import_price * b * (1 + seg.base_tariff) / (1 + t_eff)
    value = imports * unit_value
    if option.is_quota:
        revenue = unit_value * (option.in_quota_rate * in_quota + option.rate * (imports - in_quota))
        rent = unit_value * (t_eff - option.in_quota_rate) * in_quota
    else:
        revenue, rent = unit_value * option.rate * imports, 0.0
    # The exporter's margin moves one for one with its customs value (costs are fixed).
    margin = imports * (seg.partner_margin - (seg.import_price - unit_value)) + rent
    return OptionOutcome(
        effective_tariff=t_eff, imports=imports, unit_value=unit_value, imports_value=value,
        tariff_revenue=revenue, quota_rent=rent, buyer_price_factor=b,
        buyer_cost=buyer_surplus_loss(seg, b, form), export_margin=margin, quota_binds=binds)


def base_option(seg: Segment) -> TariffOption:
    """The calibration-year regime of a segment, as a flat option."""
    return TariffOption(name="calibration", label=f"calibration year {seg.base_tariff:.1%}", rate=seg.base_tariff)


def option_table(instance: Instance) -> dict[tuple[str, str], OptionOutcome]:
    """(segment, option name) -> outcome, for every option on every segment's menu."""
    form = instance.settings.response
    return {(s, o.name): option_outcome(seg, o, form)
            for s, seg in instance.segments.items() for o in instance.options(s)}
