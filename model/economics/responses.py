"""Exact outcome of each tariff option, computed before the solve.

Each option is a fixed point of the segment's market, so its imports, customs value,
tariff revenue, quota rent, surpluses and buyers' loss are computed here exactly with the
nonlinear curves; the optimization then only chooses among them (a MILP).

Notation for a segment: M0 imports at the calibration tariff t0, P customs value per
vehicle, m0 the exporter's margin, tau = (1 + t)/(1 + t0) at tariff t, r the buyer price
and omega the exporters' supply price (customs value), both relative to the calibration
year, so r = omega tau. Buyers pay the customs value plus duty, v (1 + t) = r P (1 + t0).

How the buyer price is set (per source of the segment):
  supply curve (`partner_supply_elasticity` phi): the equilibrium of supply X0 omega^phi and
      the demand system (`model.economics.supply`, `model.economics.nests`); absorption is
      bounded by the margin: omega >= 1 - m0 / P, where the exporter sells off its curve;
  perfectly elastic supply (phi left out or `unlimited`): omega = 1, r = tau;
  an imposed pass-through p (SMART style, an override): the buyer price factor
      constant elasticity: b = (1 + p t) / (1 + p t0),   linear: b = 1 + p (t - t0) / (1 + t0)
      raised to (1 - m0 / P) tau where absorption would exceed the margin.
The pass-through an option gives is derived and reported: p = (r - 1)/(tau - 1).

Demand (`model.economics.nests`): the one-partner form M = M0 r^e (constant elasticity) or
M0 max(0, 1 + e (r - 1)) (linear, SMART); an Armington segment (`substitution_elasticity`)
is a CES nest over the partner, each third country j and home producers h (one level, or
GTAP's two levels) or, linear, SMART's creation and diversion. Third countries' tariffs do
not change with the deal (a scenario sets them), so each option moves them only through the
market; their buyer price follows from their own supply curve, or is perfectly elastic, or
imposed. Home producers' price is fixed unless they have a supply elasticity.

Surplus. Buyers' loss: the area left of the demand curves (see `nests`). Exporters of the
partner earn their margin m0 per unit (a markup over marginal cost) plus the producer
surplus of their supply curve: export margin = m0 M + PS(M, w) - PS0 (`supply.surplus_change`),
which with perfectly elastic supply is M (m0 - (P - v)), the margin per unit times volume.
Third countries' exporters gain PS(Q, w) - PS0 (the absorption Q (v - P) with perfectly
elastic or imposed supply); home producers Q_h0 P_h0 (r_h^(eps + 1) - 1)/(eps + 1).

A quota is pooled over the segments S of its tariff line (quota Q, in-quota rate ti,
out-of-quota rate to; an export restraint has to = infinity and ti = each segment's
calibration tariff). With M_s(t) each segment's equilibrium imports at tariff t:
  sum_s M_s(to) >= Q: every marginal unit pays to, M_s = M_s(to); the Q in-quota units
      are shared in proportion to M_s(to);
  sum_s M_s(ti) <= Q: M_s = M_s(ti), all in quota, no rent;
  otherwise the quota binds: one tariff equivalent tau with sum_s M_s(max(tau, ti_s)) = Q
      (bisection to 1e-12), M_s = M_s(max(tau, ti_s)), all in quota. Sharing the quota so
      that every segment faces the same tau is how licences are allocated when they go
      where they are worth most (and how a single importer-of-record would use them).
At the cap, buyers pay B (from demand at M_s) and exporters' supply price is w_s = P omega
(on their curve at M_s: with supply curves the rent no longer depends on any pass-through
parameter); tau is the tariff that gives imports M_s with the same curves. The rent per
in-quota unit is the wedge between the buyer price and the in-quota duty-paid price. Held
by the home government (auctioned licences) or home importers, the customs value stays w_s
and the rent is (tau - ti) w_s. Held by the exporters, they charge it: the customs value of
in-quota units rises to B / (1 + ti), so the rent per unit is B / (1 + ti) - w_s, and
imports value, and the deficit, fall less than the volume does.
In the calibration year every source is at its calibration tariff: r_i = 1.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType

from model.data.instance import Armington, Instance, Segment, TariffOption, ThirdSupply
from model.economics.nests import Demand, NestedCES, SingleEquation, Smart, surplus_area
from model.economics.supply import Equilibrium, Supplier, equilibrium, surplus_change
from model.results import PassThroughLine

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
    export_margin: float       # partner exporters' margin and surplus, quota rent included when they hold it, USD
    quota_binds: bool
    pass_through: float        # derived: (r - 1)/(tau - 1), the share of the tariff change buyers pay
    # Home producers and third countries (their terms are zero in the one-partner form):
    home_gain: float = 0.0     # extra units home producers sell at home (one-partner: home_substitution x lost imports)
    producer_surplus: float = 0.0   # home producers' surplus change against the calibration year, USD
    price_index: float = 1.0   # the segment's buyer price index R (one-partner form: the partner's b)
    third_imports: Mapping[str, float] = field(default_factory=lambda: NONE)   # third country -> units
    third_value: Mapping[str, float] = field(default_factory=lambda: NONE)     # -> customs value, USD
    third_duty: Mapping[str, float] = field(default_factory=lambda: NONE)      # -> duty collected, USD
    third_surplus: Mapping[str, float] = field(default_factory=lambda: NONE)   # -> exporters' surplus change, USD
    supply_price_factor: float = 1.0   # the partner exporters' supply price (customs value, rent aside) / P
    pass_through_imposed: float | None = None   # the instance's pass-through as applied (raised where the
    #                                             margin binds), or None where supply curves set the price
    # The tariff line the outcome was solved on (its segments' names, pooled for a quota) and its
    # option, so that a production shift can be solved on the same line (`model.economics.shifts`),
    # and the partner brand's vehicles built in home plants it was solved with (no licence needed):
    line: tuple[str, ...] = ()
    option: TariffOption | None = None
    shifted: float = 0.0
    shift_effect: object = None   # `shifts.ShiftEffect`: what a unit shifted on the segment does (with makers)

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


# -- how each source's price is set -----------------------------------------------------------
def _imposed(seg: Segment) -> float:
    """The segment's imposed pass-through, where the caller knows it has one."""
    if seg.pass_through is None:
        raise ValueError(f"segment {seg.name}: no imposed pass-through (its supply curve sets the price)")
    return seg.pass_through


