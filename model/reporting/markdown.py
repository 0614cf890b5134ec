"""The markdown report: a reader who has never seen the code understands the deal.

It reads `Results` only (never Pyomo). `report_markdown` lists its sections in reading
order, each a function of the results returning markdown ('' to leave it out): the first
screen (the question, the deal as a package per party, the balances, the constraints that
matter most, what fixed terms cost), the charts, outcomes, levers, quotas, red lines,
constraints and their worth, the frontier and robustness sections when computed, the
diagnosis when there is no deal, verification; then the appendix (where every number
comes from, grouped by source; ranging; how the model decides). A new section is a
function added to that list; report.html renders the same sections (see `html`).
Charts are linked as `![title](<name>.svg)`: files of the report directory, inlined in html.
"""
from __future__ import annotations

from model.formatting import money, per_unit, value
from model.reporting.assumption_rank_section import assumption_rank
from model.reporting.concession_section import concession_section
from model.reporting.explanations import diagnosis_section, diagnosis_summary, ranging_section
from model.reporting.first_screen import (
    MAX_ITEMS,
    PAYOFF_WORDS,
    bottom_line,
    capped,
    fixed_terms,
    footnotes,
    jobs_and_price,
    lose_lose,
    package,
    ranking_note,
    robustness_lines,
    top_constraints,
    welfare_lines,
    zopa_line,
)
from model.reporting.frontier_section import frontier_section
from model.reporting.markdown_table import table
from model.reporting.over_time_section import path_markdown
from model.reporting.policy_curve_section import policy_curve_section
from model.reporting.provenance import provenance_section
from model.reporting.red_line_section import red_line_costs
from model.reporting.sweep_section import sweep_section
from model.reporting.words import (
    amount,
    balance_words,
    calibration_name,
    calibration_year,
    change,
    group_labels,
    no_deal_heading,
    participation_said,
    possessive,
    rate_setting,
    shown_balances,
)
from model.results import Results, binding_rows
from model.text import visible

MAX_ROWS = 40        # rows of the levers and constraints tables; the rest are counted (every row is in the CSVs)
HEADLINE_METRICS = ("imports_units", "imports_value", "exports_units", "exports_value", "sector_deficit",
                    "purchases_gross_value", "purchases_value", "deficit", "other_goods_deficit",
                    "all_goods_deficit", "tariff_revenue", "home_importer_rent",
                    "buyer_cost", "home_production_gain", "partner_export_margin", "dealer_margin",
                    "partner_plant_margin", "partner_production_loss", "partner_political_cost", "home_payoff",
                    "partner_payoff")
GAIN_ONLY = ("home_payoff", "partner_payoff")      # said as gains over no deal, never as levels (issue 26)


def sections(r: Results | None = None) -> tuple[list, list]:
    """The report's sections in reading order, and its appendix's: each a function of the
    results that returns markdown ('' to leave it out). report.html renders the same list.
    A sweep's report (`r.sweep`) keeps only what is about its draws: its first screen (the
    share with a deal, the deal in short), the robustness section and the inputs' sources; the
    deal's own analyses are `run`'s report."""
    if r is not None and (r.sweep is not None or r.policy_curve is not None):
        return [title, first_screen, sweep_section, policy_curve_section], [provenance_section, method]
    body = [
        title,
        first_screen,
        charts,
        over_time,
        trade_and_welfare,
        levers,
        quotas,
        red_lines,
        constraints,
        frontier_section,
        sweep_section,
        policy_curve_section,
        diagnosis_section,
        verification,
    ]
    appendix = [
        provenance_section,
        assumption_rank,
        outcomes,
        welfare,
        pass_through,
        concession_section,
        red_line_costs,
        ranging_section,
        method,
    ]
    return body, appendix


