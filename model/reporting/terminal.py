"""What the terminal shows after a command: a short summary that points to the report."""
from __future__ import annotations

from pathlib import Path

from model.formatting import money, per_unit, share_of_draws, value
from model.results import binding_rows


def run_summary(r, out: Path) -> str:
    d = r.metric("deficit")
    lines = [f"{r.instance['name']}: {r.status}" + (f" ({r.message})" if r.message else ""),
             f"  deficit: baseline {money(d.baseline)}, no deal {money(d.no_deal)}, deal {money(d.deal)}"]
    if r.has_deal:
        g, p = r.metric("negotiated_deficit"), r.metric("purchases_value")
        lines.append(f"    of which negotiated goods: no deal {money(g.no_deal)}, deal {money(g.deal)}; additional "
                     f"purchases: {money(p.deal)}")
        if g.deal > g.no_deal and d.deal < d.no_deal:
            lines.append(f"    the negotiated goods' deficit is {money(g.deal - g.no_deal)} higher than with no deal: "
                         "the total falls only because of purchases")
    second = r.extras.get("stages", {}).get("stage_two_status")
    if r.has_deal and second and second != "optimal":
        lines.append(f"  second stage (best deal for the partner at this deficit): {second}, not proven optimal")
    lines += [f"  warning: {w}" for w in r.extras.get("warnings", [])]
    from model.reporting.trade_welfare_section import terminal_lines
    lines += terminal_lines(r)
    if r.has_deal:
        chosen = [f"{lv.label}: {lv.choice or value(lv.value, lv.unit)}" for lv in r.levers
                  if lv.shown]
        lines.append("  levers:")
        lines += [f"    {c}" for c in chosen]
        bind = binding_rows(r.constraints)
        lines.append("  binding constraints:" if bind else "  no constraint binds")
        lines += [f"    {c.label}" + (f" (relaxing it is worth {per_unit(c.relaxation_value, c.unit)})"
                                     if c.relaxation_value else "") for c in bind]
        for e in r.extras.get("explanations", []):
            if e["deficit_change"]:
                lines.append(f"    - {e['sentence']}")
        if r.status == "time_limit":
            lines.append(f"  MIP gap of the best deal found: {r.solver['mip_gap']:.2%}" if r.solver.get("mip_gap")
                         is not None else "  MIP gap unknown")
        lines.append(f"  verification: max violation {r.verification['max_violation']:.1e} "
                     f"({'ok' if r.verification['ok'] else 'FAILED'})")
    diag = r.extras.get("diagnosis")
    if diag and diag["status"] == "relaxable":
        lines.append("  smallest relaxation that makes a deal possible:")
        lines += [f"    {x['label']}: from {value(x['bound'], x['unit'])} to {value(x['relaxed_bound'], x['unit'])}"
                  for x in diag["relaxations"]]
    elif diag:
        lines.append("  no relaxation of red lines, participation, ceilings or capacities makes a deal possible")
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines)


def sweep_summary(inst, result, out, rebuild_reason: str = "") -> str:
    s = result.summary
    lines = [f"{inst.name}: {s['draws']:,} draws in {result.seconds:.1f} s ({result.engine}); "
             + ", ".join(f"{k} {v:,}" for k, v in s["status"].items()),
             f"  verified: {s['verified']:,} of {s['draws']:,} (largest violation "
             + ("n/a" if s["max_violation"] is None else f"{s['max_violation']:.1e}") + ")"]
    m = s["method"]
    if m.get("rebuild"):
        reason = rebuild_reason
        lines.append(f"  rebuilt the model for {m['rebuild']:,} draws" + (f" ({reason})" if reason else "")
                     + f"; re-solved one built model for {m.get('re-solve', 0):,}")
    else:
        lines.append("  one built model re-solved for every draw")
    q = s["quantiles"]["deficit"]
    if q:
        lines.append(f"  deficit: median {money(q['q50'])}, 90% of draws between {money(q['q05'])} and {money(q['q95'])}")
    top = [x for x in s["levers"] if x["lever"].startswith("tariff.")]
    for x in top[:6]:
        lines.append(f"  {x['label']}: {share_of_draws(x['share'])} of deals")
    lines.append(f"  report: {out / 'report.md'}; every draw: {out / 'sweep.csv'}")
    return "\n".join(lines)
