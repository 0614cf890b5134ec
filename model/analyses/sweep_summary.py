"""What a sweep found: sweep.csv and the robustness summary.

The summary counts how often each lever is chosen over the draws that give a verified
deal, and gives quantiles of the deficit and of each party's payoff. Quantiles are
numpy's default (linear interpolation between order statistics, 'type 7'): with n
sorted values v_0..v_{n-1}, the q-quantile is v_k + f (v_{k+1} - v_k) at k + f = q (n - 1).
"""
from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np

from model.data.levers import families
from model.formatting import csv_number
from model.results import SweepSummary, from_data

# The metrics each draw records (columns of sweep.csv).
OUTCOMES = ("deficit", "home_payoff", "partner_payoff", "imports_units", "imports_value", "exports_units",
            "exports_value", "purchases_value", "tariff_revenue", "buyer_cost", "home_production_gain",
            "partner_export_margin", "partner_production_loss", "partner_political_cost", "third_imports_units",
            "third_imports_value", "third_countries_deficit", "overall_deficit", "home_welfare", "partner_welfare")
SUMMARY_METRICS = ("deficit", "home_payoff", "partner_payoff")
# A draw of an instance with a horizon adds the present values over its years (`run.horizon_draws`):
# the OUTCOMES are then its last year's.
PV_OUTCOMES = ("pv_deficit", "pv_deficit_no_deal", "pv_home_gain", "pv_partner_gain")


def _fmt(v) -> str:
    """A CSV cell: numbers as `formatting.csv_number` writes them (stable across runs), '' for none."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(csv_number(v))
    return str(v)


def sweep_csv(result, cell=lambda text: text) -> str:
    """One row per draw: the inputs drawn, the outcome metrics, and the levers chosen.
    `cell` is applied to every text cell and column name (the report layer passes its
    spreadsheet neutralisation; this layer knows no spreadsheets)."""
    levers: list[str] = []
    seen = set()
    for r in result.rows:
        for k in r["levers"]:
            if k not in seen:
                seen.add(k)
                levers.append(k)
    sides = ["walks_away", "walks_away_by"] if getattr(result.plan, "sides", False) else []
    outcomes = list(OUTCOMES) + [k for k in PV_OUTCOMES if any(k in r["metrics"] for r in result.rows)]
    header = (["draw", "grid_point", "sample"] + result.columns + ["status", "verified", "max_violation", "method"]
              + sides + outcomes + levers)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([cell(h) for h in header])
    for r in result.rows:
        w.writerow([cell(_fmt(x)) if isinstance(x, str) else _fmt(x)
                    for x in [r["draw"], r["grid_point"], r["sample"]]
                    + [r["inputs"].get(c) for c in result.columns]
                    + [r["status"], r["verified"], r["max_violation"], r["method"]] + [r.get(k) for k in sides]
                    + [r["metrics"].get(k) for k in outcomes] + [r["levers"].get(k) for k in levers]])
    return out.getvalue()


def quantiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    out = {f"q{int(round(q * 100)):02d}": float(np.quantile(a, q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}
    out.update(mean=float(a.mean()), min=float(a.min()), max=float(a.max()))
    return out


def summarize(inst, result) -> SweepSummary:
    """Status counts, quantiles of the deficit and payoffs, and how often each lever is chosen."""
    rows = result.rows
    deals = [r for r in rows if r["metrics"] and r["verified"]]
    statuses = Counter(r["status"] for r in rows)
    methods = Counter(r["method"] for r in rows)
    from model.analyses.inputs import input_label
    units = {i.path: i.unit for i in inst.inputs}
    summary = {
        "draws": len(rows), "seed": result.plan.seed, "monte_carlo": result.plan.samples,
        "params": {p: list(v) for p, v in result.plan.params},
        "param_labels": {p: input_label(inst, p) for p, _ in result.plan.params},
        "param_units": {p: units.get(p, "") for p, _ in result.plan.params},
        "uncertain": [{"path": u.path, "distribution": u.distribution, "low": u.low / u.factor,
                       "high": u.high / u.factor, "center": u.center / u.factor,
                       "sd": None if u.sd is None else u.sd / u.factor, "unit": u.unit}
                      for u in inst.uncertainty] if result.plan.samples else [],
        "status": dict(sorted(statuses.items())),
        "verified": sum(1 for r in rows if r["verified"]),
        "found": sum(1 for r in rows if r["verified"] is not None),
        "max_violation": max((r["max_violation"] for r in rows if r["max_violation"] is not None), default=None),
        "method": dict(sorted(methods.items())),
        "quantiles": {k: quantiles([r["metrics"][k] for r in deals]) for k in SUMMARY_METRICS + tuple(
            k for k in PV_OUTCOMES if deals and all(k in r["metrics"] for r in deals))},
        "levers": lever_frequencies(inst, deals),
    }
    if result.plan.params:
        by_grid = []
        for g, point in enumerate(result.plan.grid):
            sub = [r for r in rows if r["grid_point"] == g]
            ok = [r for r in sub if r["metrics"] and r["verified"]]
            entry = {"values": dict(zip([p for p, _ in result.plan.params], point)), "draws": len(sub),
                     "deals": len(ok), "deficit": quantiles([r["metrics"]["deficit"] for r in ok])}
            if inst.third_countries:      # where trade goes: the overall balance and third countries' imports
                for k in ("overall_deficit", "third_imports_value"):
                    entry[k] = quantiles([r["metrics"][k] for r in ok])
            by_grid.append(entry)
        summary["by_grid_point"] = by_grid
    return from_data(SweepSummary, summary)


def lever_frequencies(inst, deals: list[dict]) -> list[dict]:
    """For each lever, the share of deals that use it: each option chosen on a tariff line;
    each switch granted; each amount above zero (with its median size). Families in table
    order, keys in the instance's order."""
    n = len(deals)
    if not n:
        return []
    out = []
    for f in families():
        label = f.sweep_label or f.label
        if f.kind == "option":
            for key in f.keys(inst):
                column = f"{f.short}.{f.key_text(key)}"
                counts = Counter(r["levers"][column] for r in deals)
                for name, c in sorted(counts.items(), key=lambda t: (-t[1], t[0])):
                    out.append({"lever": column, "choice": name, "share": c / n,
                                "label": f"{label(inst, key)}: {f.option_label(inst, key, name)}"})
            continue
        for key in f.keys(inst):
            column = f"{f.short}.{f.key_text(key)}"
            if not any(column in r["levers"] for r in deals):
                continue
            used = [v for v in (r["levers"].get(column, 0) for r in deals) if v and v > 1e-9]
            out.append({"lever": column, "choice": "on" if f.kind == "switch" else "used",
                        "label": label(inst, key), "share": len(used) / n,
                        "median_when_used": float(np.median(used)) if used and f.kind == "quantity" else None})
    return out
