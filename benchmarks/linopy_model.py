"""The first-stage (deficit-minimizing) model written with linopy, for benchmarks/bench_scale.py.

The same variables, rows and objective as model/optimization/build.py, in the same model
units (thousand vehicles, USD million, each good's own scale), vectorized the linopy way:
tariff choices as a (tariff line, option slot) array masked where a menu is shorter, seen
from each segment through its line (`isel`: a pooled quota's line serves all its
segments); shift_by_option as (segment, slot); partner tariff choices as (partner line,
slot); commitments as (channel, segment) and production shifts as (maker, segment), masked
where a channel or maker does not serve the segment. The data (exact option responses,
pooled over each line's segments; references) comes from the same validated instance and
`economics`, so both models must reach the same optimum (the benchmark checks it).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import xarray as xr

from model.data.levers import MONEY, VOL, families
from model.economics.metrics import red_line_bound, references, split_metric
from model.economics.responses import export_factors, option_table
from model.optimization.build import metric_scale
from model.optimization.highs import LARGE_MODEL_VARIABLES, MIP_ABS_GAP, MIP_REL_GAP


def _da(values, dims):
    return xr.DataArray(np.asarray(values), dims=dims)


def _line_mask(options: dict, lines: list, width: int) -> np.ndarray:
    """lines x width: True where a line has an option in that slot."""
    mask = np.zeros((len(lines), width), bool)
    for i, ln in enumerate(lines):
        mask[i, :len(options[ln])] = True
    return mask


def _slots(names_of: dict, keys: list) -> tuple[int, dict]:
    return max([len(names_of[k]) for k in keys] or [1]), {k: {o: j for j, o in enumerate(names_of[k])} for k in keys}


def build_linopy(inst):
    """(linopy model, {constant of the objective, number of variables})."""
    import linopy
    linopy.options["semantics"] = "v1"
    table = option_table(inst)
    refs = references(inst, table)
    segs, seg_of = list(inst.segments), inst.segments
    S = len(segs)
    sidx = {s: i for i, s in enumerate(segs)}
    lines = list(inst.lines)
    line_options = {ln: [o.name for o in inst.line_options(ln)] for ln in lines}
    K, slot = _slots(line_options, lines)
    line_of = dict(inst.lines.segment_line)
    lmask = _line_mask(line_options, lines, K)
    # Option data per (segment, slot of its line's menu).
    mask = np.zeros((S, K), bool)
    names = ("imports", "value", "unit", "rev", "avg_rev", "rent", "avg_rent", "bc", "bpc", "hpg", "mar", "avg_mar",
             "ppl", "duty")
    arr = {k: np.zeros((S, K)) for k in names}
    pw = {s: g.imports * g.import_price * (1 + g.base_tariff) for s, g in seg_of.items()}
    tw = sum(pw.values()) or 1.0
    for (s, o), t in table.items():
        i, k, g = sidx[s], slot[line_of[s]][o], seg_of[s]
        per = (lambda x: x / t.imports * VOL / MONEY) if t.imports > 0 else (lambda x: 0.0)
        mask[i, k] = True
        for key, v in (("imports", t.imports / VOL), ("value", t.imports_value / MONEY),
                       ("unit", t.unit_value * VOL / MONEY), ("rev", t.tariff_revenue / MONEY),
                       ("avg_rev", per(t.tariff_revenue)), ("rent", t.home_importer_rent / MONEY),
                       ("avg_rent", per(t.home_importer_rent)), ("bc", t.buyer_cost / MONEY),
                       ("bpc", pw[s] / tw * (t.buyer_price_factor - 1)),
                       ("hpg", g.home_substitution * (g.imports - t.imports) / VOL), ("mar", t.export_margin / MONEY),
                       ("avg_mar", per(t.export_margin)), ("ppl", (g.imports - t.imports) / VOL),
                       ("duty", t.duty_rate)):
            arr[key][i, k] = v
    # Partner tariff lines: export factor per (segment on a partner line, slot of its menu).
    plines = list(inst.partner_lines)
    poptions = {pl: [o.name for o in inst.partner_line_options(pl)] for pl in plines}
    PK, pslot = _slots(poptions, plines)
    pline_of = dict(inst.partner_lines.segment_line)
    pmask = _line_mask(poptions, plines, PK)
    on_partner_line = np.array([s in pline_of for s in segs])
    factor, prate = np.zeros((S, PK)), np.zeros((S, PK))       # zero off partner lines
    for (s, o), f in export_factors(inst).items():
        k = pslot[pline_of[s]][o]
        factor[sidx[s], k], prate[sidx[s], k] = f, inst.partner_line_option(pline_of[s], o).rate
    chans, makers, ntbs, goods = list(inst.channels), list(inst.makers), list(inst.ntb_measures), list(inst.goods)
    C, M = len(chans), len(makers)
    cmask, cval, cdm, cdisp = (np.zeros((C, S), bool), np.zeros((C, S)), np.zeros((C, S)), np.zeros((C, S)))
    for j, (c, ch) in enumerate(inst.channels.items()):
        for s in ch.segments:
            i = sidx[s]
            cmask[j, i], cval[j, i] = True, ch.unit_value[s] * VOL / MONEY
            cdm[j, i], cdisp[j, i] = ch.dealer_margin * VOL / MONEY, seg_of[s].displacement
    mmask, mmargin = np.zeros((M, S), bool), np.zeros((M, S))
    for j, (k, mk) in enumerate(inst.makers.items()):
        for s in mk.segments:
            mmask[j, sidx[s]], mmargin[j, sidx[s]] = True, mk.home_plant_margin * VOL / MONEY
    lift = np.array([[n.ceiling_lift.get(s, 0.0) / VOL for s in segs] for n in inst.ntb_measures.values()]).reshape(
        len(ntbs), S)
    purchase = next(f for f in families() if f.name == "purchase")
    qs = np.array([purchase.scale(inst, g) for g in goods])

    m = linopy.Model()
    idx = {name: pd.RangeIndex(n, name=name) for name, n in (("line", len(lines)), ("slot", K), ("seg", S),
                                                            ("pline", len(plines)), ("pslot", PK), ("chan", C),
                                                            ("maker", M), ("ntb", len(ntbs)), ("good", len(goods)))}
    y = m.add_variables(binary=True, coords=[idx["line"], idx["slot"]], name="tariff_choice",
                        mask=_da(lmask, ("line", "slot")))
    pz = m.add_variables(binary=True, coords=[idx["pline"], idx["pslot"]], name="partner_tariff_choice",
                         mask=_da(pmask, ("pline", "pslot"))) if plines else None
    z = m.add_variables(binary=True, coords=[idx["ntb"]], name="ntb_relief") if ntbs else None
    x = m.add_variables(lower=0, coords=[idx["chan"], idx["seg"]], name="commitment", mask=_da(cmask, ("chan", "seg")))
    h = m.add_variables(lower=0, coords=[idx["maker"], idx["seg"]], name="production_shift",
                        mask=_da(mmask, ("maker", "seg")))
    q = m.add_variables(lower=0, coords=[idx["good"]], name="purchase") if goods else None
    w = m.add_variables(lower=0, coords=[idx["seg"], idx["slot"]], name="shift_by_option", mask=_da(mask, ("seg", "slot")))
    ys = y.isel(line=_da([lines.index(line_of[s]) for s in segs], "seg"))      # each segment's line's choices
    A = {k: _da(v, ("seg", "slot")) for k, v in arr.items()}
    zero = 0 * x.sum()                                                          # an empty expression

    def sum_or_zero(expr):
        return expr.sum() if expr is not None else zero

    # Each segment's partner-line choices (a segment off every partner line reads line 0, with zero coefficients).
    pzs = pz.isel(pline=_da([plines.index(pline_of.get(s, plines[0])) for s in segs], "seg")) if plines else None
    fixed_exports = [s for s in segs if s not in pline_of]

    def exported(per_unit: np.ndarray):
        """sum_s per_unit_s exports_s(partner tariff): constant where not negotiated."""
        const = float(sum(per_unit[sidx[s]] * seg_of[s].exports for s in fixed_exports))
        if pzs is None:
            return zero + const
        coef = (per_unit * np.array([g.exports for g in seg_of.values()]))[:, None] * factor
        return (_da(coef, ("seg", "pslot")) * pzs).sum() + const

    ones = np.ones(S)
    goods_obj = [inst.goods[g] for g in goods]
    met = {
        "imports_units": (A["imports"] * ys).sum() - h.sum(),
        "imports_value": (A["value"] * ys).sum() - (A["unit"] * w).sum(),
        "exports_units": exported(ones / VOL) + x.sum(),
        "exports_value": exported(np.array([seg_of[s].export_price / MONEY for s in segs]))
        + (_da(cval, ("chan", "seg")) * x).sum(),
        "purchases_value": sum_or_zero(_da([g.unit_value * g.additional_share / MONEY for g in goods_obj] * qs, "good")
                                       * q if q is not None else None),
        "purchases_gross_value": sum_or_zero(_da([g.unit_value / MONEY for g in goods_obj] * qs, "good") * q
                                             if q is not None else None),
        "tariff_revenue": (A["rev"] * ys).sum() - (A["avg_rev"] * w).sum(),
        "home_importer_rent": (A["rent"] * ys).sum() - (A["avg_rent"] * w).sum(),
        "buyer_cost": (A["bc"] * ys).sum(),
        "buyer_price_change": (A["bpc"] * ys).sum(),
        "home_production_gain": (A["hpg"] * ys).sum() + h.sum() + x.sum() + exported(ones / VOL)
        - sum(g.exports for g in seg_of.values()) / VOL,
        "partner_tariff_revenue": (_da(np.array([g.exports * g.export_price / MONEY for g in seg_of.values()])[
            :, None] * prate * factor, ("seg", "pslot")) * pzs).sum() if pzs is not None else zero,
        "partner_export_margin": (A["mar"] * ys).sum() - (A["avg_mar"] * w).sum(),
        "dealer_margin": (_da(cdm, ("chan", "seg")) * x).sum(),
        "partner_production_loss": (A["ppl"] * ys).sum() + h.sum() + (_da(cdisp, ("chan", "seg")) * x).sum(),
        "partner_political_cost": sum_or_zero(_da([n.political_cost / MONEY for n in inst.ntb_measures.values()], "ntb")
                                              * z if z is not None else None)
        + sum_or_zero(_da([g.political_cost / MONEY for g in goods_obj] * qs, "good") * q if q is not None else None),
        "partner_plant_margin": (_da(mmargin, ("maker", "seg")) * h).sum(),
    }
    met["negotiated_deficit"] = met["imports_value"] - met["exports_value"]
    met["deficit"] = met["negotiated_deficit"] - met["purchases_value"]
    for p in ("home", "partner"):
        met[f"{p}_payoff"] = sum(wt * metric_scale(inst, k) / MONEY * metric(met, k, A, ys, q, goods, sidx)
                                 for k, wt in inst.payoff_weights[p].items())

    m.add_constraints(y.sum("slot") == 1, name="one_tariff_option")
    if plines:
        m.add_constraints(pz.sum("pslot") == 1, name="one_partner_tariff_option")
    # Buyers' ceilings: exports + commitments <= ceiling + NTB lifts (both scaled by the partner tariff's factor).
    sold = x.sum("chan")
    if ntbs:
        sold = sold - (_da(lift, ("ntb", "seg")) * z).sum("ntb")
    base = np.array([0.0 if s in pline_of else (seg_of[s].partner_ceiling - seg_of[s].exports) / VOL for s in segs])
    has_row = cmask.any(axis=0) | (lift != 0).any(axis=0) | on_partner_line
    if pzs is not None:      # ceiling and exports scale with the partner's option: (exports - ceiling) f moves left
        coef = np.array([(g.exports - g.partner_ceiling) / VOL for g in seg_of.values()])[:, None] * factor
        sold = sold + (_da(coef, ("seg", "pslot")) * pzs).sum("pslot")
    m.add_constraints(sold <= _da(base, "seg"), name="buyer_ceiling", mask=_da(has_row, "seg"))
    cap = np.array([ch.capacity / VOL for ch in inst.channels.values()])
    if C and np.isfinite(cap).any():
        m.add_constraints(x.sum("seg") <= _da(np.where(np.isfinite(cap), cap, 0), "chan"), name="channel_capacity",
                          mask=_da(np.isfinite(cap), "chan"))
    spare = np.array([mk.spare_capacity / VOL for mk in inst.makers.values()])
    if M and np.isfinite(spare).any():
        m.add_constraints(h.sum("seg") <= _da(np.where(np.isfinite(spare), spare, 0), "maker"), name="spare_capacity",
                          mask=_da(np.isfinite(spare), "maker"))
    m.add_constraints(w.sum("slot") - h.sum("maker") == 0, name="shift_split")
    m.add_constraints(w - A["imports"] * ys <= 0, name="shift_within_imports", mask=_da(mask, ("seg", "slot")))
    if goods:
        limit = np.array([inst.goods[g].max_units for g in goods]) / qs
        if np.isfinite(limit).any():
            m.add_constraints(q <= _da(np.where(np.isfinite(limit), limit, 0), "good"), name="purchase_limit",
                              mask=_da(np.isfinite(limit), "good"))
    for r in inst.red_lines:
        lhs, rhs = metric(met, r.metric, A, ys, q, goods, sidx), red_line_bound(r, refs) / metric_scale(inst, r.metric)
        if math.isfinite(rhs):
            m.add_constraints(lhs <= rhs if r.sense == "<=" else lhs >= rhs, name=f"red_line_{r.name}")
    if inst.settings.participation:
        for p in ("home", "partner"):
            m.add_constraints(met[f"{p}_payoff"] >= refs.no_deal[f"{p}_payoff"] / MONEY, name=f"participation_{p}")
    _fix(inst, m, y, pz, z, x, h, q, lines, slot, plines, pslot, ntbs, chans, makers, goods, sidx, qs)
    objective = met[inst.settings.objective_metric]
    constant = float(objective.const.values)      # linopy takes no constant in an objective
    m.add_objective(objective - constant)
    nvars = int(lmask.sum() + mask.sum() + pmask.sum() + cmask.sum() + mmask.sum() + len(ntbs) + len(goods))
    return m, {"constant": constant, "variables": nvars}


def metric(met: dict, name: str, A, ys, q, goods, sidx):
    """A metric by name, indexed ones included (tariff_rate[segment], purchases_units[good])."""
    base, index = split_metric(name)
    if base == "tariff_rate":
        return (A["duty"] * ys).sum("slot").sel(seg=sidx[index])
    if base == "purchases_units":
        return 1 * q.sel(good=goods.index(index))
    return met[name]


def _fix(inst, m, y, pz, z, x, h, q, lines, slot, plines, pslot, ntbs, chans, makers, goods, sidx, qs) -> None:
    """Levers the instance fixes, as equality rows."""
    for f in families():
        fixed = inst.fixed.values(f.deal_field)
        for key, value in fixed.items():
            if f.name == "tariff":
                m.add_constraints(y.sel(line=lines.index(key), slot=slot[key][value]) == 1)
            elif f.name == "partner_tariff":
                m.add_constraints(pz.sel(pline=plines.index(key), pslot=pslot[key][value]) == 1)
            elif f.name == "ntb_relief":
                m.add_constraints(z.sel(ntb=ntbs.index(key)) == (1 if value else 0))
            elif f.name == "commitment":
                m.add_constraints(x.sel(chan=chans.index(key[0]), seg=sidx[key[1]]) == value / VOL)
            elif f.name == "production_shift":
                m.add_constraints(h.sel(maker=makers.index(key[0]), seg=sidx[key[1]]) == value / VOL)
            elif f.name == "purchase":
                m.add_constraints(q.sel(good=goods.index(key)) == value / qs[goods.index(key)])


def solve_linopy(m, info: dict) -> tuple[str, float | None]:
    options = dict(mip_rel_gap=MIP_REL_GAP, mip_abs_gap=MIP_ABS_GAP, threads=1, random_seed=0, output_flag=False)
    if info["variables"] > LARGE_MODEL_VARIABLES:
        options["presolve_mode"] = 2
    status, condition = m.solve(solver_name="highs", **options)
    value = m.objective.value
    return f"{status}/{condition}", None if value is None else value + info["constant"]
