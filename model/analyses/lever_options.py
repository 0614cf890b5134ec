"""What an option of an option family is, for the negotiation analyses: its label and its rank.

A lever family of kind 'option' picks one option per line (today: a tariff option per
segment). The analyses need two facts about an option that the lever-family table does not
carry: its label in the instance's words, and an order in which a lower option is the more
generous one (a lower tariff is a concession). Both are read here and nowhere else, so a
change to what a line or an option is (legislated tariff lines, pooled quotas) is made in
this one module.

Rank: the tariff actually paid under the option (`OptionOutcome.duty_rate`, revenue over
customs value, from the option table the model was built from), so a tariff-rate quota
sits between the flat tiers at the rate its buyers pay. An option the table does not know
ranks by its position in the menu.
"""
from __future__ import annotations

from model.data.instance import Instance


def option_label(inst: Instance, family, line, option: str) -> str:
    """'flat 15.0%' for option 'flat_15' on a tariff line; the option's name if unknown."""
    try:
        return inst.option(line, option).label
    except (KeyError, StopIteration, AttributeError):
        return str(option)


def option_rank(table: dict, family, line, option: str, position: int = 0) -> float:
    """A number that orders the options of one line, lower = more generous to the other side."""
    outcome = table.get((line, option))
    rate = getattr(outcome, "duty_rate", None)
    return float(rate) if rate is not None else float(position)


def line_options(table: dict, line) -> list[str]:
    """The options of one line in rank order (most generous first)."""
    names = [o for (ln, o) in table if ln == line]
    return sorted(names, key=lambda o: (option_rank(table, None, line, o, names.index(o)), names.index(o)))
