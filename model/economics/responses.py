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

Absorption is bounded by the exporter's margin m0: where P - v(t) would exceed m0, the
pass-through for that option rises to the value that makes v = P - m0, so the buyer
price factor is max(b(t), (1 - m0 / P) (1 + t) / (1 + t0)). An exporter does not sell
below cost.

A quota is pooled over the segments S of its tariff line (quota Q, in-quota rate ti,
out-of-quota rate to; an export restraint has to = infinity and ti = each segment's
calibration tariff). With M_s(t) each segment's response:
  sum_s M_s(to) >= Q: every marginal unit pays to, M_s = M_s(to); the Q in-quota units
      are shared in proportion to M_s(to);
  sum_s M_s(ti) <= Q: M_s = M_s(ti), all in quota, no rent;
  otherwise the quota binds: one tariff equivalent tau with sum_s M_s(max(tau, ti_s)) = Q
      (bisection to 1e-12), M_s = M_s(max(tau, ti_s)), all in quota. Sharing the quota so
      that every segment faces the same tau is how licences are allocated when they go
      where they are worth most (and how a single importer-of-record would use them).
The rent per in-quota unit is the wedge between the buyer price and the in-quota
duty-paid price. Held by the home government (auctioned licences) or home importers,
the customs value stays v and the rent is (tau - ti) v. Held by the exporters, they
charge it: the customs value of in-quota units rises to B / (1 + ti) (B the buyer
price), so imports value, and the deficit, fall less than the volume does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from model.data.instance import Instance, Segment, TariffOption


@dataclass(frozen=True)
class OptionOutcome:
    """What one tariff option does to one segment's imports (per year)."""

    effective_tariff: float    # the tariff equivalent that sets the buyer price
    imports: float             # units
    unit_value: float          # customs value, USD a unit (rent included when exporters hold it)
    imports_value: float       # USD
    duty: float                # customs duty collected, USD
    tariff_revenue: float      # duty plus auctioned licence revenue (rent held by the government), USD
    quota_rent: float          # USD, held by `rent_holder`
    rent_holder: str           # 'government', 'home_importers', 'exporters' ('' without a quota)
    buyer_price_factor: float  # buyer price relative to the calibration year
    buyer_cost: float          # home buyers' surplus loss relative to the calibration year, USD
    export_margin: float       # partner exporters' margin, quota rent included when they hold it, USD
    quota_binds: bool
    pass_through: float        # the pass-through used (raised where absorption hit the margin)

    @property
    def duty_rate(self) -> float:
        """Trade-weighted tariff actually paid: duty over customs value."""
        return self.duty / self.imports_value if self.imports_value > 0 else self.effective_tariff

    @property
    def home_importer_rent(self) -> float:
        return self.quota_rent if self.rent_holder == "home_importers" else 0.0


def _nominal_factor(seg: Segment, tariff: float, form: str) -> float:
    if form == "constant_elasticity":
        return (1 + seg.pass_through * tariff) / (1 + seg.pass_through * seg.base_tariff)
    return 1 + seg.pass_through * (tariff - seg.base_tariff) / (1 + seg.base_tariff)


def price_factor(seg: Segment, tariff: float, form: str) -> float:
    """Buyer price relative to the calibration year at `tariff`, with absorption bounded by
    the exporter's margin (see the module docstring)."""
    b = _nominal_factor(seg, tariff, form)
    floor = (1 - seg.partner_margin / seg.import_price) * (1 + tariff) / (1 + seg.base_tariff)
    return max(b, floor)


def effective_pass_through(seg: Segment, tariff: float, form: str) -> float:
    """The pass-through that gives `price_factor` (seg.pass_through unless the margin binds)."""
    b, t, t0 = price_factor(seg, tariff, form), tariff, seg.base_tariff
    if abs(t - t0) < 1e-12 or b == _nominal_factor(seg, tariff, form):
        return seg.pass_through
    if form == "constant_elasticity":            # (1 + p t) = b (1 + p t0)
        return (b - 1) / (t - b * t0)
    return (b - 1) * (1 + t0) / (t - t0)


def imports_at(seg: Segment, tariff: float, form: str) -> float:
    """M(t): import volume at buyer tariff `tariff`."""
    b = price_factor(seg, tariff, form)
    if form == "constant_elasticity":
        return seg.imports * b ** seg.elasticity
    return max(0.0, seg.imports * (1 + seg.elasticity * (b - 1)))


def tariff_for_imports(seg: Segment, volume: float, form: str) -> float:
    """The tariff at which buyers take exactly `volume` (inverse of `imports_at`, for tariffs
    from -50% up)."""
    return _solve_tariff(lambda t: imports_at(seg, t, form), volume, -0.5)


