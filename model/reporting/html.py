"""report.html: one self-contained page (inline CSS and SVG charts) that tells the story.

Reads Results only. Sections: headline figures, the deficit bridge, levers by party,
binding constraints with their shadow prices in words, the frontier (when computed),
the diagnosis (when there is no deal), solver and verification facts, and the data
provenance appendix with every assumption highlighted. `page()` renders any list of
sections, so comparisons and sweeps use the same look.

Escaping: every value that comes from an instance, a file name or a result goes into a
page through `esc` (text and attribute values alike; quotes included), either directly or
through `html_table`, `page` and `_markdown_paragraphs`, which call it. The only markup
not escaped here is our own: the tags written in this module and matplotlib's SVG, whose
text matplotlib escapes as XML. No page has scripts, event attributes or links.
"""
from __future__ import annotations

import html
import re

from model.formatting import money, per_unit, value
from model.results import Results, binding_rows

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef3f7}td.num{text-align:right;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}.card{flex:1 1 180px;border:1px solid #ccc;border-radius:6px;padding:.7em 1em;background:#fafcfd}
.card .v{font-size:1.5em;font-weight:600}.card .l{font-size:.85em;color:#555}
tr.assumption td{background:#fff4d6}.tag{background:#f0b429;color:#222;border-radius:3px;padding:0 .35em;font-size:.8em}
.status-optimal{color:#1e8449}.status-infeasible,.status-error{color:#b03a2e}.chart svg{max-width:100%;height:auto}
.note{color:#555;font-size:.9em}
"""


def esc(x) -> str:
    """The one escaping function for html: `x` as text, safe in element content and in
    quoted attribute values (& < > " ' escaped)."""
    return html.escape(str(x), quote=True)


def html_table(header: list[str], rows: list[list], num_cols: set[int] = frozenset(), row_class=None) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_class(i))}"' if row_class and row_class(i) else ""
        cells = "".join(f'<td class="num">{esc(c)}</td>' if j in num_cols else f"<td>{esc(c)}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def inline_svg(svg: str, name: str) -> str:
    """An SVG document as an inline element (without its XML prolog)."""
    start = svg.find("<svg")
    body = re.sub(r"<metadata>.*?</metadata>", "", svg[start:], flags=re.S)   # RDF metadata: not for pages
    return f'<div class="chart" data-chart="{esc(name)}">{body}</div>'


def page(title: str, sections: list[tuple[str, str]], subtitle: str = "") -> str:
    body = "".join(f"<section><h2>{esc(h)}</h2>{content}</section>" if h else content for h, content in sections)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>"
            f"{f'<p class=note>{esc(subtitle)}</p>' if subtitle else ''}{body}</body></html>\n")


def report_html(r: Results) -> str:
    from model.reporting.charts import bridge_chart, frontier_chart
    home, partner = r.instance["parties"]["home"], r.instance["parties"]["partner"]
    d = r.metric("deficit")
    sections: list[tuple[str, str]] = []
    status = f'<p>Status: <b class="status-{esc(r.status)}">{esc(r.status)}</b> {esc(r.message)}</p>'
    cards = [("deficit, calibration year", money(d.baseline)), ("deficit with no deal", money(d.no_deal)),
             ("deficit with the deal", money(d.deal))]
    if r.has_deal:
        g, bought = r.metric("negotiated_deficit"), r.metric("purchases_value")
        cards[2:2] = [("deficit in the negotiated goods, deal", money(g.deal)),
                      ("additional purchases, deal", money(bought.deal))]
        for p in ("home", "partner"):
            pm = r.metric(f"{p}_payoff")
            cards.append((f"{r.instance['parties'][p]}'s gain over no deal", money(pm.deal - pm.no_deal, signed=True)))
    card_html = "".join(f'<div class="card"><div class="v">{esc(v)}</div><div class="l">{esc(lbl)}</div></div>'
                        for lbl, v in cards)
    lead = "".join(f"<p class=note>{esc(w)}.</p>" for w in r.extras.get("warnings", []))
    if r.has_deal and g.deal > g.no_deal and d.deal < d.no_deal:
        lead += (f"<p><b>The deficit in the negotiated goods is {esc(money(g.deal - g.no_deal))} higher with the deal "
                 "than with no deal</b>: the total falls only because of purchase commitments.</p>")
    sections.append(("", f"<p>{esc(r.instance['question'])}</p>{status}<div class=cards>{card_html}</div>{lead}"))
    if r.extras.get("bridge"):
        sections.append(("Deficit bridge", inline_svg(bridge_chart(r.extras["bridge"], home), "bridge")
                         + html_table(["step", "change", "deficit after"],
                                      [[b["label"], "" if b["change"] is None else money(b["change"], True),
                                        money(b["level"])] for b in r.extras["bridge"]], {1, 2})))
    for party in ("home", "partner"):
        rows = [[lv.label, lv.choice or value(lv.value, lv.unit), "fixed by the instance" if lv.fixed else "chosen"]
                for lv in r.levers if lv.party == party and lv.shown]
        if rows:
            sections.append((f"Levers: {r.instance['parties'][party]} ({party})",
                             html_table(["lever", "setting", ""], rows)))
    bind = binding_rows(r.constraints)
    if bind:
        words = "".join(f"<li>{esc(e['sentence'])}</li>" for e in r.extras.get("explanations", []))
        sections.append(("Binding constraints and shadow prices",
                         f"<p class=note>Shadow prices: {esc(r.shadow_prices['source'])}.</p>"
                         + html_table(["constraint", "party", "bound", "deficit reduction per unit relaxed"],
                                      [[c.label, c.party or "", f"{c.sense} {value(c.rhs, c.unit)}",
                                        per_unit(c.relaxation_value, c.unit) if c.relaxation_value is not None else "not priced"]
                                       for c in bind], {2, 3}) + (f"<ul>{words}</ul>" if words else "")))
    from model.reporting.concession_section import concession_html
    concessions = concession_html(r, esc, html_table, inline_svg, _markdown_paragraphs)
    if concessions:
        sections.append(concessions)
    f = r.extras.get("frontier")
    if f and f.get("status") == "ok":
        sections.append(("Frontier and zone of possible agreement",
                         inline_svg(frontier_chart(f["points"], f["marks"], r.instance["parties"]), "frontier")
                         + _markdown_paragraphs(_frontier_text(r))))
    elif f:
        sections.append(("No zone of possible agreement", _markdown_paragraphs(_frontier_text(r))))
    if r.extras.get("diagnosis"):
        from model.reporting.explanations import diagnosis_section
        sections.append(("Why there is no deal", _markdown_paragraphs(diagnosis_section(r).split("\n", 1)[1])))
    if r.has_deal:
        from model.reporting.trade_welfare_section import html_sections
        sections += html_sections(r, html_table)
    if r.has_deal:
        sections.append(("Outcomes", html_table(
            ["metric", "calibration year", "no deal", "deal"],
            [[m.label, value(m.baseline, m.unit), value(m.no_deal, m.unit), value(m.deal, m.unit)]
             for m in r.metrics], {1, 2, 3})))
    v, s = r.verification, r.solver
    facts = [["solver", f"{s['name']} {s['version']}"], ["MIP gap", "n/a" if s.get("mip_gap") is None else f"{s['mip_gap']:.1e}"],
             ["verification", "no solution" if v.get("ok") is None else
              f"{v['checks']} constraints re-checked outside the solver; largest relative violation "
              f"{v['max_violation']:.1e} ({'ok' if v['ok'] else 'FAILED'})"],
             ["instance", f"{r.instance['file']} (content hash {r.instance['content_hash']})"]]
    sections.append(("Solver and verification", html_table(["", ""], facts)))
    assumed = {a["path"] for a in r.assumptions}
    rows = [[i["path"], f"{i['value']:,.10g} {i['unit']}", i["source"],
             ("ASSUMPTION: " if i["path"] in assumed else "") + (i["citation"] or "") + (f" ({i['year']})" if i.get("year") else "")]
            for i in r.inputs]
    sections.append(("Data provenance: every input, its unit and source",
                     f"<p><span class=tag>assumption</span> rows ({len(assumed)} of {len(rows)}) are not published "
                     "figures; each says why it was assumed.</p>"
                     + html_table(["input", "value", "source key", "source"], rows, {1},
                                  row_class=lambda i: "assumption" if rows[i][0] in assumed else "")))
    return page(r.instance["title"], sections, f"Instance {r.instance['name']}: {home} (home) and {partner} (partner)")


def _frontier_text(r: Results) -> str:
    from model.reporting.frontier_section import frontier_section
    text = frontier_section(r)
    return text.split("\n", 1)[1] if text else ""


def _markdown_paragraphs(text: str) -> str:
    """The few markdown constructs our sections use (paragraphs, bullets, bold) as html."""
    out = []
    for block in text.strip().split("\n\n"):
        if block.startswith("|") or block.startswith("!["):
            continue           # tables and images have html versions of their own
        lines = block.split("\n")
        fmt = lambda t: re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", esc(t))
        if all(line.startswith("- ") for line in lines):
            out.append("<ul>" + "".join(f"<li>{fmt(line[2:])}</li>" for line in lines) + "</ul>")
        else:
            out.append(f"<p>{fmt(' '.join(lines))}</p>")
    return "".join(out)
