"""Purchase commitments: goods outside the negotiated ones that the partner commits to buy from home.

Instance file: `goods` (each in its own count unit, with its value per unit, the most the
partner could buy, its political cost per unit and the share of a purchase that is
additional), and `purchases:` under `no_deal`/`fixed_levers` (good -> units a year).

Model: purchase[g] >= 0 in the good's model unit (the power of ten of its unit that is
worth about USD 1 million: HiGHS's tolerances are absolute).
- purchase_limit[g]: purchase[g] <= max_units_g;
- purchases_value += additional share x unit value x purchase (the deficit falls by it),
  purchases_gross_value += unit value x purchase, partner_political_cost += cost x purchase;
- its own per-good metric purchases_units[g] (red lines such as "no rice purchases").
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from model.data.catalogue import MONEY, IndexedMetric, value_scale
from model.data.families.base import Check, LeverFamily, Section
from model.data.fields import Q, Strict, Unlimited, declaration_of, declared, quantity, text

NAME = "purchase"


class GoodSpec(Strict):
    """A good outside autos the partner may commit to buy from home (rice, LNG, aircraft,
    ...). Its quantities are written in its own `unit`."""

    label: str = text("The good's name in reports.")
    unit: str = text("The good's own count unit, e.g. `tonne` or `aircraft`.")
    unit_value: Q = quantity("Value per unit of the good.", "USD/count:{unit}", gt=0, drawable=True)
    max_units: Q | Unlimited = quantity("The most units a year the partner could commit to buy, or `unlimited`.",
                                        "count:{unit}", ge=0, drawable=True, unlimited=True)
    political_cost: Q = quantity("The partner's political cost per unit bought.", "USD/count:{unit}", ge=0,
                                 drawable=True)
    additional_share: Q | None = quantity(
        "The share of each unit committed that the partner would not have bought from the home country anyway: "
        "only this share changes the balance (with its source; if left out, 1, and the report says so).",
        "share", ge=0, le=1, drawable=True, default=None)


@dataclass(frozen=True)
class Good:
    """A non-auto good the partner may commit to buy (LNG, rice, aircraft, ...)."""

    name: str
    label: str
    unit: str                        # the good's own count unit, e.g. 'aircraft'
    unit_value: float                # USD per unit
    max_units: float
    political_cost: float            # USD per unit, borne by the partner
    additional_share: float = 1.0    # share that would not have been bought from home anyway
    additional_stated: bool = True   # False: the instance left it out (1 is then an assumption)


DEAL_ENTRY = (dict[str, Q], quantity("Good -> units a year the partner buys; at most the good's `max_units`.",
                                     "count:{unit}", ge=0, default_factory=dict))


def read(reader, given: dict, inst) -> dict:
    out = {}
    for key, g in given["goods"].items():
        p = f"goods.{key}"

        def own(name: str) -> str:
            """The field's dimension with the good's own unit filled in."""
            return declared(GoodSpec, name).dimension.format(unit=g.unit)
        out[key] = Good(name=key, label=g.label, unit=g.unit,
                        unit_value=reader.field(g, "unit_value", p, dimension=own("unit_value")),
                        max_units=reader.bound(g, "max_units", p, dimension=own("max_units")),
                        political_cost=reader.field(g, "political_cost", p, dimension=own("political_cost")),
                        additional_share=1.0 if g.additional_share is None else reader.field(g, "additional_share", p),
                        additional_stated=g.additional_share is not None)
    return {"goods": out}


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    out = {}
    per = declaration_of(DEAL_ENTRY[1])
    for g, q in given.items():
        gp = f"{path}.{g}"
        if reader.ref(g, inst.goods, gp, "good"):
            good = inst.goods[g]
            out[g] = reader.q(q, gp, per, dimension=per.dimension.format(unit=good.unit),
                              rng=replace(per.range, high=good.max_units))
    return out


def scale(inst, g) -> float:
    """Units of the good per model unit."""
    return value_scale(inst.goods[g].unit_value)


def limit_rows(v, inst, table, refs, metrics, linear):
    """The partner buys at most the stated quantity of each good: purchase[g] <= max_g."""
    for g, good in inst.goods.items():
        s = scale(inst, g)
        yield g, v.purchase[g], "<=", good.max_units / s, s


def terms(v, inst, table, linear) -> dict:
    goods = list(inst.goods)
    qs = {g: scale(inst, g) for g in goods}
    qv = [v.purchase[g] for g in goods]
    info = inst.goods
    out = {
        "purchases_value": linear([info[g].unit_value * info[g].additional_share * qs[g] / MONEY for g in goods], qv),
        "purchases_gross_value": linear([info[g].unit_value * qs[g] / MONEY for g in goods], qv),
        "partner_political_cost": linear([info[g].political_cost * qs[g] / MONEY for g in goods], qv),
    }
    for g in goods:
        out[f"purchases_units[{g}]"] = v.purchase[g]          # in the good's model unit (its metric scale)
    return out


def values(inst, bought: dict, outcomes) -> dict:
    info = inst.goods
    out = {
        "purchases_value": sum(q * info[g].unit_value * info[g].additional_share for g, q in bought.items()),
        "purchases_gross_value": sum(q * info[g].unit_value for g, q in bought.items()),
        "partner_political_cost": sum(q * info[g].political_cost for g, q in bought.items()),
    }
    for g in info:
        out[f"purchases_units[{g}]"] = bought.get(g, 0.0)
    return out


def checks(inst, bought: dict, outcomes) -> list:
    return [Check(f"purchase_limit[{g}]", f"most {good.label} the partner can buy", "partner", "purchase",
                  bought.get(g, 0.0), "<=", good.max_units, good.unit) for g, good in inst.goods.items()]


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """'buys 20 Boeing aircraft and 260,000 tonnes of US rice a year ($2.23 bn, of which $1.23 bn
    is additional)'."""
    used = [lv for lv in rows if lv.value > 0]
    if not used:
        return []
    items, total, extra = [], 0.0, 0.0
    for lv in used:
        c = ctx.get((lv.name, lv.index), {})
        label = c.get("group") or lv.label
        said = words.amount(lv.value, lv.unit)
        if label.split()[-1:] == [lv.unit] or label.endswith(said.split(" ", 1)[-1]):
            items.append(f"{said.split(' ', 1)[0]} {label}")
        else:
            items.append(f"{said} of {label}")
        if "unit_value" in c:
            total += lv.value * c["unit_value"]
            extra += lv.value * c["unit_value"] * c.get("additional_share", 1.0)
    items = words.capped(items, words.max_items, "more goods")
    listed = ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]
    worth = f" ({words.money(total)}, of which {words.money(extra)} is additional)" if total else ""
    fixed = " (fixed by the instance)" if all(lv.fixed for lv in used) else ""
    return [f"buys {listed} a year{worth}{fixed}"]


