"""The report's balances, trade creation and diversion, and welfare by party and cause.

Reads Results only (the metric rows and `Results.diversion`, see
`model.analyses.diversion`). Each table is built once as (header, rows) and rendered by
markdown (`markdown_section`, which report.html renders too); `terminal_lines` gives the
few lines the terminal summary shows.
"""
from __future__ import annotations

from model.data.catalogue import WELFARE_PARTY_NAMES
from model.economics.metrics import WELFARE
from model.formatting import count, money, value
from model.reporting.markdown_table import table
from model.reporting.words import balance_words, shown_balances
from model.results import Diversion

JOB_METRICS = ("home_jobs", "partner_jobs")


def _metric(r, name: str):
    return next((m for m in r.metrics if m.name == name), None)


def welfare_parties(r) -> list[tuple[str, str, tuple[str, ...], str]]:
    """(party key, its name, its welfare lines, its net) for each party of `WELFARE` the report
    shows: the instance's two always, third countries where their welfare moves."""
    out = []
    for party, (parts, net) in WELFARE.items():
        name = r.instance.parties.get(party) or WELFARE_PARTY_NAMES.get(party, party)
        m = _metric(r, net)
        if party in r.instance.parties or (m is not None and any(abs(x or 0.0) > 0.5 for x in (m.no_deal, m.deal))):
            out.append((party, name, parts, net))
    return out


def _countries(r) -> list[tuple[str, str]]:
    """(key, label) of each third country, from the per-country metric rows."""
    out = []
    for m in r.metrics:
        if m.name.startswith("third_country_deficit["):
            out.append((m.name[len("third_country_deficit["):-1], m.label.split(": ", 1)[-1]))
    return out


def third_words(r, country: str | None = None) -> str:
    """A third country's balance in words (all of them: None): 'balance with Korea' where the
    instance states home exports to it, 'imports from Korea (home exports to it not given)' where
    it does not, so that gross imports are never called a deficit."""
    given = r.instance.third_exports_given
    if country is not None:
        label = dict(_countries(r)).get(country, country)
        return (f"balance with {label} in the modelled lines" if given.get(country) else
                f"imports from {label} in the modelled lines (home exports to it not given)")
    missing = [label for c, label in _countries(r) if not given.get(c)]
    if not missing:
        return "balance with the third countries in the modelled lines"
    if len(missing) == len(_countries(r)):
        return "imports from the third countries in the modelled lines (home exports to them not given)"
    return f"balance with the third countries in the modelled lines (imports alone for {', '.join(missing)})"


def balance_table(r) -> tuple[list[str], list[list[str]]]:
    """The balances: bilateral (each named for what it is: the negotiated goods, the modelled lines
    alone, all goods where the instance gives them), with each third country (its imports alone where
    the instance gives no home exports to it), and overall in the modelled lines."""
    names = [(m, balance_words(r, m)) for m in ("deficit", *[b for b in shown_balances(r) if b != "deficit"])]
    names += [(f"third_country_deficit[{c}]", third_words(r, c)) for c, _ in _countries(r)]
    names += [("third_countries_deficit", third_words(r)),
              ("overall_deficit", f"overall: the modelled lines with {r.instance.parties['partner']} and the third "
                                  "countries")]
    rows = []
    for name, words in names:
        m = _metric(r, name)
        if m is None:
            continue
        change = None if m.deal is None else m.deal - m.no_deal
        rows.append([words, money(m.baseline), money(m.no_deal), money(m.deal), money(change, True)])
    return ["balance", "calibration year", "no deal", "deal", "deal - no deal"], rows


def diversion_table(d: Diversion, unit: str, partner: str = "the partner") -> tuple[list[str], list[list[str]]]:
    """One comparison (`Results.diversion`): the partner's change split into creation and
    diversion, with each third country's change, in units and USD."""
    rows = [[f"imports from {partner}", count(d.partner.units, unit, True), money(d.partner.value, True)],
            ["= trade creation (change in total imports)", count(d.creation.units, unit, True),
             money(d.creation.value, True)],
            ["+ trade diversion (minus the change in third countries' imports)", count(d.diversion.units, unit,
                                                                                      True),
             money(d.diversion.value, True)]]
    rows += [[f"imports from {c.label}", count(c.units, unit, True), money(c.value, True)]
             for c in d.countries]
    rows.append(["home production (all causes: home producers, shifts, exports)",
                 count(d.home_production, unit, True), ""])
    return ["change", unit, "USD (customs value)"], rows


