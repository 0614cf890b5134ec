"""The home tariff: one option per home tariff line, chosen from its menu (the home party's concession).

Instance file: `tariff_menus` (each menu a legislated line: flat tiers, tariff-rate quotas,
export restraints; `split` gives each of its segments a line of its own; segments name
their menu in `tariff_menu`), and `tariff:` under `no_deal`/`fixed_levers` (per line, menu
or segment: a flat rate that is one of the menu's tiers, or an option's name).

Model: tariff_choice[l,o] = 1 if option o is the regime on line l (one per line: the
generic `one_tariff_option` rows). This family chooses each segment's option of the option
table, so `option_choice` gives the core the binary of (segment, option): the line's. The
option table's terms (imports, duty, buyers' cost, ...) are the core's, stated on them.
"""
from __future__ import annotations

from pydantic import StrictBool

from model.data.families.base import LeverFamily, Section
from model.data.families.tariff_lines import (
    FlatTiers,
    QuotaSpec,
    RestraintSpec,
    duty_rate,
    line_choices,
    rate_entry,
    read_lines,
    read_menu,
    say_rates,
)
from model.data.fields import Q, Strict, declaration_of, text

NAME = "tariff"


class MenuSpec(Strict):
    """One tariff menu is one legislated tariff line: the home party chooses one option and it
    applies to every segment on the menu, unless `split` gives each segment a line of its own
    (the report then says so). A menu needs at least one option."""

    label: str | None = text("How reports name the tariff line, e.g. 'passenger cars' (default: its segments).",
                             default=None)
    split: StrictBool = text("Choose the option segment by segment (one tariff line per segment).", default=False)
    flat: FlatTiers | None = text("Flat tiers.", default=None)
    quotas: dict[str, QuotaSpec] = text("Tariff-rate quotas, by option name.", default_factory=dict)
    export_restraints: dict[str, RestraintSpec] = text("Export restraints, by option name.", default_factory=dict)


DEAL_ENTRY = (dict[str, Q | str], rate_entry(
    "Segment or tariff menu -> a flat rate (one of its menu's tiers) or the name of a quota option. A menu "
    "key sets every segment on the menu."))


def read(reader, given: dict, inst) -> dict:
    """`menus` (menu -> its options) and `lines` (line -> its segments); each segment's
    `tariff_menu` must name a menu, and a quota counts in its segments' one unit."""
    segments = reader.spec.segments
    menus = {}
    for key, spec in given["tariff_menus"].items():
        members = [n for n, g in segments.items() if g.tariff_menu == key]
        menus[key] = read_menu(reader, key, spec, "tariff_menus",
                               unit=reader.shared_unit(f"tariff_menus.{key}", members, segments, "quota"))
    for s, g in segments.items():
        reader.ref(g.tariff_menu, menus, f"segments.{s}.tariff_menu", "tariff menu")
    return {"menus": menus, "lines": read_lines(reader, given["tariff_menus"], inst.segments, "tariff_menu",
                                                "tariff_menus")}


def read_deal(reader, given, path: str, inst, complete: bool) -> dict:
    return line_choices(reader, given, path, inst.lines, inst.menus, "tariff_menus", complete,
                        declaration_of(DEAL_ENTRY[1]))


def option_choice(v, inst) -> list:
    """The binary that picks option o for segment s: its line's, for each (s, o) of the table."""
    line_of, y = inst.lines.segment_line, v.tariff_choice
    return [y[line_of[s], o] for s, o in v.OPTIONS]


def chosen_options(inst, values: dict) -> dict:
    """Segment -> the option the deal chooses on its line."""
    line_of = inst.lines.segment_line
    return {s: values[line_of[s]] for s in inst.segments}


def baseline(inst, line, outcomes) -> float | None:
    """The line's calibration-year tariff: duty over customs value of its segments."""
    if line not in inst.lines:
        return None
    segments = inst.lines[line].segments
    rows = [outcomes[s] for s in segments]
    value = sum(o.imports_value for o in rows)
    return sum(o.duty for o in rows) / value if value > 0 else inst.segments[segments[0]].base_tariff


FAMILY = LeverFamily(
    step=(1.0, "%", "share"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="tariff", section="tariff", party="home", kind="option", short="tariff",
    keys=lambda inst: list(inst.lines), unit=lambda inst, line: "fraction",
    label=lambda inst, line: f"{inst.parties['home']} tariff on {inst.lines[line].label}",
    bridge_step="tariff", bridge_label="tariff options",
    sweep_label=lambda inst, line: f"tariff on {inst.lines[line].label}",
    options=lambda inst, line: [o.name for o in inst.line_options(line)],
    option_label=lambda inst, line, name: inst.line_option(line, name).label,
    # The duty actually paid over the line's segments (a quota's mix of in- and out-of-quota rates).
    option_rate=lambda inst, line, name, outcomes: duty_rate([outcomes[s] for s in inst.lines[line].segments]),
    sections=(Section("tariff_menus", dict[str, MenuSpec], "Menu key -> the tariff options of a menu.",
                      entry="tariff menu", default=False, attribute="menus",
                      docs=(("tariff_menus", MenuSpec, ["cars"]), ("flat tiers", FlatTiers, None),
                            ("quotas", QuotaSpec, None), ("export_restraints", RestraintSpec, None))),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    option_choice=option_choice, chosen_options=chosen_options,
    phrase=say_rates, context=lambda inst, line: {"group": inst.lines[line].label} if line in inst.lines else {},
    baseline=baseline, key_names=("line",),
)