# What each section reads of the results (besides the solve's core: status, instance, metrics,
# levers, constraints, verification, solver, stages, warnings, inputs). A command's pipeline must
# fill every part its report reads (`run.pipelines`; tests/test_pipelines.py checks both this
# declaration against what each section really reads, and the pipelines against it).
READS: dict[str, tuple[str, ...]] = {
    "title": (),
    "first_screen": ("explanations", "free_optimum", "frontier", "lever_context", "diagnosis", "concession_values",
                     "robustness", "sweep", "over_time"),
    "charts": ("bridge",),
    "over_time": ("over_time",),
    "trade_and_welfare": ("diversion",),
    "levers": ("lever_context",),
    "quotas": ("quotas",),
    "red_lines": ("red_lines",),
    "red_line_costs": ("red_line_costs",),
    "constraints": ("explanations",),
    "frontier_section": ("frontier",),
    "sweep_section": ("sweep",),
    "policy_curve_section": ("policy_curve",),
    "diagnosis_section": ("diagnosis",),
    "verification": (),
    "provenance_section": ("assumption_rank",),
    "assumption_rank": ("assumption_rank",),
    "outcomes": (),
    "welfare": (),
    "pass_through": ("pass_through",),
    "concession_section": ("concession_values",),
    "ranging_section": ("ranging",),
    "method": (),
}


def report_markdown(r: Results) -> str:
    """The whole report, section by section, in reading order; then the appendix."""
    body, appendix = sections(r)
    text = "\n\n".join(s for s in (f(r) for f in body) if s)
    tail = [s for s in (f(r) for f in appendix) if s]
    if tail:
        text += "\n\n---\n\n# Appendix\n\n" + "\n\n".join(tail)
    return visible(text) + "\n"      # instance text shown, not acted on, by whatever displays the file


def title(r: Results) -> str:
    i = r.instance
    return (f"# {i.title}\n\n{i.parties['home']} (home) and {i.parties['partner']} (partner); instance "
            f"`{i.name}` ({i.file}, content hash `{i.content_hash}`).")


# -- the first screen -----------------------------------------------------------------------

def first_screen(r: Results) -> str:
    """The question, then the deal (or why there is none), the balances, what holds the
    deficit up, what fixed terms cost, and the footnotes. A sweep's: `sweep_first_screen`."""
    if r.sweep is not None:
        return sweep_first_screen(r)
    out = [f"**The question.** {r.instance.question}"]
    if not r.instance.participation:
        out.append("*" + participation_said(False, r.instance.participation_measure, r.instance.parties) + "*")
    out.append("## The deal" if r.has_deal else f"## {no_deal_heading(r.status)}")
    head = status_line(r)
    if head:
        out.append(head)
    out += [f"> **Warning:** {w}." for w in r.warnings]
    if not r.has_deal:
        d = r.metric("deficit")
        out.append(f"No deal is reported. With no deal the deficit is {money(d.no_deal)} "
                   f"({money(d.baseline)} in {calibration_name(r)}).")
        summary = diagnosis_summary(r)
        if summary:
            out.append(summary)
        path = path_markdown(r)
        if path:
            out.append(path)
        robust = robustness_lines(r)
        if robust:
            out.append("**How robust it is.** " + " ".join(robust))
        return "\n\n".join(out)
    out.append(f"**Bottom line.** {bottom_line(r)}")
    out.append("\n".join(f"- **{name}**: " + ("; ".join(clauses) if clauses else "makes no concession") + "."
                         for _, name, clauses in package(r)))
    path = path_markdown(r)
    if path:
        out.append(path)
    robust = robustness_lines(r)
    if robust:
        out.append("**How robust it is.** " + " ".join(robust))
    fixed = fixed_terms(r)
    if fixed:
        out.append("**The fixed terms.** " + " ".join(fixed))
    balances = balance_lines(r)
    for p in ("home", "partner"):
        pm = r.metric(f"{p}_payoff")
        balances.append(f"- {possessive(r.instance.parties[p])} gain over no deal by its payoff: "
                        f"{money(pm.dealt - pm.no_deal, True)} ({PAYOFF_WORDS}).")
    balances += [f"- {t}" for t in jobs_and_price(r)] + welfare_lines(r) + [f"- {t}" for t in lose_lose(r)]
    zopa = zopa_line(r)
    if zopa:
        balances.append(f"- {zopa}")
    out.append(f"**The balances**, against no deal and {calibration_name(r)}:\n\n" + "\n".join(balances))
    top, more = top_constraints(r)
    if top:
        out.append("**What holds the deficit up** (" + ranking_note(r) + (f"; {more} more under Constraints" if more
                                                                          else "") + "):\n\n"
                   + "\n".join(f"{i}. {t}." for i, t in enumerate(top, 1)))
    elif r.has_deal:
        out.append("**Nothing holds the deficit up**: no constraint worth relaxing is at its limit.")
    notes = footnotes(r)
    if notes:
        out.append("\n\n".join(f"*{n}*" for n in notes))
    return "\n\n".join(out)


