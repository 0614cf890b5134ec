"""Brute force against the tool, on random tiny instances (hypothesis).

Each instance: two segments (cars, trucks) with random imports, prices and elasticities,
full pass-through and a 0% calibration tariff, so imports at tariff t are M0 (1 + t)^e at
customs value P; tariff options 0/10/20% per segment; one dealer channel selling both at
random unit values, with random buyers' ceilings and capacity; an NTB relief lifting the car
ceiling at a political cost; a good to buy (limit, value, additional share, political cost);
the partner's red lines: cars pay at most R, and its political cost at most B. Participation
off. Every combination of the options and the relief (3 x 3 x 2) is enumerated; for each the
remaining problem is solved here exactly, without a solver: the purchase takes what the
political budget and its limit allow, the channel is filled with the dearer segment first
(each up to its ceiling). The tool's optimum must equal the best combination to 1e-9, and
loosening any bound (a ceiling, the capacity, a red line, the purchase limit) must never
worsen it. Amounts are whole numbers or zero (budgets in thousands of USD, political costs
at most $50 a tonne), so that no optimal amount falls below the noise threshold (half a
unit), which the tool reads as zero by design.
"""
from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from tiny import q, segment, tiny

from model.optimization.highs import MIP_ABS_GAP, MIP_REL_GAP
from model.run import solve_instance

pytestmark = pytest.mark.fuzz
RATES = (0.0, 0.1, 0.2)
GAP = MIP_REL_GAP + 1e-9            # the MIP gap and the lexicographic tolerance
ABS = MIP_ABS_GAP * 1e6              # USD: the absolute MIP gap (HiGHS works in USD million)

cases = st.fixed_dictionaries({
    "imports": st.tuples(st.integers(100, 3000), st.integers(10, 800)),
    "price": st.tuples(st.integers(5, 40), st.integers(10, 60)),            # thousand USD
    "elasticity": st.tuples(st.integers(-30, -3), st.integers(-30, -3)),    # tenths
    "unit_value": st.tuples(st.integers(5, 50), st.integers(5, 50)),        # thousand USD
    "ceiling": st.tuples(st.integers(0, 400), st.integers(0, 400)),
    "capacity": st.integers(0, 600),
    "lift": st.integers(0, 300), "ntb_cost": st.integers(0, 20).map(lambda k: 1000 * k),
    "good_max": st.integers(0, 2000), "good_value": st.integers(100, 5000), "good_share": st.integers(0, 100),
    "good_cost": st.integers(0, 50),
    "cap": st.sampled_from(RATES), "budget": st.integers(0, 60).map(lambda k: 1000 * k),
})


def overrides(c: dict) -> dict:
    segs = {}
    for i, name in enumerate(("car", "truck")):
        segs[name] = segment(c["imports"][i], c["price"][i] * 1000, elasticity=c["elasticity"][i] / 10,
                             ceiling=c["ceiling"][i], label=f"{name}s")
    return {
        "segments": segs,
        "channels": {"dealers": {"capacity": q(c["capacity"], "vehicles"),
                                 "unit_value": {"car": q(c["unit_value"][0] * 1000, "USD/vehicle"),
                                                "truck": q(c["unit_value"][1] * 1000, "USD/vehicle")}}},
        "ntb_measures": {"standards": {"label": "accept home standards", "political_cost": q(c["ntb_cost"], "USD"),
                                       "ceiling_lift": {"car": q(c["lift"], "vehicles")}}},
        "goods": {"grain": {"label": "grain", "unit": "tonne", "unit_value": q(c["good_value"], "USD/tonne"),
                            "max_units": q(c["good_max"], "tonne"), "political_cost": q(c["good_cost"], "USD/tonne"),
                            "additional_share": q(c["good_share"], "%")}},
        "red_lines": {
            "cap": {"party": "partner", "label": "cars at most R", "reason": "test", "metric": "tariff_rate",
                    "index": "car", "sense": "<=", "bound": q(round(c["cap"] * 100), "%")},
            "budget": {"party": "partner", "label": "political cost at most B", "reason": "test",
                       "metric": "partner_political_cost", "sense": "<=", "bound": q(c["budget"], "USD")}},
    }


def brute_force(c: dict) -> float | None:
    """The least deficit over every option and relief combination, each solved exactly; None if none is feasible."""
    best = None
    for t_car, t_truck, relief in itertools.product(RATES, RATES, (0, 1)):
        if t_car > c["cap"] + 1e-12:
            continue
        budget = c["budget"] - relief * c["ntb_cost"]
        if budget < 0:
            continue
        bought = c["good_max"] if c["good_cost"] == 0 else min(c["good_max"], budget / c["good_cost"])
        room = {"car": c["ceiling"][0] + relief * c["lift"], "truck": c["ceiling"][1]}
        value = {"car": c["unit_value"][0] * 1000, "truck": c["unit_value"][1] * 1000}
        capacity, exports = c["capacity"], 0.0
        for s in sorted(room, key=lambda s: -value[s]):
            sold = min(room[s], capacity)
            capacity -= sold
            exports += sold * value[s]
        imports = sum(c["imports"][i] * (1 + t) ** (c["elasticity"][i] / 10) * c["price"][i] * 1000
                      for i, t in enumerate((t_car, t_truck)))
        deficit = imports - exports - bought * c["good_value"] * c["good_share"] / 100
        best = deficit if best is None else min(best, deficit)
    return best


def optimum(c: dict, folder: Path) -> float | None:
    r = solve_instance(tiny(folder, overrides(c)), concessions=False)
    assert r.status in ("optimal", "infeasible"), (r.status, r.message)
    if r.status == "infeasible":
        return None
    assert r.verification.ok, r.verification
    return r.metric("deficit").deal


def loosened(c: dict) -> dict[str, dict]:
    """The case with one bound loosened at a time."""
    out = {"car ceiling": {**c, "ceiling": (c["ceiling"][0] + 50, c["ceiling"][1])},
           "truck ceiling": {**c, "ceiling": (c["ceiling"][0], c["ceiling"][1] + 50)},
           "capacity": {**c, "capacity": c["capacity"] + 100},
           "political budget": {**c, "budget": c["budget"] + 5_000},
           "purchase limit": {**c, "good_max": c["good_max"] + 300}}
    if c["cap"] < 0.2:
        out["tariff cap"] = {**c, "cap": RATES[RATES.index(c["cap"]) + 1]}
    return out


@settings(max_examples=30, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(c=cases)
def test_optimum_equals_brute_force_and_loosening_never_hurts(c):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        exact, got = brute_force(c), optimum(c, folder)
        if exact is None:
            assert got is None
        else:
            assert got is not None and got == pytest.approx(exact, rel=GAP, abs=ABS)
        for what, looser in loosened(c).items():
            after = optimum(looser, folder)
            if got is not None:
                assert after is not None and after <= got + GAP * abs(got) + ABS, what
            if after is not None:       # the brute force agrees on the loosened instance too
                assert after == pytest.approx(brute_force(looser), rel=GAP, abs=ABS), what
