"""The frontier's report section and terminal text: reads results only (no Pyomo)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from model.formatting import money, value
from model.reporting.markdown_table import table
from model.reporting.words import measured_by, participation_said, possessive

MAX_ROWS = 12        # frontier points listed in the report; every point is in frontier.csv


def _zopa(r, f) -> list[str]:
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    z = f.zopa
    inst = r.instance
    if inst.participation:
        first = ("Every deal on the frontier respects both sides' red lines and leaves both at least as well off as no "
                 f"deal{measured_by(inst.participation_measure, inst.parties)}")
        zone = "The zone of possible agreement runs"
    else:
        first = ("Every deal on the frontier respects both sides' red lines. "
                 + participation_said(False, inst.participation_measure, inst.parties).rstrip(".")
                 + ": the frontier is not a zone of possible agreement, and a gain below may be negative")
        zone = "The frontier runs"
    return [f"{first}; each point is a separate verified deal (deals between two points need not exist). {zone} "
            f"from a deficit of {money(z.deficit.low)} (best for {home}) to "
            f"{money(z.deficit.high)} (best for {partner}). Along it {possessive(home)} gain over no deal (payoff) "
            f"runs from {money(z.home_gain.high)} down to {money(z.home_gain.low)}, and {possessive(partner)} from "
            f"{money(z.partner_gain.low)} up to {money(z.partner_gain.high)}."]


def _marks(r, f) -> list[str]:
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    return [f"{name}: deficit {money(mk.deficit)}; {home} gains {money(mk.home_gain)}, {partner} gains "
            f"{money(mk.partner_gain)}" for name, mk in f.marks.items()]


def _no_zopa(r, f) -> list[str]:
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    s = f.shortfall
    measure = r.instance.participation_measure
    lines = [f"There is no zone of possible agreement: no deal leaves both {home} and {partner} at least as well "
             f"off as no deal{measured_by(measure, r.instance.parties)} within their red lines."]
    if s.kind == "participation":
        parts = "; ".join(f"{r.instance.parties[p]} {money(v)} below its no-deal {measure.get(p, 'payoff')}"
                          for p, v in s.by_party.items())
        lines.append(f"The sides are {money(s.total)} apart: the smallest participation shortfall is {parts}.")
    elif s.relaxations:
        lines.append(s.note + ": " + "; ".join(f"{x.label} by {value(x.amount, x.unit)}"
                                                  for x in s.relaxations) + ".")
    else:
        lines.append(s.note[:1].upper() + s.note[1:] + ".")
    return lines


def _unsolved(f) -> str:
    """A frontier whose end did not solve: no zone is claimed, the reason is given."""
    return (f"The frontier could not be computed: {(f.message or f.status).rstrip('.')}. "
            "No zone of possible agreement is claimed.")


def frontier_section(r) -> str:
    """The report section for results carrying a frontier."""
    f = r.frontier
    if not f:
        return ""
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    lines = ["## The frontier and the zone of possible agreement", ""]
    if f.status == "no_zopa":
        return "\n".join(lines + [" ".join(_no_zopa(r, f))])
    if f.status != "ok":
        return "\n".join(lines + [_unsolved(f)])
    lines += _zopa(r, f) + [""] + [f"- **{m.split(':', 1)[0]}**:{m.split(':', 1)[1]}." for m in _marks(r, f)]
    if f.added_by:
        lines += ["", f"(Why this section is here: {f.added_by}.)"]
    points = f.points
    shown = points if len(points) <= MAX_ROWS else [points[round(k * (len(points) - 1) / (MAX_ROWS - 1))]
                                                    for k in range(MAX_ROWS)]
    lines += ["", "![The frontier: the deficit against each side's gain over no deal](frontier.svg)"]
    if f.added_by:        # a few points, added by `run`: the chart and the marks say it; the points are in results.json
        return "\n".join(lines)
    lines += ["", table(["point", "deficit", f"{home} gain", f"{partner} gain", "verified"],
                    [[str(p.index), money(p.deficit), money(p.home_gain), money(p.partner_gain),
                      "yes" if p.verified else "NO"] for p in shown])]
    if len(shown) < len(points):
        lines += ["", f"({len(shown)} of the {len(points)} points; all are in frontier.csv.)"]
    return "\n".join(lines)


def frontier_terminal(r, out: Path) -> str:
    """What `frontier` prints: the zone in plain text, the marked deals, the points, the files."""
    f = r.frontier
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    lines = [f"{r.instance.name}: frontier"]
    if f.status != "ok":
        for x in (_no_zopa(r, f) if f.status == "no_zopa" else [_unsolved(f)]):
            lines += textwrap.wrap(x, 110, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
    else:
        z = f.zopa
        what = ("zone of possible agreement" if r.instance.participation
                else "frontier within the red lines (participation not required: not a zone of agreement)")
        lines.append(f"  {what}: deficit {money(z.deficit.low)} (best for {home}) to "
                     f"{money(z.deficit.high)} (best for {partner})")
        lines += [f"  {m}" for m in _marks(r, f)]
        width = max(len(home), len(partner)) + 6
        lines.append(f"  {'point':>5}  {'deficit':>12}  {home + ' gain':>{width}}  {partner + ' gain':>{width}}")
        for p in f.points:
            lines.append(f"  {p.index:>5}  {money(p.deficit):>12}  {money(p.home_gain):>{width}}  "
                         f"{money(p.partner_gain):>{width}}" + ("" if p.verified else "  NOT VERIFIED"))
        lines.append(f"  chart: {out / 'frontier.svg'}; every point: {out / 'frontier.csv'}")
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines)