def diversion_sentence(d: Diversion, partner: str, unit: str, what: str, r=None) -> str:
    """The comparison in words: how much of the partner's change third countries take up (in
    value, and in units where the two move in opposite directions there too)."""
    p, third = d.partner, d.third_countries
    text = (f"{what}, imports from {partner} change by {count(p.units, unit, True)} "
            f"({money(p.value, True)}) and imports from the third countries by "
            f"{count(third.units, unit, True)} ({money(third.value, True)}).")
    share, units = d.diverted_share.value, d.diverted_share.units
    if share is not None and share > 0:
        how = "taken from" if p.value > 0 else "diverted to"
        text += (f" In value, {share:.0%} of the change with {partner} is trade diversion ({how} the third countries"
                 + (f"; {units:.0%} in units" if units is not None and units > 0 else "")
                 + "); the rest is trade creation (the change in total imports, vehicles shifted to home plants "
                   "included).")
    elif share is not None:
        text += " Third countries' imports move the same way in value: none of the change is diversion."
    b = d.balances
    negotiated = balance_words(r, "deficit") if r is not None else "deficit in the negotiated goods"
    third_said = third_words(r) if r is not None else "balance with the third countries in the modelled lines"
    text += (f" The {negotiated} changes by {money(b['deficit'], True)}, the {third_said} by "
             f"{money(b['third_countries_deficit'], True)}, the overall balance in the modelled lines (with {partner} "
             f"and the third countries) by {money(b['overall_deficit'], True)}.")
    return text


def welfare_table(r) -> tuple[list[str], list[list[str]]]:
    """Welfare by party and cause, changes against the calibration year (USD a year), and
    the jobs metrics when the instance gives jobs per unit."""
    rows = []
    for _, who, parts, net in welfare_parties(r):
        for name in parts + (net,):
            m = _metric(r, name)
            change = None if m.deal is None else m.deal - m.no_deal
            label = f"**{who}: net**" if name == net else f"{who}: {m.label}"
            rows.append([label, money(m.no_deal), money(m.deal), money(change, True)])
    for name in JOB_METRICS:
        m = _metric(r, name)
        if m is not None and (m.no_deal or m.deal):
            change = None if m.deal is None else m.deal - m.no_deal
            rows.append([m.label, value(m.no_deal, m.unit), value(m.deal, m.unit), value(change, m.unit, True)])
    return ["party: cause", "no deal", "deal", "deal - no deal"], rows


WELFARE_NOTE = ("Changes against the calibration year, USD a year. Home buyers' surplus is exact for the demand "
                "curve used (the Armington composite where third countries are listed, its own integral for the "
                "linear SMART form); tariff revenue counts imports from every source and auctioned quota licences; "
                "home producers' surplus is zero unless a segment gives a home supply elasticity. The partner's "
                "exporters' surplus is the change in margin times volume; the quota rent they hold is shown "
                "apart; its buyers' surplus counts where its own tariff on home-made goods changes. Third "
                "countries' exporters' surplus is on their supply curves. Each net is the sum of the lines above "
                "it.")


def markdown_section(r) -> str:
    """'Balances, trade creation and diversion' (with third countries), and one line of
    welfare by party (the table by cause is in the appendix: `welfare_section`)."""
    out = []
    div = r.diversion
    unit = _metric(r, "imports_units").unit
    partner = r.instance.parties["partner"]
    if div:
        head, rows = balance_table(r)
        out += ["## Balances, trade creation and diversion", "",
                "The bilateral balance is what the negotiation is about; the third countries' sales respond to "
                "the tariff chosen on the partner through each segment's price index (Armington), so the overall "
                "balance in the modelled lines can move differently. Home exports to the third countries are "
                "counted only where the instance gives them (a deal with the partner does not change them); where "
                "it does not, the row is the country's imports, not a balance.", "",
                table(head, rows), ""]
        d = div
        head, rows = diversion_table(d, unit, partner)
        out += ["### Trade creation and diversion: the deal against no deal", "",
                diversion_sentence(d, partner, unit, "With the deal against no deal", r), "", table(head, rows), ""]
    gains = welfare_gains(r)
    if gains:
        out += ["Welfare against no deal: " + "; ".join(gains) + " (by party and cause in the appendix)."]
    return "\n".join(out).strip()


def welfare_gains(r) -> list[str]:
    """'United States -$1.06 bn' per party: the net welfare change, deal against no deal."""
    out = []
    for _, who, _, net in welfare_parties(r):
        m = _metric(r, net)
        if m is not None and m.deal is not None:
            out.append(f"{who} {money(m.deal - m.no_deal, True)}")
    return out


def welfare_section(r) -> str:
    """'Welfare by party and cause': the whole table (the report's appendix)."""
    if not r.has_deal:
        return ""
    head, rows = welfare_table(r)
    return "\n".join(["## Welfare by party and cause", "", WELFARE_NOTE, "", table(head, rows)])


def terminal_lines(r) -> list[str]:
    """Overall balance, diversion and welfare in a few lines (deal against no deal)."""
    if not r.has_deal:
        return []
    parties = r.instance.parties
    lines = []
    div = r.diversion
    if div:
        o = _metric(r, "overall_deficit")
        lines.append(f"  overall balance in the modelled lines (with the third countries): no deal {money(o.no_deal)}, deal {money(o.deal)}")
        share = div.diverted_share.value
        unit = _metric(r, "imports_units").unit
        lines.append(f"  imports from {parties['partner']} against no deal: {count(div.partner.units, unit, True)} "
                     f"({money(div.partner.value, True)}); creation {money(div.creation.value, True)}, "
                     f"diversion {money(div.diversion.value, True)}"
                     + (f" ({share:.0%} of the change)" if share is not None and share > 0 else ""))
    lines.append("  welfare against no deal: " + ", ".join(welfare_gains(r)))
    return lines