def sweep_first_screen(r: Results) -> str:
    """A sweep's first screen: the question; across the draws, the share with a deal, who walks
    away in the rest and the inputs that separate deal from no deal, with the chart of the share
    with a deal along each input's range; then the deal with the instance's own values in short
    (its full report is `run`'s)."""
    from model.reporting.sweep_section import sweep_headline
    out = [f"**The question.** {r.instance.question}"]
    headline = sweep_headline(r)
    if headline:
        out.append("## Across the draws")
        out += headline
        if "deal_share" in _sweep_charts(r):
            out.append("![The share of draws with a deal along each input's range](deal_share.svg)")
    out.append("## The deal with the instance's own values" if r.has_deal else f"## {no_deal_heading(r.status)}")
    if r.has_deal:
        out.append("\n".join(f"- **{name}**: " + ("; ".join(clauses) if clauses else "makes no concession") + "."
                             for _, name, clauses in package(r)))
    d = r.metric("deficit")
    out.append(f"{upper_first(balance_words(r, 'deficit'))}: {money(d.baseline)} in {calibration_name(r)}, "
               f"{money(d.no_deal)} with no deal"
               + (f", **{money(d.dealt)}** with the deal ({money(d.dealt - d.no_deal, True)} against no deal)."
                  if r.has_deal else "; no deal with the instance's own values."))
    if r.over_time is not None:          # a deal over a horizon: the deficit above is its last year's
        from model.reporting.over_time_section import present_value_line
        pv = present_value_line(r)
        if pv:
            out.append(f"The deficit above is {r.over_time.last_year}'s, the last year. {pv}.")
    out.append("*The deal's own analyses (balances, what holds the deficit up, red lines, welfare) are in the report "
               "of `solve.py run` on the same instance; this one is about the draws.*")
    return "\n\n".join(out)


def _sweep_charts(r: Results) -> set[str]:
    from model.reporting.charts import sweep_chart_names
    return sweep_chart_names(r)


def status_line(r: Results) -> str:
    """'' for an optimal deal with nothing to add; else the status in words."""
    stages = r.stages
    second, limit = stages.stage_two_status, stages.stage_two_time_limit
    text = ""
    if r.status != "optimal" or r.message:
        text = f"Status: **{r.status.replace('_', ' ')}**" + (f" ({r.message})" if r.message else "") + "."
    if second and second != "optimal" and r.has_deal:
        after = f" after {limit:,.0f} s" if second == "time_limit" and limit else ""
        text += (f" The lexicographic second stage ended {second.replace('_', ' ')}{after} rather than optimal: the "
                 "deficit below is optimal, but another deal with the same deficit may be better for the partner.")
    return text.strip()


