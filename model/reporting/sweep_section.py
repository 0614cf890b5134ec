"""The report's robustness section, from `Results.sweep` (a sweep's summary, with
its histogram, one-at-a-time sensitivity and grid table: see `analyses.robustness`).

Monte Carlo draws are summarized as a distribution (percentiles and a histogram), the
levers that vary across draws, and the sensitivity to each uncertain input (a tornado). A
grid of `--param` values is a set of chosen cases, not a sample: it is shown as a table by
grid point, never as percentiles.
"""
from __future__ import annotations

from model.formatting import money, share_of_draws
from model.reporting.markdown_table import table
from model.reporting.words import amount, input_range, input_value, no_deficit, possessive

VARIES = 0.005
HEADLINE_INPUTS = 3        # the sweep's first screen names at most this many inputs that separate deal from no deal


def sweep_section(r) -> str:
    """Markdown for `Results.sweep` (empty when the results have no sweep)."""
    s = getattr(r, "sweep", None)
    if not s:
        return ""
    n = s.draws
    parts = [f"## Robustness: {n:,} draws"]
    varied = []
    for u in s.uncertain:
        span = input_range(u.path, u.low, u.high, u.unit, 6)
        if u.distribution == "normal":
            shape = f"normal, mean {input_value(u.path, u.center, u.unit)}, sd {u.sd:,g}"
        elif u.distribution == "triangular":
            shape = f"triangular, most likely {input_value(u.path, u.center, u.unit)}"
        else:
            shape = "uniform"
        varied.append([f"`{u.path}`", f"{shape}; from {span}"])
    for p, values in s.params.items():
        varied.append([f"`{p}`", "grid: " + ", ".join(f"{v:g}" for v in values)])
    if s.monte_carlo:
        how = f"{s.monte_carlo:,} Monte Carlo draws (seed {s.seed})" + (" at each grid point" if s.params
                                                                             else "")
    else:
        how = "each point of a grid"
    parts.append(f"The deal was solved again for {how}, changing these inputs:\n\n"
                 + table(["input", "values"], varied))
    parts.append(outcomes_line(s) + ".")
    if s.monte_carlo:
        parts += _monte_carlo(r, s)
    if s.grid:
        parts.append(_grid(s))
    parts.append("Every draw is in `sweep.csv`; the summary is in `sweep_summary.json`.")
    return "\n\n".join(parts)


def outcomes_line(s) -> str:
    """'Outcomes of the 200 draws: infeasible 128, optimal 72; every deal found was verified outside
    the solver: 72 of the 72 passed (...)': verification counts deals, not draws."""
    status = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in s.status.items())
    viol = "n/a" if s.max_violation is None else f"{s.max_violation:.1e}"
    found = s.found if s.found is not None else s.verified
    if not found:
        return f"Outcomes of the {s.draws:,} draws: {status}; no draw gave a deal to verify"
    return (f"Outcomes of the {s.draws:,} draws: {status}; every deal found was verified outside the solver: "
            f"{s.verified:,} of the {found:,} deals passed (largest relative violation {viol})")


def over_what(s) -> str:
    """What a sweep drew, for its headline: the uncertainty ranges (seed), a grid, or both."""
    if s.monte_carlo and s.params:
        return (f"over the grid's {len(s.by_grid_point or s.grid) or 1:,} points, each with the same "
                f"{s.monte_carlo:,} draws of the instance's uncertainty ranges (seed {s.seed})")
    if s.monte_carlo:
        return f"over the instance's uncertainty ranges (seed {s.seed})"
    return "(each point re-solved)"


def sweep_headline(r) -> list[str]:
    """A sweep's first screen, before the deal: the share of draws with a deal, who walks away in
    the rest, the inputs that separate deal from no deal (up to three), and the chart of the
    share with a deal along each input's range. [] without a sweep (or its robustness)."""
    from model.reporting.first_screen import robustness_lines
    s = getattr(r, "sweep", None)
    if not s or s.robustness is None:
        return []
    noun = "draws" if s.monte_carlo else "grid points"
    return robustness_lines(r, s.robustness, over_what(s), inputs=HEADLINE_INPUTS, noun=noun)


