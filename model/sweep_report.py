"""What a sweep found: sweep.csv, the robustness summary, and the report section.

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

from .formatting import money
from .report import EXTRA_SECTIONS, table

SUMMARY_METRICS = ("deficit", "home_payoff", "partner_payoff")


def _fmt(v) -> str:
    """A CSV cell: 12 significant digits for numbers (stable across runs), '' for none."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return f"{v:.12g}"
    return str(v)


def sweep_csv(result) -> str:
    """One row per draw: the inputs drawn, the outcome metrics, and the levers chosen."""
    from .sweep import OUTCOMES
    levers: list[str] = []
    seen = set()
    for r in result.rows:
        for k in r["levers"]:
            if k not in seen:
                seen.add(k)
                levers.append(k)
    header = (["draw", "grid_point", "sample"] + result.columns + ["status", "verified", "max_violation", "method"]
              + list(OUTCOMES) + levers)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in result.rows:
        w.writerow([_fmt(x) for x in [r["draw"], r["grid_point"], r["sample"]]
                    + [r["inputs"].get(c) for c in result.columns]
                    + [r["status"], r["verified"], r["max_violation"], r["method"]]
                    + [r["metrics"].get(k) for k in OUTCOMES] + [r["levers"].get(k) for k in levers]])
    return out.getvalue()


def quantiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    out = {f"q{int(round(q * 100)):02d}": float(np.quantile(a, q)) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}
    out.update(mean=float(a.mean()), min=float(a.min()), max=float(a.max()))
    return out


def summarize(inst, result) -> dict:
    """Status counts, quantiles of the deficit and payoffs, and how often each lever is chosen."""
    rows = result.rows
    deals = [r for r in rows if r["metrics"] and r["verified"]]
    statuses = Counter(r["status"] for r in rows)
    methods = Counter(r["method"] for r in rows)
    summary = {
        "draws": len(rows), "seed": result.plan.seed, "monte_carlo": result.plan.samples,
        "params": {p: list(v) for p, v in result.plan.params},
        "uncertain": [{"path": u.path, "distribution": u.distribution, "low": u.low / u.factor,
                       "high": u.high / u.factor, "center": u.center / u.factor,
                       "sd": None if u.sd is None else u.sd / u.factor, "unit": u.unit}
                      for u in inst.uncertainty] if result.plan.samples else [],
        "status": dict(sorted(statuses.items())),
        "verified": sum(1 for r in rows if r["verified"]),
        "max_violation": max((r["max_violation"] for r in rows if r["max_violation"] is not None), default=None),
        "method": dict(sorted(methods.items())),
        "quantiles": {k: quantiles([r["metrics"][k] for r in deals]) for k in SUMMARY_METRICS},
        "levers": lever_frequencies(inst, deals),
    }
    if result.plan.params:
        by_grid = []
        for g, point in enumerate(result.plan.grid):
            sub = [r for r in rows if r["grid_point"] == g]
            ok = [r for r in sub if r["metrics"] and r["verified"]]
            by_grid.append({"values": dict(zip([p for p, _ in result.plan.params], point)), "draws": len(sub),
                            "deals": len(ok), "deficit": quantiles([r["metrics"]["deficit"] for r in ok])})
        summary["by_grid_point"] = by_grid
    return summary


def lever_frequencies(inst, deals: list[dict]) -> list[dict]:
    """For each lever, the share of deals that use it: each tariff option chosen; each NTB
    relief granted; each commitment, shift or purchase above zero (with its median size)."""
    n = len(deals)
    if not n:
        return []
    out = []
    for s, seg in inst.segments.items():
        counts = Counter(r["levers"][f"tariff.{s}"] for r in deals)
        for name, c in sorted(counts.items(), key=lambda t: (-t[1], t[0])):
            out.append({"lever": f"tariff.{s}", "choice": name, "label": f"tariff on {seg.label}: "
                        f"{inst.option(s, name).label}", "share": c / n})
    for k in sorted({k for r in deals for k in r["levers"] if not k.startswith("tariff.")},
                    key=lambda k: _lever_order(inst, k)):
        values = [r["levers"].get(k, 0) for r in deals]
        used = [v for v in values if v and v > 1e-9]
        out.append({"lever": k, "choice": "on" if k.startswith("ntb.") else "used", "label": _lever_label(inst, k),
                    "share": len(used) / n,
                    "median_when_used": float(np.median(used)) if used and not k.startswith("ntb.") else None})
    return out


