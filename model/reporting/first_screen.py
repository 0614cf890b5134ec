"""What every report shows first (report.md, report.html, the terminal): the deal as a short
package per party in plain words, the constraints that matter most, what fixed terms cost,
and the footnote of what binds without mattering. Each function returns text with
markdown's bold (`**...**`) as its only markup; each format renders it (html escapes it
and turns the bold into <b>, the terminal drops the stars).

The package reads the lever rows (`Results.levers`) and `Results.lever_context` (each
lever's object, segment, and its value with no deal and in the calibration year). Each
lever family says its levers in words through its own `phrase` (in its module of
`model.data.families`), given the wording helpers here (`Words`); a family without one is
said as 'label: setting', so a new family needs no edit here to appear.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby

from model.data.levers import families
from model.formatting import count, money, share, share_of_draws, value
from model.reporting.words import (
    amount,
    balance_words,
    calibration_name,
    group_labels,
    measured_by,
    no_deal_heading,
    plural,
    possessive,
    rate_setting,
    short,
    shown_balances,
    without_party,
)
from model.results import DealRobustness, Results, binding_rows

MAX_ITEMS = 6                # clauses per lever family, items per clause, labels per note: the rest counted
TOP_CONSTRAINTS = 5          # at most this many constraints on the first screen (at least 3 when there are)
KIND_WORDS = {"demand": "buyers' ceiling", "capacity": "capacity", "purchase": "purchase limit",
              "production": "imports it replaces"}


# -- the package -------------------------------------------------------------------------

def package(r: Results) -> list[tuple[str, str, list[str]]]:
    """[(party key, party name, clauses)] for home then partner: what each side gives."""
    ctx = {(c.name, c.index): vars(c) for c in r.lever_context}       # the families read it as a mapping
    words = Words(r.instance.parties["home"], r.instance.parties["partner"], calibration_name(r))
    registered = {f.name: f for f in families()}
    out = []
    for party in ("home", "partner"):
        name = r.instance.parties[party]
        rows = [lv for lv in r.levers if lv.party == party and not unchanged(lv, ctx)]
        clauses: list[str] = []
        for family, group in groupby(rows, key=lambda lv: lv.name):
            f = registered.get(family)
            said = f.phrase(list(group), ctx, name, words) if f is not None and f.phrase is not None \
                else _generic(list(group), name)
            clauses += capped(said, MAX_ITEMS, "more like these (the Levers table lists every lever)")
        out.append((party, name, clauses))
    return out


SAME_SETTING = 5e-5          # a lever this close to its no-deal value (relative above 1) is left as with no deal


def unchanged(lv, ctx: dict) -> bool:
    """Whether a lever is set as with no deal (same value, same option): not a concession, so
    never listed under what a side gives (`unchanged_note` says the ones worth saying)."""
    c = ctx.get((lv.name, lv.index))
    if c is None or c.get("no_deal") is None:
        return False
    nd = c["no_deal"]
    return abs(nd - lv.value) <= SAME_SETTING * max(1.0, abs(nd)) and c.get("no_deal_choice") == lv.choice


def unchanged_note(r: Results) -> str:
    """'Left as with no deal: ...': the levers the deal sets as with no deal that are in use
    (a tariff option, a non-zero amount), apart from those the instance fixes (a footnote
    of their own); '' when there are none."""
    ctx = {(c.name, c.index): vars(c) for c in r.lever_context}
    out = []
    for lv in r.levers:
        if lv.fixed or not unchanged(lv, ctx) or (lv.choice is None and abs(lv.value) < 1e-9):
            continue
        out.append(f"{lv.label}: {_setting(lv)}")
    if not out:
        return ""
    return "Left as with no deal (so not among what either side gives): " + "; ".join(
        capped(out, MAX_ITEMS, "more (all in the Levers table)")) + "."


def capped(items: list[str], n: int, more: str) -> list[str]:
    """The first `n` items, and one saying how many more there are."""
    return items if len(items) <= n else items[:n] + [f"and {len(items) - n:,} {more}"]


def _fixed(lv) -> str:
    return " (fixed by the instance)" if lv.fixed else ""


@dataclass(frozen=True)
class Words:
    """The wording helpers a lever family's `phrase` is given (`data.families.base.Wording`):
    the parties' names, the calibration year, and how this report writes amounts and labels."""

    home: str
    partner: str
    year: str
    max_items: int = MAX_ITEMS

    amount = staticmethod(amount)
    plural = staticmethod(plural)
    short = staticmethod(short)
    share = staticmethod(share)
    money = staticmethod(money)
    rate_setting = staticmethod(rate_setting)
    without_party = staticmethod(without_party)
    capped = staticmethod(capped)
    fixed = staticmethod(_fixed)


