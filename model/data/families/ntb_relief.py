"""Non-tariff-barrier relief: yes/no measures the partner may grant (e.g. accept home safety standards).

Instance file: `ntb_measures` (each with the extra home-made vehicles a year partner buyers
would take per segment when it is granted, and its political cost a year), and `ntb:`
under `no_deal`/`fixed_levers` (measure -> true/false).

Economics: relief n lifts the partner buyers' ceiling of segment s by lift_ns (its
contribution to the named quantity partner_ceiling[s] of the core's buyers' ceiling row:
sum_n lift_ns x ntb_relief[n]), and costs the partner its political cost
(partner_political_cost += sum_n cost_n x ntb_relief[n]). Its buyers gain a wider choice
(partner_buyer_surplus_change += sum_n G_n x ntb_relief[n], `buyer_gain`: access to the
units the barrier rationed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import StrictBool

from model.data.catalogue import MONEY, VOL
from model.data.families.base import PARTNER_CEILING, LeverFamily, Section
from model.data.fields import Q, Strict, declared, own_unit, quantity, text

NAME = "ntb_relief"


class NtbSpec(Strict):
    """A non-tariff-barrier relief the partner may grant (e.g. accept home safety standards):
    on or off; when on it lifts the partner buyers' ceiling."""

    label: str = text("The measure's name in reports.")
    ceiling_lift: dict[str, Q] = quantity("Segment -> extra home-made vehicles a year the partner's buyers would "
                                          "take when the measure is granted.", "vehicles", ge=0, drawable=True)
    political_cost: Q = quantity("The partner's political cost of granting the measure, a year.", "USD", ge=0,
                                 drawable=True)


@dataclass(frozen=True)
class NtbMeasure:
    """A non-tariff-barrier relief the partner may grant (e.g. accept home safety standards)."""

    name: str
    label: str
    ceiling_lift: dict[str, float]   # segment -> extra vehicles partner buyers would take
    political_cost: float            # USD a year, borne by the partner


def read(reader, given: dict, inst) -> dict:
    out = {}
    per = declared(NtbSpec, "ceiling_lift")
    for key, n in given["ntb_measures"].items():
        p = f"ntb_measures.{key}"
        lift = {s: reader.q(v, f"{p}.ceiling_lift.{s}", per, dimension=own_unit(per.dimension, inst.segments[s].unit))
                for s, v in n.ceiling_lift.items()
                if reader.ref(s, inst.segments, f"{p}.ceiling_lift.{s}", "segment")}
        out[key] = NtbMeasure(name=key, label=n.label, ceiling_lift=lift,
                              political_cost=reader.field(n, "political_cost", p))
    return {"ntb_measures": out}


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    return {n: on for n, on in given.items() if reader.ref(n, inst.ntb_measures, f"{path}.{n}", "NTB measure")}


def market(v, inst, linear) -> dict:
    """partner_ceiling[s] += sum_n lift_ns x ntb_relief[n] (every segment, once there are measures)."""
    if not inst.ntb_measures:
        return {}
    # Only the segments some measure lifts: a sum of zero terms would keep a row with no variables
    # (a segment no lever serves, auto parts say) that the Pyomo model drops.
    return {(PARTNER_CEILING, s): sum(n.ceiling_lift.get(s, 0.0) / VOL * v.ntb_relief[k]
                                      for k, n in inst.ntb_measures.items() if n.ceiling_lift.get(s, 0.0))
            for s in inst.segments if any(n.ceiling_lift.get(s, 0.0) for n in inst.ntb_measures.values())}


def market_values(inst, granted: dict) -> dict:
    return {(PARTNER_CEILING, s): sum(n.ceiling_lift.get(s, 0.0) for k, n in inst.ntb_measures.items()
                                      if granted.get(k)) for s in inst.segments}


def market_most(inst) -> dict:
    """The ceiling with every relief granted."""
    return {(PARTNER_CEILING, s): sum(n.ceiling_lift.get(s, 0) for n in inst.ntb_measures.values())
            for s in inst.segments}


def buyer_gain(inst, measure: NtbMeasure) -> float:
    """The partner's buyers' surplus gain from relief `measure` (USD a year), valued as access:
    at today's price P their demand for home-made goods in segment s is C + L (C the ceiling,
    L the lift), and the barrier rations them to C. Relief admits the L units between, which
    they value along their inverse demand P(x) = P (x/(C + L))^(1/e) (e: the segment's
    `export_elasticity` where given, else its own `elasticity`):

        gain = integral_C^(C+L) P(x) dx - P L
             = P (C + L) (1 - (C/(C + L))^(1 + 1/e)) / (1 + 1/e) - P L   ((C + L) ln((C + L)/C) at e = -1).

    An upper bound: counted on the whole lift, whether or not the deal's channels fill it;
    zero where the segment has no ceiling. Each measure is valued against the calibration-year
    ceiling alone."""
    total = 0.0
    for s, lift in measure.ceiling_lift.items():
        seg = inst.segments[s]
        c = seg.partner_ceiling
        e = seg.export_elasticity or seg.elasticity
        if lift <= 0 or c <= 0 or not e < 0:
            continue
        top, k = c + lift, 1 + 1 / e
        area = top * math.log(top / c) if abs(k) < 1e-12 else top * (1 - (c / top) ** k) / k
        total += seg.export_price * (area - lift)
    return total


def terms(v, inst, table, linear) -> dict:
    return {"partner_political_cost": sum(n.political_cost / MONEY * v.ntb_relief[k]
                                          for k, n in inst.ntb_measures.items()),
            "partner_buyer_surplus_change": sum(buyer_gain(inst, n) / MONEY * v.ntb_relief[k]
                                                for k, n in inst.ntb_measures.items())}


def values(inst, granted: dict, outcomes) -> dict:
    return {"partner_political_cost": sum(inst.ntb_measures[n].political_cost for n, on in granted.items() if on),
            "partner_buyer_surplus_change": sum(buyer_gain(inst, inst.ntb_measures[n])
                                                for n, on in granted.items() if on)}


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """A yes/no concession granted: its label, without the party's name."""
    return [words.without_party(lv.label, name) + words.fixed(lv) for lv in rows if lv.value > 0.5]


FAMILY = LeverFamily(
    name=NAME, deal_field="ntb", section="ntb", party="partner", kind="switch", short="ntb",
    keys=lambda inst: list(inst.ntb_measures), unit=lambda inst, n: "yes/no",
    label=lambda inst, n: inst.ntb_measures[n].label, upper=lambda inst, n: 1.0,
    # NTB relief acts through the commitments it lets buyers take: it shares their step.
    bridge_step="commitments",
    sweep_label=lambda inst, n: f"{inst.ntb_measures[n].label} (granted)",
    sections=(Section("ntb_measures", dict[str, NtbSpec], "Measure key -> a non-tariff-barrier relief.",
                      entry="NTB measure", docs=(("ntb_measures", NtbSpec, "all"),)),),
    deal_entry=(dict[str, StrictBool], text("NTB measure -> `true` (granted) or `false`.", default_factory=dict)),
    read=read, read_deal=read_deal, market=market, market_values=market_values, market_most=market_most,
    terms=terms, values=values, phrase=say, key_names=("measure",),
)
