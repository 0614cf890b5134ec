"""The report's ranking of the instance's assumptions by their influence on the deal
(`Results.assumption_rank`, from `analyses.assumption_rank`): the count and share of inputs
that are assumptions, the SHOWN sources that move the deal most (a lost deal first, then the
objective's swing), the rest summed up, and the sources that could not be moved, with why."""
from __future__ import annotations

from model.formatting import money
from model.reporting.markdown_table import table
from model.reporting.words import input_range, input_value, possessive, short
from model.results import AssumptionRank, AssumptionSwing, Results, SwingEnd

SHOWN = 10                # sources the table lists; results.json has them all
MOVES = 0.5               # USD: a swing below this moves nothing (it reads as $0)
HEAD = "## Which assumptions decide the deal"
CHART_TITLE = "Which assumptions move the deal: each source alone at its low and high end"   # assumptions.svg
TITLE = "Which assumptions decide the deal"        # the heading's words, for the sections that point here


def moving(rank: AssumptionRank) -> list[AssumptionSwing]:
    """The ranked sources that move the deal (a lost deal at an end, or a swing of MOVES or more),
    in rank order: the section's table and the chart (`charts.assumption_chart`); the rest move
    nothing at either end."""
    return [s for s in rank.ranked if s.lost or s.swing >= MOVES]


def brief(why: str, most: int = 70) -> str:
    """A source's reason cut to its first clause (before ':' or ';', never inside a parenthesis),
    at most `most` characters: the chart's label (the report says each reason once, in full)."""
    cut = why.split(";")[0].split(": ")[0].strip().rstrip(".")
    kept = cut if len(cut) <= most else cut[:most].rsplit(" ", 1)[0]
    if kept.count("(") > kept.count(")"):
        kept = kept[:kept.rfind("(")].strip()
    return kept if kept == cut else kept.rstrip(",") + " ..."


def share_line(v: AssumptionRank) -> str:
    """'**199 of the 246 inputs (81%) are assumptions**, resting on 38 sources.'"""
    share = v.assumptions / v.inputs if v.inputs else 0.0
    sources = "1 source" if v.sources == 1 else f"{v.sources:,} sources"
    return (f"**{v.assumptions:,} of the {v.inputs:,} inputs ({share:.0%}) are assumptions**, resting on "
            f"{sources}.")


def _who(r: Results, end: SwingEnd) -> str:
    parties = r.instance.parties
    if end.walks_away in ("home", "partner"):
        name = parties[end.walks_away]
        return f"{name} walks away" if end.walks_away_by == "participation" else f"{possessive(name)} red lines end it"
    return {"either": "either side giving way would make one", "both": "both sides must give way",
            "market": "the market's limits leave none", "undetermined": "who walks away not tested"}.get(
        end.walks_away, "")


def _end(r: Results, end: SwingEnd) -> str:
    if end.deal and end.objective is not None:
        return money(end.objective)
    if end.status == "infeasible":
        who = _who(r, end)
        return "**no deal**" + (f" ({who})" if who else "")
    return f"no verified deal ({end.status.replace('_', ' ')})"


def _moved(s: AssumptionSwing) -> str:
    """The inputs moved: one said in full, several counted with the first."""
    first = s.inputs[0]
    ends = input_range(first.path, first.low, first.high, first.unit)
    said = f"`{first.path}` {input_value(first.path, first.value, first.unit)}, {ends}"
    more = len(s.inputs) - 1
    return said + (f" and {more:,} more" if more else "") + (f"; {s.left:,} left as they are" if s.left else "")


def _swing(s: AssumptionSwing) -> str:
    if s.lost == 2:
        return "**deal lost** at both ends"
    if s.lost:
        return f"**deal lost**; {money(s.swing)} at the other end"
    return money(s.swing)


def assumption_rank(r: Results) -> str:
    """## Which assumptions decide the deal: the ranking, the rest, and what was not moved."""
    v = r.assumption_rank
    if v is None:
        return ""
    if not v.sources:
        return f"{HEAD}\n\nNone of the {v.inputs:,} inputs is an assumption: every number cites a published source."
    if v.skipped:
        return f"{HEAD}\n\n{share_line(v)} Not ranked in this run: {v.skipped}."
    what = short(next((m.label for m in r.metrics if m.name == v.objective), v.objective))
    out = [HEAD, f"{share_line(v)} {v.method}"]
    if v.base is not None:
        out.append(f"The deal's {what.lower()} is {money(v.base)}. The swing is the spread of the {what.lower()} "
                   "over the deal and both ends.")
    moved = moving(v)
    idle = [s for s in v.ranked if s not in moved]
    if moved:
        out.append(f"![{CHART_TITLE}](assumptions.svg)")
        rows = [[str(n), f"`{s.source}`", _moved(s), _end(r, s.low), _end(r, s.high), _swing(s)]
                for n, s in enumerate(moved[:SHOWN], 1)]
        out.append(table(["rank", "assumption (its reason: the section above)", "inputs moved (value, low to high)",
                          f"{what} at the low end", "at the high end", "swing"], rows))
        rest = moved[SHOWN:]
        if rest:
            lost = sum(1 for s in rest if s.lost)
            out.append(f"{len(rest):,} more sources move the {what.lower()}, by at most "
                       f"{money(max(s.swing for s in rest))} each" + (f" ({lost:,} of them lose the deal at an end)"
                                                                         if lost else "")
                       + "; results.json lists every one.")
    if idle:
        out.append(f"**{len(idle):,} {'source moves' if len(idle) == 1 else 'sources move'} nothing in this deal at "
                   "either end**: " + ", ".join(f"`{s.source}`" for s in idle) + ".")
    if v.not_moved:
        inputs = sum(s.inputs for s in v.not_moved)
        reasons: dict[str, list[str]] = {}
        for s in v.not_moved:
            reasons.setdefault(s.reason, []).append(f"`{s.source}`")
        out.append(f"**Not moved: {len(v.not_moved):,} of the {v.sources:,} assumption sources** ({inputs:,} inputs):\n\n"
                   + "\n".join(f"- {', '.join(keys)}: {reason}." for reason, keys in reasons.items()))
    return "\n\n".join(out)
