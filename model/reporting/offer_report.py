"""The evaluation of an offer: report.md, report.html, offer_levers.csv and the terminal
summary, from the typed `results.OfferEvaluation` of `analyses.offers.evaluate_offer` (never
Pyomo). Every part of the results a rendering reads is declared in READS (tests/test_pipelines.py)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.formatting import money, value
from model.reporting.markdown_table import table
from model.reporting.words import measured_by, participation_said, possessive
from model.results import Broken, Change, OfferEvaluation, Outcome, Setting, Solved, by_rule
from model.text import visible

# What each rendering reads of `OfferEvaluation` (its fields).
READS: dict[str, tuple[str, ...]] = {
    "markdown": ("offer", "parties", "instance", "stated", "completion", "frontier", "amendment", "method",
                 "robustness"),
    "html": ("offer", "parties", "instance", "stated", "completion", "frontier", "amendment", "method", "robustness"),
    "frame": ("stated", "completion", "amendment"),
    "terminal": ("offer", "parties", "instance", "stated", "completion", "frontier", "amendment", "robustness"),
}


def _shown(v: Setting, unit: str) -> str:
    return value(v, unit) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _amount(b: Broken) -> str:
    """How far a broken constraint is from holding, in its unit ('10.0 percentage points')."""
    if b.unit == "fraction":
        return f"{b.amount * 100:.1f} percentage points"
    return value(b.amount, b.unit)


def _against(b: Broken) -> tuple[str, str]:
    """(value, bound) in words. Participation is said as the side's gain over no deal against
    zero: the absolute payoffs it compares mean nothing to a reader."""
    if b.kind == "participation":
        return f"{money(b.value - b.bound, True)} over no deal", f"{b.sense} $0"
    return _shown(b.value, b.unit), f"{b.sense} {_shown(b.bound, b.unit)}"


def _line_name(b: Broken) -> str:
    """'compact cars' for the line 'Japan: cars pay at most 15% (compact cars)' of its rule."""
    prefix = f"{b.rule_label} ("
    return b.label[len(prefix):-1] if b.rule_label and b.label.startswith(prefix) and b.label.endswith(")") \
        else b.label


def broken_lines(broken: list[Broken]) -> list[str]:
    """One sentence per rule broken: its line, or its lines with the largest shortfall."""
    out = []
    for group in by_rule(broken).values():
        b = group[0]
        if len(group) == 1:
            value, bound = _against(b)
            out.append(f"breaks {b.label}: {value}" + ("" if b.kind == "participation" else f" against {bound}")
                       + f" (by {_amount(b)})")
            continue
        worst = max(group, key=lambda x: x.amount)
        out.append(f"breaks {b.rule_label or b.label} on {len(group)} lines ({', '.join(_line_name(x) for x in group)}): "
                   f"by up to {_amount(worst)}")
    return out


def _gains(d: OfferEvaluation, block: Outcome | Solved) -> str:
    """The deficit, each side's payoff gain over no deal, and its welfare change, said apart and
    in bold where the two measures point opposite ways."""
    home, partner = d.parties["home"], d.parties["partner"]
    assert block.metrics is not None and block.gains is not None, "a deal's outcome"
    gains = block.gains
    text = (f"deficit {money(block.metrics['deficit'])}; {home} {money(gains['home'], True)}, "
            f"{partner} {money(gains['partner'], True)} over no deal")
    welfare = block.welfare_gains or {}
    if len(welfare) == 2:
        text += (f" in payoff, {home} {money(welfare['home'], True)}, {partner} {money(welfare['partner'], True)} "
                 "in welfare")
        split = [d.parties[p] for p in ("home", "partner")
                 if abs(welfare[p]) > 0.5 and abs(gains[p]) > 0.5 and (welfare[p] > 0) != (gains[p] > 0)]
        if split:
            text += f" (**payoff and welfare disagree for {' and '.join(split)}**)"
    return text


def _outcome(block: Solved) -> str:
    """'unbounded (the deficit can fall ...)': how a solve without a deal ended, and why."""
    return block.status.replace("_", " ") + (f" ({block.message})" if block.message else "")


def _change_rows(d: OfferEvaluation, changes: list[Change]) -> list[list[str]]:
    return [[d.parties[c.party], c.label, _shown(c.before, c.unit), _shown(c.to, c.unit)] for c in changes]


def how_sure(d: OfferEvaluation) -> str:
    """'**Acceptable as stated in 21 of 50 draws (42%)** of the instance's uncertainty ranges
    (seed 0); in the rest it breaks most often: X (29 draws); Japan's constraints in 29.' ('' when
    no draws were checked)."""
    rb = d.robustness
    if rb is None or not rb.draws:
        return ""
    share = rb.acceptable / rb.draws
    text = (f"**Acceptable as stated in {rb.acceptable:,} of {rb.draws:,} draws ({share:.0%})** of the instance's "
            f"uncertainty ranges (the offer's levers fixed, the rest at no deal; seed {rb.seed})")
    if rb.broken_by:
        label, n = max(rb.broken_by.items(), key=lambda kv: (kv[1], kv[0]))
        whose = "; ".join(f"{possessive(d.parties[p])} constraints in {k:,}" for p, k in sorted(rb.whose.items()))
        text += f"; in the rest it breaks most often: {label} ({n:,} draws)" + (f"; {whose}" if whose else "")
    return text + "."


def verdict(d: OfferEvaluation) -> str:
    s, partner = d.stated, d.parties["partner"]
    if s.acceptable:
        if not d.instance.participation:
            return ("**Acceptable as stated**: it breaks no red line and fits every ceiling and capacity. "
                    + participation_said(False, {}, d.parties))
        by = measured_by(d.instance.participation_measure, d.parties)
        return (f"**Acceptable as stated**: it breaks no red line, leaves both sides at least as well off as no deal{by} "
                "and fits every ceiling and capacity.")
    parties = sorted({d.parties[b.party] for b in s.broken if b.party})
    who = " and ".join(parties) if parties else partner
    n, lines = len(by_rule(s.broken)), len(s.broken)
    on = f", on {lines} lines" if lines != n else ""
    return f"**Not acceptable as stated**: it breaks {n} constraint{'s' if n != 1 else ''}{on} ({who}'s)."


def sections(d: OfferEvaluation) -> list[tuple[str, str]]:
    """(heading, markdown) in reading order."""
    home, partner = d.parties["home"], d.parties["partner"]
    o, s, c = d.offer, d.stated, d.completion
    out = []
    by = f", tabled by {d.parties[o.tabled_by]}" if o.tabled_by else ""
    rows = [[d.parties[lv.party], lv.label, _shown(lv.value, lv.unit)] for lv in o.levers]
    cited = [f"{k}: {'assumption: ' if v.kind == 'assumption' else ''}{v.text}"
             + (f" ({v.year})" if v.year else "") for k, v in o.sources.items()]
    out.append(("The offer", (f"{o.note}\n\n" if o.note else "") + f"Offer '{o.name}' ({o.file}{by}) "
                "fixes these levers; every lever it leaves out stays at its no-deal setting.\n\n"
                + table(["given by", "lever", "setting"], rows)
                + ("\n\nThe offer's own sources:\n\n" + "\n".join(f"- {c}" for c in cited) if cited else "")))
    text = [verdict(d)] + ([how_sure(d)] if how_sure(d) else []) + [f"As stated: {_gains(d, s)}."]
    if s.broken:
        text.append(table(["constraint", "whose", "value", "bound", "broken by"],
                          [[b.label, d.parties.get(b.party, "") if b.party else "", *_against(b), _amount(b)]
                           for b in s.broken]))
    out.append(("As stated: acceptable?", "\n\n".join(text)))
    text = [f"Method: {d.method['completion']}."]
    if c.metrics:
        text.append(f"Best completion: {_gains(d, c)}" + (" (verified)." if c.verified else " (NOT verified)."))
        text.append("It adds: " + ("; ".join(f"{a.label}: {_shown(a.to, a.unit)}" for a in c.added)
                                   if c.added else "nothing: no lever the offer leaves out can be added without "
                                   "leaving one side worse off than the offer as stated."))
        hb = c.home_best
        if hb and hb.metrics and hb.gains is not None:
            text.append(f"Without the floors (only red lines and participation), the home-best completion: "
                        f"{_gains(d, hb)}; against the offer as stated {home} "
                        f"{money(hb.gains['home'] - s.gains['home'], True)}, {partner} "
                        f"{money(hb.gains['partner'] - s.gains['partner'], True)}.")
            if hb.added:
                text.append(table(["given by", "lever", "as stated", "home-best completion"], _change_rows(d, hb.added)))
    elif c.status == "infeasible":
        text.append(f"No completion: with the offer's levers fixed, {c.message or c.status} "
                    "(the offer's own terms break a constraint that no other lever can repair).")
    else:
        text.append(f"No completion is reported: with the offer's levers fixed, the solve ended {_outcome(c)}.")
    out.append(("The best completion", "\n\n".join(text)))
    text = [f"Method: {d.method['frontier']}."]
    for f, what in ((d.frontier.from_stated, "the offer as stated"), (d.frontier.from_completion, "its best completion")):
        if not f:
            continue
        if f.joint_gain is None:
            text.append(f"From {what}: no deal could be found ({f.joint_status})." if f.joint_status ==
                        "infeasible" else f"From {what}: the distance could not be computed (the solve ended "
                        f"{f.joint_status.replace('_', ' ')}).")
            continue
        room = []
        for p in ("home", "partner"):
            other = "partner" if p == "home" else "home"
            r = f.room(p)
            if r is None and f.room_status(p) != "infeasible":
                room.append(f"{possessive(d.parties[p])} room with {d.parties[other]} no worse off could not be "
                            f"computed (the solve ended {f.room_status(p).replace('_', ' ')})")
            elif r is None:
                room.append(f"no acceptable deal keeps {d.parties[other]} as well off as this")
            elif r >= 0:
                room.append(f"{d.parties[p]} alone could gain {money(r)} more with {d.parties[other]} no worse off")
            else:
                room.append(f"with {d.parties[other]} no worse off, {d.parties[p]} would get {money(-r)} less "
                            "in the best acceptable deal")
        if f.on_frontier:
            head = (f"From {what}: on or beyond the frontier: no acceptable deal is better for both sides (the most "
                    f"both can have at once is {money(abs(f.joint_gain))} {'more' if f.joint_gain >= 0 else 'less'}"
                    " each).")
        else:
            assert f.joint_deal is not None, "a joint gain comes with its deal"
            head = (f"From {what}: both sides could each gain {money(f.joint_gain)} more at once "
                    f"(deal with deficit {money(f.joint_deal.deficit)}).")
        rest = "; ".join(room)
        text.append(f"{head} {rest[:1].upper()}{rest[1:]}.")
    out.append(("Distance to the frontier", "\n\n".join(text)))
    a = d.amendment
    if a:
        if a.changes is None:
            out.append(("The smallest change that makes it acceptable", a.message + "."))
        else:
            text = [f"Method: {d.method['amendment']}. Changing {a.scope}:",
                    table(["given by", "lever", "offered", "changed to"], _change_rows(d, a.changes))]
            if a.added:
                text += ["and adding:", table(["given by", "lever", "as stated", "added"], _change_rows(d, a.added))]
            text.append(f"The amended offer: {_gains(d, a)}" + (" (verified: every constraint holds)."
                                                                if a.verified else " (NOT verified)."))
            out.append(("The smallest change that makes it acceptable", "\n\n".join(text)))
    return out


def markdown(d: OfferEvaluation) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    lines = [f"# Evaluating an offer: {d.offer.title}",
             f"Instance `{d.instance.name}` ({d.instance.title}): {home} (home) and {partner} (partner)."]
    for heading, body in sections(d):
        lines += [f"## {heading}", body]
    return visible("\n\n".join(lines)) + "\n"


def html(d: OfferEvaluation) -> str:
    """The page: each markdown section rendered by `html.markdown_html`, which escapes every
    text once (`page` escapes the title and subtitle: they are passed as plain text)."""
    from model.reporting.html import markdown_html, page
    parts = [(heading, markdown_html(body)) for heading, body in sections(d)]
    return page(f"Evaluating an offer: {d.offer.title}", parts,
                f"Instance {d.instance.name}: {d.parties['home']} (home) and {d.parties['partner']} (partner)")


def frame(d: OfferEvaluation) -> pd.DataFrame:
    """offer_levers.csv: one row per lever that any of the deals sets differently from no deal."""
    columns: dict[str, Outcome | Solved | None] = {
        "as_stated": d.stated, "completion": d.completion, "home_best_completion": d.completion.home_best,
        "amended": d.amendment}
    rows: dict[str, dict] = {}
    for column, block in columns.items():
        for party, items in ((block.gives if block is not None else None) or {}).items():
            for g in items:
                row = rows.setdefault(g.lever, {"lever": g.lever, "label": g.label, "party": party, "unit": g.unit})
                row[column] = g.value
    return pd.DataFrame(list(rows.values()), columns=["lever", "label", "party", "unit", *columns])


def _count(broken: list[Broken]) -> str:
    """'6 lines of 2 constraints broken', '1 broken'."""
    n = len(by_rule(broken))
    return f"{n} broken" if n == len(broken) else f"{n} broken, on {len(broken)} lines"


def terminal(d: OfferEvaluation, out: Path) -> str:
    s, c = d.stated, d.completion
    lines = [f"{d.offer.name} on {d.instance.name}: "
             + ("acceptable as stated" if s.acceptable else f"NOT acceptable as stated ({_count(s.broken)})"),
             f"  as stated: {_gains(d, s)}"]
    lines += [f"    {line}" for line in broken_lines(s.broken)]
    if how_sure(d):
        lines.append(f"  how sure: {how_sure(d)}")
    if c.metrics:
        lines.append(f"  best completion: {_gains(d, c)}")
    elif c.status == "infeasible":
        lines.append("  best completion: none (no deal with the offer's levers fixed)")
    else:
        lines.append(f"  best completion: none reported: the solve ended {_outcome(c)}")
    f = d.frontier.from_stated
    if f.joint_gain is not None:
        lines.append(f"  distance to the frontier: both sides could each gain {money(f.joint_gain)} more at once"
                     if not f.on_frontier else "  distance to the frontier: on or beyond it (no acceptable deal is "
                     f"better for both; at most {money(abs(f.joint_gain))} "
                     f"{'more' if f.joint_gain >= 0 else 'less'} each)")
    a = d.amendment
    if a and a.changes is not None:
        lines.append("  smallest change that makes it acceptable: " + "; ".join(
            f"{ch.label}: {_shown(ch.before, ch.unit)} -> {_shown(ch.to, ch.unit)}"
            for ch in a.changes + a.added))
        lines.append(f"    then: {_gains(d, a)}")
    elif a:
        lines.append(f"  {a.message}")
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines).replace("**", "")          # the terminal shows no markdown bold