def _share(x: float) -> str:
    return f"{x:.1%}" if 0 < x < 0.01 or 0.99 < x < 1 else f"{x:.0%}"


def _lever_label(inst, key: str) -> str:
    kind, _, rest = key.partition(".")
    if kind == "ntb":
        return f"{inst.ntb_measures[rest].label} (granted)"
    if kind == "commitment":
        c, s = rest.split(".", 1)
        return f"{inst.segments[s].label} through {inst.channels[c].label}"
    if kind == "shift":
        k, s = rest.split(".", 1)
        return f"{inst.makers[k].label}: {inst.segments[s].label} built in {inst.parties['home']}"
    if kind == "purchase":
        return f"{inst.goods[rest].label} (bought)"
    return key


def _lever_order(inst, key: str) -> tuple:
    kind = key.split(".")[0]
    return ({"ntb": 0, "commitment": 1, "shift": 2, "purchase": 3}.get(kind, 4), key)


# -- the report section ---------------------------------------------------------
def sweep_section(r) -> str:
    """Markdown for `results.extras['sweep']` (empty when the results have no sweep)."""
    s = r.extras.get("sweep") if hasattr(r, "extras") else None
    if not s:
        return ""
    n, ok = s["draws"], s["verified"]
    parts = [f"## Robustness: {n:,} draws"]
    varied = []
    for u in s["uncertain"]:
        if u["distribution"] == "normal":
            shape = f"normal, mean {u['center']:g}, sd {u['sd']:g}"
        else:
            shape = f"triangular, mode {u['center']:g}" if u["distribution"] == "triangular" else "uniform"
        varied.append([f"`{u['path']}`", f"{shape}, within [{u['low']:g}, {u['high']:g}]", u["unit"]])
    for p, values in s["params"].items():
        varied.append([f"`{p}`", "swept: " + ", ".join(f"{v:g}" for v in values), ""])
    how = (f"{s['monte_carlo']:,} Monte Carlo draws (seed {s['seed']})" if s["monte_carlo"] else "a parameter grid")
    parts.append(f"The deal was solved again for {how}" + (" at each grid point" if s["monte_carlo"] and s["params"] else "")
                 + ", changing these inputs:\n\n" + table(["input", "values", "unit"], varied))
    status = ", ".join(f"{k}: {v:,}" for k, v in s["status"].items())
    viol = "n/a" if s["max_violation"] is None else f"{s['max_violation']:.1e}"
    method = s["method"]
    resolved = method.get("re-solve", 0)
    how_solved = (f"{resolved:,} of {n:,} draws re-solved one built model (new coefficients and bounds passed to the "
                  "same HiGHS model)" + (f"; {method.get('rebuild', 0):,} rebuilt it" if method.get("rebuild") else ""))
    parts.append(f"Outcomes: {status}. Every draw's solution was verified outside the solver: {ok:,} of {n:,} "
                 f"passed (largest relative violation {viol}). {how_solved}.")
    q = s["quantiles"]
    labels = {"deficit": "deficit", "home_payoff": f"{r.instance['parties']['home']}'s payoff",
              "partner_payoff": f"{r.instance['parties']['partner']}'s payoff"}
    rows = [[labels[k]] + [money(v[c]) for c in ("q05", "q25", "q50", "q75", "q95")] for k, v in q.items() if v]
    if rows:
        parts.append("Across the draws that give a deal (5th, 25th, 50th, 75th and 95th percentiles):\n\n"
                     + table(["outcome", "5%", "25%", "median", "75%", "95%"], rows))
    lev = [x for x in s["levers"] if x["share"] > 0]
    if lev:
        lines = [[x["label"], _share(x["share"])] for x in lev[:25]]
        parts.append("How often each lever is chosen (share of the draws that give a deal):\n\n"
                     + table(["lever", "share of deals"], lines)
                     + ("" if len(lev) <= 25 else f"\n\n({len(lev) - 25} more in sweep_summary.json.)"))
    if s.get("by_grid_point"):
        names = list(s["params"])
        rows = [[", ".join(f"{v:g}" for v in g["values"].values()), f"{g['deals']}/{g['draws']}",
                 money(g["deficit"]["q50"]) if g["deficit"] else "no deal"] for g in s["by_grid_point"]]
        parts.append("By grid point:\n\n" + table([", ".join(names), "deals", "median deficit"], rows))
    parts.append("![Deficit across the draws, and the levers chosen most often](sweep.svg)\n\n"
                 "Every draw is in `sweep.csv`; the summary is in `sweep_summary.json`.")
    return "\n\n".join(parts)


