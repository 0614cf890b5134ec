"""A deal over a horizon of years: each year's metrics and levers, the schedules chosen, and
the sums over the horizon (present values for money, totals for volumes).

Filled by the multi-year solve (an instance with `horizon:`), read by the reports. Every list
of per-year values is aligned with `OverTime.years`. Nothing here knows Pyomo.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from model.results.sections import QuotaRow

__all__ = ["OverTime", "Schedule", "YearLever", "YearQuota", "YearValues"]


@dataclass
class YearValues:
    """One metric (or one party's payoff gain) in each year, with and without the deal.

    `summed` says how the years add up: "present value" (money, each year discounted to the
    first year), "total" (volumes: the undiscounted sum) or "none" (rates and shares, which do
    not add up); `no_deal_sum` and `deal_sum` are that sum (None when `summed` is "none")."""

    name: str
    label: str
    unit: str
    summed: str
    no_deal: list[float]
    deal: list[float] | None
    no_deal_sum: float | None = None
    deal_sum: float | None = None


@dataclass
class YearLever:
    """A lever's value in one year of the deal (`LeverRow`'s fields, with the year)."""

    year: int
    name: str
    party: str
    index: str
    label: str
    value: float
    unit: str
    choice: str | None = None
    fixed: bool = False


@dataclass
class Schedule:
    """How one scheduled lever moves over the years: the path the model chose from the
    instance's menu, or the one the instance fixed. `values` (and `choices`, for an option
    lever such as a tariff line) are per year."""

    lever: str                 # the schedule's key in the instance, e.g. "tariff.cars"
    label: str
    path: str                  # the chosen (or fixed) path's name
    fixed: bool
    unit: str
    values: list[float]
    choices: list[str | None] = field(default_factory=list)
    menu: list[str] = field(default_factory=list)      # every path the model could choose from
    name: str = ""                                     # the schedule's own key in the instance's `horizon.schedules`
    path_label: str = ""                               # the chosen path's label
    level: float | None = None                         # a scaled path's level, chosen by the model (its unit)


@dataclass
class YearQuota:
    """A quota or export restraint of the deal in one year: `QuotaRow`'s figures (fill, rent and
    its holder, tariff equivalent) with the year, so that a quota that changes by year has each."""

    year: int
    quota: QuotaRow


@dataclass
class OverTime:
    """The deal over the horizon: what `run` adds for an instance with `horizon:`."""

    first_year: int
    last_year: int
    years: list[int]
    discount_rate: float              # a fraction a year
    discount_source: str              # the source key (or assumption) the rate comes from
    discount_factors: list[float]     # 1 / (1 + r)^(year - first_year)
    objective: str                    # "present_value" or "last_year"
    participation: str                # "present_value", "every_year" or "none"
    metrics: list[YearValues]
    gains: list[YearValues]           # each party's payoff gain over no deal, by year (name: home/partner)
    levers: list[YearLever] = field(default_factory=list)     # empty without a deal
    schedules: list[Schedule] = field(default_factory=list)
    sections_year: int | None = None  # the year the one-year sections of Results describe (the last year)
    quotas: list[YearQuota] = field(default_factory=list)   # each year's binding quotas and restraints
    objective_metric: str = ""        # the metric the objective aggregates over the years (as Results.objective.metric)
    objective_value: float | None = None   # its present value (objective: present_value) or last year's value,
    #                                       as Results.objective.value