def _armington(seg: Segment) -> Armington:
    """The segment's Armington nest, where the caller knows it has one."""
    if seg.armington is None:
        raise ValueError(f"segment {seg.name}: not an Armington segment (one-partner form)")
    return seg.armington


def _nominal_factor(seg: Segment, tariff: float, form: str) -> float:
    p = _imposed(seg)
    if form == "constant_elasticity":
        return (1 + p * tariff) / (1 + p * seg.base_tariff)
    return 1 + p * (tariff - seg.base_tariff) / (1 + seg.base_tariff)


def imposed_factor(seg: Segment, tariff: float, form: str) -> float:
    """The buyer price factor of an imposed pass-through, with absorption bounded by the
    exporter's margin (see the module docstring)."""
    b = _nominal_factor(seg, tariff, form)
    floor = (1 - seg.partner_margin / seg.import_price) * (1 + tariff) / (1 + seg.base_tariff)
    return max(b, floor)


def effective_pass_through(seg: Segment, tariff: float, form: str) -> float:
    """The imposed pass-through as applied at `tariff` (seg.pass_through unless the margin binds)."""
    b, t, t0 = imposed_factor(seg, tariff, form), tariff, seg.base_tariff
    if abs(t - t0) < 1e-12 or b == _nominal_factor(seg, tariff, form):
        return _imposed(seg)
    if form == "constant_elasticity":            # (1 + p t) = b (1 + p t0)
        return (b - 1) / (t - b * t0)
    return (b - 1) * (1 + t0) / (t - t0)


def tariff_factor(tariff: float, base: float) -> float:
    return (1 + tariff) / (1 + base)


def partner_supplier(seg: Segment, tariff: float, form: str) -> Supplier:
    """How the partner's price is set at `tariff`."""
    tau = tariff_factor(tariff, seg.base_tariff)
    if seg.pass_through is not None:
        return Supplier(tau, fixed=imposed_factor(seg, tariff, form))
    return Supplier(tau, seg.partner_supply_elasticity, floor=max(0.0, 1 - seg.partner_margin / seg.import_price))


