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

Third countries and home producers (Armington). A segment with a `substitution_elasticity`
sigma is a nested CES composite of its sources i: the partner, each third country j and
home producers h. Home buyers choose how much of the segment to buy from the composite's
price index R (overall demand elasticity eta: the segment's `elasticity`), and from which
source by relative prices (elasticity of substitution sigma). With base values at buyer
prices V_i = Q_i0 P_i0 (P_i0 (1 + t_i0) for imports), shares w_i = V_i / V0, V0 = sum_i V_i,
and buyer price ratios r_i (the partner's r_p = b above; a third country's
r_j = (1 + p_j t_j)/(1 + p_j t_j0), linear 1 + p_j (t_j - t_j0)/(1 + t_j0); home r_h = 1):
  R = (sum_i w_i r_i^(1 - sigma))^(1/(1 - sigma))     (prod_i r_i^w_i when sigma = 1)
  X/X0 = R^eta (constant elasticity), or max(0, 1 + eta (R - 1)) (linear, SMART style)
  Q_i = Q_i0 (X/X0) (r_i / R)^(-sigma)
With sigma = -eta and the constant-elasticity form, Q_i = Q_i0 r_i^eta for every source: the
one-partner form M = M0 b^e with e = eta. Third countries' tariffs do not change with the
deal (a scenario sets them), so each option moves them only through R. If home supply has
a constant elasticity eps > 0 (`home_supply_elasticity`; none: perfectly elastic, r_h = 1),
r_h solves Q_h0 r_h^eps = Q_h(r_h) (bisection on ln r_h to 1e-14), and home producers'
surplus rises by Q_h0 P_h0 (r_h^(eps + 1) - 1)/(eps + 1). Home buyers' surplus falls by the
area left of the composite demand curve, V0 * integral_1^R (X/X0)(rho) d rho:
  V0 (R^(eta + 1) - 1)/(eta + 1)   (V0 ln R when eta = -1), or, linear,
  V0 [(R' - 1) + eta (R' - 1)^2 / 2] with R' = min(R, 1 - 1/eta) (demand is zero above it).
In the calibration year every source is at its calibration tariff: r_i = 1, R = 1.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from model.data.families.base import option_family
from model.data.instance import Instance, Segment, TariffOption, ThirdSupply

NONE: Mapping[str, float] = MappingProxyType({})     # no third countries (shared, read-only)


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
    # Home producers and third countries (their terms are zero in the one-partner form):
    home_gain: float = 0.0     # extra units home producers sell at home (one-partner: home_substitution x lost imports)
    producer_surplus: float = 0.0   # home producers' surplus change against the calibration year, USD
    price_index: float = 1.0   # the segment's buyer price index R (one-partner form: the partner's b)
    third_imports: Mapping[str, float] = field(default_factory=lambda: NONE)   # third country -> units
    third_value: Mapping[str, float] = field(default_factory=lambda: NONE)     # -> customs value, USD
    third_duty: Mapping[str, float] = field(default_factory=lambda: NONE)      # -> duty collected, USD

    @property
    def duty_rate(self) -> float:
        """Trade-weighted tariff actually paid: duty over customs value."""
        return self.duty / self.imports_value if self.imports_value > 0 else self.effective_tariff

    @property
    def home_importer_rent(self) -> float:
        return self.quota_rent if self.rent_holder == "home_importers" else 0.0

    @property
    def exporter_rent(self) -> float:
        """The quota rent the partner's exporters hold (included in `export_margin`)."""
        return self.quota_rent if self.rent_holder == "exporters" else 0.0


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
    """M(t): import volume at buyer tariff `tariff` (Armington: the partner's source of the nest)."""
    b = price_factor(seg, tariff, form)
    if seg.armington is not None:
        return nest(seg, b, form).partner
    if form == "constant_elasticity":
        return seg.imports * b ** seg.elasticity
    return max(0.0, seg.imports * (1 + seg.elasticity * (b - 1)))


# -- the Armington nest ---------------------------------------------------------------------
def third_price_factor(sup: ThirdSupply, form: str) -> float:
    """A third country's buyer price relative to the calibration year, at its tariff."""
    p, t, t0 = sup.pass_through, sup.tariff, sup.base_tariff
    if form == "constant_elasticity":
        return (1 + p * t) / (1 + p * t0)
    return 1 + p * (t - t0) / (1 + t0)


def price_index(pairs: list[tuple[float, float]], sigma: float) -> float:
    """R = (sum_i w_i r_i^(1 - sigma))^(1/(1 - sigma)) over (w_i, r_i); prod r_i^w_i at sigma = 1;
    exactly 1 when every r_i is 1."""
    if all(r == 1.0 for _, r in pairs):
        return 1.0
    if abs(sigma - 1) < 1e-12:
        return math.exp(sum(w * math.log(r) for w, r in pairs))
    return sum(w * r ** (1 - sigma) for w, r in pairs) ** (1 / (1 - sigma))


def composite_ratio(index: float, eta: float, form: str) -> float:
    """X/X0: the segment's composite quantity at price index R, relative to the calibration year."""
    if form == "constant_elasticity":
        return index ** eta
    return max(0.0, 1 + eta * (index - 1))


def surplus_area(x: float, e: float, form: str) -> float:
    """integral_1^x D(beta) d beta for a demand curve with D(1) = 1: beta^e (constant
    elasticity), or max(0, 1 + e (beta - 1)) (linear; zero above beta = 1 - 1/e)."""
    if form == "constant_elasticity":
        return math.log(x) if abs(e + 1) < 1e-12 else (x ** (e + 1) - 1) / (e + 1)
    top = min(x, 1 - 1 / e)
    return (top - 1) + e * (top - 1) ** 2 / 2


@dataclass(frozen=True)
class Nest:
    """Every source's quantity in an Armington segment at the partner's buyer price factor b."""

    price_index: float              # R
    composite: float                # X / X0
    partner: float                  # units
    third: dict[str, float]         # third country -> units
    third_price: dict[str, float]   # third country -> r_j
    home: float                     # home producers' units
    home_price: float               # r_h
    spending: float                 # V0: base spending on the segment, all sources, USD


def base_values(seg: Segment) -> tuple[float, list[float], float]:
    """Calibration-year values at buyer prices: (partner, [each third country], home producers)."""
    a = seg.armington
    partner = seg.imports * seg.import_price * (1 + seg.base_tariff)
    third = [s.imports * s.import_price * (1 + s.base_tariff) for s in a.suppliers]
    return partner, third, a.home_sales * a.home_price


def nest(seg: Segment, b: float, form: str) -> Nest:
    """The nested CES at the partner's buyer price factor `b` (see the module docstring)."""
    a = seg.armington
    sigma, eta = a.substitution, seg.elasticity
    vp, vj, vh = base_values(seg)
    total = vp + sum(vj) + vh
    r_third = [third_price_factor(s, form) for s in a.suppliers]
    fixed = [(v / total, r) for v, r in zip(vj, r_third)] + [(vp / total, b)]

    def state(rh: float) -> tuple[float, float]:
        index = price_index(fixed + ([(vh / total, rh)] if vh > 0 else []), sigma)
        return index, composite_ratio(index, eta, form)

    rh = 1.0
    if vh > 0 and a.home_supply_elasticity is not None:
        rh = _home_price(state, sigma, a.home_supply_elasticity)
    index, x = state(rh)

    def ratio(r: float) -> float:
        return x * (r / index) ** (-sigma) if x > 0 else 0.0
    return Nest(index, x, seg.imports * ratio(b), {s.country: s.imports * ratio(r) for s, r in zip(a.suppliers, r_third)},
                {s.country: r for s, r in zip(a.suppliers, r_third)}, a.home_sales * ratio(rh), rh, total)


def _home_price(state, sigma: float, eps: float) -> float:
    """r_h with home supply r_h^eps equal to home demand (both relative to the calibration
    year): bisection on ln r_h, where supply rises and demand falls."""
    def excess(x: float) -> float:               # ln supply - ln demand, increasing in x
        index, comp = state(math.exp(x))
        demand = comp * (math.exp(x) / index) ** (-sigma) if comp > 0 else 0.0
        return math.inf if demand <= 0 else eps * x - math.log(demand)
    if excess(0.0) == 0.0:
        return 1.0
    lo, hi = -1.0, 1.0
    while excess(lo) > 0 and lo > -60:
        lo *= 2
    while excess(hi) < 0 and hi < 60:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if excess(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-14:
            break
    return math.exp((lo + hi) / 2)


def calibration_segment(seg: Segment) -> Segment:
    """The segment with every third country at its calibration-year tariff (the baseline)."""
    a = seg.armington
    if a is None or all(s.tariff == s.base_tariff for s in a.suppliers):
        return seg
    return replace(seg, armington=replace(a, suppliers=tuple(replace(s, tariff=s.base_tariff) for s in a.suppliers)))


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
    return seg.imports * b0_price * surplus_area(b, seg.elasticity, form)


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
    common = (t_eff, imports, value / imports if imports > 0 else v, value, duty, revenue, rent,
              holder if ti is not None else "", b)
    if seg.armington is None:
        return OptionOutcome(*common, buyer_surplus_loss(seg, b, form), margin, binds,
                             effective_pass_through(seg, t_eff, form),
                             home_gain=seg.home_substitution * (seg.imports - imports), price_index=b)
    sources = _other_sources(seg, b, form)
    return OptionOutcome(*common, sources.pop("buyer_cost"), margin, binds, effective_pass_through(seg, t_eff, form),
                         **sources)


def _other_sources(seg: Segment, b: float, form: str) -> dict:
    """An Armington segment's third countries, home producers and buyers at the partner's
    buyer price factor b: units, customs values and duty by third country, home producers'
    extra sales and surplus, and home buyers' surplus loss over the whole composite."""
    n = nest(seg, b, form)
    a = seg.armington
    values, duty = {}, {}
    for s in a.suppliers:
        v = s.import_price * n.third_price[s.country] * (1 + s.base_tariff) / (1 + s.tariff)
        values[s.country] = v * n.third[s.country]
        duty[s.country] = s.tariff * values[s.country]
    eps = a.home_supply_elasticity
    surplus = 0.0 if eps is None else a.home_sales * a.home_price * (n.home_price ** (eps + 1) - 1) / (eps + 1)
    return {"home_gain": n.home - a.home_sales, "producer_surplus": surplus, "price_index": n.price_index,
            "buyer_cost": n.spending * surplus_area(n.price_index, seg.elasticity, form),
            "third_imports": dict(n.third), "third_value": values, "third_duty": duty}


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
        return {s: option_outcome(calibration_segment(seg), base_option(seg), form)
                for s, seg in instance.segments.items()}
    chooser = option_family()
    if table is not None:
        chosen = chooser.chosen_options(instance, deal.values(chooser.deal_field))
        return {s: table[s, chosen[s]] for s in instance.segments}
    out = {}
    options = deal.values(chooser.deal_field)
    for name, line in instance.lines.items():
        members = [instance.segments[s] for s in line.segments]
        out.update(line_outcomes(members, instance.line_option(name, options[name]), form))
    return {s: out[s] for s in instance.segments}


def quota_summary(instance: Instance, deal, outcomes: dict[str, OptionOutcome]) -> list[dict]:
    """For each tariff line whose chosen option is a quota or export restraint: its fill,
    rent and holder, and its tariff equivalent (the tariff giving the same imports)."""
    out = []
    chosen = deal.values(option_family().deal_field)
    for name, line in instance.lines.items():
        option = instance.line_option(name, chosen[name])
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