if sweep_section not in EXTRA_SECTIONS:
    EXTRA_SECTIONS.append(sweep_section)


# -- the `sweep` command ----------------------------------------------------------
def sweep_command(args) -> int:
    """`solve.py sweep FILE ...`: solve the instance, then every draw; write the report
    directory (the deal's report with a robustness section) plus sweep.csv,
    sweep_summary.json and sweep.svg. Exit 0 when every draw was solved and verified (a
    draw with no possible deal is a result, not a failure), 1 when a draw failed."""
    import json
    import sys
    from pathlib import Path

    from .charts import sweep_chart
    from .cli import write_report
    from .errors import InstanceError
    from .loader import load
    from .outputs import check_target, text_writer
    from .run import solve_instance
    from .sweep import Plan, check_plan, parse_param, run_sweep

    inst = load(args.file)
    out = check_target(args.out or Path("reports") / f"{inst.name}-sweep")
    try:
        params = tuple(parse_param(p) for p in args.param)
    except ValueError as exc:
        raise InstanceError(args.file, "--param", str(exc)) from None
    if args.monte_carlo < 0 or args.workers < 1:
        raise InstanceError(args.file, "--monte-carlo/--workers", "--monte-carlo must be >= 0 and --workers >= 1")
    plan = Plan(params=params, samples=args.monte_carlo, seed=args.seed)
    check_plan(inst, plan)
    base = solve_instance(inst)
    result = run_sweep(inst, plan, workers=args.workers, scheduler=args.scheduler, progress=True)
    s = result.summary
    base.extras["sweep"] = s
    base.timings["sweep"] = result.seconds
    deficits = [r["metrics"]["deficit"] for r in result.rows if r["metrics"] and r["verified"]]
    levers = [(x["label"], x["share"]) for x in s["levers"] if x["share"] > 0]
    levers.sort(key=lambda t: -t[1])
    chart = sweep_chart(deficits, levers, f"{inst.title[:70]}: {s['draws']:,} draws")
    write_report(base, out, {"sweep.csv": text_writer(sweep_csv(result)),
                             "sweep_summary.json": text_writer(json.dumps(s, indent=2, allow_nan=False) + "\n"),
                             "sweep.svg": text_writer(chart)})
    print(sweep_summary_text(inst, result, out))
    return 1 if s["status"].get("error", 0) else 0


def sweep_summary_text(inst, result, out) -> str:
    s = result.summary
    lines = [f"{inst.name}: {s['draws']:,} draws in {result.seconds:.1f} s ({result.engine}); "
             + ", ".join(f"{k} {v:,}" for k, v in s["status"].items()),
             f"  verified: {s['verified']:,} of {s['draws']:,} (largest violation "
             + ("n/a" if s["max_violation"] is None else f"{s['max_violation']:.1e}") + ")"]
    m = s["method"]
    if m.get("rebuild"):
        from .sweep import resolver_for
        reason = getattr(resolver_for(inst), "reason", "") if result.engine == "this process" else ""
        lines.append(f"  rebuilt the model for {m['rebuild']:,} draws" + (f" ({reason})" if reason else "")
                     + f"; re-solved one built model for {m.get('re-solve', 0):,}")
    else:
        lines.append(f"  one built model re-solved for every draw")
    q = s["quantiles"]["deficit"]
    if q:
        lines.append(f"  deficit: median {money(q['q50'])}, 90% of draws between {money(q['q05'])} and {money(q['q95'])}")
    top = [x for x in s["levers"] if x["lever"].startswith("tariff.")]
    for x in top[:6]:
        lines.append(f"  {x['label']}: {_share(x['share'])} of deals")
    lines.append(f"  report: {out / 'report.md'}; every draw: {out / 'sweep.csv'}")
    return "\n".join(lines)
