"""What a sweep's robustness section shows beyond its summary (`sweep_summary.summarize`):
the deficit's distribution over the draws, the deficit's sensitivity to each uncertain input
one at a time (the data of a tornado chart), and a grid sweep's table by grid point.

Sensitivity, one at a time: for each input the Monte Carlo draws vary, the deal is solved
twice more with only that input moved, to the 5th and then to the 95th percentile of its
draws, every other input at the instance's own value. The swing (the deficit at one end
minus at the other) ranks the inputs. It answers "which assumption moves the answer most",
which the distribution alone does not; it costs two solves per input (with the sweep's
built model: milliseconds each).
"""
from __future__ import annotations

import numpy as np

from model.analyses.inputs import input_label
from model.analyses.sweep_summary import PV_OUTCOMES
from model.data.levers import families
from model.results import GridLever, GridPoint, Histogram, Sensitivity, from_data

ENDS = (0.05, 0.95)        # the input's percentiles of its draws that the sensitivity moves it to
HISTOGRAM_BINS = 30


def deficit_histogram(result, metric: str = "deficit") -> Histogram | None:
    """{edges, counts} of the metric over the draws that give a verified deal (None: none)."""
    values = [r["metrics"][metric] for r in result.rows if r["metrics"] and r["verified"]]
    if not values:
        return None
    bins = min(HISTOGRAM_BINS, max(5, len(values) // 10))
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=bins)
    return Histogram(metric, [float(e) for e in edges], [int(c) for c in counts], len(values))


def sensitivity(inst, result, base_deficit: float | None, model=None, solve=None) -> list[Sensitivity]:
    """One-at-a-time sensitivity of the deficit to each input the Monte Carlo draws vary,
    largest swing first. Each row: path, label, unit, base value, and for each end (low,
    high) the input's value, the status and the deficit (None without a deal)."""
    from model.analyses.sweep import Plan, run_sweep
    if not result.plan.samples:
        return []
    units = {i.path: i.unit for i in inst.inputs}
    own = {i.path: i.value for i in inst.inputs}
    out = []
    for u in inst.uncertainty:
        drawn = [r["inputs"][u.path] for r in result.rows if u.path in r["inputs"]]
        if not drawn:
            continue
        ends = tuple(float(np.quantile(np.asarray(drawn, dtype=float), q)) for q in ENDS)
        solved = run_sweep(inst, Plan(params=((u.path, ends),)), workers=1, progress=False, model=model, solve=solve)
        row = {"path": u.path, "label": input_label(inst, u.path), "unit": units.get(u.path, ""),
               "base": own.get(u.path), "base_deficit": base_deficit}
        for end, q, draw in zip(("low", "high"), ENDS, solved.rows):
            ok = bool(draw["metrics"]) and draw["verified"]
            row[end] = {"percentile": q, "value": ends[0] if end == "low" else ends[1], "status": draw["status"],
                        "deficit": draw["metrics"]["deficit"] if ok else None,
                        "pv_deficit": draw["metrics"].get("pv_deficit") if ok else None}
        lo, hi = row["low"]["deficit"], row["high"]["deficit"]
        row["swing"] = None if lo is None or hi is None else hi - lo
        lo, hi = row["low"]["pv_deficit"], row["high"]["pv_deficit"]
        row["pv_swing"] = None if lo is None or hi is None else hi - lo
        out.append(row)
    # Inputs that leave no deal at one end first (they matter most), then by the size of the swing (of the
    # present value, over a horizon: what the deal is chosen by).
    def size(x):
        swing = x["pv_swing"] if x["pv_swing"] is not None else x["swing"]
        return -abs(swing) if swing is not None else float("-inf")
    ranked = sorted(out, key=size)
    return [from_data(Sensitivity, row) for row in ranked]


def grid_table(inst, result) -> list[GridPoint]:
    """One row per grid point of a sweep with `--param`: the values swept, how many draws
    gave a verified deal, the deficit (its median when there are Monte Carlo draws), and,
    for a grid without draws, each lever's setting (option names for tariff lines)."""
    if not result.plan.params:
        return []
    names = [p for p, _ in result.plan.params]
    out = []
    for g, point in enumerate(result.plan.grid):
        rows = [r for r in result.rows if r["grid_point"] == g]
        ok = [r for r in rows if r["metrics"] and r["verified"]]
        deficits = [r["metrics"]["deficit"] for r in ok]
        statuses: dict[str, int] = {}
        for r in rows:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        pv = {k: float(np.median([r["metrics"][k] for r in ok])) for k in PV_OUTCOMES
              if ok and all(k in r["metrics"] for r in ok)}
        out.append(GridPoint(values=dict(zip(names, point)), draws=len(rows), deals=len(ok),
                             deficit=float(np.median(deficits)) if deficits else None,
                             status=rows[0]["status"] if len(rows) == 1 else None, statuses=statuses,
                             levers=dict(ok[0]["levers"]) if len(rows) == 1 and ok else {}, present_values=pv))
    return out


def varying_levers(inst, grid: list[GridPoint]) -> list[GridLever]:
    """The lever columns whose setting differs across grid points, with their labels and option
    labels (the rest are the same at every point)."""
    labels = {}
    for f in families():
        for key in f.keys(inst):
            column = f"{f.short}.{f.key_text(key)}"
            options = {o: f.option_label(inst, key, o) for o in f.options(inst, key)} if f.kind == "option" else {}
            labels[column] = (f.label(inst, key), f.kind, f.unit(inst, key), options)
    columns = []
    for row in grid:
        for c in row.levers:
            if c not in columns:
                columns.append(c)
    out = []
    for c in columns:
        values = [row.levers.get(c) for row in grid if row.levers]
        if len({f"{v:.6g}" if isinstance(v, float) else str(v) for v in values}) > 1 and c in labels:
            label, kind, unit, options = labels[c]
            out.append(GridLever(c, label, kind, unit, options))
    return out