def _generic(rows, name: str) -> list[str]:
    """'label: setting' for every lever used (a family with no phrase of its own)."""
    out = []
    for lv in rows:
        if lv.choice is None and abs(lv.value) < 1e-9:
            continue
        shown = lv.choice or (("yes" if lv.value > 0.5 else "no") if lv.unit == "yes/no" else amount(lv.value, lv.unit))
        out.append(f"{without_party(lv.label, name)}: {shown}{_fixed(lv)}")
    return out


# -- the constraints that matter -----------------------------------------------------------

def top_constraints(r: Results, n: int = TOP_CONSTRAINTS) -> tuple[list[str], int]:
    """The binding constraints worth something to relax, ranked by the value of one realistic
    step of each (`Explanation.step`: the instance's `settings.steps` or its family's default),
    each with its step in plain words; and how many more are worth something."""
    rows = {c.name: c for c in r.constraints}
    priced = sorted((e for e in r.explanations
                     if e.deficit_change is not None and e.deficit_change < 0 and e.name in rows),
                    key=lambda e: e.deficit_change or 0.0)          # the largest fall first
    out = []
    for e in priced[:n]:
        c = rows[e.name]
        gain = money(-(e.deficit_change or 0.0))         # priced: a change below zero
        step = step_said(e)
        if c.kind == "participation":
            party = r.instance.parties.get(c.party or "", c.party or "")
            measure = r.instance.participation_measure.get(c.party or "", "payoff")
            out.append(f"**{party} must gain at least as much as with no deal**: if it accepted {money(e.step)} "
                       f"less {measure}, the deficit could fall by {gain}")
            continue
        more = "more" if c.sense == "<=" else "less"
        if c.kind == "red_line":
            what = f" ({possessive(r.instance.parties.get(c.party or '', ''))} red line)"
        else:
            bound = value(c.rhs, c.unit) if c.unit in ("USD", "fraction") else amount(c.rhs, c.unit)
            what = f", now {'at most' if c.sense == '<=' else 'at least'} {bound}"
        out.append(f"**{c.label}**{what}: {step} {more} would lower the deficit by {gain}{_beyond(e, c)}")
    return out, max(0, len(priced) - n)


def _beyond(e, c) -> str:
    """' at most (the rate holds only up to 50 vehicles)' when the step takes the bound past the
    range where its shadow price holds (`Explanation.range`, from ranging); '' otherwise."""
    if e.range is None:
        return ""
    moved = c.rhs + e.step if c.sense == "<=" else c.rhs - e.step
    end = e.range.high if c.sense == "<=" else e.range.low
    if end is None or not math.isfinite(end):        # the rate holds without end
        return ""
    if (moved <= end + 1e-9 * max(1.0, abs(end))) if c.sense == "<=" else (moved >= end - 1e-9 * max(1.0, abs(end))):
        return ""
    said = value(end, c.unit) if c.unit in ("USD", "fraction") else amount(float(f"{end:.6g}"), c.unit)
    return f" at most (the rate holds only {'up' if c.sense == '<=' else 'down'} to {said})"


def step_said(e) -> str:
    """An explanation's step in words: '2.5 percentage points', '1,000 vehicles', '285,714
    tonnes ($100.0 M worth)'."""
    if e.unit == "fraction":
        pp = e.step * 100
        return "one percentage point" if abs(pp - 1) < 1e-9 else f"{pp:g} percentage points"
    said = money(e.step) if e.unit == "USD" else amount(float(f"{e.step:.6g}"), e.unit)
    return said + (f" ({money(e.step_money)} worth)" if e.step_money else "")


def ranking_note(r: Results | None = None) -> str:
    """How what binds is ranked, and whose steps (the instance's or the defaults)."""
    if r is None or not r.explanations:
        return "most valuable to relax first, each by one realistic step"
    stated = any(e.step_stated for e in r.explanations)
    return ("most valuable to relax first, each by one realistic step: "
            + ("the instance's `settings.steps`, defaults where it states none" if stated else
               "the default steps, which `settings.steps` can change"))