def third_price_factor(sup: ThirdSupply, form: str) -> float:
    """A third country's buyer price relative to the calibration year where its supply does
    not set it: its imposed pass-through, or all of the tariff change."""
    t, t0 = sup.tariff, sup.base_tariff
    if sup.pass_through is None:
        return tariff_factor(t, t0)
    p = sup.pass_through
    if form == "constant_elasticity":
        return (1 + p * t) / (1 + p * t0)
    return 1 + p * (t - t0) / (1 + t0)


def third_supplier(sup: ThirdSupply, form: str) -> Supplier:
    tau = tariff_factor(sup.tariff, sup.base_tariff)
    if sup.pass_through is not None or not math.isfinite(sup.supply_elasticity):
        return Supplier(tau, fixed=third_price_factor(sup, form))
    return Supplier(tau, sup.supply_elasticity)


# -- the market of a segment ------------------------------------------------------------------
@dataclass(frozen=True)
class Market:
    """A segment's demand system and the sources' prices that do not depend on the option:
    sources in order third countries, partner, home producers (when the segment has them)."""

    demand: Demand
    base: tuple[float, ...]          # Q_i0, units
    others: tuple[Supplier, ...]     # third countries' suppliers
    home: Supplier | None            # home producers' supplier (None: not a source)
    partner: int                     # the partner's position


@lru_cache(maxsize=4096)
def market(seg: Segment, form: str) -> Market:
    a = seg.armington
    demand: Demand
    if a is None:
        demand = SingleEquation(seg.imports, seg.import_price * (1 + seg.base_tariff), seg.elasticity, form)
        return Market(demand, (seg.imports,), (), None, 0)
    vp, vj, vh = base_values(seg)
    has_home = vh > 0
    if form == "constant_elasticity":
        demand = NestedCES(vj, vp, vh, seg.elasticity, a.substitution, a.import_substitution)
    else:
        customs = [s.imports * s.import_price for s in a.suppliers] + [seg.imports * seg.import_price]
        demand = Smart(customs + ([vh] if has_home else []), [*vj, vp] + ([vh] if has_home else []),
                       seg.elasticity, a.substitution)
    home = None
    if has_home:
        eps = a.home_supply_elasticity
        home = Supplier(1.0) if eps is None else Supplier(1.0, eps)
    base = tuple(s.imports for s in a.suppliers) + (seg.imports,) + ((a.home_sales,) if has_home else ())
    return Market(demand, base, tuple(third_supplier(s, form) for s in a.suppliers), home, len(a.suppliers))


def state(seg: Segment, tariff: float, form: str, partner: Supplier | None = None,
          mk: Market | None = None) -> Equilibrium:
    """The segment's market at the partner's `tariff` (or with the partner's price set by
    `partner`); `mk` its `market`, where the caller has it."""
    mk = mk or market(seg, form)
    p = partner or partner_supplier(seg, tariff, form)
    return equilibrium(mk.demand, [*mk.others, p] + ([mk.home] if mk.home is not None else []))


def price_factor(seg: Segment, tariff: float, form: str) -> float:
    """The partner's buyer price relative to the calibration year at `tariff`."""
    if seg.pass_through is not None:
        return imposed_factor(seg, tariff, form)
    st = state(seg, tariff, form)
    return st.ratios[market(seg, form).partner]


def imports_at(seg: Segment, tariff: float, form: str) -> float:
    """M(t): the partner's equilibrium import volume at tariff `tariff`."""
    return _at(seg, tariff, form)[2]


def _at(seg: Segment, tariff: float, form: str) -> tuple[Market, Equilibrium, float]:
    """The segment's market, its equilibrium at `tariff` and the partner's imports there."""
    mk = market(seg, form)
    st = state(seg, tariff, form, mk=mk)
    return mk, st, seg.imports * st.quantities[mk.partner]


def base_values(seg: Segment) -> tuple[float, list[float], float]:
    """Calibration-year values at buyer prices: (partner, [each third country], home producers)."""
    a = _armington(seg)
    partner = seg.imports * seg.import_price * (1 + seg.base_tariff)
    third = [s.imports * s.import_price * (1 + s.base_tariff) for s in a.suppliers]
    return partner, third, a.home_sales * a.home_price


