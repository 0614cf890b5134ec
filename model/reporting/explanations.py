"""The report's explanation sections: how far each lever's effect may move before the deal
changes (ranging), and, when there is no deal, why, and what would make one possible:
the smallest relaxation overall and for each party alone, each with the deal it allows."""
from __future__ import annotations

from model.formatting import money, value
from model.reporting.markdown_table import table
from model.reporting.words import amount, group_labels, measured_by, possessive, rate_setting
from model.results import Results
from model.results.sections import Diagnosis, Relaxed


def ranging_section(r: Results) -> str:
    """Per unit of each lever used: its effect on the deficit, and how far that may move
    before the deal changes (HiGHS ranging of the deal's linear program)."""
    costs = [c for c in (r.ranging.lever_costs if r.ranging else []) if c.low is not None or c.high is not None]
    used = {f"{lv.name}[{lv.index}]": lv for lv in r.levers}
    rows = []
    for c in costs:
        lv = used.get(c.lever)
        if lv is None or abs(lv.value) < 1e-6:
            continue
        rows.append([lv.label, money(c.cost), "no limit" if c.low is None else money(c.low),
                     "no limit" if c.high is None else money(c.high)])
    if not rows:
        return ""
    return ("## How far each lever's effect on the deficit may move before the deal changes\n\n"
            "Per unit of the lever (a vehicle, a tonne, an aircraft), with the deal's tariff options and yes/no "
            "concessions held as chosen (HiGHS ranging).\n\n"
            + table(["lever", "deficit change per unit", "lowest", "highest"], rows))


# -- no deal ---------------------------------------------------------------------------------

def _steps(d: Diagnosis) -> str:
    steps = d.steps or {}
    words = [("one percentage point" if u == "fraction" else value(v, u) if u == "USD" else amount(v, u))
             for u, v in steps.items()]
    return ", ".join(words)


def _moves(block) -> list[str]:
    out = []
    for x in block.relaxations:
        out.append(f"{x.label}: from {value(x.bound, x.unit)} to {value(x.relaxed_bound, x.unit)}")
    return group_moves(out)


def group_moves(moves: list[str]) -> list[str]:
    """Moves of per-segment lines of one red line said once ('Japan: cars pay at most 10% (compact
    cars, SUVs): from 10.0% to 15.0%') when they move alike."""
    by_move: dict[str, list[str]] = {}
    for m in moves:
        label, _, move = m.rpartition(": from ")
        by_move.setdefault(move, []).append(label)
    return [f"{label}: from {move}" for move, labels in by_move.items() for label in group_labels(labels)]


def _deal_words(r: Results, block: Diagnosis | Relaxed) -> str:
    deal = block.deal
    if not deal:
        return ""
    home, partner = r.instance.parties["home"], r.instance.parties["partner"]
    gain = {p: deal[f"{p}_payoff"] - r.metric(f"{p}_payoff").no_deal for p in ("home", "partner")}
    return (f"the deal it allows has a deficit of {money(deal['deficit'])}, {possessive(home)} gain over no deal "
            f"{money(gain['home'], True)} and {possessive(partner)} {money(gain['partner'], True)} (by their payoffs); "
            f"verified against the relaxed constraints (largest violation {block.verification_of_relaxed_deal:.1e})")


LISTED_LEVERS = 20      # a relaxed deal's levers named in the text; results.json holds them all


def _levers(block: Diagnosis | Relaxed) -> str:
    out, levers = [], block.levers
    for lv in levers[:LISTED_LEVERS]:
        if lv.unit == "fraction":
            shown = rate_setting(lv.value, lv.choice)
        elif lv.unit == "yes/no":
            shown = "yes"
        else:
            shown = amount(lv.value, lv.unit)
        out.append(f"{lv.label}: {shown}")
    if len(levers) > LISTED_LEVERS:
        out.append(f"and {len(levers) - LISTED_LEVERS:,} more (every one is in results.json, under diagnosis)")
    return "; ".join(out)


def participation_gap(r: Results) -> str:
    """When only participation stands in the way (the smallest relaxation moves nothing else):
    that no deal within the red lines leaves both sides at least as well off, in the measure
    each is held to, and what each side would have to accept."""
    d = r.diagnosis
    if not d or d.status != "relaxable":
        return ""
    short = [x for x in d.relaxations if x.kind == "participation" and x.amount > 0]
    if not short or len(short) != len(d.relaxations):
        return ""
    measure = r.instance.participation_measure
    return ("**No deal within the red lines leaves both sides at least as well off as no deal"
            + measured_by(measure, r.instance.parties) + "**: "
            + "; ".join(f"{r.instance.parties.get(x.party or '', x.party or '')} would have to accept "
                        f"{money(x.amount)} less {measure.get(x.party or '', 'payoff')} than with no deal"
                        for x in short) + ".")


def diagnosis_summary(r: Results) -> str:
    """The first screen's account of a missing deal: the smallest relaxation overall, and for
    each party alone."""
    d = r.diagnosis
    if not d:
        return ""
    if d.status != "relaxable":
        return ("No relaxation of red lines, participation, buyers' ceilings or channel capacities makes a deal "
                "possible: the conflict is in the structure of the instance (check the data).")
    gap = participation_gap(r)
    lines = [gap, ""] if gap else []
    lines += ["**The smallest relaxation that makes a deal possible:**", ""]
    lines += [f"- {m}" for m in _moves(d)]
    if d.by_party:
        lines += ["", "**Each party alone**, moving only its own red lines and participation:", ""]
    for p, block in d.by_party.items():
        name = r.instance.parties[p]
        if block.status == "relaxable":
            lines.append(f"- **{name}**: " + "; ".join(_moves(block)) + ".")
        else:
            lines.append(f"- **{name}** cannot make a deal possible alone.")
    return "\n".join(lines)


def diagnosis_section(r: Results) -> str:
    d = r.diagnosis
    if not d:
        return ""
    lines = ["## Why there is no deal, and what would make one possible", ""]
    if d.status != "relaxable":
        lines.append("No relaxation of red lines, participation, buyers' ceilings or channel capacities admits a "
                     "deal: the conflict is in the structure of the instance (check the data).")
    else:
        lines.append("The relaxation moves as few steps as it can, a step being " + _steps(d) + " (set them with "
                     "`run --relax-step UNIT=AMOUNT`; a larger step makes that kind of bound cheaper to move). "
                     "Overall, red lines, participation, buyers' ceilings and dealer capacities may move; each party "
                     "alone may move only its own red lines and participation.")
        lines += ["", "**Overall**, " + _deal_words(r, d) + ":", ""]
        lines += [f"- {m}" for m in _moves(d)]
        if d.levers:
            lines += ["", f"Its levers: {_levers(d)}."]
        for p, block in d.by_party.items():
            name = r.instance.parties[p]
            if block.status != "relaxable":
                lines += ["", f"**{name} alone** cannot make a deal possible by moving its own red lines and "
                          "participation."]
                continue
            lines += ["", f"**{name} alone**, " + _deal_words(r, block) + ":", ""]
            lines += [f"- {m}" for m in _moves(block)]
            if block.levers:
                lines += ["", f"Its levers: {_levers(block)}."]
    if d.iis:
        mine = group_labels([x.label for x in d.iis])
        extra = d.iis_model_rows
        lines += ["", f"Constraints in conflict ({d.iis_note}): " + "; ".join(mine) + "."
                  + (f" ({extra} rows of the model's own structure, such as one option per tariff line, complete "
                     "the conflict.)" if extra else "")]
    elif d.iis_note:
        lines += ["", f"No conflict list: {d.iis_note}."]
    return "\n".join(lines)