def footnotes(r: Results) -> list[str]:
    """The levers left as with no deal (`unchanged_note`), what binds without mattering (worth
    nothing to relax alone) and the terms the instance fixes, each grouped into one line."""
    out = [unchanged_note(r)] if unchanged_note(r) else []
    idle = [c.label for c in binding_rows(r.constraints) if not c.worth]
    if idle:
        out.append("At their limit, but relaxing any one alone would not lower the deficit: "
                   + "; ".join(capped(group_labels(idle), MAX_ITEMS, "more (all under Constraints)")) + ".")
    fixed = [lv for lv in r.levers if lv.fixed]
    if fixed:
        out.append("Fixed by the instance (the model could not change them): "
                   + "; ".join(capped([f"{lv.label}: {_setting(lv)}" for lv in fixed], MAX_ITEMS,
                                      "more (all in the Levers table)")) + ".")
    return out


def _setting(lv) -> str:
    if lv.choice is not None and lv.unit == "fraction":      # a tariff option: its rate, or its label
        return rate_setting(lv.value, lv.choice)
    if lv.unit == "yes/no":
        return "yes" if lv.value > 0.5 else "no"
    return lv.choice or amount(lv.value, lv.unit)


# -- fixed terms against the free optimum ---------------------------------------------------

MAX_LISTED_CHANGES = 6


def fixed_terms(r: Results) -> list[str]:
    """For an instance that fixes terms: what they cost against the free optimum and what the
    free optimum would choose instead (`Results.free_optimum`)."""
    f = r.free_optimum
    if not f:
        return []
    if f.skipped:
        return [f"The free optimum (every lever free) was not computed: {f.skipped}."]
    if f.free is None:
        return [f"With every lever free there is no deal either ({f.status or 'no deal'})."]
    metric = r.metric(f.metric)
    out = []
    if f.cost is not None:
        cost = f.cost
        pct = abs(cost) / abs(f.free) if f.free else 0.0
        if abs(cost) < 0.5:
            out.append(f"**The fixed terms cost nothing**: with every lever free the {metric.label} would be the "
                       f"same, {money(f.free)}.")
        else:
            out.append(f"**The fixed terms cost {money(cost)} a year** of {short(metric.label)} ({pct:.2%} of it) "
                       f"against the free optimum: {money(f.fixed)} with them, {money(f.free)} with every "
                       "lever free.")
    mine = {(lv.name, lv.index): lv for lv in r.levers}
    changes = []
    for lv in f.levers:
        own = mine.get((lv.name, lv.index))
        before = _setting(own) if own else "not used"
        after = _setting(_Row(lv))
        if before != after:
            changes.append(f"{lv.label}: {after} instead of {before}")
    if changes:
        more = len(changes) - MAX_LISTED_CHANGES
        out.append("With every lever free the model would choose: " + "; ".join(changes[:MAX_LISTED_CHANGES])
                   + (f"; and {more} more changes (levers.csv of the free instance)" if more > 0 else "") + ".")
    elif f.cost is not None:
        out.append("With every lever free the model would choose the same levers.")
    return out


class _Row:
    """A free optimum's lever as the setting words read a lever row (never fixed)."""

    def __init__(self, lv):
        self.name, self.value, self.unit, self.choice = lv.name, lv.value, lv.unit, lv.choice
        self.fixed = False


# -- the zone of possible agreement, when computed -----------------------------------------

def zopa_line(r: Results) -> str:
    f = r.frontier
    if not f or f.status != "ok" or f.zopa is None:
        return ""
    z = f.zopa
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    free = " with every lever free" if any(k.startswith("fixed terms") for k in f.marks) else ""
    ends = f"{money(z.deficit.low)} (best for {home}) to {money(z.deficit.high)} (best for {partner})"
    if not r.instance.participation:
        return (f"Frontier{free} (participation was not required, so these are deals within the red lines, not "
                f"deals both sides are sure to prefer to no deal): a deficit from {ends}.")
    by = measured_by(r.instance.participation_measure, r.instance.parties)
    return (f"Zone of possible agreement{free}: deals both sides prefer to no deal{by} have a deficit from {ends}.")


# -- payoff and welfare, each party ----------------------------------------------------------

