"""Why the optimum is what it is: each binding constraint's shadow price in plain words.

Shadow prices and ranging come from the LP with the chosen tariff options and NTB reliefs
fixed (see `solver.fixed_lp_duals`): they hold while those choices stay as they are, and
ranging says how far a bound or a lever's cost can move before the deal's structure (the
optimal basis of that LP) changes.
"""
from __future__ import annotations

from model.formatting import money, value
from model.results import Results, binding_rows

# The step each sentence speaks of, by the constraint's unit (base units).
STEP = {"vehicles": 1000.0, "USD": 1e8, "fraction": 0.01}
COUNTED_ONE_BY_ONE = ("aircraft",)   # goods bought in units, not in thousands (tonnes)


def step_words(step: float, unit: str) -> str:
    if unit == "fraction":
        return "one percentage point"
    return value(step, unit)


def sentences(r: Results) -> list[dict]:
    """One sentence per binding constraint, in the instance's labels and units."""
    home, partner = r.instance["parties"]["home"], r.instance["parties"]["partner"]
    out = []
    for c in binding_rows(r.constraints):
        step = STEP.get(c.unit, 1.0 if c.unit in COUNTED_ONE_BY_ONE else 1000.0)
        gain = None if c.relaxation_value is None else c.relaxation_value * step
        what = step_words(step, c.unit)
        if c.kind == "participation":
            party = home if c.party == "home" else partner
            lead = f"If {party} accepted a deal worth {money(step)} less to it than no deal"
        elif c.sense == "<=":
            lead = f"If '{c.label}' allowed {what} more"
        else:
            lead = f"If '{c.label}' allowed {what} less"
        if gain is None:
            text = f"'{c.label}' binds; no shadow price was computed for it."
        elif abs(gain) < 1e-6 * max(1.0, abs(r.metric('deficit').deal or 1.0)):
            text = (f"'{c.label}' binds, but relaxing it alone would not lower the deficit while the chosen "
                    "tariff options and NTB reliefs stay as they are.")
        else:
            text = f"{lead}, the deficit could fall by {money(gain)}."
        rng = next((g for g in r.extras.get("ranging", {}).get("bounds", []) if g["name"] == c.name), None)
        if rng and gain:
            text += (f" This rate holds while the bound stays between {value(rng['low'], c.unit)} and "
                     f"{value(rng['high'], c.unit)}.")
        out.append({"name": c.name, "label": c.label, "party": c.party, "kind": c.kind, "step": step,
                    "unit": c.unit, "deficit_change": None if gain is None else -gain, "sentence": text})
    return out
