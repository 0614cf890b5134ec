"""The policy curve in the sweep's report, its CSV file and its terminal lines (`Results.policy_curve`)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.formatting import money
from model.reporting.charts import x_label
from model.reporting.markdown_table import table
from model.reporting.words import balance_words
from model.results import PolicyCurve, Results

CHART = "policy_curve"


def _row(r: Results, p) -> list[str]:
    if p.deficit is None:
        return [p.setting, f"no deal ({p.status.replace('_', ' ')})", "", "", "", "", "", ""]
    g, w = p.gains or {}, p.welfare_gains or {}
    return [p.setting, money(p.deficit), money(p.sector_deficit), money(g.get("home"), True),
            money(g.get("partner"), True), money(w.get("home"), True), money(w.get("partner"), True),
            "yes" if p.verified else "NO"]


def policy_curve_section(r: Results) -> str:
    """## The deal along one lever: a table per value and the chart."""
    c = r.policy_curve
    if c is None:
        return ""
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    dealt = [p for p in c.points if p.deficit is not None]
    head = (f"## The deal along one lever: {c.label}\n\n{c.method} {len(dealt)} of {len(c.points)} values give a "
            "deal.")
    if dealt:
        best = min(dealt, key=lambda p: p.deficit or 0.0)
        head += f" The least deficit among them: {money(best.deficit)} at {best.setting}."
    rows = [_row(r, p) for p in c.points]
    return "\n\n".join([head, table([x_label(c), balance_words(r, "deficit"), balance_words(r, "sector_deficit"),
                                     f"{home} payoff gain",
                                     f"{partner} payoff gain", f"{home} welfare", f"{partner} welfare", "verified"],
                                    rows), f"![The deal along {c.label}]({CHART}.svg)"])


def curve_csv(c: PolicyCurve) -> pd.DataFrame:
    """policy_curve.csv: one row per value (rates as fractions, money in USD)."""
    return pd.DataFrame([{"lever": c.lever, "value": p.value, "setting": p.setting, "status": p.status,
                          "deficit": p.deficit, "sector_deficit": p.sector_deficit,
                          "home_payoff_gain": (p.gains or {}).get("home"),
                          "partner_payoff_gain": (p.gains or {}).get("partner"),
                          "home_welfare_change": (p.welfare_gains or {}).get("home"),
                          "partner_welfare_change": (p.welfare_gains or {}).get("partner"),
                          "verified": p.verified} for p in c.points])


def curve_terminal(r: Results, out: Path) -> str:
    c = r.policy_curve
    assert c is not None, "a policy curve"
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    lines = [f"{r.instance.name}: {c.label} at {len(c.points)} values, the rest negotiated "
             f"(deficit; {home} / {partner} gain over no deal by payoff)"]
    for p in c.points:
        if p.deficit is None:
            lines.append(f"  {p.setting}: no deal ({p.status.replace('_', ' ')})")
        else:
            g = p.gains or {}
            lines.append(f"  {p.setting}: deficit {money(p.deficit)}  {home} {money(g.get('home'), True)}  "
                         f"{partner} {money(g.get('partner'), True)}" + ("" if p.verified else "  NOT VERIFIED"))
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines)