@dataclass(frozen=True)
class Nest:
    """Every source's quantity in an Armington segment at the partner's buyer price factor b."""

    price_index: float              # R
    composite: float                # X / X0 (constant elasticity: R^eta)
    partner: float                  # units
    third: dict[str, float]         # third country -> units
    third_price: dict[str, float]   # third country -> r_j
    home: float                     # home producers' units
    home_price: float               # r_h
    spending: float                 # V0: base spending on the segment, all sources, USD


def nest(seg: Segment, b: float, form: str) -> Nest:
    """The Armington segment's market with the partner's buyer price fixed at `b` (every
    other source at its equilibrium)."""
    a, mk = _armington(seg), market(seg, form)
    st = state(seg, seg.base_tariff, form, partner=Supplier(1.0, fixed=b))
    r, q = st.ratios, st.quantities
    index = mk.demand.price_index(r)
    h = mk.partner + 1
    vp, vj, vh = base_values(seg)
    return Nest(index, index ** seg.elasticity if form == "constant_elasticity" else 1 + seg.elasticity * (index - 1),
                seg.imports * q[mk.partner], {s.country: s.imports * q[i] for i, s in enumerate(a.suppliers)},
                {s.country: r[i] for i, s in enumerate(a.suppliers)},
                a.home_sales * q[h] if mk.home is not None else 0.0, r[h] if mk.home is not None else 1.0,
                vp + sum(vj) + vh)


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


def _solve_tariff(total: Callable[[float], float], volume: float, low: float) -> float:
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


def _outcome(seg: Segment, form: str, t_eff: float, at: tuple[Market, Equilibrium, float], in_quota: float,
             ti: float | None, to: float, holder: str, binds: bool, shifted: float = 0.0) -> OptionOutcome:
    """Value, duty, rent and margin of the imports at tariff equivalent `t_eff` (`at`: the
    market there and the partner brand's sales, from `_at`), of which `shifted` are built in
    home plants and the rest imported; of the imports `in_quota` pay `ti` (a quota) and the
    rest `to`."""
    mk, st, sales = at
    imports = max(0.0, sales - shifted)
    b = st.ratios[mk.partner]
    buyer_price = seg.import_price * b * (1 + seg.base_tariff)
    v = buyer_price / (1 + t_eff)                  # customs value without rent: the supply price
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
    imposed = seg.pass_through is not None
    phi = math.inf if imposed else seg.partner_supply_elasticity
    if math.isfinite(phi):                         # margin plus the surplus of the supply curve
        margin = seg.partner_margin * imports + surplus_change(imports, v, seg.imports, seg.import_price, phi)
    else:
        # The exporter's margin moves one for one with its customs value (costs are fixed). Where
        # absorption reaches the margin bound the margin is exactly zero: no rounding dust.
        per_unit = seg.partner_margin - (seg.import_price - v)
        if abs(per_unit) <= 1e-9 * seg.import_price:
            per_unit = 0.0
        margin = imports * per_unit
    margin += rent if holder == "exporters" else 0.0
    common = (t_eff, imports, value / imports if imports > 0 else v, value, duty, revenue, rent,
              holder if ti is not None else "", b)
    supply_factor = v / seg.import_price
    applied = effective_pass_through(seg, t_eff, form) if imposed else None
    p = derived_pass_through(seg, t_eff, b, form)
    if seg.armington is None:
        return OptionOutcome(*common, mk.demand.buyer_cost(st.ratios), margin, binds, p,
                             home_gain=seg.home_substitution * (seg.imports - sales), price_index=b,
                             supply_price_factor=supply_factor, pass_through_imposed=applied)
    o = _other_sources(seg, mk, st)
    return OptionOutcome(*common, o.buyer_cost, margin, binds, p, home_gain=o.home_gain,
                         producer_surplus=o.producer_surplus, price_index=o.price_index,
                         third_imports=o.third_imports, third_value=o.third_value, third_duty=o.third_duty,
                         third_surplus=o.third_surplus, supply_price_factor=supply_factor,
                         pass_through_imposed=applied)


