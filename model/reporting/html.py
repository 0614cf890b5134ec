"""report.html: one self-contained page (inline CSS and SVG charts) that tells the story.

Reads Results only. The first screen is laid out for a page (the deal as one card per
party, the balances as figures, the constraints that matter most); every other section
is the markdown report's own section (`markdown.sections`), rendered by `markdown_html`,
with its charts inlined where the markdown links them; the appendix sections (every input
by source, ranging, the method) are collapsed (`<details>`). So a section added to the
markdown report appears here with no edit. `page()` renders any list of sections, so
comparisons use the same look.

Escaping: every value that comes from an instance, a file name or a result goes into a
page through `esc` (text and attribute values alike; quotes included), either directly or
through `html_table`, `page`, `inline` and `markdown_html`, which call it; so these take
plain text, never text escaped already (that would show '&amp;amp;'). `esc` also shows
control characters as escapes (`text.visible`): a NUL, which html cannot hold, or an
escape sequence. The only markup not escaped here is our own: the tags written in this
module and matplotlib's SVG, whose text matplotlib escapes as XML (and `charts.to_svg`
makes visible). No page has scripts, event attributes or links.

Phones and print: every page carries a viewport tag and the one stylesheet (`CSS`). Below
640 px the cards stack, text stays at 12 px or more, and a wide table or chart scrolls in
its own box (`<div class=scroll>`, `.chart`), never the page. In print the appendix is
printed open (`details::details-content`, no script), and cards, charts and table rows are
not split across pages. tests/test_html_browser.py checks both in Chromium.
"""
from __future__ import annotations

import html
import re