def balance_lines(r: Results) -> list[str]:
    """The headline balances, each named for what it is: the modelled lines alone, the purchases,
    the negotiated goods (the lines and the additional purchases), and all goods where the instance
    gives them (the goods not negotiated held at their calibration-year level, stated); and a plain
    sentence when the modelled lines' balance worsens while the negotiated goods' improves."""
    d, g, p = r.metric("deficit"), r.metric("sector_deficit"), r.metric("purchases_value")
    gross = r.metric("purchases_gross_value")
    year = calibration_name(r)
    lines, negotiated = balance_words(r, "sector_deficit"), balance_words(r, "deficit")
    out = [f"- {upper_first(lines)}: {money(g.baseline)} in {year}, {money(g.no_deal)} with "
           f"no deal, **{money(g.dealt)}** with the deal ({money(g.dealt - g.no_deal, True)} against no deal).",
           f"- Purchase commitments: {money(gross.deal)}, of which {money(p.deal)} is additional (what the partner "
           "would not have bought from the home country anyway): only that lowers the deficit.",
           f"- {upper_first(negotiated)}: {money(d.baseline)} in {year}, {money(d.no_deal)} with no deal, "
           f"**{money(d.dealt)}** with the deal ({money(d.dealt - d.no_deal, True)} against no deal, "
           f"{money(d.dealt - d.baseline, True)} against {year})."]
    if "all_goods_deficit" in shown_balances(r):
        a, o = r.metric("all_goods_deficit"), r.metric("other_goods_deficit")
        out.append(f"- {upper_first(balance_words(r, 'all_goods_deficit'))}: {money(a.baseline)} in {year}, "
                   f"{money(a.no_deal)} with no deal, **{money(a.dealt)}** with the deal "
                   f"({money(a.dealt - a.no_deal, True)} against no deal). It is the negotiated goods plus a stated "
                   f"background: the goods not negotiated, {money(o.baseline)} of deficit, held at their "
                   f"{calibration_year(r) or 'calibration-year'} level (the deal moves only the negotiated goods).")
    if g.dealt > g.no_deal and d.dealt < d.no_deal:
        out.append(f"- **The {lines} is {money(g.dealt - g.no_deal)} higher with the deal than "
                   f"with no deal**: the {negotiated} falls only because of purchase commitments.")
    return out


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def welfare(r: Results) -> str:
    """Welfare by party and cause, the whole table (model/reporting/trade_welfare_section.py)."""
    from model.reporting.trade_welfare_section import welfare_section
    return welfare_section(r)


def trade_and_welfare(r: Results) -> str:
    """Balances with the partner, each third country and overall, trade creation vs diversion
    (with third countries), and welfare by party and cause (model/reporting/trade_welfare_section.py)."""
    from model.reporting.trade_welfare_section import markdown_section
    return markdown_section(r) if r.has_deal else ""


def over_time(r: Results) -> str:
    """A deal over a horizon: each year against no deal, the deficit's path, the present values
    (model/reporting/over_time_section.py); '' for a one-year instance."""
    from model.reporting.over_time_section import section
    return section(r)


# -- charts ---------------------------------------------------------------------------------

def charts(r: Results) -> str:
    """The bridge and the levers (files of the report directory, inlined in report.html)."""
    from model.reporting.charts import TITLES
    shown = []
    if r.bridge:
        shown.append("bridge")
    if r.has_deal and r.levers:
        shown.append("levers")
    if not shown:
        return ""
    return "\n".join(f"![{TITLES[c]}]({c}.svg)" for c in shown)


# -- outcomes, levers, quotas, red lines, constraints ----------------------------------------