def _solve_tariff(total, volume: float, low: float) -> float:
    """The t >= low with total(t) = volume, for a decreasing `total` with total(low) >= volume:
    bisection to 1e-12 (relative)."""
    lo, hi = low, max(low, 0.0) + 1.0
    if total(lo) <= volume:
        return lo
    while total(hi) > volume and hi < 1e9:
        hi = 2 * hi + 1
    for _ in range(300):
        mid = (lo + hi) / 2
        if total(mid) > volume:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * max(1.0, abs(hi)):
            break
    return (lo + hi) / 2


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


def _outcome(seg: Segment, form: str, t_eff: float, imports: float, in_quota: float, ti: float | None,
             to: float, holder: str, binds: bool) -> OptionOutcome:
    """Value, duty, rent and margin of `imports` units at tariff equivalent `t_eff`, of which
    `in_quota` pay `ti` (a quota) and the rest `to`."""
    b = price_factor(seg, t_eff, form)
    buyer_price = seg.import_price * b * (1 + seg.base_tariff)
    v = buyer_price / (1 + t_eff)                  # customs value without rent
    above = imports - in_quota
    if ti is None:                                 # a flat rate
        value, duty, rent = imports * v, to * imports * v, 0.0
    elif holder == "exporters":                    # exporters charge the rent in their price
        v_in = buyer_price / (1 + ti)
        rent = (v_in - v) * in_quota
        value = v_in * in_quota + v * above
        duty = ti * v_in * in_quota + (to * v * above if above > 0 else 0.0)
    else:
        rent = (t_eff - ti) * v * in_quota
        value = imports * v
        duty = v * (ti * in_quota + (to * above if above > 0 else 0.0))
    revenue = duty + (rent if holder == "government" else 0.0)
    # The exporter's margin moves one for one with its customs value (costs are fixed). Where
    # absorption reaches the margin bound the margin is exactly zero: no rounding dust.
    per_unit = seg.partner_margin - (seg.import_price - v)
    if abs(per_unit) <= 1e-9 * seg.import_price:
        per_unit = 0.0
    margin = imports * per_unit + (rent if holder == "exporters" else 0.0)
    return OptionOutcome(
        effective_tariff=t_eff, imports=imports, unit_value=value / imports if imports > 0 else v,
        imports_value=value, duty=duty, tariff_revenue=revenue, quota_rent=rent,
        rent_holder=holder if ti is not None else "", buyer_price_factor=b,
        buyer_cost=buyer_surplus_loss(seg, b, form), export_margin=margin, quota_binds=binds,
        pass_through=effective_pass_through(seg, t_eff, form))


def line_outcomes(segments: list[Segment], option: TariffOption, form: str) -> dict[str, OptionOutcome]:
    """The exact outcome of `option` on every segment of its tariff line (a quota is pooled
    over them: see the module docstring)."""
    if not option.is_quota:
        return {s.name: _outcome(s, form, option.rate, imports_at(s, option.rate, form), 0.0, None,
                                 option.rate, "", False) for s in segments}
    q, to = option.quota, option.rate
    ti = {s.name: s.base_tariff if option.in_quota_rate is None else option.in_quota_rate for s in segments}

    def total(tau: float) -> float:
        return sum(imports_at(s, max(tau, ti[s.name]), form) for s in segments)

    at_out = {s.name: imports_at(s, to, form) for s in segments} if math.isfinite(to) else None
    if at_out is not None and sum(at_out.values()) >= q:
        share = q / sum(at_out.values()) if sum(at_out.values()) > 0 else 0.0
        return {s.name: _outcome(s, form, to, at_out[s.name], at_out[s.name] * share, ti[s.name], to,
                                 option.rent_holder, False) for s in segments}
    at_in = {s.name: imports_at(s, ti[s.name], form) for s in segments}
    if sum(at_in.values()) <= q:
        return {s.name: _outcome(s, form, ti[s.name], at_in[s.name], at_in[s.name], ti[s.name], to,
                                 option.rent_holder, False) for s in segments}
    tau = _solve_tariff(total, q, min(ti.values()))
    out = {}
    for s in segments:
        t = max(tau, ti[s.name])
        m = imports_at(s, t, form)
        out[s.name] = _outcome(s, form, t, m, m, ti[s.name], to, option.rent_holder, True)
    return out


def option_outcome(seg: Segment, option: TariffOption, form: str) -> OptionOutcome:
    """The exact outcome of `option` on a segment alone on its tariff line."""
    return line_outcomes([seg], option, form)[seg.name]


