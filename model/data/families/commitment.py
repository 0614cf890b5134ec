"""Commitments: home-made vehicles the partner commits to sell through its dealer networks (channels).

Instance file: `channels` (each with its capacity, the segments it can source with the
export value of one vehicle, and the partner dealers' margin), and `commitments:` under
`no_deal`/`fixed_levers` (channel -> segment -> vehicles a year).

Model: commitment[c,s] >= 0, thousand vehicles a year, for each segment c can source.
- channel_capacity[c]: sum_s commitment[c,s] <= capacity_c;
- partner_sales[s] += sum_c commitment[c,s] (the core's buyers' ceiling row);
- exports (units and value), home production gain, dealers' margin, and the partner's
  production loss (displacement_s per vehicle sold there) gain the committed vehicles.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import MONEY, VOL
from model.data.families.base import (
    PARTNER_CEILING,
    PARTNER_SALES,
    Check,
    LeverFamily,
    Section,
    families,
    segments_unit,
)
from model.data.fields import Q, Strict, Unlimited, declaration_of, declared, own_unit, quantity, text

NAME = "commitment"


class ChannelSpec(Strict):
    """A dealer network through which home-made vehicles reach the partner's buyers: the
    partner may commit to sell up to `capacity` more a year, in the segments it has
    home-made models for (the keys of `unit_value`)."""

    label: str = text("The network's name in reports.")
    capacity: Q | Unlimited = quantity("Extra vehicles a year the network can sell, or `unlimited`.", "vehicles",
                                       ge=0, drawable=True, unlimited=True)
    unit_value: dict[str, Q] = quantity("Segment -> export value per home-made vehicle the network would sell; "
                                        "only these segments can be committed through it.", "USD/vehicle", gt=0,
                                        drawable=True)
    dealer_margin: Q = quantity("The partner dealers' margin per home-made vehicle sold through the network "
                                "(the partner's `dealer_margin` metric).", "USD/vehicle", drawable=True)


@dataclass(frozen=True)
class Channel:
    """A route by which home-made vehicles reach partner buyers (a dealer network)."""

    name: str
    label: str
    capacity: float                  # extra vehicles a year the network can sell
    unit_value: dict[str, float]     # segment -> export value, USD a vehicle (segments it can source)
    dealer_margin: float             # partner dealers' margin, USD a vehicle sold

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.unit_value)


def read(reader, given: dict, inst) -> dict:
    out = {}
    for key, c in given["channels"].items():
        p = f"channels.{key}"
        unit = reader.shared_unit(p, c.unit_value, inst.segments, "capacity")
        per = declared(ChannelSpec, "unit_value")
        values = {s: reader.q(v, f"{p}.unit_value.{s}", per, dimension=own_unit(per.dimension, unit))
                  for s, v in c.unit_value.items() if reader.ref(s, inst.segments, f"{p}.unit_value.{s}", "segment")}

        def own(name: str) -> str:
            return own_unit(declared(ChannelSpec, name).dimension, unit)
        out[key] = Channel(name=key, label=c.label, capacity=reader.bound(c, "capacity", p, dimension=own("capacity")),
                           unit_value=values,
                           dealer_margin=reader.field(c, "dealer_margin", p, dimension=own("dealer_margin")))
    return {"channels": out}


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    """Channel -> segment -> vehicles; a commitment above what buyers would take even with
    everything that lifts their ceiling is an error here already."""
    out = {}
    per = declaration_of(DEAL_ENTRY[1])
    for c, by_segment in given.items():
        if not reader.ref(c, inst.channels, f"{path}.{c}", "channel"):
            continue
        for s, q in by_segment.items():
            sp = f"{path}.{c}.{s}"
            if s not in inst.channels[c].unit_value:
                reader.error(sp, f"channel '{c}' cannot source segment '{s}'",
                             hint=f"it sources: {', '.join(inst.channels[c].unit_value)}")
                continue
            seg = inst.segments[s]
            out[(c, s)] = reader.q(q, sp, per, dimension=own_unit(per.dimension, seg.unit))
            top = seg.partner_ceiling + sum(f.market_most(inst).get((PARTNER_CEILING, s), 0) for f in families())
            if out[(c, s)] + seg.exports > top:
                reader.error(sp, f"{out[(c, s)]:,.0f} {seg.unit} plus today's {seg.exports:,.0f} exceed what partner "
                             f"buyers would take even with every NTB relief ({top:,.0f})",
                             hint=f"lower the commitment or raise segments.{s}.partner_ceiling")
    return out


DEAL_ENTRY = (dict[str, dict[str, Q]], quantity("Channel -> segment -> home-made vehicles a year sold through the "
                                                "channel.", "vehicles", ge=0, default_factory=dict))


def _by_segment(inst) -> dict[str, list[str]]:
    """Segment -> the channels that source it, in channel order."""
    out: dict[str, list[str]] = {s: [] for s in inst.segments}
    for c, ch in inst.channels.items():
        for s in ch.segments:
            out[s].append(c)
    return out


def keys(inst) -> list:
    return [(c, s) for c, ch in inst.channels.items() for s in ch.segments]


def capacity_rows(v, inst, table, refs, metrics, linear):
    """A dealer network sells at most its capacity: sum_s commitment[c,s] <= capacity_c."""
    for c, ch in inst.channels.items():
        yield c, linear(None, [v.commitment[c, s] for s in ch.segments]), "<=", ch.capacity / VOL, VOL


def market(v, inst, linear) -> dict:
    """partner_sales[s] += sum_c commitment[c,s]."""
    return {(PARTNER_SALES, s): sum(v.commitment[c, s] for c in channels)
            for s, channels in _by_segment(inst).items() if channels}


def market_values(inst, amounts: dict) -> dict:
    out: dict = {}
    for (c, s), x in amounts.items():
        out[PARTNER_SALES, s] = out.get((PARTNER_SALES, s), 0) + x
    return out


def terms(v, inst, table, linear) -> dict:
    pairs = keys(inst)
    xs = [v.commitment[k] for k in pairs]
    seg = inst.segments
    # Volume totals count only the segments in the headline unit (`Instance.counted`).
    counted = [float(inst.counted(s)) for _, s in pairs]
    committed = linear(counted, xs)
    return {
        "exports_units": committed,
        "exports_value": linear([inst.channels[c].unit_value[s] * VOL / MONEY for c, s in pairs], xs),
        "home_production_gain": committed,
        "dealer_margin": linear([inst.channels[c].dealer_margin * VOL / MONEY for c, _ in pairs], xs),
        "partner_production_loss": linear([seg[s].displacement * n for (_, s), n in zip(pairs, counted)], xs),
    }


def values(inst, amounts: dict, outcomes) -> dict:
    per_segment: dict[str, list[float]] = {}
    for (_, s), x in amounts.items():
        per_segment.setdefault(s, []).append(x)
    commit = {s: sum(per_segment.get(s, ())) for s in inst.segments if inst.counted(s)}   # headline unit only
    return {
        "exports_units": sum(commit.values()),
        "exports_value": sum(x * inst.channels[c].unit_value[s] for (c, s), x in amounts.items()),
        "home_production_gain": sum(commit.values()),
        "dealer_margin": sum(x * inst.channels[c].dealer_margin for (c, _), x in amounts.items()),
        "partner_production_loss": sum(inst.segments[s].displacement * commit[s] for s in commit),
    }


def checks(inst, amounts: dict, outcomes) -> list:
    per_channel: dict[str, list[float]] = {}
    for (c, _), x in amounts.items():
        per_channel.setdefault(c, []).append(x)
    return [Check(f"channel_capacity[{c}]", f"capacity of {ch.label}", "partner", "capacity",
                  sum(per_channel.get(c, ())), "<=", ch.capacity, segments_unit(inst, ch.segments))
            for c, ch in inst.channels.items()]


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """'its dealer networks sell 33,500 vehicles built in the United States a year: Toyota's
    Japanese dealer network 20,000 (SUVs and crossovers), ...'."""
    used = [lv for lv in rows if lv.value > 0]
    if not used:
        return []
    by_channel: dict[str, list] = {}
    for lv in used:
        c = ctx.get((lv.name, lv.index), {})
        by_channel.setdefault(c.get("group") or lv.label, []).append((c.get("item", ""), lv))
    unit, n = used[0].unit, words.max_items
    parts = []
    for channel, items in by_channel.items():
        total = sum(lv.value for _, lv in items)
        detail = ", ".join(words.capped([f"{item} {lv.value:,.0f}" if len(items) > 1 else item
                                         for item, lv in items if item], n, "more segments"))
        parts.append(f"{words.short(channel)} {total:,.0f}" + (f" ({detail})" if detail else ""))
    parts = words.capped(parts, n, "more dealer networks")
    total = sum(lv.value for lv in used)
    fixed = " (fixed by the instance)" if all(lv.fixed for lv in used) else ""
    made = words.amount(total, unit).replace(f" {words.plural(unit)}", f" {words.home}-made {words.plural(unit)}", 1)
    return [f"its dealer networks sell {made} a year: " + "; ".join(parts) + fixed]


FAMILY = LeverFamily(
    step=(1000.0, "vehicles", "vehicles"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="commitments", section="commitments", party="partner", kind="quantity",
    short="commitment", keys=keys, unit=lambda inst, k: inst.segments[k[1]].unit, scale=lambda inst, k: VOL,
    label=lambda inst, k: f"{inst.segments[k[1]].label} through {inst.channels[k[0]].label}",
    upper=lambda inst, k: inst.channels[k[0]].capacity, limited_by="buyers' ceilings",
    limit_field=lambda k: f"channels.{k[0]}.capacity",
    bridge_step="commitments", bridge_label="commitments and reimports through dealer networks",
    sections=(Section("channels", dict[str, ChannelSpec], "Channel key -> a dealer network.", entry="channel",
                      docs=(("channels", ChannelSpec, ["toyota_dealers"]),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    rows=(("channel_capacity", capacity_rows),), market=market, market_values=market_values,
    terms=terms, values=values, checks=checks, phrase=say,
    context=lambda inst, k: {"group": inst.channels[k[0]].label, "item": inst.segments[k[1]].label},
    key_names=("channel", "segment"),
)
