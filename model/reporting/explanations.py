"""The report's explanation sections: why this deal (shadow prices in words, ranging of
lever costs) and, when there is none, why no deal and what would make one possible."""
from __future__ import annotations

from model.analyses.diagnose import describe
from model.formatting import money, value
from model.reporting.markdown_table import table
from model.results import Results


def report_section(r: Results) -> str:
    """Why this deal: the sentences, then ranging of the lever costs."""
    lines = []
    expl = r.extras.get("explanations")
    if expl:
        lines += ["## Why this deal: what each binding constraint costs", "",
                  "Each sentence reads a shadow price from the LP with the chosen tariff options and NTB reliefs "
                  "fixed; it holds for small changes, within the range given.", ""]
        lines += [f"- {e['sentence']}" for e in expl]
    costs = [c for c in r.extras.get("ranging", {}).get("lever_costs", []) if c["low"] is not None or c["high"] is not None]
    used = {f"{lv.name}[{lv.index}]": lv for lv in r.levers}
    rows = []
    for c in costs:
        lv = used.get(c["lever"])
        if lv is None or abs(lv.value) < 1e-6:
            continue
        rows.append([lv.label, money(c["cost"]), "-inf" if c["low"] is None else money(c["low"]),
                     "+inf" if c["high"] is None else money(c["high"])])
    if rows:
        lines += ["", "### How far each lever's effect on the deficit may move before the deal changes", "",
                  "Per unit of the lever (a vehicle, a tonne, an aircraft); from HiGHS ranging of the fixed LP.", "",
                  table(["lever", "deficit change per unit", "lowest", "highest"], rows)]
    diag = r.extras.get("diagnosis")
    if diag:
        lines += ["", diagnosis_section(r)]
    return "\n".join(lines)


def diagnosis_section(r: Results) -> str:
    d = r.extras["diagnosis"]
    labels = {c["name"]: c["label"] for c in d.get("labels", [])}
    lines = ["## Why there is no deal, and what would make one possible", ""]
    if d["status"] != "relaxable":
        lines.append("No relaxation of red lines, participation, buyers' ceilings or channel capacities admits a "
                     "deal: the conflict is in the structure of the instance (check the data).")
    else:
        lines.append("The smallest relaxation that makes a deal possible (each constraint measured in its own "
                     "unit: 1,000 vehicles, USD 100 million, one percentage point):")
        lines.append("")
        for x in d["relaxations"]:
            lines.append(f"- **{x['label']}**: move the bound from {value(x['bound'], x['unit'])} to "
                         f"{value(x['relaxed_bound'], x['unit'])} ({value(x['amount'], x['unit'])}).")
        deal = d["deal"]
        lines += ["", f"With that relaxation the deal would have a deficit of {money(deal['deficit'])}, "
                  f"{r.instance['parties']['home']}'s payoff {money(deal['home_payoff'])} and "
                  f"{r.instance['parties']['partner']}'s {money(deal['partner_payoff'])}; it satisfies every "
                  f"constraint once relaxed (largest violation {d['verification_of_relaxed_deal']:.1e})."]
    if d.get("iis"):
        lines += ["", f"Conflicting constraints ({d['iis_note']}): "
                  + "; ".join(describe(x["name"], labels) for x in d["iis"]) + "."]
    else:
        lines += ["", f"No irreducible infeasible subset: {d['iis_note']}."]
    return "\n".join(lines)