def outcomes(r: Results) -> str:
    year = calibration_year(r)
    rows = []
    for k in HEADLINE_METRICS:
        m = next((m for m in r.metrics if m.name == k), None)
        if m is None or all(abs(v or 0.0) < 1e-9 for v in (m.baseline, m.no_deal, m.deal)):
            continue
        if k in GAIN_ONLY:        # a payoff's level means nothing to a reader: its change against no deal only
            row = [f"{m.label}: gain over no deal", "", "0"]
            if r.has_deal:
                row += [change(m.dealt - m.no_deal, m.unit), change(m.dealt - m.no_deal, m.unit)]
        else:
            row = [m.label, value(m.baseline, m.unit), value(m.no_deal, m.unit)]
            if r.has_deal:
                row += [value(m.dealt, m.unit), change(m.dealt - m.no_deal, m.unit)]
        rows.append(row)
    intro = (f"The calibration year is {year}'s trade at its tariffs" if year else
             "The calibration year is the trade the instance is calibrated to, at its tariffs")
    head = ["metric", str(year or "calibration year"), "no deal"] + (["deal", "deal - no deal"] if r.has_deal else [])
    return (f"## Outcomes: calibration year, no deal{', deal' if r.has_deal else ''}\n\n{intro}; no deal keeps the "
            "threat-point levers the instance gives.\n\n" + table(head, rows))


def levers(r: Results) -> str:
    """Every lever the deal uses (and every tariff line), with its setting with no deal."""
    if not r.levers:
        return ""
    ctx = {(c.name, c.index): c for c in r.lever_context}
    rows = []
    for lv in r.levers:
        option = lv.choice is not None
        if not option and abs(lv.value) < 1e-9:
            continue
        c = ctx.get((lv.name, lv.index))
        no_deal, no_deal_choice = (c.no_deal, c.no_deal_choice) if c is not None else (None, None)
        if option:
            shown, before = rate_setting(lv.value, lv.choice), rate_setting(no_deal, no_deal_choice) \
                if no_deal is not None else "n/a"
        elif lv.unit == "yes/no":
            shown, before = "yes", "yes" if no_deal else "no"
        else:
            shown, before = amount(lv.value, lv.unit), amount(no_deal or 0.0, lv.unit)
        rows.append([r.instance.parties[lv.party], lv.label, shown + (" (fixed)" if lv.fixed else ""), before])
    unused = sum(1 for lv in r.levers if lv.choice is None and abs(lv.value) < 1e-9)
    more = len(rows) - MAX_ROWS
    return ("## Levers\n\n" + table(["party", "lever", "deal", "no deal"], rows[:MAX_ROWS])
            + (f"\n\n{more:,} more levers are used (every lever is in levers.csv)." if more > 0 else "")
            + (f"\n\n{unused:,} other levers are not used (all are in levers.csv)." if unused else ""))


def quotas(r: Results) -> str:
    """Each quota or export restraint of the deal: fill, rent and its holder, tariff equivalent."""
    rows = [[q.label, q.kind, value(q.quota, "vehicles"), f"{min(q.imports, q.quota) / q.quota:.0%}"
             if q.quota else "n/a", value(max(0.0, q.imports - q.quota), "vehicles"), money(q.rent),
             q.rent_holder.replace("_", " "), f"{q.tariff_equivalent:.1%}"] for q in r.quotas]
    if not rows:
        return ""
    return ("## Quotas and export restraints\n\nThe quota is shared by every segment on its tariff line. The tariff "
            "equivalent is the tariff that would give the same imports; the rent is what the quota's scarcity is "
            "worth, and who holds it decides whose payoff it counts in (exporters who hold it charge it in their "
            "price, so the import value falls less than the volume).\n\n"
            + table(["tariff line", "kind", "quota", "filled", "above the quota", "rent", "held by",
                     "tariff equivalent"], rows)
            + "".join(shift_note(q, r.instance.parties["home"]) for q in r.quotas))


