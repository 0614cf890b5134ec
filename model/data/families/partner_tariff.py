"""The partner's tariff on home-made goods: one flat rate per partner tariff line (the partner's concession).

Instance file: `partner_tariff_menus` (flat tiers; `split` as for the home menus), each
segment naming its line's menu in `partner_tariff_menu` with `partner_base_tariff`,
`export_elasticity` and `export_pass_through` (segment data: how home exports respond);
`partner_tariff:` under `no_deal`/`fixed_levers`.

Economics: at partner rate t on segment s, today's home exports and the partner buyers'
ceiling both scale by the export factor F_s(t) = ((1 + pp t)/(1 + pp t0p))^ep. Since one
option is chosen per line, F_s = sum_o F_s(o) x partner_tariff_choice[line(s),o]: the
family gives the core that sum (`export_factor`), and the core scales its exports and
ceiling by it. Its own metric terms: the partner's tariff revenue on those exports,
sum_o rate(o) x exports_s x F_s(o) x export price_s x choice; and the partner's buyers'
surplus change on them (`buyer_surplus`), sum_o CS_s(o) x choice, which enters the
partner's welfare: a partner that cuts its own tariff loses revenue and its buyers gain.
"""
from __future__ import annotations

import math

from pydantic import StrictBool

from model.data.catalogue import MONEY
from model.data.families.base import LeverFamily, Section
from model.data.families.tariff_lines import (
    FlatTiers,
    line_choices,
    option_of,
    rate_entry,
    read_lines,
    read_menu,
    say_rates,
)
from model.data.fields import Q, Strict, declaration_of, text

NAME = "partner_tariff"
SEGMENT_FIELDS = ("partner_base_tariff", "export_elasticity", "export_pass_through")


class PartnerMenuSpec(Strict):
    """A tariff line of the partner's on home-made goods: its flat tiers, one chosen per line
    (or per segment when `split`). Its rate scales the home country's exports to the
    partner and the partner buyers' ceiling (see `export_elasticity`)."""

    label: str | None = text("How reports name the line, e.g. 'Japan's tariff on US cars'.", default=None)
    split: StrictBool = text("Choose the rate segment by segment.", default=False)
    flat: FlatTiers = text("Flat tiers.")


DEAL_ENTRY = (dict[str, Q], rate_entry(
    "Partner tariff line, menu or segment -> the partner's flat rate on home-made goods (one of its menu's "
    "tiers)."))


def export_factor(seg, rate: float) -> float:
    """Home exports (and the partner buyers' ceiling) at partner tariff `rate`, relative to the
    calibration year: ((1 + pp t)/(1 + pp t0p))^ep; 1 for a segment whose partner tariff is
    not negotiated."""
    if seg.partner_tariff_menu is None:
        return 1.0
    p = seg.export_pass_through
    return ((1 + p * rate) / (1 + p * seg.partner_base_tariff)) ** seg.export_elasticity


def buyer_surplus(seg, rate: float) -> float:
    """The partner's buyers' surplus change (USD a year, against the calibration year) on today's
    home-made exports in segment s at partner tariff `rate`, on their constant-elasticity demand
    X = X0 r^e, r = (1 + pp t)/(1 + pp t0p) the buyer price relative to the calibration year:
    dCS = -P0 X0 (r^(e+1) - 1)/(e + 1), or -P0 X0 ln r at e = -1, where P0 X0 = exports x export
    price x (1 + t0p) is the buyers' calibration-year spending. Zero off a partner tariff line."""
    if seg.partner_tariff_menu is None or not seg.exports:
        return 0.0
    p, e = seg.export_pass_through, seg.export_elasticity
    r = (1 + p * rate) / (1 + p * seg.partner_base_tariff)
    spending = seg.exports * seg.export_price * (1 + seg.partner_base_tariff)
    if abs(e + 1) < 1e-12:
        return -spending * math.log(r)
    return -spending * (r ** (e + 1) - 1) / (e + 1)


def line_options(inst, line: str):
    return inst.partner_menus[inst.partner_lines[line].menu]


def line_option(inst, line: str, name: str):
    return option_of(line_options(inst, line), name)


def export_factors(inst) -> dict[tuple[str, str], float]:
    """(segment, partner option) -> export factor, for every segment on a partner tariff line."""
    out = {}
    for line in inst.partner_lines.values():
        for o in line_options(inst, line.name):
            for s in line.segments:
                out[s, o.name] = export_factor(inst.segments[s], o.rate)
    return out


