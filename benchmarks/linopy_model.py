"""The first-stage (deficit-minimizing) model written with linopy, for benchmarks/bench_scale.py.

The same variables, rows and objective as model/build.py, in model units (thousand
vehicles, USD million), but vectorized the linopy way: tariff options as a
(segment, slot) array masked where a segment's menu is shorter, commitments as a
(channel, segment) array masked where a channel cannot source the segment, production
shifts as (maker, segment). The data (exact option responses, references) comes from
the same validated instance and `economics`, so both models must reach the same optimum.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from model.economics.metrics import split_metric
from model.economics.responses import option_table
from model.optimization.build import MONEY, VOL, _scale, red_line_bound
from model.optimization.highs import LARGE_MODEL_VARIABLES, MIP_ABS_GAP, MIP_REL_GAP
from model.run import references


def build_linopy(inst):
    """(linopy model, {constant of the deficit objective, number of variables})."""
    import linopy
    linopy.options['semantics'] = 'v1'
    table = option_table(inst)
    refs = references(inst, table)
    segs = list(inst.segments)
    S = len(segs)
    sidx = {s: i for i, s in enumerate(segs)}
    opts = {s: [o for (s2, o) in table if s2 == s] for s in segs} if S < 50 else _options(table, segs)
    K = max(len(v) for v in opts.values())
    mask = np.zeros((S, K), bool)
    arr = {k: np.zeros((S, K)) for k in ("imports", "value", "unit", "rev", "avg_rev", "bc", "bpc", "hpg", "mar",
                                         "avg_mar", "ppl", "duty")}
    seg_obj = inst.segments
    pw = {s: g.imports * g.import_price * (1 + g.base_tariff) for s, g in seg_obj.items()}
    tw = sum(pw.values()) or 1.0
    for s, names in opts.items():
        i, g = sidx[s], seg_obj[s]
        for k, o in enumerate(names):
            t = table[s, o]
            mask[i, k] = True
            arr["imports"][i, k] = t.imports / VOL
            arr["value"][i, k] = t.imports_value / MONEY
            arr["unit"][i, k] = t.unit_value * VOL / MONEY
            arr["rev"][i, k] = t.tariff_revenue / MONEY
            arr["avg_rev"][i, k] = t.tariff_revenue / t.imports * VOL / MONEY if t.imports > 0 else 0.0
            arr["bc"][i, k] = t.buyer_cost / MONEY
            arr["bpc"][i, k] = pw[s] / tw * (t.buyer_price_factor - 1)
            arr["hpg"][i, k] = g.home_substitution * (g.imports - t.imports) / VOL
            arr["mar"][i, k] = t.export_margin / MONEY
            arr["avg_mar"][i, k] = t.export_margin / t.imports * VOL / MONEY if t.imports > 0 else 0.0
            arr["ppl"][i, k] = (g.imports - t.imports) / VOL
            arr["duty"][i, k] = t.duty_rate
    chans, makers, ntbs, goods = list(inst.channels), list(inst.makers), list(inst.ntb_measures), list(inst.goods)
    C, M = len(chans), len(makers)
    cmask, cval, cdm, cdisp = (np.zeros((C, S), bool), np.zeros((C, S)), np.zeros((C, S)), np.zeros((C, S)))
    for c, ch in inst.channels.items():
        for s, v in ch.unit_value.items():
            j, i = chans.index(c), sidx[s]
            cmask[j, i], cval[j, i] = True, v * VOL / MONEY
            cdm[j, i], cdisp[j, i] = ch.dealer_margin * VOL / MONEY, seg_obj[s].displacement
    mmask = np.zeros((M, S), bool)
    for k, mk in inst.makers.items():
        for s in mk.segments:
            mmask[makers.index(k), sidx[s]] = True
    lift = np.array([[n.ceiling_lift.get(s, 0.0) / VOL for s in segs] for n in inst.ntb_measures.values()]).reshape(len(ntbs), S)

    seg_i, slot_i = pd.RangeIndex(S, name="seg"), pd.RangeIndex(K, name="slot")
    da = lambda a, dims: xr.DataArray(a, dims=dims)   # noqa: E731
    m = linopy.Model()
    y = m.add_variables(binary=True, coords=[seg_i, slot_i], name="tariff_choice", mask=da(mask, ("seg", "slot")))
    w = m.add_variables(lower=0, coords=[seg_i, slot_i], name="shift_by_option", mask=da(mask, ("seg", "slot")))
    x = m.add_variables(lower=0, coords=[pd.RangeIndex(C, name="chan"), seg_i], name="commitment",
                        mask=da(cmask, ("chan", "seg")))
    h = m.add_variables(lower=0, coords=[pd.RangeIndex(M, name="maker"), seg_i], name="production_shift",
                        mask=da(mmask, ("maker", "seg")))
    z = m.add_variables(binary=True, coords=[pd.RangeIndex(len(ntbs), name="ntb")], name="ntb_relief")
    q = m.add_variables(lower=0, coords=[pd.RangeIndex(len(goods), name="good")], name="purchase")
    A = {k: da(v, ("seg", "slot")) for k, v in arr.items()}
    gval = da([inst.goods[g].unit_value / MONEY for g in goods], ("good",))
    gpc = da([inst.goods[g].political_cost / MONEY for g in goods], ("good",))
    npc = da([n.political_cost / MONEY for n in inst.ntb_measures.values()], ("ntb",))
    ex_units = sum(g.exports for g in seg_obj.values()) / VOL
    ex_value = sum(g.exports * g.export_price for g in seg_obj.values()) / MONEY
    met = {
        "imports_units": (A["imports"] * y).sum() - h.sum(),
        "imports_value": (A["value"] * y).sum() - (A["unit"] * w).sum(),
        "exports_units": x.sum() + ex_units,
        "exports_value": (da(cval, ("chan", "seg")) * x).sum() + ex_value,
        "purchases_value": (gval * q).sum(),
        "tariff_revenue": (A["rev"] * y).sum() - (A["avg_rev"] * w).sum(),
        "buyer_cost": (A["bc"] * y).sum(),
        "buyer_price_change": (A["bpc"] * y).sum(),
        "home_production_gain": (A["hpg"] * y).sum() + h.sum() + x.sum(),
        "partner_export_margin": (A["mar"] * y).sum() - (A["avg_mar"] * w).sum(),
        "dealer_margin": (da(cdm, ("chan", "seg")) * x).sum(),
        "partner_production_loss": (A["ppl"] * y).sum() + h.sum() + (da(cdisp, ("chan", "seg")) * x).sum(),
        "partner_political_cost": (npc * z).sum() + (gpc * q).sum(),
    }
    met["deficit"] = met["imports_value"] - met["exports_value"] - met["purchases_value"]
    for p in ("home", "partner"):
        met[f"{p}_payoff"] = sum(wt * _scale(inst, k) / MONEY * met[k] for k, wt in inst.payoff_weights[p].items())
    rate = (A["duty"] * y).sum("slot")

    def metric(name):
        base, index = split_metric(name)
        if base == "tariff_rate":
            return rate.sel(seg=sidx[index])
        if base == "purchases_units":
            return q.sel(good=goods.index(index))
        return met[name]

    m.add_constraints(y.sum("slot") == 1, name="one_tariff_option")
    has_row = cmask.any(axis=0) | (lift != 0).any(axis=0) | (len(ntbs) > 0)
    ceiling = (x.sum("chan") - (da(lift, ("ntb", "seg")) * z).sum("ntb")
               <= da(np.array([(g.partner_ceiling - g.exports) / VOL for g in seg_obj.values()]), ("seg",)))
    m.add_constraints(ceiling, name="buyer_ceiling", mask=da(has_row, ("seg",)))
    if C:
        m.add_constraints(x.sum("seg") <= da([ch.capacity / VOL for ch in inst.channels.values()], ("chan",)),
                          name="channel_capacity")
    if M:
        m.add_constraints(h.sum("seg") <= da([mk.spare_capacity / VOL for mk in inst.makers.values()], ("maker",)),
                          name="spare_capacity")
    m.add_constraints(w.sum("slot") - h.sum("maker") == 0, name="shift_split")
    m.add_constraints(w - A["imports"] * y <= 0, name="shift_within_imports", mask=da(mask, ("seg", "slot")))
    if goods:
        m.add_constraints(q <= da([inst.goods[g].max_units for g in goods], ("good",)), name="purchase_limit")
    for r in inst.red_lines:
        lhs, rhs = metric(r.metric), red_line_bound(r, refs) / _scale(inst, r.metric)
        m.add_constraints(lhs <= rhs if r.sense == "<=" else lhs >= rhs, name=f"red_line_{r.name}")
    if inst.settings.participation:
        for p in ("home", "partner"):
            m.add_constraints(met[f"{p}_payoff"] >= refs.no_deal[f"{p}_payoff"] / MONEY, name=f"participation_{p}")
    constant = float(met["deficit"].const.values)      # linopy takes no constant in an objective
    m.add_objective(met["deficit"] - constant)
    nvars = int(mask.sum() * 2 + cmask.sum() + mmask.sum() + len(ntbs) + len(goods))
    return m, {"constant": constant, "variables": nvars}


def _options(table, segs):
    out = {s: [] for s in segs}
    for s, o in table:
        out[s].append(o)
    return out


def solve_linopy(m, info: dict) -> tuple[str, float | None]:
    options = dict(mip_rel_gap=MIP_REL_GAP, mip_abs_gap=MIP_ABS_GAP, threads=1, random_seed=0, output_flag=False)
    if info["variables"] > LARGE_MODEL_VARIABLES:
        options["presolve_mode"] = 2
    status, condition = m.solve(solver_name="highs", **options)
    value = m.objective.value
    return f"{status}/{condition}", None if value is None else value + info["constant"]
