"""What the terminal shows after a command: the report's first screen as plain text, and
where the report is. Each binding constraint appears once (in 'what holds the deficit up'
when it is worth something to relax, else in the note of what binds without mattering)."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

from model.formatting import money, share_of_draws
from model.reporting.explanations import _moves as moves
from model.reporting.first_screen import (
    bottom_line,
    disagreements,
    fixed_terms,
    footnotes,
    jobs_and_price,
    lose_lose,
    package,
    ranking_note,
    robustness_lines,
    top_constraints,
    zopa_line,
)
from model.reporting.words import calibration_name, no_deal_heading, no_deficit, participation_said

WIDTH = 110          # terminal lines are wrapped to this width (indentation kept)


def plain(text: str) -> str:
    """Our markdown's bold and italics dropped."""
    return text.replace("**", "").replace("*", "") if "**" in text or text.startswith("*") else text


KEEP_TOGETHER = re.compile(r"(\d) (bn|M|k|pp|vehicles|tonnes|aircraft)\b")   # '$29.50 bn' is never split


def _wrap(text: str, indent: int, hang: int = 2) -> list[str]:
    glued = KEEP_TOGETHER.sub("\\1\u00a0\\2", plain(text))
    lines = textwrap.wrap(glued, WIDTH, initial_indent=" " * indent, subsequent_indent=" " * (indent + hang),
                          break_on_hyphens=False, break_long_words=False) or [" " * indent]
    return [line.replace("\u00a0", " ") for line in lines]


def run_summary(r, out: Path) -> str:
    from model.reporting.markdown import balance_lines
    d = r.metric("deficit")
    lines = [f"{r.instance.name}: {r.status}" + (f" ({r.message})" if r.message else "")]
    lines += _wrap(f"question: {r.instance.question}", 2)
    if not r.instance.participation:
        lines += _wrap("note: " + participation_said(False, r.instance.participation_measure, r.instance.parties), 2)
    second = r.stages.stage_two_status
    if r.has_deal and second and second != "optimal":
        lines.append(f"  second stage (best deal for the partner at this deficit): {second}, not proven optimal")
    for w in r.warnings:
        lines += _wrap(f"warning: {w}", 2)
    if r.has_deal:
        lines += _wrap(f"bottom line: {bottom_line(r)}", 2)
        lines.append("  the deal:")
        for _, name, clauses in package(r):
            lines.append(f"    {name}:" + ("" if clauses else " no concession"))
            for c in clauses:
                lines += _wrap(f"- {c}", 6)
        lines += _over_time(r)
        lines += _robust(r)
        fixed = fixed_terms(r)
        if fixed:
            lines.append("  the fixed terms:")
            for t in fixed:
                lines += _wrap(f"- {t}", 4)
        lines.append(f"  balances (against no deal and {calibration_name(r)}):")
        for b in balance_lines(r):
            lines += _wrap(b, 4)
        for t in jobs_and_price(r):
            lines += _wrap(f"- {t}", 4)
        for t in disagreements(r) + lose_lose(r):
            lines += _wrap(f"- {t}", 4)
        if zopa_line(r):
            lines += _wrap(f"- {zopa_line(r)}", 4)
        from model.reporting.trade_welfare_section import terminal_lines
        lines += terminal_lines(r)
        top, more = top_constraints(r)
        if top:
            lines += _wrap(f"what holds the deficit up ({ranking_note(r)}):", 2)
            for i, t in enumerate(top, 1):
                lines += _wrap(f"{i}. {t}", 4, 3)
            if more:
                lines.append(f"    ({more} more in the report)")
        else:
            lines.append("  no constraint worth relaxing is at its limit")
        for n in footnotes(r):
            lines += _wrap(f"note: {n}", 2)
        if r.status == "time_limit":
            lines.append(f"  MIP gap of the best deal found: {r.solver.mip_gap:.2%}" if r.solver.mip_gap
                         is not None else "  MIP gap unknown")
        lines.append(f"  verification: max violation {r.verification.max_violation:.1e} "
                     f"({'ok' if r.verification.ok else 'FAILED'})")
    else:
        lines.append(f"  deficit: {money(d.baseline)} in {calibration_name(r)}, {money(d.no_deal)} with no deal, "
                     + ("no deal possible" if r.status == "infeasible" else no_deal_heading(r.status)[:1].lower()
                        + no_deal_heading(r.status)[1:]))
        lines += _over_time(r)
        lines += _robust(r)
    diag = r.diagnosis
    if diag and diag.status == "relaxable":
        from model.reporting.explanations import participation_gap
        if participation_gap(r):
            lines += _wrap(participation_gap(r), 2)
        lines.append("  smallest relaxation that makes a deal possible:")
        lines += [f"    {m}" for m in moves(diag)]
        for p, block in diag.by_party.items():
            name = r.instance.parties[p]
            if block.status == "relaxable":
                lines += _wrap(f"{name} alone: " + "; ".join(moves(block)), 2)
            else:
                lines.append(f"  {name} alone: no move of its own red lines and participation makes a deal possible")
    elif diag:
        lines.append("  no relaxation of red lines, participation, ceilings or capacities makes a deal possible")
    lines.append(f"  report: {out / 'report.md'} (and report.html)")
    return "\n".join(lines)


