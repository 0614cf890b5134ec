"""A hand-made deal over three years (2026 to 2028, 2% a year) for the reports' tests: the
contract of `model.results.OverTime` filled with round figures worked out by hand.

Discount factors 1, 1/1.02, 1/1.02^2. The deficit with no deal grows 2% a year from $10 bn
(10, 10.2, 10.404: each year's present value is $10 bn, $30 bn in all); with the deal it is
9.8, 9.5 and 9.3: a present value of 9.8 + 9.5/1.02 + 9.3/1.0404 = $28.0526 bn. Home gains 0.2,
0.7 and 1.104 ($ bn): 0.2 + 0.6863 + 1.0611 = $1.9474 bn; Partner 0.1, -0.05, -0.1: 0.1 - 0.0490
- 0.0961 = -$45.1 M. The home tariff on cars goes from 20% (no deal) to 10% in 2026 and to 0 in
2027 (the 'linear' path, chosen from 3); dealers take 50 cars from 2028.
"""
from __future__ import annotations

from model.results import OverTime, Schedule, YearLever, YearValues

YEARS = [2026, 2027, 2028]
FACTORS = [1.0, 1 / 1.02, 1 / 1.02 ** 2]
DEFICIT_PV = (30e9, 9.8e9 + 9.5e9 / 1.02 + 9.3e9 / 1.0404)
HOME_PV = 0.2e9 + 0.7e9 / 1.02 + 1.104e9 / 1.0404
PARTNER_PV = 0.1e9 - 0.05e9 / 1.02 - 0.1e9 / 1.0404


def lever(year, name, index, label, value, unit, choice=None, party="home"):
    return YearLever(year=year, name=name, party=party, index=index, label=label, value=value, unit=unit,
                     choice=choice)


def over_time(deal: bool = True) -> OverTime:
    car = "Home tariff on cars: cars"
    levers = []
    if deal:
        for year, rate, dealers in ((2026, 0.1, 0.0), (2027, 0.0, 0.0), (2028, 0.0, 50.0)):
            levers += [lever(year, "tariff", "car", car, rate, "fraction", f"flat {rate * 100:.1f}%"),
                       lever(year, "tariff", "truck", "Home tariff on cars: trucks", 0.2, "fraction", "flat 20.0%"),
                       lever(year, "commitment", "dealers.car", "cars through partner dealers", dealers, "vehicles",
                             party="partner")]
    return OverTime(
        first_year=2026, last_year=2028, years=list(YEARS), discount_rate=0.02, discount_source="OMB Circular A-4 (2023)",
        discount_factors=list(FACTORS), objective="present_value", participation="present_value",
        metrics=[
            YearValues("deficit", "Total bilateral deficit", "USD", "present value", [10e9, 10.2e9, 10.404e9],
                       [9.8e9, 9.5e9, 9.3e9] if deal else None, DEFICIT_PV[0], DEFICIT_PV[1] if deal else None),
            YearValues("imports_units", "Imports from the partner", "vehicles", "total", [1000.0, 1000.0, 1000.0],
                       [1100.0, 1200.0, 1250.0] if deal else None, 3000.0, 3550.0 if deal else None),
            YearValues("buyer_price_change", "Price home buyers pay", "fraction", "none", [0.0, 0.0, 0.0],
                       [-0.05, -0.1, -0.1] if deal else None),
        ],
        gains=[
            YearValues("home", "Home's gain over no deal (payoff)", "USD", "present value", [0.0, 0.0, 0.0],
                       [0.2e9, 0.7e9, 1.104e9] if deal else None, 0.0, HOME_PV if deal else None),
            YearValues("partner", "Partner's gain over no deal (payoff)", "USD", "present value", [0.0, 0.0, 0.0],
                       [0.1e9, -0.05e9, -0.1e9] if deal else None, 0.0, PARTNER_PV if deal else None),
        ],
        levers=levers,
        schedules=[Schedule(lever="tariff.car", label=car, path="linear", fixed=False, unit="fraction",
                            values=[0.1, 0.0, 0.0], choices=["flat 10.0%", "flat 0.0%", "flat 0.0%"],
                            menu=["all_now", "linear", "all_at_end"])] if deal else [])