FAMILY = LeverFamily(
    step=(100.0, "USD million", "USD"),  # one realistic step of its bounds (`settings.steps`)
    name=NAME, deal_field="purchases", section="purchases", party="partner", kind="quantity", short="purchase",
    keys=lambda inst: list(inst.goods), unit=lambda inst, g: inst.goods[g].unit,
    label=lambda inst, g: inst.goods[g].label, scale=scale,
    upper=lambda inst, g: inst.goods[g].max_units, limit_field=lambda g: f"goods.{g}.max_units",
    bridge_step="purchases", bridge_label="purchase commitments",
    sweep_label=lambda inst, g: f"{inst.goods[g].label} (bought)",
    sections=(Section("goods", dict[str, GoodSpec], "Good key -> a good the partner may commit to buy.", entry="good",
                      docs=(("goods", GoodSpec, ["us_rice", "boeing_aircraft"]),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    rows=(("purchase_limit", limit_rows),), terms=terms, values=values, checks=checks,
    indexed_metrics={"purchases_units": IndexedMetric("good", "units of the good the partner buys", "own",
                                                      lambda inst: inst.goods, scale)},
    phrase=say,
    context=lambda inst, g: {"unit_value": inst.goods[g].unit_value,
                             "additional_share": inst.goods[g].additional_share} if g in inst.goods else {},
    key_names=("good",),
)