def base_option(seg: Segment) -> TariffOption:
    """The calibration-year regime of a segment, as a flat option."""
    return TariffOption(name="calibration", label=f"calibration year {seg.base_tariff:.1%}", rate=seg.base_tariff)


def option_table(instance: Instance) -> dict[tuple[str, str], OptionOutcome]:
    """(segment, option name) -> outcome, for every option of every tariff line, each
    computed jointly over the line's segments."""
    form = instance.settings.response
    table = {}
    for line in instance.lines.values():
        members = [instance.segments[s] for s in line.segments]
        for o in instance.line_options(line.name):
            for s, outcome in line_outcomes(members, o, form).items():
                table[s, o.name] = outcome
    # Keys in segment order, then option order, as every consumer iterates them.
    return {(s, o.name): table[s, o.name] for s in instance.segments for o in instance.options(s)}


def chosen_outcomes(instance: Instance, deal, table: dict | None = None) -> dict[str, OptionOutcome]:
    """Segment -> outcome of the deal's option on its line; `deal=None`: the calibration year."""
    form = instance.settings.response
    if deal is None:
        return {s: option_outcome(seg, base_option(seg), form) for s, seg in instance.segments.items()}
    if table is not None:
        return {s: table[s, instance.segment_option(deal, s)] for s in instance.segments}
    out = {}
    for name, line in instance.lines.items():
        members = [instance.segments[s] for s in line.segments]
        out.update(line_outcomes(members, instance.line_option(name, deal.tariff[name]), form))
    return {s: out[s] for s in instance.segments}


def quota_summary(instance: Instance, deal, outcomes: dict[str, OptionOutcome]) -> list[dict]:
    """For each tariff line whose chosen option is a quota or export restraint: its fill,
    rent and holder, and its tariff equivalent (the tariff giving the same imports)."""
    out = []
    for name, line in instance.lines.items():
        option = instance.line_option(name, deal.tariff[name])
        if not option.is_quota:
            continue
        rows = [outcomes[s] for s in line.segments]
        imports = sum(o.imports for o in rows)
        out.append({
            "line": name, "label": line.label, "option": option.name, "option_label": option.label,
            "kind": "export restraint" if option.is_restraint else "tariff-rate quota",
            "quota": option.quota, "imports": imports, "fill": imports / option.quota if option.quota > 0 else None,
            "binds": any(o.quota_binds for o in rows), "rent": sum(o.quota_rent for o in rows),
            "rent_holder": option.rent_holder,
            "tariff_equivalent": max(o.effective_tariff for o in rows),
            "in_quota_rate": option.in_quota_rate, "out_of_quota_rate": None if option.is_restraint else option.rate})
    return out


def export_factor(seg: Segment, rate: float) -> float:
    """Home exports (and the partner buyers' ceiling) at partner tariff `rate`, relative to the
    calibration year: ((1 + pp t)/(1 + pp t0p))^ep; 1 for a segment whose partner tariff is
    not negotiated."""
    if seg.partner_tariff_menu is None:
        return 1.0
    p = seg.export_pass_through
    return ((1 + p * rate) / (1 + p * seg.partner_base_tariff)) ** seg.export_elasticity


def export_factors(instance: Instance) -> dict[tuple[str, str], float]:
    """(segment, partner option) -> export factor, for every segment on a partner tariff line."""
    out = {}
    for line in instance.partner_lines.values():
        for o in instance.partner_line_options(line.name):
            for s in line.segments:
                out[s, o.name] = export_factor(instance.segments[s], o.rate)
    return out


def chosen_export_factors(instance: Instance, deal) -> dict[str, float]:
    """Segment -> export factor under the deal's partner tariffs (1 where the deal sets none:
    the calibration-year tariff, as for the baseline)."""
    chosen = {} if deal is None else deal.values("partner_tariff")
    out = {s: 1.0 for s in instance.segments}
    for name, line in instance.partner_lines.items():
        if name in chosen:
            rate = instance.partner_line_option(name, chosen[name]).rate
            for s in line.segments:
                out[s] = export_factor(instance.segments[s], rate)
    return out


def chosen_partner_rates(instance: Instance, deal) -> dict[str, float]:
    """Segment -> the partner's tariff on home-made goods under the deal (its base rate where none is set)."""
    chosen = {} if deal is None else deal.values("partner_tariff")
    out = {s: seg.partner_base_tariff for s, seg in instance.segments.items()}
    for name, line in instance.partner_lines.items():
        if name in chosen:
            for s in line.segments:
                out[s] = instance.partner_line_option(name, chosen[name]).rate
    return out