def derived_pass_through(seg: Segment, tariff: float, b: float, form: str) -> float:
    """(r - 1)/(tau - 1): the share of the tariff change that buyers pay. At the calibration
    tariff, its limit: the imposed formula's slope, 1 for perfectly elastic supply, and the
    supply curve's slope d r / d tau."""
    tau = tariff_factor(tariff, seg.base_tariff)
    if abs(tau - 1) > 1e-9:
        return (b - 1) / (tau - 1)
    if seg.pass_through is not None:
        p, t0 = seg.pass_through, seg.base_tariff
        return p * (1 + t0) / (1 + p * t0) if form == "constant_elasticity" else p
    if not math.isfinite(seg.partner_supply_elasticity):
        return 1.0
    step = 1e-5 * (1 + seg.base_tariff)          # tau = 1 +- 1e-5: a central difference, exact to about 1e-10
    up, down = (price_factor(seg, seg.base_tariff + d, form) for d in (step, -step))
    return (up - down) / 2e-5


@dataclass(frozen=True)
class _OtherSources:
    """An Armington segment's sources besides the partner, and its buyers, at one equilibrium."""

    home_gain: float                   # home producers' extra units
    producer_surplus: float            # home producers' surplus change, USD
    price_index: float                 # R
    buyer_cost: float                  # home buyers' surplus loss over every source, USD
    third_imports: dict[str, float]    # third country -> units
    third_value: dict[str, float]      # -> customs value, USD
    third_duty: dict[str, float]       # -> duty collected, USD
    third_surplus: dict[str, float]    # -> exporters' surplus change, USD


def _other_sources(seg: Segment, mk: Market, st: Equilibrium) -> _OtherSources:
    """An Armington segment's third countries, home producers and buyers at the market's
    equilibrium: units, customs values, duty and exporters' surplus by third country, home
    producers' extra sales and surplus, and home buyers' surplus loss over every source."""
    a = _armington(seg)
    r, q = st.ratios, st.quantities
    units: dict[str, float] = {}
    values: dict[str, float] = {}
    duty: dict[str, float] = {}
    surplus: dict[str, float] = {}
    for i, s in enumerate(a.suppliers):
        units[s.country] = s.imports * q[i]
        v = s.import_price * r[i] * (1 + s.base_tariff) / (1 + s.tariff)
        values[s.country] = v * units[s.country]
        duty[s.country] = s.tariff * values[s.country]
        if abs(v - s.import_price) <= 1e-12 * s.import_price:
            v = s.import_price                     # perfectly elastic at an unchanged price: no rounding dust
        phi = math.inf if s.pass_through is not None else s.supply_elasticity
        surplus[s.country] = surplus_change(units[s.country], v, s.imports, s.import_price, phi) \
            + s.margin * s.import_price * (units[s.country] - s.imports)     # the margin on units won or lost
    h = mk.partner + 1
    home, rh = (a.home_sales * q[h], r[h]) if mk.home is not None else (0.0, 1.0)
    eps = a.home_supply_elasticity
    produced = 0.0 if eps is None or mk.home is None else \
        a.home_sales * a.home_price * (rh ** (eps + 1) - 1) / (eps + 1)
    return _OtherSources(home - a.home_sales, produced, mk.demand.price_index(r), mk.demand.buyer_cost(r),
                         units, values, duty, surplus)


