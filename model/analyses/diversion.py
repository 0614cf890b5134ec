"""Trade creation and trade diversion: where the change in imports from the partner goes.

With third countries (Armington segments), the change in imports from the partner
between two settings (the deal against no deal, whose third-country tariffs are the same)
splits exactly into
  bilateral change = creation + diversion,
  creation  = the change in total imports (partner and third countries): home buyers buy
              that much more (or, negative, less) from abroad, home producers and shifted
              production supplying the rest;
  diversion = minus the change in third-country imports: imports that move between the
              partner and third countries,
in units and in USD of customs value (WITS-SMART's trade creation and trade diversion,
computed here exactly from the option table rather than to first order). The balances move
alike: the overall balance in the modelled lines changes by the bilateral change plus
the change in the deficit with the third countries.

Plain functions on metric values (`metrics.evaluate`): no solver.
"""
from __future__ import annotations

from model.data.instance import Instance
from model.results import CountryChange, Diversion, Flow, Share


def trade_diversion(inst: Instance, after: dict[str, float], before: dict[str, float]) -> Diversion | None:
    """Creation and diversion from `before` to `after` (metric values), or None without third
    countries. Units are the segments' unit, values USD a year."""
    if not inst.third_countries:
        return None

    def change(name: str) -> float:
        return after[name] - before[name]

    partner_units, partner_value = change("imports_units"), change("imports_value")
    third_units, third_value = change("third_imports_units"), change("third_imports_value")
    countries = [CountryChange(c, country.label, change(f"third_imports_units[{c}]"),
                               change(f"third_country_deficit[{c}]"), after[f"third_imports_units[{c}]"],
                               after[f"third_country_deficit[{c}]"])
                 for c, country in inst.third_countries.items()]
    return Diversion(
        partner=Flow(partner_units, partner_value),
        creation=Flow(partner_units + third_units, partner_value + third_value),
        diversion=Flow(-third_units, -third_value),
        third_countries=Flow(third_units, third_value),
        home_production=change("home_production_gain"),
        countries=countries,
        balances={name: change(name) for name in
                  ("deficit", "sector_deficit", "third_countries_deficit", "overall_deficit")},
        # Of the fall (or rise) in imports from the partner, the share that third countries take up.
        diverted_share=Share(_share(third_units, partner_units), _share(third_value, partner_value)),
        # Of the fall (or rise) in the bilateral deficit, the share that reappears with third countries.
        balance_share=_share(change("third_countries_deficit"), change("deficit")))


def _share(third: float, partner: float) -> float | None:
    """third / -partner: the share of the partner's change that third countries take up in the
    other direction; None when the partner's change is nil."""
    return third / -partner if abs(partner) > 1e-9 else None


def diversion_summary(inst: Instance, deal: dict[str, float], no_deal: dict[str, float]) -> Diversion | None:
    """What reports show: the deal against no deal (the threat point). None without third
    countries. (No deal against the calibration year is not split this way: the third
    countries' own tariffs changed too, so their imports fell for reasons of their own.)"""
    if not inst.third_countries:
        return None
    return trade_diversion(inst, deal, no_deal)
