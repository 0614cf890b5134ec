"""The frontier's report section: reads results only (no Pyomo)."""
from __future__ import annotations

from model.formatting import money, value
from model.reporting.markdown_table import table


def frontier_section(r) -> str:
    """The report section for results carrying extras['frontier']."""
    f = r.extras.get("frontier")
    if not f:
        return ""
    home, partner = r.instance["parties"]["home"], r.instance["parties"]["partner"]
    lines = ["## The frontier and the zone of possible agreement", ""]
    if f["status"] == "no_zopa":
        s = f["shortfall"]
        lines.append(f"**There is no zone of possible agreement**: no deal leaves both {home} and {partner} at "
                     "least as well off as no deal within their red lines.")
        if s["kind"] == "participation":
            parts = "; ".join(f"{r.instance['parties'][p]} {money(v)}" for p, v in s["by_party"].items())
            lines.append(f"The sides are {money(s['total'])} apart: the smallest participation shortfall is {parts} "
                         "below the no-deal payoff.")
        else:
            lines.append(s["note"] + ": " + "; ".join(f"{x['label']} by {value(x['amount'], x['unit'])}"
                                                      for x in s["relaxations"]) + ".")
        return "\n".join(lines)
    z = f["zopa"]
    lines += [f"Every deal on the frontier respects both sides' red lines and leaves both at least as well off as "
              f"no deal. The zone of possible agreement runs from a deficit of {money(z['deficit']['low'])} (best for "
              f"{home}) to {money(z['deficit']['high'])} (best for {partner}). Along it {home}'s payoff gain over no "
              f"deal runs from {money(z['home_gain']['high'])} down to {money(z['home_gain']['low'])}, and "
              f"{partner}'s from {money(z['partner_gain']['low'])} up to {money(z['partner_gain']['high'])}.", ""]
    for name, mk in f["marks"].items():
        lines.append(f"- **{name}**: deficit {money(mk['deficit'])}; {home} gains {money(mk['home_gain'])}, "
                     f"{partner} gains {money(mk['partner_gain'])}.")
    lines += ["", "![frontier](frontier.svg)", "",
              table(["point", "deficit", f"{home} gain", f"{partner} gain", "verified"],
                    [[str(p["index"]), money(p["deficit"]), money(p["home_gain"]), money(p["partner_gain"]),
                      "yes" if p["verified"] else "NO"] for p in f["points"]])]
    return "\n".join(lines)