# What a payoff is, in words: the instance's own weights, which for a side that weighs the deficit
# count each dollar less of it as a dollar gained (a payoff is not welfare).
PAYOFF_WORDS = "the metrics the instance weighs for it; a side weighing the deficit counts each dollar less as a dollar gained"
WELFARE_WORDS = {"home": "its buyers, producers, tariff revenue and rents held",
                 "partner": "its exporters, rents held, dealers, plants, its buyers and its tariff revenue"}
DISAGREE_MIN = 0.5           # USD: changes smaller than this are no direction


def measure_changes(r: Results) -> dict[str, tuple[float, float]]:
    """Party -> (payoff change, welfare change) against no deal, for the deal."""
    out = {}
    for p in ("home", "partner"):
        pm, wm = r.metric(f"{p}_payoff"), r.metric(f"{p}_welfare")
        if pm.deal is not None and wm.deal is not None:
            out[p] = (pm.deal - pm.no_deal, wm.deal - wm.no_deal)
    return out


def welfare_lines(r: Results) -> list[str]:
    """Each party's welfare against no deal, named for what it counts, and the measure
    participation held it to (or that it held none); then, in bold, each party whose payoff and
    welfare move in opposite directions (the payoff lines are the report's own)."""
    held = r.instance.participation_measure
    out = []
    for p, (_, wel) in measure_changes(r).items():
        name = r.instance.parties[p]
        req = (f"participation held it to its {held.get(p, 'payoff')}" if r.instance.participation
               else "participation was not required")
        out.append(f"- {possessive(name)} welfare against no deal: {money(wel, True)} ({WELFARE_WORDS[p]}); {req}.")
    return out + [f"- {t}" for t in disagreements(r)]


def disagreements(r: Results) -> list[str]:
    """'**United States' payoff and welfare disagree**: ...' for each party whose two measures
    move in opposite directions against no deal (each by more than DISAGREE_MIN)."""
    out = []
    for p, (pay, wel) in measure_changes(r).items():
        if abs(pay) > DISAGREE_MIN and abs(wel) > DISAGREE_MIN and (pay > 0) != (wel > 0):
            name = r.instance.parties[p]
            out.append(f"**{possessive(name)} payoff and welfare disagree**: against no deal its payoff "
                       f"{'rises' if pay > 0 else 'falls'} by {money(abs(pay))} while its welfare "
                       f"{'rises' if wel > 0 else 'falls'} by {money(abs(wel))} (its payoff weighs the metrics "
                       "the instance names for it, a balance among them where it does; welfare counts only buyers, "
                       "producers, revenue and rents).")
    return out


def lose_lose(r: Results) -> list[str]:
    """'**A step of the deal loses for both sides**: ...' for each lever whose last step in the
    deal lowers both sides' payoffs (`Results.concession_values`, priced by re-solving): flagged,
    not removed, since the second stage holds the objective's optimum and cannot drop it."""
    cv = r.concession_values
    if not cv or not cv.rows:
        return []
    out = []
    for c in cv.rows:
        if (c.status == "ok" and c.direction == "last" and c.home_value is not None and c.partner_value is not None
                and c.home_value < -DISAGREE_MIN and c.partner_value < -DISAGREE_MIN):
            dd = c.deficit_change or 0.0
            effect = (f"the deficit {'falls' if dd < 0 else 'rises'} by {money(abs(dd))}" if abs(dd) > DISAGREE_MIN
                      else "the deficit does not move")
            out.append(f"**A step of the deal loses for both sides by their own payoffs**: {c.label}, {c.step}, costs "
                       f"{r.instance.parties['home']} {money(-c.home_value)} and {r.instance.parties['partner']} "
                       f"{money(-c.partner_value)} ({effect}); it stays because the "
                       f"{'deficit comes first' if r.objective.name == 'min_deficit' else 'objective comes first'}.")
    return out


# -- the bottom line ------------------------------------------------------------------------

