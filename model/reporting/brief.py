"""brief.html: the one-page brief that `run` writes beside report.html, for a reader with a
minute: the bottom line, what the home side asks and gives, each side's gain (by its payoff
and in welfare), the walk-away point, how sure the result is, and three talking points.

Everything on it comes from the typed Results (`model.results`) through the same functions
as the first screen (`first_screen`), so the brief and the report never disagree; nothing is
written that the results do not hold. It prints on at most two pages (`html.CSS`'s print
rules; tests/test_html_browser.py prints it). Escaping is html.py's (`esc`, `inline`).

`READS` declares the parts of the results beyond the core that the brief reads
(tests/test_pipelines.py checks it against what it really reads and what `run` fills).
"""
from __future__ import annotations

from model.formatting import money
from model.reporting.first_screen import deal_sentence as bottom_line
from model.reporting.first_screen import robustness_lines
from model.reporting.html import esc, inline, markdown_html, page
from model.reporting.words import possessive
from model.results import Results, binding_rows

READS: tuple[str, ...] = ("explanations", "frontier", "lever_context", "diagnosis", "concession_values",
                          "free_optimum", "robustness", "over_time")
TALKING_POINTS = 3
BRIEF_YEARS = 4              # a deal over a horizon: the years with changes listed (the rest counted), to keep 2 pages
PAYOFF_WORDS = "the change in the measure the instance weighs for each side (the one participation holds it to)"


def robustness(r: Results) -> str:
    """How sure the result is: the first screen's robustness lines (in how many draws of the
    instance's uncertainty a deal holds, who walks away in the rest, the input that decides),
    as one paragraph with markdown's bold. Empty when nothing was drawn: no 'How sure' block."""
    return " ".join(robustness_lines(r))


def brief_html(r: Results) -> str:
    """The page."""
    from model.reporting.explanations import diagnosis_summary
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    title = f"Brief: {r.instance.title}"
    parts: list[tuple[str, str]] = [("", f'<p class="brief-q"><b>The question.</b> {esc(r.instance.question)}</p>')]
    parts.append(("", f'<div class="bottom"><b>Bottom line.</b> {inline(bottom_line(r))}</div>'))
    if r.has_deal:
        from model.reporting.first_screen import fixed_terms
        cost = fixed_terms(r)[:1]            # what terms the instance fixes cost against the free optimum
        if cost:
            parts.append(("", f"<p>{inline(cost[0])}</p>"))
        parts.append(("", _asks_and_gives(r)))
        parts.append(("Each side's gain over no deal", _gains(r)))
        path = _over_time(r)
        if path:
            parts.append(("The deal over time", path))
    else:
        summary = diagnosis_summary(r)
        if summary:
            parts.append(("Why there is no deal", markdown_html(summary)))
    parts.append(("The walk-away point", "".join(f"<p>{inline(t)}</p>" for t in walk_away(r))))
    sure = robustness(r)
    if sure:
        parts.append(("How sure", f"<p>{inline(sure)}</p>"))
    points = talking_points(r)
    if points:
        parts.append(("Talking points", '<ol class="talk">' + "".join(f"<li>{inline(p)}</li>" for p in points)
                      + "</ol>"))
    parts.append(("", f'<p class="note">{esc(home)} (home) and {esc(partner)} (partner); instance '
                      f"{esc(r.instance.name)} ({esc(r.instance.file)}). Every figure is from this run's results "
                      "(results.json); report.html has the reasoning, the tables and the sources.</p>"))
    return page(title, parts, body_class="brief")


# -- the parts, as text (markdown's bold only), so tests read them without html ---------------

def _asks_and_gives(r: Results) -> str:
    from model.reporting.first_screen import package
    home = r.instance.parties["home"]
    said = {party: clauses for party, _, clauses in package(r)}
    blocks = []
    partner = r.instance.parties["partner"]
    for head, party in ((f"What {home} asks ({partner} gives)", "partner"), (f"What {home} gives", "home")):
        items = "".join(f"<li>{inline(c)}</li>" for c in said.get(party, [])) or "<li>nothing</li>"
        blocks.append(f'<div class="party {esc(party)}"><h3>{esc(head)}</h3><ul>{items}</ul></div>')
    return '<div class="deal">' + "".join(blocks) + "</div>"


def _over_time(r: Results) -> str:
    """A deal over a horizon: the first screen's path by year, schedules and present values."""
    from model.reporting.over_time_section import path_lines
    lead, items = path_lines(r, max_years=BRIEF_YEARS)
    if not lead:
        return ""
    return f"<p>{inline(lead)}</p>" + ("<ul>" + "".join(f"<li>{inline(t)}.</li>" for t in items) + "</ul>"
                                       if items else "")