def line_outcomes(segments: list[Segment], option: TariffOption, form: str,
                  shifted: Mapping[str, float] | None = None) -> dict[str, OptionOutcome]:
    """The exact outcome of `option` on every segment of its tariff line (a quota is pooled
    over them: see the module docstring).

    `shifted`: segment -> the partner brand's vehicles built in home plants. Buyers see the
    brand's sales M_s (the demand of the partner's source), of which M_s - shifted_s are
    imported; a home-built vehicle needs no quota licence or restraint allocation, so the
    quota rations sum_s max(0, M_s - shifted_s) and a binding cap stays full while the
    scarcity wedge falls (the brand's supply in the market rises by the shift)."""
    moved = {s.name: max(0.0, (shifted or {}).get(s.name, 0.0)) for s in segments}
    line = tuple(s.name for s in segments)

    def made(seg: Segment, t_eff: float, at: tuple[Market, Equilibrium, float], in_quota: float, ti: float | None,
             to: float, holder: str, binds: bool) -> OptionOutcome:
        return replace(_outcome(seg, form, t_eff, at, in_quota, ti, to, holder, binds, shifted=moved[seg.name]),
                       line=line, option=option, shifted=moved[seg.name])

    def imported(at: tuple[Market, Equilibrium, float], seg: Segment) -> float:
        return max(0.0, at[2] - moved[seg.name])

    q, to = option.quota, option.rate
    if q is None:                                  # a flat rate (`option.is_quota` is false)
        return {s.name: made(s, to, _at(s, to, form), 0.0, None, to, "", False) for s in segments}
    ti = {s.name: s.base_tariff if option.in_quota_rate is None else option.in_quota_rate for s in segments}

    def total(tau: float) -> float:
        return sum(max(0.0, imports_at(s, max(tau, ti[s.name]), form) - moved[s.name]) for s in segments)

    at_out = {s.name: _at(s, to, form) for s in segments} if math.isfinite(to) else None
    if at_out is not None and sum(imported(at_out[s.name], s) for s in segments) >= q:
        wanted = sum(imported(at_out[s.name], s) for s in segments)
        share = q / wanted if wanted > 0 else 0.0
        return {s.name: made(s, to, at_out[s.name], imported(at_out[s.name], s) * share, ti[s.name], to,
                             option.rent_holder, False) for s in segments}
    at_in = {s.name: _at(s, ti[s.name], form) for s in segments}
    if sum(imported(at_in[s.name], s) for s in segments) <= q:
        return {s.name: made(s, ti[s.name], at_in[s.name], imported(at_in[s.name], s), ti[s.name], to,
                             option.rent_holder, False) for s in segments}
    tau = _solve_tariff(total, q, min(ti.values()))
    out = {}
    for s in segments:
        t = max(tau, ti[s.name])
        at = _at(s, t, form)
        out[s.name] = made(s, t, at, imported(at, s), ti[s.name], to, option.rent_holder, True)
    return out


def option_outcome(seg: Segment, option: TariffOption, form: str) -> OptionOutcome:
    """The exact outcome of `option` on a segment alone on its tariff line."""
    return line_outcomes([seg], option, form)[seg.name]


def base_option(seg: Segment) -> TariffOption:
    """The calibration-year regime of a segment, as a flat option."""
    return TariffOption(name="calibration", label=f"calibration year {seg.base_tariff:.1%}", rate=seg.base_tariff)


def price_setting(seg: Segment) -> str:
    """How a segment's buyer price is set: 'imposed' (the instance's pass-through), 'supply
    curve' or 'perfectly elastic supply'."""
    if seg.pass_through is not None:
        return "imposed"
    return "supply curve" if math.isfinite(seg.partner_supply_elasticity) else "perfectly elastic supply"


def _applied(outcome: OptionOutcome) -> float:
    """The imposed pass-through an outcome applied, where the caller knows the price was imposed."""
    if outcome.pass_through_imposed is None:
        raise ValueError(f"segments {', '.join(outcome.line)}: the price was not imposed")
    return outcome.pass_through_imposed


def pass_through_summary(instance: Instance, deal, outcomes: dict[str, OptionOutcome]) -> list[PassThroughLine]:
    """For each tariff line, the pass-through of the deal's option (the base import values'
    weighted mean of its segments' derived figures), the change in the partner's supply price
    (customs value, rent aside) and how the price is set ('imposed' where the instance imposes it)."""
    out = []
    for name, line in instance.lines.items():
        option = instance.line_option(name, deal.values("tariff")[name])
        segs = [instance.segments[s] for s in line.segments]
        weight = {g.name: g.imports * g.import_price for g in segs}
        total = sum(weight.values()) or 1.0
        kinds = sorted({price_setting(g) for g in segs})
        out.append(PassThroughLine(
            line=name, label=line.label, option=option.name, option_label=option.label,
            pass_through=sum(weight[g.name] * outcomes[g.name].pass_through for g in segs) / total,
            supply_price_change=sum(weight[g.name] * (outcomes[g.name].supply_price_factor - 1) for g in segs) / total,
            set_by=" and ".join(kinds), imposed=kinds == ["imposed"],
            imposed_value=sum(weight[g.name] * _applied(outcomes[g.name]) for g in segs) / total
            if kinds == ["imposed"] else None,
            segments={g.name: outcomes[g.name].pass_through for g in segs}))
    return out