from model.formatting import money
from model.reporting.words import balance_words, calibration_name, no_deal_heading, possessive, shown_balances
from model.results import Results
from model.text import visible

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #1f5f8b;padding-bottom:.2em;margin-top:2em}h3{margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eef3f7}td.num{text-align:right;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}.card{flex:1 1 200px;border:1px solid #ccc;border-radius:6px;padding:.7em 1em;background:#fafcfd}
.card .v{font-size:1.5em;font-weight:600}.card .l{font-size:.85em;color:#555}.card .d{font-size:.85em;color:#333}
.card.good{border-left:6px solid #1e8449;background:#f2faf4}.card.bad{border-left:6px solid #b03a2e;background:#fdf3f2}
.card .t{font-size:.85em;font-weight:600}.card.good .t{color:#1e8449}.card.bad .t{color:#b03a2e}
.deal{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0;align-items:flex-start}.party{flex:1 1 380px;border-left:4px solid #1f5f8b;padding:.2em 1em;background:#f7fafc}
.party h3{margin:.3em 0}.party ul{margin:.3em 0;padding-left:1.2em}.party.partner{border-color:#1e8449}
li.assumption{background:#fff4d6}.tag{background:#f0b429;color:#222;border-radius:3px;padding:0 .35em;font-size:.8em}
.status-optimal{color:#1e8449}.status-infeasible,.status-error{color:#b03a2e}.chart svg{max-width:100%;height:auto}
.note{color:#555;font-size:.9em}.warning{background:#fdecea;border-left:4px solid #b03a2e;padding:.4em .8em}
details{margin:1em 0;border:1px solid #ddd;border-radius:6px;padding:.3em .8em}summary{cursor:pointer;font-weight:600}
.up{color:#b03a2e}.down{color:#1e8449}.neutral{color:#555}code{font-size:.9em;background:#f3f3f3;padding:0 .2em}
.bottom{border-left:4px solid #1f5f8b;background:#f7fafc;padding:.5em 1em;margin:.8em 0}.brief .bottom{font-size:1.1em}
.brief h2{margin-top:1.1em}.brief .party{flex-basis:300px}
.scroll{overflow-x:auto;max-width:100%}.scroll>table{margin:0}.scroll{margin:.8em 0}
@media (max-width:640px){
body{margin:.6em auto;padding:0 .6em;overflow-wrap:anywhere}h1{font-size:1.35em}
.cards,.deal{display:block}.card,.party{margin:0 0 .7em}
table{font-size:max(12px,.85em);width:auto;min-width:100%}td.num{white-space:nowrap}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:max(12px,.95em)}.tag{font-size:max(12px,.9em)}
.chart{overflow-x:auto}.chart svg{max-width:none;width:auto;height:auto}
}
@page{margin:14mm 12mm}
@media print{
.brief{font-size:9pt;line-height:1.3}.brief h1{font-size:1.3em;margin:0 0 .2em}.brief h2{margin:.6em 0 .25em;font-size:1.15em}
.brief p,.brief ul,.brief ol{margin:.3em 0}.brief .bottom{margin:.4em 0}.brief .deal{margin:.4em 0}
body{max-width:none;margin:0;padding:0;font-size:10pt;line-height:1.35;color:#000}
h2{margin-top:1.2em;break-after:avoid}h3,h4{break-after:avoid}
.card,.party,.chart,tr,li,p.warning,.talk li{break-inside:avoid}.cards,.deal{gap:.5em;margin:.5em 0}
.scroll{overflow:visible}table{font-size:.85em;width:100%}
.chart{text-align:center}.chart svg{max-width:100%;max-height:9.5cm;width:auto;height:auto}
details{border:none;padding:0;margin:.6em 0}details::details-content{content-visibility:visible;display:block}
summary{list-style:none;font-size:1.15em;font-weight:700;border-bottom:1px solid #999;margin:.8em 0 .3em;break-after:avoid}
summary::-webkit-details-marker{display:none}summary::marker{content:""}
.screen-only{display:none}
}
"""


def esc(x) -> str:
    """The one escaping function for html: `x` as text, safe in element content and in
    quoted attribute values (& < > " ' escaped)."""
    return html.escape(visible(x), quote=True)


NUMERIC = re.compile(r"^[-+]?\$?[-+]?[\d.,]+(\s?(bn|M|k|%|pp))?(\s|$|\()")


def html_table(header: list[str], rows: list[list], num_cols: set[int] | frozenset[int] = frozenset(), row_class=None,
               cell=None) -> str:
    """A table; `cell(i, j, value)` may return (text, css class) for a cell (default: the
    value escaped, right-aligned in `num_cols`)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{esc(row_class(i))}"' if row_class and row_class(i) else ""
        cells = []
        for j, c in enumerate(row):
            text, css = cell(i, j, c) if cell else (esc(c), "num" if j in num_cols else "")
            cells.append(f'<td class="{esc(css)}">{text}</td>' if css else f"<td>{text}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


def inline_svg(svg: str, name: str) -> str:
    """An SVG document as an inline element (without its XML prolog)."""
    start = svg.find("<svg")
    body = re.sub(r"<metadata>.*?</metadata>", "", svg[start:], flags=re.S)   # RDF metadata: not for pages
    return f'<div class="chart" data-chart="{esc(name)}">{body}</div>'


def page(title: str, sections: list[tuple[str, str]], subtitle: str = "", body_class: str = "") -> str:
    body = "".join(f"<section><h2>{esc(h)}</h2>{content}</section>" if h else content for h, content in sections)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body{f' class={esc(body_class)}' if body_class else ''}><h1>{esc(title)}</h1>"
            f"{f'<p class=note>{esc(subtitle)}</p>' if subtitle else ''}{body}</body></html>\n")


# -- markdown, as our sections write it, to html ----------------------------------------------

def inline(text: str) -> str:
    """One line of our markdown as html: escaped, then `code`, **bold** and *italics*."""
    codes: list[str] = []

    def keep(m):
        codes.append(f"<code>{m.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"
    out = re.sub(r"`([^`]+)`", keep, esc(text))
    out = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def markdown_html(text: str, charts: dict[str, str] | None = None) -> str:
    """The markdown our sections write (headings, paragraphs, lists, tables, quotes, chart
    links) as html; a link to `<name>.svg` inlines that chart from `charts`."""
    charts = charts or {}
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        first = lines[0]
        if m := re.match(r"^(#{1,4}) (.*)$", first):
            level = min(len(m.group(1)) + 1, 4) if len(m.group(1)) > 1 else 2
            out.append(f"<h{level}>{inline(m.group(2))}</h{level}>")
            rest = "\n".join(lines[1:]).strip()
            if rest:
                out.append(markdown_html(rest, charts))
        elif all(re.match(r"^!\[[^\]]*\]\([^)]+\)$", line) for line in lines):
            for line in lines:
                link = re.match(r"^!\[[^\]]*\]\(([^)]+)\)$", line)
                name = link.group(1).rsplit(".", 1)[0] if link else ""
                if name in charts:
                    out.append(inline_svg(charts[name], name))
        elif first.startswith("|"):
            rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines
                    if not re.match(r"^\|[-|: ]+\|$", line.strip())]
            out.append(_table(rows))
        elif all(line.startswith("- ") for line in lines):
            items = "".join(_li(line[2:]) for line in lines)
            out.append(f"<ul>{items}</ul>")
        elif all(re.match(r"^\d+\. ", line) for line in lines):
            out.append("<ol>" + "".join(f"<li>{inline(line.split('. ', 1)[1])}</li>" for line in lines) + "</ol>")
        elif first.startswith("> "):
            out.append(f'<p class="warning">{inline(" ".join(line[2:] for line in lines))}</p>')
        elif first.strip() == "---":
            continue
        else:
            cls = ' class="note"' if first.startswith("*") and not first.startswith("**") else ""
            out.append(f"<p{cls}>{inline(' '.join(lines))}</p>")
    return "".join(out)


def _li(text: str) -> str:
    cls = ' class="assumption"' if text.startswith("**Assumption**") else ""
    return f"<li{cls}>{inline(text)}</li>"


def _table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{inline(h)}</th>" for h in rows[0])
    body = "".join("<tr>" + "".join(f'<td class="num">{inline(c)}</td>' if NUMERIC.match(c) else f"<td>{inline(c)}</td>"
                                    for c in row) + "</tr>" for row in rows[1:])
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _section(md: str, charts: dict[str, str]) -> tuple[str, str]:
    """(heading, html) of a markdown section that starts with '## heading'."""
    head, _, rest = md.partition("\n")
    if head.startswith("## "):
        return head[3:].strip(), markdown_html(rest, charts)
    return "", markdown_html(md, charts)


# -- the report -------------------------------------------------------------------------------

def report_html(r: Results, charts: dict[str, str] | None = None) -> str:
    """The page: the first screen, every markdown section after it, the appendix collapsed."""
    from model.reporting import markdown as md
    from model.reporting.charts import report_charts
    charts = report_charts(r) if charts is None else charts
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    body, appendix = md.sections(r)
    sections: list[tuple[str, str]] = [("", first_screen_html(r, charts))]
    for f in body:
        if f in (md.title, md.first_screen):
            continue
        text = f(r)
        if text:
            sections.append(_section(text, charts))
    folded = []
    for f in appendix:
        text = f(r)
        if text:
            heading, content = _section(text, charts)
            folded.append(f"<details><summary>{esc(heading)}</summary>{content}</details>")
    if folded:
        sections.append(("Appendix", "".join(folded)))
    return page(r.instance.title, sections, f"{home} (home) and {partner} (partner); instance "
                                               f"{r.instance.name} ({r.instance.file})")


def first_screen_html(r: Results, charts: dict[str, str]) -> str:
    """The question, the deal (one card per party), the balances as figures, what holds the
    deficit up, what fixed terms cost, the footnotes: the same content as report.md's first
    screen (`first_screen`), laid out for a page."""
    from model.reporting.explanations import diagnosis_summary
    from model.reporting.first_screen import (
        PAYOFF_WORDS,
        WELFARE_WORDS,
        bottom_line,
        fixed_terms,
        footnotes,
        jobs_and_price,
        lose_lose,
        package,
        ranking_note,
        robustness_lines,
        top_constraints,
        welfare_lines,
        zopa_line,
    )
    from model.reporting.markdown import balance_lines, status_line, sweep_first_screen
    if r.sweep is not None:           # a sweep's: the draws first, the deal in short (as report.md)
        return markdown_html(sweep_first_screen(r), charts)
    out = [f"<p><b>The question.</b> {esc(r.instance.question)}</p>"]
    if not r.instance.participation:
        from model.reporting.words import participation_said
        out.append(f"<p class=note>{esc(participation_said(False, {}, r.instance.parties))}</p>")
    second = r.stages.stage_two_status
    note = status_line(r) if second and second != "optimal" and r.has_deal else ""
    out.append(f'<p>Status: <b class="status-{esc(r.status)}">{esc(r.status.replace("_", " "))}</b>'
               + (f" ({esc(r.message)})" if r.message else "") + "</p>"
               + (f"<p class=note>{inline(note.split('. ', 1)[-1])}</p>" if note else ""))
    out += [f'<p class="warning"><b>Warning:</b> {esc(w)}.</p>' for w in r.warnings]
    d = r.metric("deficit")
    year = calibration_name(r)
    if not r.has_deal:
        out.append(f"<h2>{esc(no_deal_heading(r.status))}</h2>")
        out.append(_cards([(f"deficit in {year}", money(d.baseline), ""), ("deficit with no deal", money(d.no_deal), ""),
                           ("deficit with a deal", "no deal" if r.status == "infeasible" else "none reported", "")]))
        summary = diagnosis_summary(r)
        if summary:
            out.append(markdown_html(summary))
        out.append(_over_time_html(r))
        out.append(_robustness_html(robustness_lines(r)))
        return "".join(out)
    parties = []
    for party, name, clauses in package(r):
        items = "".join(f"<li>{inline(c)}</li>" for c in clauses) or "<li>makes no concession</li>"
        parties.append(f'<div class="party {esc(party)}"><h3>{esc(name)} gives</h3><ul>{items}</ul></div>')
    out.append(f'<h2>The deal</h2><p class="bottom"><b>Bottom line.</b> {inline(bottom_line(r))}</p>'
               '<div class="deal">' + "".join(parties) + "</div>")
    out.append(_over_time_html(r))
    out.append(_robustness_html(robustness_lines(r)))
    g = r.metric("sector_deficit")
    home = r.instance.parties["home"]
    cards = [(balance_words(r, "sector_deficit"), money(g.deal),
              f"{money(g.dealt - g.no_deal, True)} against no deal ({money(g.no_deal)})",
              card_tone(-(g.dealt - g.no_deal), home, deficit=True)),
             (balance_words(r, "deficit"), money(d.deal),
              f"{money(d.dealt - d.no_deal, True)} against no deal ({money(d.no_deal)}); "
              f"{money(d.dealt - d.baseline, True)} against {year} ({money(d.baseline)})",
              card_tone(-(d.dealt - d.no_deal), home, deficit=True))]
    if "all_goods_deficit" in shown_balances(r):
        a = r.metric("all_goods_deficit")
        cards.append((balance_words(r, "all_goods_deficit"), money(a.deal),
                      f"{money(a.dealt - a.no_deal, True)} against no deal ({money(a.no_deal)}); the goods not "
                      f"negotiated held at {money(r.metric('other_goods_deficit').baseline)}",
                      card_tone(-(a.dealt - a.no_deal), home, deficit=True)))
    cards += _over_time_cards(r, home)
    for p in ("home", "partner"):
        pm = r.metric(f"{p}_payoff")
        cards.append((f"{possessive(r.instance.parties[p])} gain over no deal (payoff)",
                      money(pm.dealt - pm.no_deal, signed=True), PAYOFF_WORDS,
                      card_tone(pm.dealt - pm.no_deal, r.instance.parties[p])))
    for p in ("home", "partner"):
        wm = r.metric(f"{p}_welfare")
        cards.append((f"{possessive(r.instance.parties[p])} welfare against no deal",
                      money(wm.dealt - wm.no_deal, signed=True), WELFARE_WORDS[p],
                      card_tone(wm.dealt - wm.no_deal, r.instance.parties[p])))
    out.append(_cards(cards))
    fixed = fixed_terms(r)
    if fixed:
        out.append("<h3>The fixed terms</h3>" + "".join(f"<p>{inline(t)}</p>" for t in fixed))
    out.append(markdown_html("\n".join(balance_lines(r) + [f"- {t}" for t in jobs_and_price(r)] + welfare_lines(r)
                                       + [f"- {t}" for t in lose_lose(r)]
                                       + ([f"- {zopa_line(r)}"] if zopa_line(r) else []))))
    top, more = top_constraints(r)
    if top:
        out.append(f"<h3>What holds the deficit up</h3><p class=note>{inline(ranking_note(r)[0].upper() + ranking_note(r)[1:])}."
                   "</p><ol>" + "".join(f"<li>{inline(t)}</li>" for t in top) + "</ol>"
                   + (f"<p class=note>{more} more under Constraints below.</p>" if more else ""))
    out += [f"<p class=note>{inline(n)}</p>" for n in footnotes(r)]
    return "".join(out)


def _over_time_cards(r: Results, home: str) -> list[tuple]:
    """A deal over a horizon: the deficit's present value over the years, against no deal (the other
    cards are the last year's)."""
    from model.reporting.over_time_section import pv_words
    ot = r.over_time
    d = next((v for v in ot.metrics if v.name == "deficit"), None) if ot is not None else None
    if ot is None or d is None or d.deal_sum is None or d.no_deal_sum is None:
        return []
    change = d.deal_sum - d.no_deal_sum
    return [(f"deficit over {ot.first_year} to {ot.last_year}, present value", money(d.deal_sum),
             f"{money(change, True)} against no deal ({money(d.no_deal_sum)}); {pv_words(ot)}",
             card_tone(-change, home, deficit=True))]


def _over_time_html(r: Results) -> str:
    """The first screen's part for a deal over a horizon (`over_time_section.path_lines`): its
    path by year, the schedules chosen, the present values; '' for a one-year instance."""
    from model.reporting.over_time_section import path_lines
    lead, items = path_lines(r)
    if not lead:
        return ""
    return ('<div class="over-time">' + f"<p>{inline(lead)}</p>"
            + ("<ul>" + "".join(f"<li>{inline(t)}.</li>" for t in items) + "</ul>" if items else "") + "</div>")


def _robustness_html(lines: list[str]) -> str:
    """The first screen's robustness (`first_screen.robustness_lines`), beside the deal."""
    if not lines:
        return ""
    return '<div class="robustness"><h3>How robust it is</h3>' + "".join(f"<p>{inline(t)}</p>" for t in lines) + "</div>"


TONE_MIN = 0.5        # USD: a change smaller than this is neither good nor bad


def card_tone(gain: float, side: str, deficit: bool = False) -> tuple[str, str]:
    """(css class, words) for a card whose change against no deal is `gain` for `side`
    (positive: better for it; for a deficit card, the fall of the deficit): green and good,
    red and bad, no colour when it does not move. The words say it too, so colour is never the
    only sign ('up against no deal: bad for United States')."""
    if abs(gain) < TONE_MIN:
        return "", "as with no deal"
    if deficit:
        return ("good", f"down against no deal: good for {side}") if gain > 0 else \
            ("bad", f"up against no deal: bad for {side}")
    return ("good", f"a gain for {side}") if gain > 0 else ("bad", f"a loss for {side}")


def _cards(cards: list[tuple]) -> str:
    """Cards of (label, value, detail) or (label, value, detail, (tone, words)): a tone colours the
    card ('good', 'bad') and its words are shown above the label."""
    out = []
    for label, v, detail, *rest in cards:
        tone, said = rest[0] if rest else ("", "")
        out.append(f'<div class="card{" " + tone if tone else ""}"><div class="v">{esc(v)}</div>'
                   + (f'<div class="t">{esc(said)}</div>' if said else "")
                   + f'<div class="l">{esc(label)}</div>'
                   + (f'<div class="d">{esc(detail)}</div>' if detail else "") + "</div>")
    return "<div class=cards>" + "".join(out) + "</div>"