def _over_time(r) -> list[str]:
    """A deal over a horizon: its path by year and the present values (`over_time_section`)."""
    from model.reporting.over_time_section import terminal_lines
    said = terminal_lines(r)
    if not said:
        return []
    out = _wrap(said[0], 2)
    for t in said[1:]:
        out += _wrap(t + ".", 4)
    return out


def _robust(r) -> list[str]:
    """The robustness lines (`first_screen.robustness_lines`), under their heading."""
    said = robustness_lines(r)
    if not said:
        return []
    out = ["  how robust it is:"]
    for t in said:
        out += _wrap(f"- {t}", 4)
    return out


def sweep_summary(inst, result, out, rebuild_reason: str = "", base=None) -> str:
    """A sweep's terminal summary: first the share of draws with a deal, who walks away in the
    rest and the inputs that separate them (from `base`, the instance's results with the sweep's
    summary, when given), then how the draws ran and what the deals look like."""
    from model.reporting.sweep_section import sweep_headline
    s = result.summary
    lines = [f"{inst.name}: {s.draws:,} draws in {result.seconds:.1f} s ({result.engine}); "
             + ", ".join(f"{k} {v:,}" for k, v in s.status.items())]
    for t in (sweep_headline(base) if base is not None else []):
        lines += _wrap(f"- {t}", 2)
    found = s.found if s.found is not None else s.verified
    lines.append(f"  deals verified outside the solver: {s.verified:,} of the {found:,} found, in {s.draws:,} draws "
                 "(largest violation " + ("n/a" if s.max_violation is None else f"{s.max_violation:.1e}") + ")")
    m = s.method
    if m.get("rebuild"):
        reason = rebuild_reason
        lines.append(f"  rebuilt the model for {m['rebuild']:,} draws" + (f" ({reason})" if reason else "")
                     + f"; re-solved one built model for {m.get('re-solve', 0):,}")
    else:
        lines.append("  one built model re-solved for every draw")
    q = s.quantiles["deficit"]
    pv = s.quantiles.get("pv_deficit")            # an instance with a horizon: its deficit is the last year's
    if q and s.monte_carlo:
        lines.append(f"  deficit of the deals{' in the last year' if pv else ''}: median {money(q.q50)}, 90% of them "
                     f"between {money(q.q05)} and {money(q.q95)}")
    if pv and s.monte_carlo:
        lines.append(f"  present value of the deficit over the horizon: median {money(pv.q50)}, 90% of the deals "
                     f"between {money(pv.q05)} and {money(pv.q95)}")
    if s.grid and not s.monte_carlo:
        names = list(s.params)
        for g in s.grid:
            where = ", ".join(f"{n}={g.values[n]:g}" for n in names)
            pv = g.present_values.get("pv_deficit")
            lines.append(f"  {where}: " + ((f"deficit {money(g.deficit)}" + (f" in the last year, {money(pv)} in present "
                                                                            "value" if pv is not None else ""))
                                           if g.deficit is not None else no_deficit(g.statuses or g.status)))
    if s.monte_carlo:
        by_line: dict[str, list] = {}
        for x in s.levers:
            if x.lever.startswith("tariff."):
                label, _, option = x.label.rpartition(": ")
                by_line.setdefault(label, []).append(f"{option} {share_of_draws(x.share)}")
        for label, options in list(by_line.items())[:6]:
            lines.append(f"  {label}: " + ", ".join(options) + " of deals")
        for x in (s.sensitivity or [])[:3]:
            if x.swing is not None:
                pv = f", its present value by {money(x.pv_swing, True)}" if x.pv_swing is not None else ""
                lines.append(f"  sensitivity: {x.label} moves the deficit by {money(x.swing, True)}"
                             f"{' in the last year' + pv if pv else ''} "
                             "(5th to 95th percentile of its draws, the rest as in the instance)")
            else:
                ends = [f"{no_deficit(end.status)} at the {end.percentile:.0%} point" for end in (x.low, x.high)
                        if end.deficit is None]
                lines.append(f"  sensitivity: {x.label}: {' and '.join(ends)} of its draws")
    lines.append(f"  report: {out / 'report.md'}; every draw: {out / 'sweep.csv'}")
    return "\n".join(lines)
