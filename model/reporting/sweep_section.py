"""The report's robustness section, from `results.extras['sweep']` (a sweep's summary)."""
from __future__ import annotations

from model.formatting import money, share_of_draws
from model.reporting.markdown_table import table


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
        lines = [[x["label"], share_of_draws(x["share"])] for x in lev[:25]]
        parts.append("How often each lever is chosen (share of the draws that give a deal):\n\n"
                     + table(["lever", "share of deals"], lines)
                     + ("" if len(lev) <= 25 else f"\n\n({len(lev) - 25} more in sweep_summary.json.)"))
    if s.get("by_grid_point"):
        names = list(s["params"])
        extra = [k for k in ("overall_deficit", "third_imports_value") if k in s["by_grid_point"][0]]
        rows = [[", ".join(f"{v:g}" for v in g["values"].values()), f"{g['deals']}/{g['draws']}",
                 money(g["deficit"]["q50"]) if g["deficit"] else "no deal"]
                + [money(g[k]["q50"]) if g[k] else "no deal" for k in extra] for g in s["by_grid_point"]]
        words = {"overall_deficit": "median overall deficit", "third_imports_value": "median imports from third "
                                                                                     "countries"}
        parts.append("By grid point:\n\n" + table([", ".join(names), "deals", "median deficit"]
                                                   + [words[k] for k in extra], rows))
    parts.append("![Deficit across the draws, and the levers chosen most often](sweep.svg)\n\n"
                 "Every draw is in `sweep.csv`; the summary is in `sweep_summary.json`.")
    return "\n\n".join(parts)
