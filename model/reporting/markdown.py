"""The markdown report: a reader who has never seen the code understands the deal.

It reads `Results` only (never Pyomo). Sections: the question, the answer in brief,
outcomes, levers, binding constraints and what relaxing each is worth, assumptions
(every assumed number flagged), verification and solver, sources.
"""
from __future__ import annotations

from model.formatting import money, per_unit, value
from model.reporting.concession_section import concession_section
from model.reporting.explanations import report_section as explanation_sections
from model.reporting.frontier_section import frontier_section
from model.reporting.markdown_table import table
from model.reporting.sweep_section import sweep_section
from model.results import Results, binding_rows

HEADLINE_METRICS = ("imports_units", "imports_value", "exports_units", "exports_value", "negotiated_deficit",
                    "purchases_gross_value", "purchases_value", "deficit", "tariff_revenue", "home_importer_rent",
                    "buyer_cost", "home_production_gain", "partner_export_margin", "dealer_margin",
                    "partner_plant_margin", "partner_production_loss", "partner_political_cost", "home_payoff",
                    "partner_payoff")


def report_markdown(r: Results) -> str:
    """The whole report, section by section, in reading order."""
    sections = [title(r), question(r), brief(r), outcomes(r), trade_and_welfare(r), levers(r), quotas(r),
                red_lines(r), binding(r),
                explanation_sections(r), concession_section(r), frontier_section(r), sweep_section(r),
                assumptions(r), verification(r), sources(r)]
    return "\n\n".join(s for s in sections if s) + "\n"


def title(r: Results) -> str:
    i = r.instance
    return (f"# {i['title']}\n\nInstance `{i['name']}` ({i['file']}, content hash `{i['content_hash']}`): "
            f"{i['parties']['home']} (home) and {i['parties']['partner']} (partner).")


def question(r: Results) -> str:
    obj = r.objective["name"]
    how = {"min_deficit": "minimizes the home party's bilateral deficit; among deals with that deficit it then "
                          "picks the one best for the partner (a lexicographic second stage)",
           "weighted": "maximizes the weighted sum of metrics the instance names",
           "nash": "maximizes the Nash bargaining product of both parties' gains over no deal"}.get(obj, obj)
    part = ("Both parties must be at least as well off as with no deal (participation)."
            if r.instance.get("participation", True) else "Participation is switched off: a party may lose.")
    return (f"## The question\n\n{r.instance['question']}\n\nThe model chooses every lever at once and {how}. "
            f"It respects buyers' demand, dealer and plant capacity, and each side's red lines. {part} "
            f"Imports respond to each tariff option along a {r.instance.get('response', 'constant_elasticity').replace('_', ' ')} "
            "demand curve, computed exactly for each option before the solve.")


def brief(r: Results) -> str:
    d = r.metric("deficit")
    head = f"## The answer in brief\n\nStatus: **{r.status}**" + (f" ({r.message})" if r.message else "") + "."
    second = r.extras.get("stages", {}).get("stage_two_status")
    if second and second != "optimal" and r.has_deal:
        head += (f" The lexicographic second stage ended {second.replace('_', ' ')} rather than optimal: the deficit "
                 "below is optimal, but another deal with the same deficit may be better for the partner.")
    for w in r.extras.get("warnings", []):
        head += f"\n\n> **Warning:** {w}."
    if not r.has_deal:
        return head + (f"\n\nNo deal is reported. With no deal the deficit is {money(d.no_deal)} "
                       f"(baseline {money(d.baseline)}).")
    lines = [head, ""] + balance_lines(r)
    for p in ("home", "partner"):
        pm = r.metric(f"{p}_payoff")
        lines.append(f"- {r.instance['parties'][p]}'s payoff: {money(pm.deal)} against {money(pm.no_deal)} with no deal "
                     f"({money(pm.deal - pm.no_deal, True)}).")
    binding = binding_rows(r.constraints)
    if binding:
        lines.append("- What holds the deficit up, most valuable to relax first: "
                     + "; ".join(c.label for c in binding[:5]) + (f" ({len(binding) - 5} more below)" if len(binding) > 5 else "") + ".")
    return "\n".join(lines)