def shift_note(q, home: str) -> str:
    """Under a quota line with production shifted to home plants: what the shift does, and how far
    the model's linear statement of it is from the line solved exactly at the deal's shift."""
    if not q.shifted or q.exact_imports is None:
        return ""
    filled = f"{min(q.exact_imports, q.quota) / q.quota:.0%}" if q.quota else "n/a"
    off = [what for what, d, small in (
        (f"{value(q.imports - q.exact_imports, 'vehicles', signed=True)} imported", q.imports - q.exact_imports, 0.5),
        (f"{money(q.rent - q.exact_rent, signed=True)} of rent", q.rent - q.exact_rent, 0.5)) if abs(d) >= small]
    return (f"\n\nOn {q.label}, {value(q.shifted, 'vehicles')} built in {home} plants need no licence, so other "
            "exports can fill the licences they free and the scarcity rent falls. The table states the shift's "
            "effect as the model does, linear in the shift (exact with no shift and at the most its makers' "
            f"spare capacity allows). Solved exactly at the deal's shift, the line is {filled} filled "
            f"({value(q.exact_imports, 'vehicles')} imported), its rent is {money(q.exact_rent)} and its tariff "
            f"equivalent {q.exact_tariff_equivalent:.1%}: "
            + (f"the statement is off by {' and '.join(off)}." if off else "the statement is exact."))


def pass_through(r: Results) -> str:
    """Each tariff line's pass-through, deal and no deal: derived from supply curves, or
    imposed by the instance (and said so)."""
    summary = r.pass_through
    if not summary:
        return ""
    before = {x.line: x for x in summary.no_deal}
    rows = [[x.label, x.option_label, f"{x.pass_through:.0%}", f"{x.supply_price_change:+.1%}",
             before[x.line].option_label, f"{before[x.line].pass_through:.0%}",
             f"imposed, p = {x.imposed_value:.0%}" if x.imposed else x.set_by] for x in summary.deal]
    imposed = [x.label for x in summary.deal if x.imposed]
    note = (" On " + ", ".join(imposed) + " the pass-through is imposed by the instance (`pass_through` p, SMART "
            "style: buyers pay (1 + p t)/(1 + p t0) times the calibration year's price, raised where absorption "
            "would exceed the exporters' margin), not derived from supply curves, so the exporters' price response "
            "is an assumption." if imposed else "")
    return ("## Pass-through\n\nThe share of each tariff change (against the calibration year) that reaches buyers' "
            "price, and the change in the partner exporters' price at the border (customs value, quota rent aside); "
            "the rest of the tariff is absorbed by the exporters." + note + "\n\n"
            + table(["tariff line", "deal", "pass-through", "exporters' price", "no deal", "pass-through",
                     "set by"], rows))


def red_lines(r: Results) -> str:
    """Red lines that no deal itself breaches, or that cannot bind at any lever setting; lines
    that differ only by segment are said once."""
    review = r.red_lines
    lines = review.lines if review else []
    breached = [x for x in lines if x.breached_by_no_deal]
    idle = [x for x in lines if x.can_bind is False]
    if not breached and not idle:
        return ""
    out = ["## Red lines read against no deal", ""]
    for label in group_labels([x.label for x in breached]):
        x = next(x for x in breached if x.label.startswith(label.split(" (")[0]))
        unit = _unit(r, x.metric)
        out.append(f"- **{label}**: no deal itself breaches it ({value(x.no_deal, unit)} against "
                   f"{'at most' if x.sense == '<=' else 'at least'} {value(x.bound, unit)}), so "
                   f"{r.instance.parties[x.party]} cannot meet it by walking away: it refuses any deal that "
                   "does not repair it, even one it prefers to no deal.")
    for label in group_labels([x.label for x in idle]):
        x = next(x for x in idle if x.label.startswith(label.split(" (")[0]))
        out.append(f"- **{label}** cannot bind at any setting of the levers (the most any deal could reach is "
                   f"{value(x.extreme, _unit(r, x.metric))}): it never changes the answer.")
    return "\n".join(out)


def _unit(r: Results, metric: str) -> str:
    row = next((m for m in r.metrics if m.name == metric), None)
    return row.unit if row else ""


