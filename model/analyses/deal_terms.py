"""A deal's levers in words, for the negotiation analyses: what each side gives, a package's
lever columns, and what an option of an option family is (its label and its rank).

A lever family of kind 'option' picks one option per line (a tariff option per tariff
line, the partner's tariff per partner line). The analyses need two facts about an option:
its label in the instance's words (the family's `option_label`), and an order in which a
lower option is the more generous one (a lower tariff is a concession).

Rank: the rate the option amounts to (the family's `option_rate`: for a home tariff line
the duty actually paid over its segments, from the option table the model was built
from, so a tariff-rate quota sits between the flat tiers at the rate its buyers pay). An
option whose rate cannot be computed ranks by its position in the menu.

An amount is *in use* from IN_USE model units (1 vehicle, about USD 1,000 of a good): smaller
values are slack the lexicographic tolerance allows, not a concession.
"""
from __future__ import annotations

from model.data.instance import Deal, Instance
from model.data.levers import families
from model.economics.outcomes import chosen_outcomes
from model.optimization.handle import Solution
from model.results import Change, Given, InstanceName, LeverRow, LeverSetting, Setting

IN_USE = 1e-3     # model units


def instance_name(inst: Instance) -> InstanceName:
    """Which instance a negotiation report is about, and what participation asked of its deals."""
    return InstanceName(inst.name, inst.title, inst.file, bool(inst.settings.participation),
                        dict(inst.settings.participation_measure))


def deal_of(solution: Solution) -> Deal:
    """The deal of a solve that has one (callers check `has_deal` first)."""
    assert solution.deal is not None, f"a solve without a deal ({solution.status})"
    return solution.deal


def option_label(inst: Instance, family, line, option: str | None) -> str:
    """'flat 15.0%' for option 'flat_15' on a tariff line; the option's name if unknown."""
    try:
        return family.option_label(inst, line, option)
    except (KeyError, StopIteration, AttributeError):
        return str(option)


def option_rank(inst: Instance, table: dict, family, line, option: str, position: int = 0) -> float:
    """A number that orders the options of one line, lower = more generous to the other side."""
    members = inst.lines[line].segments if family.name == "tariff" and line in inst.lines else ()
    outcomes = {s: table[s, option] for s in members if (s, option) in table}
    try:
        return float(family.option_rate(inst, line, option, outcomes))
    except (KeyError, StopIteration, IndexError, ZeroDivisionError):
        return float(position)


def line_options(inst: Instance, table: dict, family, line) -> list[str]:
    """The options of one line in rank order (most generous first)."""
    names = list(family.options(inst, line))
    return sorted(names, key=lambda o: (option_rank(inst, table, family, line, o, names.index(o)), names.index(o)))


def gives(inst: Instance, deal: Deal) -> dict[str, list[Given]]:
    """What each party concedes in `deal`: its levers that differ from no deal, in its words."""
    out: dict[str, list[Given]] = {"home": [], "partner": []}
    for f in families():
        values, base = deal.values(f.deal_field), inst.no_deal.values(f.deal_field)
        for key in f.keys(inst):
            v, b = values.get(key), base.get(key)
            shown: Setting
            if f.kind == "option":
                if v is None or v == b:
                    continue
                shown = option_label(inst, f, key, v)
            elif f.kind == "switch":
                if bool(v) == bool(b):
                    continue
                shown = "yes" if v else "no"
            else:
                v, b = v or 0.0, b or 0.0
                if abs(v - b) < IN_USE * f.scale(inst, key):     # under 1 vehicle, about USD 1,000 of a good
                    continue
                shown = v
            out.setdefault(f.party, []).append(Given(f"{f.short}.{f.key_text(key)}", f.label(inst, key), shown,
                                                     f.unit(inst, key)))
    return out


def lever_columns(inst: Instance, deal: Deal) -> dict[str, Setting]:
    """Every lever of the deal as 'short.key' -> value (an option's name; 1/0; an amount)."""
    out: dict[str, Setting] = {}
    for f in families():
        values = deal.values(f.deal_field)
        for key in f.keys(inst):
            v = values.get(key)
            col = f"{f.short}.{f.key_text(key)}"
            if f.kind == "option":
                out[col] = v
            elif f.kind == "switch":
                out[col] = 1.0 if v else 0.0
            else:
                out[col] = float(v or 0.0)
    return out


def settings(inst: Instance, deal: Deal) -> dict[str, LeverSetting]:
    """Every lever of the deal in words: 'short.key' -> its label, party, value and unit, where value
    is an option's label, 'yes'/'no', or an amount in the lever's unit (0 when not in use)."""
    out = {}
    for f in families():
        values = deal.values(f.deal_field)
        for key in f.keys(inst):
            v = values.get(key)
            shown: Setting
            if f.kind == "option":
                shown = option_label(inst, f, key, v) if v is not None else ""
            elif f.kind == "switch":
                shown = "yes" if v else "no"
            else:
                amount = float(v or 0.0)
                shown = amount if abs(amount) >= IN_USE * f.scale(inst, key) else 0.0
            out[f"{f.short}.{f.key_text(key)}"] = LeverSetting(f.label(inst, key), f.party, shown, f.unit(inst, key))
    return out


def lever_rows(inst: Instance, deal: Deal) -> list[LeverRow]:
    """Every lever of the deal, family by family (`data.levers`): an option family gives the
    duty actually paid under the option chosen, a switch 1/0, a quantity its amount."""
    outcomes = chosen_outcomes(inst, deal)
    rows = []
    for f in families():
        values, fixed = deal.values(f.deal_field), inst.fixed.values(f.deal_field)
        if f.kind == "option":
            for key in f.keys(inst):
                rate = f.option_rate(inst, key, values[key], outcomes)
                rows.append(LeverRow(f.name, f.party, f.key_text(key), rate, f.unit(inst, key), f.label(inst, key),
                                     f.option_label(inst, key, values[key]), key in fixed))
        elif f.kind == "switch":
            rows += [LeverRow(f.name, f.party, f.key_text(key), float(bool(values.get(key, False))), f.unit(inst, key),
                              f.label(inst, key), fixed=key in fixed) for key in f.keys(inst)]
        else:
            rows += [LeverRow(f.name, f.party, f.key_text(key), v, f.unit(inst, key), f.label(inst, key),
                              fixed=key in fixed) for key, v in values.items()]
    return rows


def changes(inst: Instance, before: Deal, after: Deal, table, only: set | None = None) -> list[Change]:
    """Levers whose setting differs between two deals, from `before`'s setting to `after`'s."""
    out = []
    for f in families():
        a, b = before.values(f.deal_field), after.values(f.deal_field)
        for key in f.keys(inst):
            if only is not None and (f.deal_field, key) not in only:
                continue
            x, y = a.get(key), b.get(key)
            shown: tuple[Setting, Setting]
            if f.kind == "option":
                if x == y:
                    continue
                shown = option_label(inst, f, key, x), option_label(inst, f, key, y)
            elif f.kind == "switch":
                if bool(x) == bool(y):
                    continue
                shown = ("yes" if x else "no"), ("yes" if y else "no")
            else:
                before_amount, after_amount = float(x or 0.0), float(y or 0.0)
                if abs(before_amount - after_amount) < IN_USE * f.scale(inst, key):
                    continue
                shown = before_amount, after_amount
            out.append(Change(f"{f.short}.{f.key_text(key)}", f.label(inst, key), f.party, shown[0], shown[1],
                              f.unit(inst, key)))
    return out