def deal_sentence(r: Results) -> str:
    """One sentence (the brief's bottom line): the deal (or its absence), what it does to each
    bilateral balance, each named for what it is (the negotiated goods first, then the modelled lines
    alone and all goods where the instance gives them), and to each side."""
    d = r.metric("deficit")
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    if not r.has_deal:
        why = ("no package meets every constraint" if r.status == "infeasible"
               else f"the solve ended {r.status.replace('_', ' ')} without a verified deal")
        return (f"**{no_deal_heading(r.status)}**: {why}; the {balance_words(r, 'deficit')} stays at "
                f"{money(d.no_deal)} a year, as with no deal.")
    gains = measure_changes(r)
    who = {p: r.instance.parties[p] for p in ("home", "partner")}
    pay = ", ".join(f"{who[p]} {money(g[0], True)}" for p, g in gains.items())
    wel = ", ".join(f"{who[p]} {money(g[1], True)}" for p, g in gains.items())
    worse = [who[p] for p, g in gains.items() if g[0] < -DISAGREE_MIN]
    level = [who[p] for p, g in gains.items() if abs(g[0]) <= DISAGREE_MIN]
    if worse:
        lead = f"**A deal that leaves {' and '.join(worse)} worse off than no deal by {_its(worse)} payoff**"
    elif level:
        lead = f"**A deal that leaves {' and '.join(level)} no better off than no deal by {_its(level)} payoff**"
    else:
        lead = f"**A deal both {home} and {partner} prefer to no deal by their payoffs**"
    ot = r.over_time
    when = "a year" if ot is None else f"in {ot.last_year} (the deal fully phased in)"
    others = "".join(f"; the {balance_words(r, m)} {money(b.dealt)} ({money(b.dealt - b.no_deal, True)})"
                     for m in shown_balances(r) if m != "deficit" for b in [r.metric(m)]
                     if m != "sector_deficit" or max(abs(b.dealt - d.dealt), abs(b.no_deal - d.no_deal)) > 0.5)
    return (f"{lead}: the {balance_words(r, 'deficit')} is {money(d.dealt)} {when}, "
            f"{money(d.dealt - d.no_deal, True)} against no deal ({money(d.no_deal)}){others}. Gains over no deal by "
            f"payoff: {pay}; in welfare: {wel}.")


def _its(names: list[str]) -> str:
    return "its" if len(names) == 1 else "their"


def bottom_line(r: Results) -> str:
    """The first screen's opening sentence: who gains against no deal, by payoff and in welfare,
    and what the deal does to the deficit (`deal_sentence`, the brief's bottom line); then how sure, the share
    of draws with a deal when robustness was drawn. '' without a deal (the heading says it)."""
    if not r.has_deal:
        return ""
    rb = r.robustness
    sure = (f" How sure: a deal holds in {rb.deals:,} of {rb.draws:,} draws ({share_of_draws(rb.share)}) of the "
            "instance's uncertainty." if rb is not None and not rb.skipped and rb.draws else "")
    return deal_sentence(r) + sure


# -- jobs and the price buyers pay ------------------------------------------------------------

def jobs_and_price(r: Results) -> list[str]:
    """The deal's change against no deal in jobs (each side's, when the instance counts them:
    `jobs_per_unit`) and in the average price home buyers pay for the partner's goods, each
    with its unit and what it counts; [] without a deal."""
    if not r.has_deal:
        return []
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    units = r.metric("imports_units").unit
    out = []
    counted = {i.path.split(".")[1] for i in r.inputs if i.path.startswith("jobs_per_unit.")}
    jobs = {p: r.metric(f"{p}_jobs") for p in ("home", "partner") if p in counted}
    if jobs:
        said = ", ".join(f"{r.instance.parties[p]} {count(m.dealt - m.no_deal, 'jobs', True)}" for p, m in jobs.items())
        out.append(f"**Jobs against no deal**: {said} (jobs building {units} in each country: the instance's jobs "
                   "per unit built times the change in production).")
    else:
        out.append("**Jobs** are not counted: the instance gives no jobs per unit built (`jobs_per_unit`).")
    price = r.metric("buyer_price_change")
    moved = price.dealt - price.no_deal
    way = "the same as" if abs(moved) < SAME_SETTING else f"{abs(moved) * 100:.1f} pp {'lower' if moved < 0 else 'higher'} than"
    year = calibration_name(r)
    goods = r.instance.goods or units        # every modelled line: the average weighs each by buyers' spending
    out.append(f"**The price {home} buyers pay for {possessive(partner)} {goods}**: {way} with no deal "
               f"({share(price.dealt, True)} against {year} with the deal, {share(price.no_deal, True)} with no deal; "
               f"segments weighted by buyers' spending in {year}).")
    return out


# -- robustness: draws of the instance's uncertainty --------------------------------------------

WALK_AWAY_WORDS = {
    "either": "either side giving way alone (its red lines and participation) would make a deal",
    "both": "only both sides giving way together (their red lines and participation) makes a deal",
    "market": "buyers' ceilings and capacities leave no deal whatever the sides' positions",
    "undetermined": "the model was rebuilt for these draws, so who walks away was not tested",
}


