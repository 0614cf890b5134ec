"""The report's section on what the red lines cost and which terms each sets (`Results.red_line_costs`)."""
from __future__ import annotations

from model.formatting import money
from model.reporting.markdown_table import table
from model.reporting.words import amount, possessive
from model.results import Change, RedLineCost, Results


def _term(c: Change) -> str:
    """'United States tariff on passenger cars (HTS 8703): flat 15.0% -> flat 12.5%'."""
    def shown(v) -> str:
        return amount(v, c.unit) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
    return f"{c.label}: {shown(c.before)} -> {shown(c.to)}"


def _row(r: Results, c: RedLineCost) -> list[str]:
    parties = r.instance.parties
    whose = parties.get(c.party, "") if c.party else ""
    if c.deficit is None or c.deficit_change is None or c.payoff_change is None:
        return [c.label, whose, f"no deal ({c.status.replace('_', ' ')})", "", "", "", ""]
    terms = "; ".join(_term(t) for t in c.terms) or "none of this deal's"
    return [c.label, whose, money(c.deficit), money(c.deficit_change, True),
            money(c.payoff_change["home"], True), money(c.payoff_change["partner"], True),
            terms + ("" if c.verified else " (NOT verified)")]


def red_line_costs(r: Results) -> str:
    """## What the red lines cost: the deal without all red lines, then without each alone."""
    v = r.red_line_costs
    if v is None:
        return ""
    head = "## What the red lines cost, and which terms each sets"
    if v.skipped:
        return f"{head}\n\nNot computed in this run: {v.skipped}."
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    out = [head, v.method]
    every = v.without_all
    if every is not None and every.deficit_change is not None and every.payoff_change is not None:
        out.append(f"**Without any red line** the deficit would be {money(every.deficit)} "
                   f"({money(every.deficit_change, True)} against the deal); {possessive(home)} payoff "
                   f"{money(every.payoff_change['home'], True)}, {possessive(partner)} "
                   f"{money(every.payoff_change['partner'], True)}.")
    rows = [_row(r, c) for c in v.each]
    out.append(table(["red line", "whose", "deficit without it", "against the deal", f"{home} payoff",
                      f"{partner} payoff", "the terms it sets (the deal's -> without it)"], rows))
    idle = [c.label for c in v.each if c.deficit is not None and not c.terms]
    if idle:
        out.append("Setting these aside changes no term of this deal: " + "; ".join(idle) + ".")
    return "\n\n".join(out)