def balance_lines(r: Results) -> list[str]:
    """The headline balances: the negotiated goods, the purchases, their total; and a plain
    sentence when the negotiated goods' balance worsens while the total improves."""
    d, g, p = r.metric("deficit"), r.metric("negotiated_deficit"), r.metric("purchases_value")
    gross = r.metric("purchases_gross_value")
    out = [f"- Deficit in the negotiated goods: {money(g.baseline)} in the calibration year, {money(g.no_deal)} with "
           f"no deal, **{money(g.deal)}** with the deal ({money(g.deal - g.no_deal, True)} against no deal).",
           f"- Purchase commitments: {money(gross.deal)}, of which {money(p.deal)} is additional (what the partner "
           "would not have bought from the home country anyway): only that lowers the deficit.",
           f"- Total bilateral deficit: {money(d.baseline)} in the calibration year, {money(d.no_deal)} with no deal, "
           f"**{money(d.deal)}** with the deal ({money(d.deal - d.no_deal, True)} against no deal, "
           f"{money(d.deal - d.baseline, True)} against the calibration year)."]
    if g.deal > g.no_deal and d.deal < d.no_deal:
        out.append(f"- **The deficit in the negotiated goods is {money(g.deal - g.no_deal)} higher with the deal than "
                   f"with no deal**: the total falls only because of purchase commitments.")
    return out


def trade_and_welfare(r: Results) -> str:
    """Balances with the partner, each third country and overall, trade creation vs diversion
    (with third countries), and welfare by party and cause (model/reporting/trade_welfare_section.py)."""
    from model.reporting.trade_welfare_section import markdown_section
    return markdown_section(r) if r.has_deal else ""


def quotas(r: Results) -> str:
    """Each quota or export restraint of the deal: fill, rent and its holder, tariff equivalent."""
    rows = [[q["label"], q["kind"], value(q["quota"], "vehicles"), f"{min(q['imports'], q['quota']) / q['quota']:.0%}"
             if q["quota"] else "n/a", value(max(0.0, q["imports"] - q["quota"]), "vehicles"), money(q["rent"]),
             q["rent_holder"].replace("_", " "), f"{q['tariff_equivalent']:.1%}"] for q in r.extras.get("quotas", [])]
    if not rows:
        return ""
    return ("## Quotas and export restraints\n\nThe quota is shared by every segment on its tariff line. The tariff "
            "equivalent is the tariff that would give the same imports; the rent is what the quota's scarcity is "
            "worth, and who holds it decides whose payoff it counts in (exporters who hold it charge it in their "
            "price, so the import value falls less than the volume).\n\n"
            + table(["tariff line", "kind", "quota", "filled", "above the quota", "rent", "held by",
                     "tariff equivalent"], rows))


def red_lines(r: Results) -> str:
    """Red lines that no deal itself breaches, or that cannot bind at any lever setting."""
    review = r.extras.get("red_lines", {})
    lines = review.get("lines", [])
    breached = [x for x in lines if x["breached_by_no_deal"]]
    idle = [x for x in lines if x["can_bind"] is False]
    if not breached and not idle:
        return ""
    out = ["## Red lines read against no deal", ""]
    for x in breached:
        out.append(f"- **{x['label']}**: no deal itself breaches it ({value(x['no_deal'], _unit(r, x['metric']))} "
                   f"against {x['sense']} {value(x['bound'], _unit(r, x['metric']))}). "
                   f"{r.instance['parties'][x['party']]} cannot meet it by walking away, so it refuses any deal "
                   "that does not repair it, even one it prefers to no deal.")
    for x in idle:
        out.append(f"- **{x['label']}** cannot bind at any setting of the levers (the most any deal could reach is "
                   f"{value(x['extreme'], _unit(r, x['metric']))}): it never changes the answer.")
    out += ["", f"({review.get('note', '')}.)"]
    return "\n".join(out)


def _unit(r: Results, metric: str) -> str:
    row = next((m for m in r.metrics if m.name == metric), None)
    return row.unit if row else ""


def outcomes(r: Results) -> str:
    rows = []
    for k in HEADLINE_METRICS:
        m = r.metric(k)
        rows.append([m.label, value(m.baseline, m.unit), value(m.no_deal, m.unit), value(m.deal, m.unit),
                     value(None if m.deal is None else m.deal - m.no_deal, m.unit, signed=True)])
    return ("## Outcomes: calibration year, no deal, deal\n\nThe calibration year is 2024's trade at its tariffs; "
            "no deal keeps the threat-point levers the instance gives.\n\n"
            + table(["metric", "calibration year", "no deal", "deal", "deal - no deal"], rows))