def robustness_lines(r: Results, rb: DealRobustness | None = None, over: str = "", inputs: int = 1,
                     noun: str = "draws") -> list[str]:
    """The first screen's robustness (`Results.robustness`, or `rb`: a sweep's): in how many
    draws a deal holds, who walks away in the rest and why, and the `inputs` inputs that separate
    deal from no deal most. Nothing when no draws were asked for or none are declared. `over`:
    what was drawn (default: the instance's uncertainty ranges); `noun`: what the draws are
    ('grid points' for a grid)."""
    rb = rb if rb is not None else r.robustness
    if rb is None:
        return []
    if rb.skipped:
        return [f"**Robustness was not drawn**: {rb.skipped}."]
    if not rb.draws:
        return []
    held = f"{rb.deals:,} of {rb.draws:,} {noun} ({share_of_draws(rb.share)})"
    ranges = over or (f"over the instance's uncertainty ranges (each draw's model over {rb.years} rebuilt and "
                      f"solved; seed {rb.seed})" if rb.years else
                      f"over the instance's uncertainty ranges (each draw re-solved; seed {rb.seed})")
    head = (f"**A deal holds in {held}** {ranges}." if r.has_deal else
            f"**With the instance's own values there is no deal; one exists in {held}** {ranges}." if rb.deals else
            f"**With the instance's own values there is no deal, nor in any of {rb.draws:,} {noun}** {ranges}.")
    out = [head]
    if rb.no_deal:
        out.append(walk_away_line(r, rb, noun))
    if rb.other:
        out.append("Draws that neither gave a verified deal nor proved none possible: "
                   + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(rb.other.items())) + ".")
    return out + deciding_inputs(rb, inputs, noun)


def walk_away_line(r: Results, rb: DealRobustness, noun: str = "draws") -> str:
    """Who most often walks away in the draws without a deal, why, and the rest counted."""
    ranked = sorted(rb.walks_away.items(), key=lambda kv: -kv[1])
    who, n = ranked[0]
    of = f"{n:,} of the {rb.no_deal:,} {noun} without a deal"
    if who in ("home", "partner"):
        name = r.instance.parties[who]
        own = rb.by_participation.get(who, 0)
        worse = f"worse off than no deal in present value over {rb.years}" if rb.years else "worse off than no deal"
        if own == n:
            text = (f"**{name} walks away** in {of}: every deal the red lines allow leaves it {worse} "
                    f"(its participation fails)")
        elif own:
            text = (f"**{name} walks away** in {of}: in {own:,} every deal the red lines allow leaves it {worse}; "
                    f"in the rest its red lines end the deal")
        else:
            text = f"**{possessive(name)} red lines end the deal** in {of}: without them a deal exists"
    else:
        text = f"In {of}, {WALK_AWAY_WORDS[who]}"
    others = [f"{_who(r, k)} {v:,}" for k, v in ranked[1:]]
    return text + (f" (the others: {'; '.join(others)})" if others else "") + "."


def _who(r: Results, key: str) -> str:
    return (r.instance.parties[key] if key in ("home", "partner") else
            {"either": "either side", "both": "both sides", "market": "the market's limits",
             "undetermined": "not tested"}[key])


SEPARATES = 0.1          # an input separates deal from no deal when its halves' shares differ by this much


def deciding_inputs(rb: DealRobustness, n: int = 1, noun: str = "draws") -> list[str]:
    """'The input that most separates deal from no deal is ...' (the draws halved by its value),
    then up to n - 1 more that separate them by at least SEPARATES; [] when none does."""
    from model.reporting.words import input_value
    if not rb.inputs or not rb.deals or rb.deals == rb.draws:
        return []
    out: list[str] = []
    for x in rb.inputs[:n]:
        if abs(x.separation) < (1e-12 if not out else SEPARATES):
            break
        at = input_value(x.path, float(f"{x.split:.3g}"), x.unit)
        halves = (f"a deal in {x.low_deals:,} of the {x.low_draws:,} {noun} below {at}, {x.high_deals:,} of the "
                  f"{x.high_draws:,} above")
        out.append(f"**The input that most separates deal from no deal is {x.label}**: {halves}." if not out
                   else f"Then **{x.label}**: {halves}.")
    return out