def read(reader, given: dict, inst) -> dict:
    """`partner_menus` and `partner_lines`; a segment naming a partner menu must say how its
    exports respond, and one that says so must name a menu."""
    menus = {k: read_menu(reader, k, m, "partner_tariff_menus") for k, m in given["partner_tariff_menus"].items()}
    docs = "docs/instance-format.md#segments"
    for s, g in reader.spec.segments.items():
        p = f"segments.{s}"
        if g.partner_tariff_menu is not None:
            reader.ref(g.partner_tariff_menu, menus, f"{p}.partner_tariff_menu", "partner tariff menu")
            for name in SEGMENT_FIELDS:
                if getattr(g, name) is None:
                    reader.error(f"{p}.{name}", "required when the segment has a 'partner_tariff_menu'",
                                 hint=f"see {docs}")
        elif any(getattr(g, name) is not None for name in SEGMENT_FIELDS):
            reader.error(f"{p}.partner_tariff_menu", "the segment states how exports respond to the partner's "
                         "tariff but names no partner tariff menu",
                         hint=f"name one of partner_tariff_menus, see {docs}")
    lines = read_lines(reader, given["partner_tariff_menus"], inst.segments, "partner_tariff_menu",
                       "partner_tariff_menus")
    return {"partner_menus": menus, "partner_lines": lines}


def read_deal(reader, given, path: str, inst, complete: bool) -> dict:
    return line_choices(reader, given, path, inst.partner_lines, inst.partner_menus, "partner_tariff_menus",
                        complete, declaration_of(DEAL_ENTRY[1]))


def model_factor(v, inst) -> list:
    """[(segment, F_s(o), partner_tariff_choice[line(s),o])]: F_s = sum of factor x choice."""
    line_of = inst.partner_lines.segment_line
    return [(s, f, v.partner_tariff_choice[line_of[s], o]) for (s, o), f in export_factors(inst).items()]


def factor_values(inst, values: dict) -> dict:
    """Segment -> F_s under the deal's partner tariffs (segments of lines it leaves out: 1,
    the calibration-year tariff, as for the baseline)."""
    out = {}
    for name, line in inst.partner_lines.items():
        if name in values:
            rate = line_option(inst, name, values[name]).rate
            for s in line.segments:
                out[s] = export_factor(inst.segments[s], rate)
    return out


def terms(v, inst, table, linear) -> dict:
    """partner_tariff_revenue = sum_(s,o) rate(o) x exports_s x F_s(o) x export price_s x choice;
    partner_buyer_surplus_change = sum_(s,o) CS_s(o) x choice (`buyer_surplus`)."""
    line_of, seg = inst.partner_lines.segment_line, inst.segments
    pieces = list(export_factors(inst).items())
    choices = [v.partner_tariff_choice[line_of[s], o] for (s, o), _ in pieces]
    return {"partner_tariff_revenue": linear(
        [seg[s].exports * seg[s].export_price * line_option(inst, line_of[s], o).rate * f / MONEY
         for (s, o), f in pieces], choices),
        "partner_buyer_surplus_change": linear(
        [buyer_surplus(seg[s], line_option(inst, line_of[s], o).rate) / MONEY for (s, o), _ in pieces], choices)}


def values(inst, chosen: dict, outcomes) -> dict:
    """The partner's tariff revenue on today's exports at its rates (each line's calibration-year
    rate where the deal sets none), and its buyers' surplus change on them."""
    line_of = inst.partner_lines.segment_line
    factors = factor_values(inst, chosen)
    total = buyers = 0.0
    for s, seg in inst.segments.items():
        if s in line_of:
            line = line_of[s]
            rate = line_option(inst, line, chosen[line]).rate if line in chosen else seg.partner_base_tariff
            total += rate * seg.exports * factors.get(s, 1.0) * seg.export_price
            buyers += buyer_surplus(seg, rate)
    return {"partner_tariff_revenue": total, "partner_buyer_surplus_change": buyers}


def baseline(inst, line, outcomes) -> float | None:
    """The mean of its segments' calibration-year partner tariffs."""
    if line not in inst.partner_lines:
        return None
    segments = inst.partner_lines[line].segments
    return sum(inst.segments[s].partner_base_tariff for s in segments) / len(segments) if segments else None


FAMILY = LeverFamily(
    step=(1.0, "%", "share"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="partner_tariff", section="partner_tariff", party="partner", kind="option",
    short="partner_tariff",
    keys=lambda inst: list(inst.partner_lines), unit=lambda inst, line: "fraction",
    label=lambda inst, line: f"{inst.parties['partner']} tariff on {inst.parties['home']}-made "
                             f"{inst.partner_lines[line].label}",
    bridge_step="partner_tariff", bridge_label="partner tariffs on home exports",
    options=lambda inst, line: [o.name for o in line_options(inst, line)],
    option_label=lambda inst, line, name: line_option(inst, line, name).label,
    option_rate=lambda inst, line, name, outcomes: line_option(inst, line, name).rate,
    sections=(Section("partner_tariff_menus", dict[str, PartnerMenuSpec],
                      "Menu key -> the partner's tariff options on home-made goods (segments name theirs in "
                      "`partner_tariff_menu`).", entry="partner tariff menu", attribute="partner_menus",
                      docs=(("partner_tariff_menus", PartnerMenuSpec, None),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    export_factor=model_factor, export_factor_values=factor_values, terms=terms, values=values,
    phrase=say_rates,
    context=lambda inst, line: {"group": inst.partner_lines[line].label} if line in inst.partner_lines else {},
    baseline=baseline, key_names=("line",),
)