def gain_rows(r: Results) -> list[list[str]]:
    """[side, gain by its payoff, gain in welfare, what welfare counts] against no deal."""
    from model.reporting.first_screen import WELFARE_WORDS, measure_changes
    return [[r.instance.parties[p], money(pay, True), money(wel, True), WELFARE_WORDS[p]]
            for p, (pay, wel) in measure_changes(r).items()]


def _gains(r: Results) -> str:
    from model.reporting.html import html_table
    return (html_table(["side", "gain by its payoff", "gain in welfare", "welfare counts"], gain_rows(r), {1, 2})
            + f'<p class="note">Gain by its payoff: {esc(PAYOFF_WORDS)}, against no deal.</p>')


def walk_away(r: Results) -> list[str]:
    """Where each side would walk away: the zone of possible agreement along the frontier when
    it was computed; else each participation floor and how far the deal is above it."""
    from model.reporting.first_screen import zopa_line
    from model.reporting.words import participation_said
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    zone = zopa_line(r)
    f = r.frontier
    if zone and f is not None and f.zopa is not None:
        z = f.zopa
        return [zone, f"Along it {home} gains {money(z.home_gain.low)} to {money(z.home_gain.high)} and {partner} "
                      f"{money(z.partner_gain.low)} to {money(z.partner_gain.high)} over no deal by their payoffs: "
                      "a deal outside it leaves a side better off walking away."]
    if not r.instance.participation:
        return [participation_said(False, {}, r.instance.parties)]
    if not r.has_deal:
        return [participation_said(True, r.instance.participation_measure, r.instance.parties)
                + " No package meets these floors and every red line together, so each side's walk-away point is "
                "no deal itself."]
    floors = [c for c in r.constraints if c.kind == "participation"]
    if not floors:
        return ["The results hold no participation floor."]
    out = []
    for c in floors:
        name = r.instance.parties.get(c.party or "", c.party or "")
        measure = r.instance.participation_measure.get(c.party or "", "payoff")
        if abs(c.slack) < 0.5:
            out.append(f"**{c.label}** (by its {measure}): the deal is at this floor; {name} is indifferent to "
                       "walking away.")
        else:
            out.append(f"**{c.label}** (by its {measure}): the deal clears this floor by {money(c.slack)}, the most "
                       f"{possessive(name)} side can be pushed before it walks away.")
    return out


def talking_points(r: Results, n: int = TALKING_POINTS) -> list[str]:
    """Up to `n` points drawn from the results, in this order of preference: the concession
    worth most (by its effect on the deficit), the binding red line worth most to relax, a side
    whose payoff and welfare disagree; then a step that loses for both sides, and the next
    constraints worth relaxing."""
    from model.reporting.first_screen import disagreements, lose_lose, top_constraints
    if not r.has_deal:
        return []
    points = [p for p in (_largest_concession(r), _binding_red_line(r)) if p]
    points += disagreements(r)[:1]
    points += lose_lose(r)[:1]
    top, _ = top_constraints(r)
    points += [f"Worth relaxing: {t}." for t in top if not _same_constraint(t, points)]
    return points[:n]


def _same_constraint(text: str, points: list[str]) -> bool:
    label = text.split("**")[1] if text.count("**") >= 2 else text
    return any(label in p for p in points)


def _largest_concession(r: Results) -> str:
    from model.reporting.concession_section import priced_rows
    rows = [row for row in priced_rows(r) if row.deficit_change is not None]
    if not rows:
        return ""
    row = max(rows, key=lambda x: abs(x.deficit_change or 0.0))
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    dd = row.deficit_change or 0.0
    return (f"**The concession that moves the deficit most: {row.label}** ({r.instance.parties[row.party]} gives; "
            f"{row.step}): the deficit {'rises' if dd > 0 else 'falls'} by {money(abs(dd))}; it is worth "
            f"{money(row.home_value or 0.0, True)} to {home} and {money(row.partner_value or 0.0, True)} to {partner} "
            "by their payoffs.")


def _binding_red_line(r: Results) -> str:
    lines = [c for c in binding_rows(r.constraints) if c.kind == "red_line"]
    if not lines:
        return ""
    c = lines[0]
    owner = possessive(r.instance.parties.get(c.party or "", c.party or ""))
    said = next((e for e in r.explanations if e.name == c.name and e.deficit_change is not None
                 and e.deficit_change < 0), None)
    if said is None:
        return f"**{owner} red line binds: {c.label}**; relaxing it alone would not lower the deficit."
    from model.reporting.words import amount
    step = "one percentage point" if c.unit == "fraction" else amount(said.step, c.unit)
    return (f"**{owner} red line binds: {c.label}**: {step} {'more' if c.sense == '<=' else 'less'} would lower the "
            f"deficit by {money(-(said.deficit_change or 0.0))}.")
