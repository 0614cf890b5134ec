"""The first-stage (deficit-minimizing) model written with linopy, for benchmarks/bench_scale.py.

The same variables, rows and objective as model/optimization/build.py, in the same model
units (thousand vehicles, USD million, each good's own scale), vectorized the linopy way:
tariff choices as a (tariff line, option slot) array masked where a menu is shorter, seen
from each segment through its line (`isel`: a pooled quota's line serves all its
segments); shift_by_option as (segment, slot); partner tariff choices as (partner line,
slot); commitments as (channel, segment) and production shifts as (maker, segment), masked
where a channel or maker does not serve the segment; caps per maker as (program, level slot).

It is an independent restatement: the data (exact option responses from the option table,
pooled over each line's segments; references; calibration levels) comes from the same
validated instance and `economics`, but every metric and row is written here again, not
taken from build.py. Metrics are built when a red line, a payoff, participation or the
objective first asks for them; every metric of build.py's `metric_expressions` can be
asked for, the third-country (Armington) and welfare metrics included. Option-indexed
metrics that are zero on every option (third countries, quota rent, producer surplus
where an instance has none) have no terms at all. Both models must reach the same optimum
(the benchmark checks it).

Only the built-in lever families are restated: a registered extension family (with its own
metric terms and rows) makes `build_linopy` refuse rather than build a different model.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from model.data.families import partner_tariff
from model.data.families.partner_tariff import export_factors
from model.data.levers import BUILT_IN, MONEY, UNIT_SCALE, VOL, families
from model.economics.metrics import (
    INDEXED_METRICS,
    METRICS,
    WELFARE,
    calibration_levels,
    red_line_bound,
    references,
    split_metric,
)
from model.economics.outcomes import option_table
from model.optimization.highs import highs_options  # the same HiGHS options as ours


def _da(values, dims):
    return xr.DataArray(np.asarray(values), dims=dims)


class _Menus(NamedTuple):
    """Tariff lines (the home party's or the partner's) laid out as (line, option slot)."""
    lines: list            # line names, in order
    idx: dict              # line -> its row
    width: int             # slots: the longest menu
    slot: dict             # line -> option name -> its slot
    line_of: dict          # segment -> its line
    mask: np.ndarray       # lines x width: True where a line has an option in that slot


def _menus(tariff_lines, options_of) -> _Menus:
    """`tariff_lines` (inst.lines or inst.partner_lines) with `options_of(line)` its options."""
    lines = list(tariff_lines)
    names = {ln: [o.name for o in options_of(ln)] for ln in lines}
    width = max([len(names[ln]) for ln in lines] or [1])
    mask = np.zeros((len(lines), width), bool)
    for i, ln in enumerate(lines):
        mask[i, :len(names[ln])] = True
    return _Menus(lines, {ln: i for i, ln in enumerate(lines)}, width,
                  {ln: {o: j for j, o in enumerate(names[ln])} for ln in lines}, dict(tariff_lines.segment_line), mask)


def _purchase():
    return next(f for f in BUILT_IN if f.name == "purchase")


def other_goods_deficit(inst) -> float:
    """The balance in the goods not negotiated, USD, held at the calibration year: the partner's
    whole goods trade (`all_goods`) less each segment's calibration-year imports and exports (0
    without `all_goods`)."""
    if inst.all_goods is None:
        return 0.0
    imports = inst.all_goods.imports - sum(g.imports * g.import_price for g in inst.segments.values())
    exports = inst.all_goods.exports - sum(g.exports * g.export_price for g in inst.segments.values())
    return imports - exports


def metric_scale(inst, name: str) -> float:
    """Base units per model unit of a metric (restated from the metric registry's units)."""
    base, index = split_metric(name)
    if base == "purchases_units":
        return _purchase().scale(inst, index)
    if base == "imports_units" and index is not None:      # a segment in its own unit: thousands of it
        return VOL
    unit = INDEXED_METRICS[base][2] if index is not None else METRICS[base].unit
    return UNIT_SCALE.get(unit, 1.0)


def _only_built_in_families() -> None:
    extra = [f.name for f in families() if f.name not in {b.name for b in BUILT_IN}]
    if extra:
        raise NotImplementedError(f"the linopy model restates the built-in lever families only, not {extra}")


def build_linopy(inst, extra_metrics=()):
    """(linopy model, info): info holds the objective's constant (linopy takes none), the number of
    variables, and the metrics built (name -> linopy expression in model units): those the rows and
    the objective use, and `extra_metrics` (any name `metric_expressions` knows, for checks)."""
    import linopy
    linopy.options["semantics"] = "v1"
    _only_built_in_families()
    table = option_table(inst)
    refs = references(inst, table)
    calibration = calibration_levels(inst)
    segs, seg_of = list(inst.segments), inst.segments
    S = len(segs)
    sidx = {s: i for i, s in enumerate(segs)}
    lines, lidx, K, slot, line_of, lmask = _menus(inst.lines, inst.line_options)

    # The option table as flat arrays (one entry per (segment, option) pair), placed at
    # (segment, slot of the option in its line's menu).
    outs = list(table.values())
    ti = np.fromiter((sidx[s] for s, _ in table), int, len(outs))
    tk = np.fromiter((slot[line_of[s]][o] for s, o in table), int, len(outs))
    mask = np.zeros((S, K), bool)
    mask[ti, tk] = True

    def col(get) -> np.ndarray:
        return np.fromiter((get(t) for t in outs), float, len(outs))

    imports = col(lambda t: t.imports)

    def grid(values: np.ndarray):
        a = np.zeros((S, K))
        a[ti, tk] = values
        return _da(a, ("seg", "slot"))

    seg_imports = np.array([g.imports for g in seg_of.values()], float)
    seg_exports = np.array([g.exports for g in seg_of.values()], float)
    seg_export_price = np.array([g.export_price for g in seg_of.values()], float)
    price_weight = np.array([g.imports * g.import_price * (1 + g.base_tariff) for g in seg_of.values()], float)
    total_weight = float(price_weight.sum()) or 1.0

    # Partner tariff lines: export factor per (segment on a partner line, slot of its menu).
    plines, plidx, PK, pslot, pline_of, pmask = _menus(inst.partner_lines, lambda line: partner_tariff.line_options(inst, line))
    on_partner_line = np.array([s in pline_of for s in segs], bool)
    factor, prate, pbuyers = np.zeros((S, PK)), np.zeros((S, PK)), np.zeros((S, PK))    # zero off partner lines
    for (s, o), f in export_factors(inst).items():
        k = pslot[pline_of[s]][o]
        factor[sidx[s], k], prate[sidx[s], k] = f, partner_tariff.line_option(inst, pline_of[s], o).rate
        # the partner's buyers' surplus change on today's exports (constant-elasticity demand)
        rp = (1 + inst.segments[s].export_pass_through * prate[sidx[s], k]) \
            / (1 + inst.segments[s].export_pass_through * inst.segments[s].partner_base_tariff)
        e_p = inst.segments[s].export_elasticity
        spend = inst.segments[s].exports * inst.segments[s].export_price * (1 + inst.segments[s].partner_base_tariff)
        pbuyers[sidx[s], k] = (-spend * np.log(rp) if abs(e_p + 1) < 1e-12
                               else -spend * (rp ** (e_p + 1) - 1) / (e_p + 1)) / MONEY
    chans, makers, ntbs, goods = list(inst.channels), list(inst.makers), list(inst.ntb_measures), list(inst.goods)
    C, M, N = len(chans), len(makers), len(ntbs)
    cmask, cval, cdm, cdisp = (np.zeros((C, S), bool), np.zeros((C, S)), np.zeros((C, S)), np.zeros((C, S)))
    for j, ch in enumerate(inst.channels.values()):
        i = np.fromiter((sidx[s] for s in ch.segments), int, len(ch.segments))
        cmask[j, i] = True
        cval[j, i] = [ch.unit_value[s] * VOL / MONEY for s in ch.segments]
        cdm[j, i] = ch.dealer_margin * VOL / MONEY
        cdisp[j, i] = [seg_of[s].displacement for s in ch.segments]
    mmask, mmargin = np.zeros((M, S), bool), np.zeros((M, S))
    for j, mk in enumerate(inst.makers.values()):
        i = np.fromiter((sidx[s] for s in mk.segments), int, len(mk.segments))
        mmask[j, i], mmargin[j, i] = True, mk.home_plant_margin * VOL / MONEY
    lift, nbuyers = np.zeros((N, S)), np.zeros(N)
    for j, n in enumerate(inst.ntb_measures.values()):
        for s, v in n.ceiling_lift.items():
            lift[j, sidx[s]] = v / VOL
            # the partner's buyers: access to the lift v their demand (C + v at today's price) was rationed
            # from; the area between the inverse demand P (x/(C + v))^(1/e) and P over [C, C + v]
            g = inst.segments[s]
            e_b = g.export_elasticity or g.elasticity
            if v > 0 and g.partner_ceiling > 0 and e_b < 0:
                xs = np.linspace(g.partner_ceiling, g.partner_ceiling + v, 4001)
                above = g.export_price * ((xs / (g.partner_ceiling + v)) ** (1 / e_b) - 1)
                nbuyers[j] += float(np.sum((above[1:] + above[:-1]) / 2 * np.diff(xs))) / MONEY
    # Caps per maker: for each program and level, its makers' change in sales min(D, K) - sales by segment
    # (units and export value, model units), one binary per (program, level).
    programs = list(inst.maker_caps)
    P = len(programs)
    CK = max((len(pr.levels) for pr in inst.maker_caps.values()), default=0)
    cap_mask, cap_units, cap_value = np.zeros((P, CK), bool), np.zeros((P, CK, S)), np.zeros((P, CK, S))
    cap_slot: dict = {}
    for j, pr in enumerate(inst.maker_caps.values()):
        for k, level in enumerate(pr.levels):
            cap_mask[j, k] = True
            cap_slot[pr.name, pr.options[k]] = (j, k)
            for mk in pr.makers.values():
                demand = mk.demand if mk.demand is not None else mk.sales if mk.reservation_share is None \
                    else mk.reservation_share * seg_of[mk.segment].partner_ceiling
                change = min(demand, level) - mk.sales
                cap_units[j, k, sidx[mk.segment]] += change / VOL
                cap_value[j, k, sidx[mk.segment]] += change * mk.unit_value / MONEY
    seg_displacement = np.array([g.displacement for g in seg_of.values()], float)
    gidx = {g: i for i, g in enumerate(goods)}
    goods_obj = [inst.goods[g] for g in goods]
    qs = np.array([_purchase().scale(inst, g) for g in goods], float)

    m = linopy.Model()
    idx = {name: pd.RangeIndex(n, name=name) for name, n in (("line", len(lines)), ("slot", K), ("seg", S),
                                                            ("pline", len(plines)), ("pslot", PK), ("chan", C),
                                                            ("maker", M), ("ntb", N), ("good", len(goods)))}
    y = m.add_variables(binary=True, coords=[idx["line"], idx["slot"]], name="tariff_choice",
                        mask=_da(lmask, ("line", "slot")))
    pz = m.add_variables(binary=True, coords=[idx["pline"], idx["pslot"]], name="partner_tariff_choice",
                         mask=_da(pmask, ("pline", "pslot"))) if plines else None
    z = m.add_variables(binary=True, coords=[idx["ntb"]], name="ntb_relief") if ntbs else None
    x = m.add_variables(lower=0, coords=[idx["chan"], idx["seg"]], name="commitment", mask=_da(cmask, ("chan", "seg")))
    h = m.add_variables(lower=0, coords=[idx["maker"], idx["seg"]], name="production_shift",
                        mask=_da(mmask, ("maker", "seg")))
    q = m.add_variables(lower=0, coords=[idx["good"]], name="purchase") if goods else None
    u = m.add_variables(binary=True, coords=[pd.RangeIndex(P, name="program"), pd.RangeIndex(CK, name="cslot")],
                        name="maker_cap_choice", mask=_da(cap_mask, ("program", "cslot"))) if P else None
    w = m.add_variables(lower=0, coords=[idx["seg"], idx["slot"]], name="shift_by_option", mask=_da(mask, ("seg", "slot")))
    ys = y.isel(line=_da([lidx[line_of[s]] for s in segs], "seg"))      # each segment's line's choices
    # Each segment's partner-line choices (a segment off every partner line reads line 0, with zero coefficients).
    pzs = pz.isel(pline=_da([plidx[pline_of.get(s, plines[0])] for s in segs], "seg")) if plines else None
    nvars = int(lmask.sum() + mask.sum() + pmask.sum() + cmask.sum() + mmask.sum() + N + len(goods) + cap_mask.sum())
    constant_zero = []        # a variable fixed at zero, made when a row without variables cannot hold

    def zero():
        return linopy.LinearExpression.from_constant(m, 0.0)

    def options_sum(values: np.ndarray, shifted: np.ndarray | None = None, sparse: bool = False):
        """sum_(s,o) value(s,o) tariff_choice[line(s),o] - sum_(s,o) shifted(s,o) shift_by_option[s,o]: an
        option's total, less what production shifted out of its imports takes with it (at its average).
        `sparse`: no terms at all when every value is zero."""
        if sparse and not values.any() and (shifted is None or not shifted.any()):
            return zero()
        expr = (grid(values) * ys).sum()
        if shifted is not None:
            expr = expr - (grid(shifted) * w).sum()
        return expr

    def exported(unit_coef: np.ndarray):
        """sum_s unit_coef_s exports_s(partner tariff): today's exports where not negotiated."""
        const = float((unit_coef * seg_exports)[~on_partner_line].sum())
        if pzs is None:
            return zero() + const
        coef = (unit_coef * seg_exports)[:, None] * factor
        return (_da(coef, ("seg", "pslot")) * pzs).sum() + const

    def goods_sum(per_model_unit: list[float]):
        return (_da(per_model_unit, "good") * q).sum() if q is not None else zero()

    def third(field: str, country: str | None = None) -> np.ndarray:
        """An option's third-country amounts (a field of the option table), summed over countries or for one."""
        if country is None:
            return col(lambda t: sum(getattr(t, field).values()))
        return col(lambda t: getattr(t, field).get(country, 0.0))

    def capped(per_segment: np.ndarray, by_segment: bool = False):
        """sum_(p,k) per_segment[p,k,s] maker_cap_choice[p,k], summed over segments (or per segment)."""
        if u is None:
            return zero()
        expr = _da(per_segment, ("program", "cslot", "seg")) * u
        return expr.sum(["program", "cslot"]) if by_segment else expr.sum()

    def shift_coef(term: str, model_unit: float) -> np.ndarray:
        """Minus what one shifted unit does to `term` under each option (model units per thousand
        shifted): the option table's shift effects (`economics.shifts`: a flat option's average,
        a quota line's chord solved exactly with and without the shift)."""
        return -col(lambda t: t.shift_effect.per_unit[term] if t.shift_effect is not None else 0.0) * VOL / model_unit

    def with_shift(term: str, values: np.ndarray, model_unit: float, sparse: bool = False):
        return options_sum(values, shift_coef(term, model_unit), sparse=sparse)

    # The shifted vehicles' imported content per (maker, segment): partner parts (a bare value unless the
    # maker names a parts segment), third countries' content.
    mparts, mthird = np.zeros((M, S)), np.zeros((M, S))
    for j, mk in enumerate(inst.makers.values()):
        for s in mk.segments:
            value = seg_of[s].import_price * VOL / MONEY
            mparts[j, sidx[s]] = 0.0 if mk.parts_segment else value * mk.partner_content
            mthird[j, sidx[s]] = value * max(0.0, 1.0 - mk.home_content - mk.partner_content)

    def content(a: np.ndarray):
        return (_da(a, ("maker", "seg")) * h).sum()

    # Parts on their own line: parts_content[maker, seg, slot] is maker j's shift on s while its parts
    # segment's line has the option in `slot`; per thousand vehicles it imports q = value_s c_p / v_p0
    # thousand units of parts at that option's customs value, duty and margin per unit.
    partsmask = np.zeros((M, S, K), bool)
    pcoef = {m_: np.zeros((M, S, K)) for m_ in ("units", "value", "duty", "margin")}
    pbound = np.zeros((M, S))
    parts_line = [0] * M
    most_of = {(s, o): (t.shift_effect.most if t.shift_effect is not None else t.imports) for (s, o), t in table.items()}
    for j, mk in enumerate(inst.makers.values()):
        if not mk.parts_segment:
            continue
        p = mk.parts_segment
        parts_line[j] = lidx[line_of[p]]
        for s in mk.segments:
            units = seg_of[s].import_price * mk.partner_content / seg_of[p].import_price
            pbound[j, sidx[s]] = min(mk.spare_capacity, max(v for (s2, _), v in most_of.items() if s2 == s)) / VOL
            for (s2, o), t in table.items():
                if s2 != p:
                    continue
                k = slot[line_of[p]][o]
                partsmask[j, sidx[s], k] = True
                duty = t.duty / t.imports if t.imports > 0 else t.effective_tariff * t.unit_value
                margin = t.export_margin / t.imports if t.imports > 0 else \
                    max(0.0, seg_of[p].partner_margin - (seg_of[p].import_price - t.unit_value))
                pcoef["units"][j, sidx[s], k] = units
                for name, per in (("value", t.unit_value), ("duty", duty), ("margin", margin)):
                    pcoef[name][j, sidx[s], k] = units * per * VOL / MONEY
    pc = m.add_variables(lower=0, coords=[idx["maker"], idx["seg"], idx["slot"]], name="parts_content",
                         mask=_da(partsmask, ("maker", "seg", "slot"))) if partsmask.any() else None

    def parts_term(name: str):
        return (_da(pcoef[name], ("maker", "seg", "slot")) * pc).sum() if pc is not None else zero()

    # Volume totals count only the segments in the headline unit (cnt 1); a segment in another unit
    # (auto parts in USD) has its own imports_units[s] instead.
    cnt = np.array([1.0 if inst.counted(s) else 0.0 for s in segs])
    cnt_t = cnt[ti]
    parts_of = [mk.parts_segment for mk in inst.makers.values()]
    pcnt = np.array([cnt[sidx[p]] if p else 0.0 for p in parts_of])[:, None, None]

    def counted_shift(term: str, values: np.ndarray, sparse: bool = False):
        """`with_shift` over the counted segments' options alone."""
        return options_sum(values * cnt_t, shift_coef(term, VOL) * cnt_t, sparse=sparse)

    def parts_units(only: str | None = None):
        """Thousand units of parts the shifts import: on counted parts lines (None), or on one parts line."""
        if pc is None:
            return zero()
        keep = pcnt if only is None else np.array([1.0 if p == only else 0.0 for p in parts_of])[:, None, None]
        return (_da(pcoef["units"] * keep, ("maker", "seg", "slot")) * pc).sum()

    jobs = inst.jobs_per_unit
    rules = {
        "imports_units": lambda: counted_shift("imports_units", imports / VOL) + parts_units(),
        "imports_value": lambda: with_shift("imports_value", col(lambda t: t.imports_value) / MONEY, MONEY)
        + content(mparts) + parts_term("value"),
        "exports_units": lambda: exported(cnt / VOL) + (_da(cnt, "seg") * x).sum() + capped(cap_units * cnt),
        "exports_value": lambda: exported(seg_export_price / MONEY) + (_da(cval, ("chan", "seg")) * x).sum()
        + capped(cap_value),
        "purchases_value": lambda: goods_sum([g.unit_value * g.additional_share * s / MONEY
                                              for g, s in zip(goods_obj, qs)]),
        "purchases_gross_value": lambda: goods_sum([g.unit_value * s / MONEY for g, s in zip(goods_obj, qs)]),
        "tariff_revenue": lambda: with_shift("tariff_revenue", col(lambda t: t.tariff_revenue) / MONEY, MONEY)
        + parts_term("duty"),
        "home_importer_rent": lambda: with_shift("home_importer_rent", col(lambda t: t.home_importer_rent) / MONEY,
                                                 MONEY),
        "buyer_cost": lambda: with_shift("buyer_cost", col(lambda t: t.buyer_cost) / MONEY, MONEY),
        "buyer_price_change": lambda: with_shift("buyer_price_change", price_weight[ti] / total_weight
                                                 * (col(lambda t: t.buyer_price_factor) - 1), 1.0),
        "home_production_gain": lambda: counted_shift("home_production_gain", col(lambda t: t.home_gain) / VOL)
        + (_da(cnt, "seg") * x).sum() + exported(cnt / VOL) - (seg_exports * cnt).sum() / VOL
        + capped(cap_units * cnt),
        "partner_tariff_revenue": lambda: (_da((seg_exports * seg_export_price / MONEY)[:, None] * prate * factor,
                                               ("seg", "pslot")) * pzs).sum() if pzs is not None else zero(),
        "partner_buyer_surplus_change": lambda: ((_da(pbuyers, ("seg", "pslot")) * pzs).sum()
                                                 if pzs is not None else zero())
        + ((_da(nbuyers, "ntb") * z).sum() if z is not None else zero()),
        "partner_export_margin": lambda: with_shift("partner_export_margin", col(lambda t: t.export_margin) / MONEY,
                                                    MONEY) + parts_term("margin"),
        "dealer_margin": lambda: (_da(cdm, ("chan", "seg")) * x).sum(),
        "partner_production_loss": lambda: counted_shift("partner_production_loss", (seg_imports[ti] - imports) / VOL)
        + (_da(cdisp * cnt, ("chan", "seg")) * x).sum() + capped(cap_units * seg_displacement * cnt),
        "partner_political_cost": lambda: ((_da([n.political_cost / MONEY for n in inst.ntb_measures.values()], "ntb")
                                            * z).sum() if z is not None else zero())
        + goods_sum([g.political_cost * s / MONEY for g, s in zip(goods_obj, qs)]),
        "partner_plant_margin": lambda: (_da(mmargin, ("maker", "seg")) * h).sum() - parts_term("duty"),
        "shift_parts_imports_value": lambda: content(mparts) + parts_term("value"),
        "shift_parts_duty": lambda: parts_term("duty"),
        "shift_third_content_value": lambda: content(mthird),
        # Third countries (Armington segments), home producers, the partner's quota rent.
        "third_imports_units": lambda: counted_shift("third_imports_units", third("third_imports") / VOL, sparse=True),
        "third_imports_value": lambda: with_shift("third_imports_value", third("third_value") / MONEY, MONEY,
                                                  sparse=True) + content(mthird),
        "third_tariff_revenue": lambda: with_shift("third_tariff_revenue", third("third_duty") / MONEY, MONEY,
                                                   sparse=True),
        "third_exporter_surplus_change": lambda: with_shift("third_exporter_surplus_change",
                                                            third("third_surplus") / MONEY, MONEY, sparse=True),
        "producer_surplus_change": lambda: with_shift("producer_surplus_change", col(lambda t: t.producer_surplus)
                                                      / MONEY, MONEY, sparse=True),
        "partner_quota_rent": lambda: with_shift("partner_quota_rent", col(lambda t: t.exporter_rent) / MONEY, MONEY,
                                                 sparse=True),
        # Balances and welfare changes against the calibration year.
        "sector_deficit": lambda: get("imports_value") - get("exports_value"),
        "deficit": lambda: get("sector_deficit") - get("purchases_value"),
        # The goods not negotiated: all goods less the modelled lines, held at the calibration year.
        "other_goods_deficit": lambda: linopy.LinearExpression.from_constant(m, other_goods_deficit(inst) / MONEY),
        "all_goods_deficit": lambda: get("deficit") + other_goods_deficit(inst) / MONEY,
        "third_countries_deficit": lambda: get("third_imports_value")
        - calibration["exports_to_third_countries"] / MONEY,
        "overall_deficit": lambda: get("sector_deficit") + get("third_countries_deficit"),
        "consumer_surplus_change": lambda: -get("buyer_cost"),
        "tariff_revenue_change": lambda: get("tariff_revenue") + get("third_tariff_revenue")
        - calibration["tariff_revenue"] / MONEY,
        "exporter_surplus_change": lambda: get("partner_export_margin") - get("partner_quota_rent")
        - calibration["export_margin"] / MONEY,
        "partner_tariff_revenue_change": lambda: get("partner_tariff_revenue")
        - calibration["partner_tariff_revenue"] / MONEY,
        # Thousand jobs: jobs per unit x thousand units.
        "home_jobs": lambda: jobs["home"] * get("home_production_gain") if jobs.get("home") else zero(),
        "partner_jobs": lambda: -jobs["partner"] * get("partner_production_loss") if jobs.get("partner") else zero(),
    }
    for parts, net in WELFARE.values():
        rules[net] = lambda parts=parts: sum_of([get(k) for k in parts])
    for p in ("home", "partner"):
        rules[f"{p}_payoff"] = lambda p=p: sum_of([wt * metric_scale(inst, k) / MONEY * get(k)
                                                   for k, wt in inst.payoff_weights[p].items()])
    duty: list = []            # the (segment, slot) grid of duty rates, made once when first asked for

    def tariff_rate(s: str):
        if not duty:
            duty.append(grid(col(lambda t: t.duty_rate)))
        return (duty[0].isel(seg=sidx[s]) * ys.isel(seg=sidx[s])).sum()

    indexed = {
        "tariff_rate": tariff_rate,
        "purchases_units": lambda g: 1 * q.sel(good=gidx[g]),
        "third_imports_units": lambda c: options_sum(third("third_imports", c) / VOL * cnt_t, sparse=True),
        # A segment in its own unit: its imports under the chosen option, plus the shifts' parts on it.
        "imports_units": lambda s: options_sum(imports / VOL * (ti == sidx[s]),
                                               shift_coef("imports_units", VOL) * (ti == sidx[s])) + parts_units(s),
        "third_imports_value": lambda c: options_sum(third("third_value", c) / MONEY, sparse=True),
        "third_exporter_surplus_change": lambda c: options_sum(third("third_surplus", c) / MONEY, sparse=True),
        "third_country_deficit": lambda c: get(f"third_imports_value[{c}]")
        - inst.third_countries[c].exports_value / MONEY,
        "quota_imports": lambda ln: quota_line(ln, "quota_imports", VOL),
        "quota_rent": lambda ln: quota_line(ln, "quota_rent", MONEY),
        "quota_tariff_equivalent": lambda ln: quota_line(ln, "quota_tariff_equivalent", 1.0),
    }

    def quota_line(name: str, term: str, model_unit: float):
        """A quota line's imports, rent or tariff equivalent under the chosen option, plus what the
        shift on its segments does to it (the shift effects' per-line terms)."""
        members = inst.lines[name].segments
        expr = zero()
        for j, o in enumerate(inst.line_options(name)):
            rows = [table[s, o.name] for s in members]
            level = (max(t.effective_tariff for t in rows) if term == "quota_tariff_equivalent"
                     else sum(t.imports if term == "quota_imports" else t.quota_rent for t in rows) / model_unit)
            expr = expr + level * y.isel(line=lidx[name], slot=j, drop=True)
            for s, t in zip(members, rows):
                e = t.shift_effect
                if e is not None and e.line[term] != 0:
                    expr = expr + e.line[term] * VOL / model_unit * w.isel(seg=sidx[s], slot=slot[name][o.name],
                                                                         drop=True)
        return expr
    built: dict = {}

    def sum_of(exprs: list):
        total = zero()
        for e in exprs:
            total = total + e
        return total

    def get(name: str):
        """A metric by name (indexed ones included), in model units; built once, when first asked for."""
        if name not in built:
            base, index = split_metric(name)
            built[name] = indexed[base](index) if index is not None else rules[name]()
        return built[name]

    def add_row(lhs, sense: str, rhs: float, name: str) -> None:
        """`lhs sense rhs`; an unlimited bound gives no row, and a row without variables is left out when
        it holds and kept, through a variable fixed at zero, when it cannot (an honestly infeasible model)."""
        if math.isinf(rhs):
            return
        if not ((lhs.vars.values != -1) & (lhs.coeffs.values != 0)).any():
            const = float(lhs.const.values)
            if (const <= rhs) if sense == "<=" else (const >= rhs) if sense == ">=" else const == rhs:
                return
            lhs = lhs + fixed_zero()
        m.add_constraints(lhs <= rhs if sense == "<=" else lhs >= rhs if sense == ">=" else lhs == rhs, name=name)

    def fixed_zero():
        if not constant_zero:
            constant_zero.append(m.add_variables(lower=0, upper=0, name="constant_zero"))
        return 1 * constant_zero[0]

    m.add_constraints(y.sum("slot") == 1, name="one_tariff_option")
    if u is not None:
        m.add_constraints(u.sum("cslot") == 1, name="one_maker_cap_option")
    if plines:
        m.add_constraints(pz.sum("pslot") == 1, name="one_partner_tariff_option")
    # Buyers' ceilings: exports + commitments <= ceiling + NTB lifts (both scaled by the partner tariff's factor).
    sold = x.sum("chan")
    if ntbs:
        sold = sold - (_da(lift, ("ntb", "seg")) * z).sum("ntb")
    base = np.array([0.0 if s in pline_of else (seg_of[s].partner_ceiling - seg_of[s].exports) / VOL for s in segs])
    if u is not None:
        sold = sold + capped(cap_units, by_segment=True)
    has_row = cmask.any(axis=0) | (lift != 0).any(axis=0) | on_partner_line | (cap_units != 0).any(axis=(0, 1))
    if pzs is not None:      # ceiling and exports scale with the partner's option: (exports - ceiling) f moves left
        coef = (seg_exports - np.array([g.partner_ceiling for g in seg_of.values()]))[:, None] / VOL * factor
        sold = sold + (_da(coef, ("seg", "pslot")) * pzs).sum("pslot")
    broken = ~has_row & (base < 0)          # today's exports above the ceiling, and nothing to change them
    if broken.any():
        sold = sold + _da(broken.astype(float), "seg") * fixed_zero()
    m.add_constraints(sold <= _da(base, "seg"), name="buyer_ceiling", mask=_da(has_row | broken, "seg"))
    cap = np.array([ch.capacity / VOL for ch in inst.channels.values()])
    if C and np.isfinite(cap).any():
        m.add_constraints(x.sum("seg") <= _da(np.where(np.isfinite(cap), cap, 0), "chan"), name="channel_capacity",
                          mask=_da(np.isfinite(cap), "chan"))
    spare = np.array([mk.spare_capacity / VOL for mk in inst.makers.values()])
    if M and np.isfinite(spare).any():
        m.add_constraints(h.sum("seg") <= _da(np.where(np.isfinite(spare), spare, 0), "maker"), name="spare_capacity",
                          mask=_da(np.isfinite(spare), "maker"))
    m.add_constraints(w.sum("slot") - h.sum("maker") == 0, name="shift_split")
    if pc is not None:       # parts content: split over the parts line's options, only the chosen one carries it
        has_parts = _da(partsmask.any(axis=2), ("maker", "seg"))
        m.add_constraints(pc.sum("slot") - h == 0, name="parts_content_split", mask=has_parts)
        yp = y.isel(line=_da(parts_line, "maker"))
        m.add_constraints(pc - _da(pbound, ("maker", "seg")) * yp <= 0, name="parts_content_within",
                          mask=_da(partsmask, ("maker", "seg", "slot")))
    most = col(lambda t: t.shift_effect.most if t.shift_effect is not None else t.imports)
    m.add_constraints(w - grid(most / VOL) * ys <= 0, name="shift_within_imports", mask=_da(mask, ("seg", "slot")))
    if goods:
        limit = np.array([g.max_units for g in goods_obj]) / qs
        if np.isfinite(limit).any():
            m.add_constraints(q <= _da(np.where(np.isfinite(limit), limit, 0), "good"), name="purchase_limit",
                              mask=_da(np.isfinite(limit), "good"))
    for r in inst.red_lines:
        add_row(get(r.metric), r.sense, red_line_bound(r, refs) / metric_scale(inst, r.metric), f"red_line_{r.name}")
    if inst.settings.participation:
        for p in ("home", "partner"):
            add_row(get(f"{p}_payoff"), ">=", refs.no_deal[f"{p}_payoff"] / MONEY, f"participation_{p}")
    _fix(inst, m, y, pz, z, x, h, q, lidx, slot, plidx, pslot, {n: i for i, n in enumerate(ntbs)},
         {c: i for i, c in enumerate(chans)}, {k: i for i, k in enumerate(makers)}, gidx, sidx, qs, u, cap_slot)
    objective = get(inst.settings.objective_metric)
    for name in extra_metrics:
        get(name)
    constant = float(objective.const.values)      # linopy takes no constant in an objective
    m.add_objective(objective - constant)
    return m, {"constant": constant, "variables": nvars + int(partsmask.sum()) + len(constant_zero), "metrics": built}


def _fix(inst, m, y, pz, z, x, h, q, lidx, slot, plidx, pslot, nidx, cidx, kidx, gidx, sidx, qs, u, cap_slot) -> None:
    """Levers the instance fixes, as equality rows."""
    for f in BUILT_IN:
        for key, value in inst.fixed.values(f.deal_field).items():
            if f.name == "tariff":
                m.add_constraints(y.sel(line=lidx[key], slot=slot[key][value]) == 1)
            elif f.name == "partner_tariff":
                m.add_constraints(pz.sel(pline=plidx[key], pslot=pslot[key][value]) == 1)
            elif f.name == "ntb_relief":
                m.add_constraints(z.sel(ntb=nidx[key]) == (1 if value else 0))
            elif f.name == "commitment":
                m.add_constraints(x.sel(chan=cidx[key[0]], seg=sidx[key[1]]) == value / VOL)
            elif f.name == "production_shift":
                m.add_constraints(h.sel(maker=kidx[key[0]], seg=sidx[key[1]]) == value / VOL)
            elif f.name == "purchase":
                m.add_constraints(q.sel(good=gidx[key]) == value / qs[gidx[key]])
            elif f.name == "maker_cap":
                j, k = cap_slot[key, value]
                m.add_constraints(u.sel(program=j, cslot=k) == 1)


def solve_linopy(m, info: dict, time_limit: float | None = None) -> tuple[str, float | None]:
    """(status/condition, the objective in USD million; None without a solution), with our HiGHS options."""
    options = {**highs_options(info["variables"], time_limit), "output_flag": False}
    status, condition = m.solve(solver_name="highs", **options)
    value = m.objective.value
    return f"{status}/{condition}", value + info["constant"] if value is not None and math.isfinite(value) else None