def levers(r: Results) -> str:
    if not r.levers:
        return ""
    out = ["## Levers chosen"]
    for party in ("home", "partner"):
        rows = []
        for lv in r.levers:
            if lv.party != party or not lv.shown:
                continue
            shown = lv.choice or value(lv.value, lv.unit)
            rows.append([lv.label, shown + (" (fixed by the instance)" if lv.fixed else "")])
        out.append(f"### {r.instance['parties'][party]} ({party})\n\n"
                   + (table(["lever", "setting"], rows) if rows else "No concession."))
    unused = [lv.label for lv in r.levers if not lv.shown]
    if unused:
        out.append("Not used: " + "; ".join(unused) + ".")
    return "\n\n".join(out)


def binding(r: Results) -> str:
    rows = [[c.label, c.kind.replace("_", " "), f"{c.sense} {value(c.rhs, c.unit)}",
             per_unit(c.relaxation_value, c.unit) if c.relaxation_value is not None else "not priced"]
            for c in binding_rows(r.constraints)]
    fixed = [c for c in r.constraints if c.binding and c.kind == "fixed_lever" and c.worth]
    if not rows:
        return "## Binding constraints\n\nNo constraint binds." if r.has_deal else ""
    note = ""
    if fixed:
        note = ("\n\nFixed terms that cost the deficit (per unit the term is loosened): "
                + "; ".join(f"{c.label}: {per_unit(c.relaxation_value, c.unit)}" for c in fixed) + ".")
    return ("## Binding constraints and what relaxing each is worth\n\n"
            f"Shadow prices come from the {r.shadow_prices['source']}. 'Worth' is how much the deficit falls per "
            "unit the constraint is relaxed (0 where relaxing alone would not change the deal), most valuable first.\n\n"
            + table(["constraint", "kind", "bound", "worth (deficit reduction)"], rows) + note)


MAX_LISTED_ASSUMPTIONS = 300   # beyond this (large, CSV-fed instances) assumptions are grouped by field


def assumptions(r: Results) -> str:
    rows = [[f"`{a['path']}`", f"{a['value']:,.6g} {a['unit']}", a["why"]] for a in r.assumptions]
    if len(rows) > MAX_LISTED_ASSUMPTIONS:
        return _grouped_assumptions(r)
    if not rows:
        return "## Assumptions\n\nEvery number comes from a cited source."
    return ("## Assumptions\n\nThese numbers are **assumptions**, not published figures; each says why. "
            "Change them in the instance file to test how the deal depends on them.\n\n"
            + table(["input", "value", "why assumed"], rows))


def _grouped_assumptions(r: Results) -> str:
    """One row per field across entries ('segments.*.imports'), with count and range: a
    table of 10^5 rows tells a reader nothing (every number is in results.json)."""
    groups: dict[tuple, list] = {}
    for a in r.assumptions:
        parts = a["path"].split(".")
        if len(parts) >= 3:
            parts[1] = "*"
        if len(parts) >= 4 and parts[2] in ("unit_value", "ceiling_lift"):   # per-segment entries
            parts[3] = "*"
        groups.setdefault((".".join(parts), a["unit"], a["why"]), []).append(a["value"])
    rows = [[f"`{path}`", f"{len(v):,}", f"{min(v):,.6g} to {max(v):,.6g} {unit}", why]
            for (path, unit, why), v in groups.items()]
    return (f"## Assumptions\n\n{len(r.assumptions):,} numbers are **assumptions**, not published figures; grouped "
            "here by field ('*' stands for every entry), each says why. Every one is listed in results.json.\n\n"
            + table(["input", "numbers", "range", "why assumed"], rows))


def verification(r: Results) -> str:
    v, s = r.verification, r.solver
    if v.get("ok") is None:
        check = "No solution to verify."
    else:
        check = (f"Every constraint ({v['checks']} checks) was re-evaluated in plain Python from the solution, "
                 f"outside the solver: largest relative violation {v['max_violation']:.1e} "
                 f"({'ok' if v['ok'] else 'FAILED'}; tolerance {v['tolerance']:.0e}).")
    gap = "n/a" if s.get("mip_gap") is None else f"{s['mip_gap']:.1e}"
    return f"## Verification and solver\n\n{check}\n\nSolver: {s['name']} {s['version']}, MIP gap {gap}."


def sources(r: Results) -> str:
    cited = {}
    for i in r.inputs:
        if i["kind"] == "published":
            cited.setdefault(i["source"], (i["citation"], i["year"]))
    rows = [[f"`{k}`", c, str(y or "")] for k, (c, y) in sorted(cited.items())]
    return "## Sources\n\n" + table(["key", "citation", "year"], rows) if rows else ""


