"""Several offers on one instance, side by side (`evaluate` with more than one `--offer`): one
table and one chart of each offer as stated beside no deal and the optimum, then each offer's
own evaluation (`offer_report`'s sections). Reads the typed `results.OfferComparison`."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.formatting import money
from model.reporting import offer_report
from model.reporting.markdown_table import table
from model.reporting.words import participation_said
from model.results import OfferComparison, OfferLine
from model.text import visible

CHART = "offers.svg"

# What each rendering reads of `OfferComparison` (its fields).
READS: dict[str, tuple[str, ...]] = {
    "markdown": ("parties", "instance", "lines", "evaluations"),
    "html": ("parties", "instance", "lines", "evaluations"),
    "frame": ("lines",),
    "terminal": ("instance", "parties", "lines"),
}


def _gain(line: OfferLine, measure: str, party: str) -> str:
    values = line.gains if measure == "payoff" else line.welfare_gains
    return "" if values is None or party not in values else money(values[party], True)


def _verdict(line: OfferLine) -> str:
    if line.kind == "no_deal":
        return "the reference"
    if line.kind == "optimum":
        return "no deal satisfies every constraint" if line.deficit is None else (
            "acceptable (verified)" if line.acceptable else "NOT verified")
    if line.acceptable:
        return "acceptable as stated"
    on = f", on {line.broken_lines} lines" if line.broken_lines != len(line.broken) else ""
    return f"breaks {len(line.broken)}{on}: " + "; ".join(line.broken)


def _draws(line: OfferLine) -> str:
    """'21 of 50 (42%)': in how many draws of the instance's uncertainty the offer stays acceptable."""
    if line.draws_acceptable is None or not line.draws:
        return ""
    return f"{line.draws_acceptable:,} of {line.draws:,} ({line.draws_acceptable / line.draws:.0%})"


def _completion(line: OfferLine) -> str:
    if line.kind != "offer":
        return ""
    if line.completion_deficit is None:
        return "none"
    return money(line.completion_deficit)


def header(d: OfferComparison) -> list[str]:
    home, partner = d.parties["home"], d.parties["partner"]
    return ["", "deficit", f"{home}: payoff over no deal", f"{partner}: payoff over no deal",
            f"{home}: welfare over no deal", f"{partner}: welfare over no deal", "as stated",
            "acceptable as stated in draws", "best completion's deficit"]


def rows(d: OfferComparison) -> list[list[str]]:
    return [[line.title if line.kind != "offer" else f"{line.name}: {line.title}",
             "" if line.deficit is None else money(line.deficit),
             _gain(line, "payoff", "home"), _gain(line, "payoff", "partner"),
             _gain(line, "welfare", "home"), _gain(line, "welfare", "partner"), _verdict(line), _draws(line),
             _completion(line)]
            for line in d.lines]


def intro(d: OfferComparison) -> str:
    offers = [line for line in d.lines if line.kind == "offer"]
    ok = sum(bool(line.acceptable) for line in offers)
    return (f"{len(offers)} offers on `{d.instance.name}`, each as stated (its levers; every lever it leaves out "
            f"at no deal), beside no deal and the optimum `run` finds. {ok} of {len(offers)} are acceptable as "
            "stated. Payoff gains count what each side's payoff weighs (for the home side, each dollar less of "
            "deficit as a dollar gained); welfare gains count only buyers, producers, tax revenue and rents. "
            "A red line stated on several segments counts once. "
            + participation_said(d.instance.participation, d.instance.participation_measure, d.parties))


def markdown(d: OfferComparison) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    lines = [f"# Offers side by side: {d.instance.title}",
             f"Instance `{d.instance.name}`: {home} (home) and {partner} (partner).",
             intro(d), table(header(d), rows(d)), f"![Offers in gains]({CHART})"]
    for ev in d.evaluations:
        lines.append(f"## Offer {ev.offer.name}: {ev.offer.title}")
        for heading, body in offer_report.sections(ev):
            lines += [f"### {heading}", body]
    return visible("\n\n".join(lines)) + "\n"


def html(d: OfferComparison) -> str:
    from model.reporting.charts import offers_chart
    from model.reporting.html import html_table, inline_svg, markdown_html, page
    parts = [("", markdown_html(intro(d))),
             ("Side by side", inline_svg(offers_chart(d.lines, d.parties), "offers")
              + html_table(header(d), rows(d), {1, 2, 3, 4, 5, 8}))]
    for ev in d.evaluations:
        parts.append((f"Offer {ev.offer.name}: {ev.offer.title}",
                      "".join(f"<h3>{heading}</h3>" + markdown_html(body)
                              for heading, body in offer_report.sections(ev))))
    return page(f"Offers side by side: {d.instance.title}", parts,
                f"Instance {d.instance.name}: {d.parties['home']} (home) and {d.parties['partner']} (partner)")


def frame(d: OfferComparison) -> pd.DataFrame:
    """offers.csv: one row per line (no deal, the optimum, each offer), values in USD."""
    out = []
    for line in d.lines:
        row = {"name": line.name, "kind": line.kind, "deficit": line.deficit}
        for measure, values in (("payoff", line.gains), ("welfare", line.welfare_gains)):
            for party in ("home", "partner"):
                row[f"{party}_{measure}_gain"] = None if values is None else values.get(party)
        row.update({"acceptable": line.acceptable, "acceptable_in_draws": line.draws_acceptable, "draws": line.draws,
                    "broken": "; ".join(line.broken),
                    "broken_lines": line.broken_lines, "completion_deficit": line.completion_deficit})
        out.append(row)
    return pd.DataFrame(out)


def terminal(d: OfferComparison, out: Path) -> str:
    home, partner = d.parties["home"], d.parties["partner"]
    lines = [f"{d.instance.name}: {sum(1 for x in d.lines if x.kind == 'offer')} offers side by side "
             f"(gains over no deal in payoff; {home} / {partner})"]
    for line in d.lines:
        deficit = "no deal found" if line.deficit is None else f"deficit {money(line.deficit)}"
        gains = "" if line.gains is None else f"  {home} {money(line.gains['home'], True)}, " \
            f"{partner} {money(line.gains['partner'], True)}"
        sure = f"  acceptable as stated in {_draws(line)} draws" if _draws(line) else ""
        lines.append(f"  {line.name}: {deficit}{gains}  [{_verdict(line)}]{sure}")
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines).replace("**", "")