def constraints(r: Results) -> str:
    """Every constraint at its limit that is worth something to relax, most valuable first,
    with its worth per unit and for a round step, and how far the rate holds."""
    if not r.has_deal:
        return ""
    expl = {e.name: e for e in r.explanations}
    bind = binding_rows(r.constraints)
    rows = []
    for c in bind:
        if not c.worth:
            continue
        e = expl.get(c.name)
        rng = e.range if e is not None else None
        holds = value_range(rng.low, rng.high, c.unit) if rng else ""
        rows.append([c.label, r.instance.parties.get(c.party, "") if c.party else "",
                     f"{'at most' if c.sense == '<=' else 'at least'} {amount(c.rhs, c.unit)}",
                     per_unit(c.relaxation_value, c.unit), holds])
    idle = capped(group_labels([c.label for c in bind if not c.worth]), MAX_ITEMS, "more (all in constraints.csv)")
    if not rows and not idle:
        return "## Constraints\n\nNo constraint is at its limit."
    more = len(rows) - MAX_ROWS
    rows = rows[:MAX_ROWS] + ([[f"... and {more:,} more (all in constraints.csv)", "", "", "", ""]] if more > 0 else [])
    text = ("## Constraints at their limit, and what relaxing each is worth\n\n"
            "'Worth' is how much the deficit falls per unit the constraint is relaxed, while the deal's tariff "
            "options and yes/no concessions stay as they are; it holds while the bound stays in the range given.")
    if rows:
        text += "\n\n" + table(["constraint", "whose", "bound", "worth per unit relaxed", "holds for bounds"], rows)
    if idle:
        text += ("\n\nAlso at their limit, but relaxing any one alone would not lower the deficit: "
                 + "; ".join(idle) + ".")
    return text


def value_range(low: float | None, high: float | None, unit: str) -> str:
    """'7,540 to 10,040 vehicles', '$1.20 bn to $3.40 bn', '10.0% to 15.0%' (an open end: 'n/a')."""
    if unit in ("USD", "fraction", "yes/no"):
        return f"{value(low, unit)} to {value(high, unit)}"
    first, last = amount(low, unit), amount(high, unit)
    tail = last.split(" ", 1)[1] if " " in last else ""
    if tail and first.endswith(" " + tail):
        first = first[: -len(tail) - 1]
    return f"{first} to {last}"


def verification(r: Results) -> str:
    v, s = r.verification, r.solver
    if v.ok is None:
        check = "No solution to verify."
    else:
        check = (f"Every constraint ({v.checks} checks) was re-evaluated in plain Python from the solution, "
                 f"outside the solver: largest relative violation {v.max_violation:.1e} "
                 f"({'ok' if v.ok else 'FAILED'}; tolerance {v.tolerance:.0e}).")
    gap = "n/a" if s.mip_gap is None else f"{s.mip_gap:.1e}"
    target = f" (stops at a relative gap of {s.mip_rel_gap_target:.0e})" if s.mip_rel_gap_target else ""
    return f"## Verification and solver\n\n{check} Solver: {s.name} {s.version}, MIP gap {gap}{target}."


# -- appendix ---------------------------------------------------------------------------------

def method(r: Results) -> str:
    """How the model decides, in words (it was the report's second section; readers who need
    it find it here)."""
    obj = r.objective.name
    how = {"min_deficit": "minimizes the home party's bilateral deficit; among deals with that deficit it then "
                          "picks the one best for the partner",
           "weighted": "maximizes the weighted sum of metrics the instance names",
           "nash": "maximizes the Nash bargaining product of both parties' gains over no deal",
           "welfare": "maximizes the home country's welfare (its buyers, producers, tariff revenue and rents held); "
                      "among deals with that welfare it then picks the one best for the partner"}.get(obj, obj)
    part = participation_said(r.instance.participation, r.instance.participation_measure, r.instance.parties)
    response = r.instance.response.replace("_", " ")
    return (f"## How the model decides\n\nThe model chooses every lever at once and {how}. It respects buyers' "
            f"demand, dealer and plant capacity, and each side's red lines. {part} Imports respond to each tariff "
            f"option along a {response} demand curve, computed exactly for each option before the solve. What "
            "relaxing a constraint is worth comes from the deal with its tariff options and yes/no concessions held "
            "as chosen (the shadow prices of that linear program).")
