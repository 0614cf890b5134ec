"""A lever family declared outside the package, in this one module: investment pledges.

The partner pledges USD of investment in the home country (new plants, say). The
instance file gets a top-level section of its own,

    investment_pledges:
      plants: {label: ..., cap: {value: 8, unit: USD million, source: ...},
               political_cost: {value: 10, unit: "%", source: ...}}

(the most it could pledge a year, and the partner's political cost per dollar pledged),
an entry under `no_deal`/`fixed_levers` (`investment_pledge: {plants: {value: ..., unit:
USD million, ...}}`), and a metric of its own, `pledged_investment` (USD a year), that red
lines and payoffs may name. Model: pledge[p] >= 0 in USD million; pledge_cap[p]:
pledge[p] <= cap_p; pledged_investment = sum_p pledge[p]; partner_political_cost +=
sum_p cost_p x pledge[p]. A pledge moves no goods, so the deficit does not see it.

It imports nothing above the data layer, as every lever family's module.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.data.catalogue import MONEY, MetricInfo
from model.data.families.base import Check, LeverFamily, Section
from model.data.fields import Q, Strict, declaration_of, quantity, text

METRIC = "pledged_investment"


class PledgeSpec(Strict):
    """An investment pledge the partner may make: up to `cap` a year, at a political cost per
    dollar pledged."""

    label: str = text("The pledge's name in reports.")
    cap: Q = quantity("The most the partner could pledge a year.", "USD", ge=0, drawable=True)
    political_cost: Q = quantity("The partner's political cost per dollar pledged.", "share", ge=0, le=1,
                                 drawable=True)


@dataclass(frozen=True)
class Pledge:
    name: str
    label: str
    cap: float               # USD a year
    political_cost: float    # USD per USD pledged


DEAL_ENTRY = (dict[str, Q], quantity("Pledge -> USD a year the partner pledges.", "USD", ge=0,
                                     default_factory=dict))


def read(reader, given: dict, inst) -> dict:
    return {"investment_pledges": {
        key: Pledge(key, spec.label, reader.field(spec, "cap", f"investment_pledges.{key}"),
                    reader.field(spec, "political_cost", f"investment_pledges.{key}"))
        for key, spec in given["investment_pledges"].items()}}


def read_deal(reader, given: dict, path: str, inst, complete: bool) -> dict:
    decl = declaration_of(DEAL_ENTRY[1])
    return {p: reader.q(q, f"{path}.{p}", decl) for p, q in given.items()
            if reader.ref(p, inst.investment_pledges, f"{path}.{p}", "investment pledge")}


def cap_rows(v, inst, table, refs, metrics, linear):
    """pledge_cap[p]: pledge[p] <= cap_p (USD million)."""
    for p, pledge in inst.investment_pledges.items():
        yield p, v.pledge[p], "<=", pledge.cap / MONEY, MONEY


def terms(v, inst, table, linear) -> dict:
    keys = list(inst.investment_pledges)
    pledges = [v.pledge[p] for p in keys]
    return {METRIC: linear(None, pledges),
            "partner_political_cost": linear([inst.investment_pledges[p].political_cost for p in keys], pledges)}


def values(inst, pledged: dict, outcomes) -> dict:
    return {METRIC: sum(pledged.values()),
            "partner_political_cost": sum(x * inst.investment_pledges[p].political_cost for p, x in pledged.items())}


def checks(inst, pledged: dict, outcomes) -> list:
    return [Check(f"pledge_cap[{p}]", f"most the partner could pledge for {pledge.label}", "partner", "capacity",
                  pledged.get(p, 0.0), "<=", pledge.cap, "USD") for p, pledge in inst.investment_pledges.items()]


def say(rows, ctx: dict, name: str, words) -> list[str]:
    """'pledges $5.0 M of investment in the United States a year (new plants)'."""
    return [f"pledges {words.money(lv.value)} of investment in {words.home} a year ({lv.label}){words.fixed(lv)}"
            for lv in rows if lv.value > 0]


PLEDGES = LeverFamily(
    name="pledge", deal_field="pledges", section="investment_pledge", party="partner", kind="quantity",
    short="pledge", keys=lambda inst: list(inst.investment_pledges), unit=lambda inst, p: "USD",
    label=lambda inst, p: inst.investment_pledges[p].label, scale=lambda inst, p: MONEY,
    upper=lambda inst, p: inst.investment_pledges[p].cap, limit_field=lambda p: f"investment_pledges.{p}.cap",
    sections=(Section("investment_pledges", dict[str, PledgeSpec], "Pledge key -> an investment pledge the partner "
                      "may make.", entry="investment pledge", docs=(("investment_pledges", PledgeSpec, None),)),),
    deal_entry=DEAL_ENTRY, read=read, read_deal=read_deal,
    rows=(("pledge_cap", cap_rows),), terms=terms, values=values, checks=checks,
    metrics={METRIC: MetricInfo("USD", "home investment the partner pledges", "home")},
    phrase=say, key_names=("pledge",),
)