def _monte_carlo(r, s) -> list[str]:
    out = []
    q = s.quantiles
    labels = {"deficit": "deficit", "home_payoff": f"{possessive(r.instance.parties['home'])} payoff",
              "partner_payoff": f"{possessive(r.instance.parties['partner'])} payoff"}
    labels.update(PV_COLUMNS)             # an instance with a horizon: the present values too
    rows = [[labels.get(k, k)] + [money(getattr(v, c)) for c in ("q05", "q25", "q50", "q75", "q95")]
            for k, v in q.items() if v]
    if rows:
        over = " over every grid point's draws" if s.params else ""
        out.append(f"Across the draws that give a deal{over} (percentiles):\n\n"
                   + table(["outcome", "5%", "25%", "median", "75%", "95%"], rows))
    if s.histogram:
        out.append("![The deficit across the draws](sweep.svg)")
    out.append(_levers(s))
    sens = s.sensitivity or []
    if sens:
        rows = []
        pv = any(x.pv_swing is not None for x in sens)        # an instance with a horizon
        for x in sens:
            ends = [money(end.deficit) if end.deficit is not None else no_deficit(end.status)
                    for end in (x.low, x.high)]
            rows.append([x.label, input_range(x.path, x.low.value, x.high.value, x.unit), *ends,
                         money(x.swing, True) if x.swing is not None else "n/a"]
                        + ([money(x.pv_swing, True) if x.pv_swing is not None else "n/a"] if pv else []))
        out.append("**What moves the deficit most**: each uncertain input alone at the 5th and at the 95th "
                   "percentile of its draws, every other input at the instance's value (deficit with the deal "
                   f"{money(sens[0].base_deficit)}); inputs without a deal at one end first, then the largest "
                   "swing."
                   + (" Over a horizon the deficits are the last year's, and the last column is the swing of "
                      "the deficit's present value (the inputs ranked by it)." if pv else "") + "\n\n"
                   + table(["input", "from / to", "deficit at 5%", "deficit at 95%", "swing"]
                           + (["swing, present value"] if pv else []), rows)
                   + "\n\n![What moves the deficit: each uncertain input alone](tornado.svg)")
    return out


def _levers(s) -> str:
    """The levers that vary across the draws, with their shares; those in every deal in one line."""
    lines: dict[str, tuple[str, list[str]]] = {}
    always: list[str] = []
    others: list[str] = []
    for x in s.levers:
        if x.choice not in ("on", "used"):
            label, _, option = x.label.rpartition(": ")
            lines.setdefault(x.lever, (label, []))[1].append(f"{option} in {share_of_draws(x.share)}")
        elif VARIES < x.share < 1 - VARIES:
            size = f", median {x.median_when_used:,.0f} when used" if x.median_when_used else ""
            others.append(f"{x.label}: in {share_of_draws(x.share)} of deals{size}")
        elif x.share >= 1 - VARIES:
            always.append(x.label)
    vary = [f"{label}: " + ", ".join(opts) for label, opts in lines.values() if len(opts) > 1]
    fixed_options = [f"{label}: {opts[0].rsplit(' in ', 1)[0]}" for label, opts in lines.values() if len(opts) == 1]
    text = []
    if vary or others:
        text.append("**Levers that vary across the draws** (share of the deals):\n\n"
                    + "\n".join(f"- {v}" for v in vary + others)
                    + "\n\n![Levers that vary across the draws](sweep_levers.svg)")
    else:
        text.append("**Every deal uses the same levers.**")
    same = fixed_options + always
    if same:
        text.append("The same in every deal: " + "; ".join(same) + ".")
    return "\n\n".join(text)


# A horizon's present values by grid point (median over its draws), as the table heads them.
PV_COLUMNS = {"pv_deficit": "deficit, present value", "pv_deficit_no_deal": "no deal, present value",
              "pv_home_gain": "home gain, present value", "pv_partner_gain": "partner gain, present value"}


def _grid(s) -> str:
    """A table by grid point: the values swept, deals, the deficit (median over draws when
    there are draws), and, for a grid alone, the levers whose setting changes across points."""
    grid, names = s.grid, list(s.params)
    levers = s.grid_levers or []
    mc = bool(s.monte_carlo)
    pv = [k for k in PV_COLUMNS if any(k in g.present_values for g in grid)]     # an instance with a horizon
    head = [f"{s.param_labels[n]} (`{n}`)" if s.param_labels.get(n) and s.param_labels[n] != n else f"`{n}`"
            for n in names] + (["deals / draws", "median deficit"] if mc else ["status", "deficit"])
    if pv:
        head[-1] += ", last year"
        head += [PV_COLUMNS[k] for k in pv]
    head += [lv.label for lv in levers]
    rows = []
    for g in grid:
        cells = [f"{g.values[n]:g}" for n in names]
        if mc:
            cells += [f"{g.deals:,} / {g.draws:,}", money(g.deficit) if g.deficit is not None else
                      no_deficit(g.statuses)]
        else:
            cells += [(g.status or "").replace("_", " "), money(g.deficit) if g.deficit is not None else
                      no_deficit(g.statuses or g.status)]
        cells += [money(g.present_values[k], k.endswith("_gain")) if k in g.present_values else "" for k in pv]
        for lv in levers:
            v = g.levers.get(lv.column)
            if v is None:
                cells.append("")
            elif lv.kind == "option":
                cells.append(lv.options.get(v, str(v)))
            elif lv.kind == "switch":
                cells.append("yes" if v else "no")
            else:
                cells.append(amount(v, lv.unit))
        rows.append(cells)
    text = "**By grid point**" + (" (levers shown where they differ between points)" if levers else "") + ":\n\n"
    text += table(head, rows)
    if len(names) == 1 and any(g.deficit is not None for g in grid):
        text += "\n\n![The deficit at each grid point](grid.svg)"
    return text
