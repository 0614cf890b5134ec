"""The alternatives report: report.md, report.html, packages.csv and the terminal summary, from
the typed `results.Alternatives` of `analyses.alternatives.find_alternatives` (never Pyomo).
Every part of the results a rendering reads is declared in READS (tests/test_pipelines.py)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.formatting import money, share, value
from model.reporting.markdown_table import table
from model.reporting.words import participation_said
from model.results import Alternatives, Given, LeverSetting, Package
from model.text import visible

CHART = "alternatives.svg"

# What each rendering reads of `Alternatives` (its fields; the package rows are read whole).
READS: dict[str, tuple[str, ...]] = {
    "markdown": ("status", "message", "parties", "instance", "count", "within", "best_deficit", "band", "method",
                 "min_difference", "min_gain", "min_gain_usd", "packages", "stop_reason"),
    "html": ("status", "message", "parties", "instance", "count", "within", "best_deficit", "band", "method",
             "min_difference", "min_gain", "min_gain_usd", "packages", "stop_reason"),
    "frame": ("packages",),
    "terminal": ("status", "message", "parties", "instance", "within", "best_deficit", "packages", "stop_reason"),
}


def _setting(item: Given | LeverSetting) -> str:
    v = item.value
    return value(v, item.unit) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def gives_map(package: Package) -> dict[str, tuple[str, str, str]]:
    """lever -> (party, label, setting) for the levers that differ from no deal."""
    return {g.lever: (party, g.label, _setting(g)) for party, items in package.gives.items() for g in items}


def differences(first: Package, other: Package) -> list[str]:
    """How `other` differs from `first`, lever by lever, in words (amounts that differ by less
    than one unit of display are the same)."""
    out = []
    for lever, a in first.settings.items():
        b = other.settings[lever]
        before, after = _setting(a), _setting(b)
        if before != after:
            out.append(f"{a.label}: {before} -> {after}")
    return out


def _best(d: Alternatives) -> float:
    assert d.best_deficit is not None, "packages come with the best deficit"
    return d.best_deficit


def summary_rows(d: Alternatives) -> list[list[str]]:
    best, first = _best(d), d.packages[0]
    return [[str(p.rank), money(p.deficit), money(p.deficit - best, signed=True),
             share((p.deficit - best) / abs(best) if best else 0.0, signed=True),
             money(p.home_gain, signed=True), money(p.home_gain - first.home_gain, signed=True),
             money(p.partner_gain, signed=True), money(p.partner_gain - first.partner_gain, signed=True),
             "yes" if p.equivalent else "", "yes" if p.verified else "NO"] for p in d.packages]


def summary_header(d: Alternatives) -> list[str]:
    home, partner = d.parties["home"], d.parties["partner"]
    return ["package", "deficit", "vs best", "vs best (%)", f"{home} gain", "vs package 1", f"{partner} gain",
            "vs package 1", "equivalent offer", "verified"]


def intro(d: Alternatives) -> str:
    home = d.parties["home"]
    assert d.band is not None, "packages come with their band"
    required = d.instance.participation
    rules = "red lines, participation, ceilings, capacities" if required else "red lines, ceilings, capacities"
    return (f"Up to {d.count} distinct packages whose deficit is within {share(d.within)} of the best possible "
            f"({money(_best(d))}; every package has a deficit of at most {money(d.band)}). Each is a full "
            f"deal that satisfies every constraint ({rules}) and was verified outside the solver. "
            + participation_said(required, d.instance.participation_measure, d.parties)
            + f" Gains are each side's payoff over no deal; {home}'s goal is the deficit.\n\n"
            f"How the packages are kept apart: {d.method} " + kept_apart(d))


def kept_apart(d: Alternatives) -> str:
    """The rule that made amounts distinct, as the search applied it."""
    if d.min_difference is not None:
        return (f"Two packages with the same yes/no choices count as distinct only if some amount differs by at "
                f"least {share(d.min_difference)} of that lever's limit (a channel's capacity, a maker's spare "
                "capacity, a good's most units).")
    return (f"Two packages with the same yes/no choices count as distinct only if either side's payoff differs "
            f"by at least {share(d.min_gain)} of the larger side's gain with package 1 ({money(d.min_gain_usd)}): "
            "moving vehicles from one dealer network to another, which changes neither side's payoff, does not "
            "make a new package.")


def equivalent_text(d: Alternatives) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    marked = [p for p in d.packages if p.equivalent]
    if not marked:
        if len(d.packages) < 2:
            return "Only one package was found, so there is no set of equivalent offers to table."
        return (f"The packages differ too little for {partner} (by less than 0.1% of its payoff) to mark a set of "
                "equivalent offers.")
    # Each marked package against the first of them; that one is said against no deal, never against itself.
    ref = marked[0]
    parts = "; ".join([f"package {ref.rank}: {partner} {money(ref.partner_gain, True)} and {home} "
                       f"{money(ref.home_gain, True)} over no deal, deficit {money(ref.deficit)}"]
                      + [f"package {p.rank}: {partner} {money(p.partner_gain - ref.partner_gain, True)} and "
                         f"{home} {money(p.home_gain - ref.home_gain, True)} against package {ref.rank}, deficit "
                         f"{money(p.deficit - ref.deficit, True)}" for p in marked[1:]])
    return (f"Packages {', '.join(str(p.rank) for p in marked)} are equally good for {home} (each within "
            f"{share(d.within)} of the best deficit) and differ most for {partner}: {parts}. Tabled together, "
            f"{partner}'s choice among them shows what it values.")


def markdown(d: Alternatives) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    lines = [f"# Alternative packages: {d.instance.title}",
             f"Instance `{d.instance.name}`: {home} (home) and {partner} (partner)."]
    if d.status != "ok":
        lines.append(f"**No package**: {d.status} ({d.message}).")
        return visible("\n\n".join(lines)) + "\n"
    lines += ["## The question", intro(d),
              "## The packages, best first", table(summary_header(d), summary_rows(d)), f"![packages]({CHART})",
              "## Equivalent offers", equivalent_text(d), "## What each package gives"]
    first = d.packages[0]
    for p in d.packages:
        head = (f"### Package {p.rank}" + (" (equivalent offer)" if p.equivalent else "")
                + f": deficit {money(p.deficit)}; {home} {money(p.home_gain, True)}, "
                f"{partner} {money(p.partner_gain, True)}")
        body = [head]
        if p is not first:
            diff = differences(first, p)
            body.append("Differs from package 1 in: " + ("; ".join(diff) if diff else "amounts below display precision")
                        + ".")
        rows = [[d.parties[party], label, setting] for _, (party, label, setting) in gives_map(p).items()]
        body.append(table(["given by", "lever", "setting"], rows) if rows else "No concession: the no-deal setting.")
        lines.append("\n\n".join(body))
    lines += ["## Search", f"The search stopped because {d.stop_reason}. Largest relative violation over all "
              f"packages: {max(p.max_violation for p in d.packages):.1e} (tolerance 1e-06)."]
    return visible("\n\n".join(lines)) + "\n"


def html(d: Alternatives) -> str:
    from model.reporting.charts import packages_chart
    from model.reporting.html import esc, html_table, inline_svg, markdown_html, page
    home, partner = d.parties["home"], d.parties["partner"]
    title = f"Alternative packages: {d.instance.title}"
    if d.status != "ok":
        return page(title, [("", f"<p><b>No package</b>: {esc(d.status)} ({esc(d.message)}).</p>")])
    sections = [("", markdown_html(intro(d))),
                ("The packages, best first", inline_svg(packages_chart(d.packages, d.parties), "alternatives")
                 + html_table(summary_header(d), summary_rows(d), {1, 2, 3, 4, 5, 6, 7})),
                ("Equivalent offers", markdown_html(equivalent_text(d)))]
    first = d.packages[0]
    for p in d.packages:
        diff = differences(first, p) if p is not first else []
        rows = [[d.parties[party], label, setting] for _, (party, label, setting) in gives_map(p).items()]
        sections.append((f"Package {p.rank}" + (" (equivalent offer)" if p.equivalent else ""),
                         f"<p>Deficit {esc(money(p.deficit))}; {esc(home)} {esc(money(p.home_gain, True))}, "
                         f"{esc(partner)} {esc(money(p.partner_gain, True))}.</p>"
                         + (f"<p>Differs from package 1 in: {esc('; '.join(diff))}.</p>" if diff else "")
                         + html_table(["given by", "lever", "setting"], rows)))
    sections.append(("Search", f"<p>{esc(d.stop_reason)}.</p>"))
    return page(title, sections, f"Instance {d.instance.name}: {home} (home) and {partner} (partner)")


FRAME_COLUMNS = ("rank", "deficit", "home_payoff", "partner_payoff", "home_gain", "partner_gain", "equivalent",
                 "verified", "max_violation")


def frame(d: Alternatives) -> pd.DataFrame:
    """packages.csv: one row per package, its outcome and every lever ('family.key' columns)."""
    rows = []
    for p in d.packages:
        row: dict[str, object] = {k: getattr(p, k) for k in FRAME_COLUMNS}
        row.update(p.levers)
        rows.append(row)
    return pd.DataFrame(rows)


def terminal(d: Alternatives, out: Path) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    if d.status != "ok":
        return f"{d.instance.name}: no package ({d.status}: {d.message})\n  report: {out / 'report.md'}"
    best = _best(d)
    lines = [f"{d.instance.name}: {len(d.packages)} distinct package(s) within {share(d.within)} of the "
             f"best deficit ({money(best)}); {d.stop_reason}"]
    first = d.packages[0]
    for p in d.packages:
        lines.append(f"  {p.rank:>2}. deficit {money(p.deficit)} ({money(p.deficit - best, True)} "
                     f"vs best)  {home} {money(p.home_gain, True)}  "
                     f"{partner} {money(p.partner_gain, True)}" + ("  [equivalent offer]" if p.equivalent else "")
                     + ("" if p.verified else "  NOT VERIFIED"))
        if p is not first:
            lines.append("      differs from package 1: " + ("; ".join(differences(first, p)) or
                                                               "only in amounts below the display's precision"))
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines)
