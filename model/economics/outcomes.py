"""Each tariff option's outcome for a whole instance: the option table (every option of every
line) and the outcomes of a deal's chosen options, each with what a production shift does on
its segment. Above `responses` (one line's outcomes at one option) and `shifts` (a shift's
effect, which solves lines with `responses`), so that neither imports the other back."""
from __future__ import annotations

from model.data.families.base import option_family
from model.data.instance import Instance
from model.economics.responses import (
    OptionOutcome,
    base_option,
    calibration_segment,
    line_outcomes,
    option_outcome,
)
from model.economics.shifts import with_effects


def option_table(instance: Instance) -> dict[tuple[str, str], OptionOutcome]:
    """(segment, option name) -> outcome, for every option of every tariff line, each
    computed jointly over the line's segments."""
    form = instance.settings.response
    table = {}
    for line in instance.lines.values():
        members = [instance.segments[s] for s in line.segments]
        for o in instance.line_options(line.name):
            for s, outcome in line_outcomes(members, o, form).items():
                table[s, o.name] = outcome
    # Keys in segment order, then option order, as every consumer iterates them.
    return with_effects(instance, {(s, o.name): table[s, o.name] for s in instance.segments
                                   for o in instance.options(s)})


def chosen_outcomes(instance: Instance, deal, table: dict | None = None) -> dict[str, OptionOutcome]:
    """Segment -> outcome of the deal's option on its line; `deal=None`: the calibration year."""
    form = instance.settings.response
    if deal is None:
        return with_effects(instance, {s: option_outcome(calibration_segment(seg), base_option(seg), form)
                                       for s, seg in instance.segments.items()})
    chooser = option_family()
    if table is not None:
        chosen = chooser.chosen_options(instance, deal.values(chooser.deal_field))
        return {s: table[s, chosen[s]] for s in instance.segments}
    out = {}
    options = deal.values(chooser.deal_field)
    for name, line in instance.lines.items():
        members = [instance.segments[s] for s in line.segments]
        out.update(line_outcomes(members, instance.line_option(name, options[name]), form))
    return with_effects(instance, {s: out[s] for s in instance.segments})
