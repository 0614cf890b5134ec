"""Why the optimum is what it is: each binding constraint's shadow price in plain words,
and what each lever is set against (its value with no deal and in the calibration year).

Shadow prices and ranging come from the LP with the chosen tariff options and NTB reliefs
fixed (see `solver.fixed_lp_duals`): they hold while those choices stay as they are, and
ranging says how far a bound or a lever's cost can move before the deal's structure (the
optimal basis of that LP) changes.
"""
from __future__ import annotations

from dataclasses import replace

from model.formatting import money, value
from model.results import Explanation, Interval, LeverContext, Results, binding_rows

# The step each sentence speaks of, by the constraint's unit (base units).
STEP = {"vehicles": 1000.0, "USD": 1e8, "fraction": 0.01}
COUNTED_ONE_BY_ONE = ("aircraft",)   # goods bought in units, not in thousands (tonnes)


def step_of(unit: str) -> float:
    """The relaxation a sentence speaks of: 1,000 vehicles, USD 100 million, one percentage
    point, one aircraft, 1,000 of any other unit."""
    return STEP.get(unit, 1.0 if unit in COUNTED_ONE_BY_ONE else 1000.0)


def step_words(step: float, unit: str) -> str:
    if unit == "fraction":
        pp = step * 100
        return "one percentage point" if abs(pp - 1) < 1e-9 else f"{pp:g} percentage points"
    return value(step, unit)


def sentences(r: Results, inst=None) -> list[Explanation]:
    """One sentence per binding constraint, in the instance's labels and units, in the order
    of `binding_rows` (most valuable per unit first). Each speaks of one realistic step of its
    bound (`data.steps.bound_step`: the instance's `settings.steps` or its family's default),
    or of a step by unit (`step_of`) without the instance or when none fits."""
    from model.data.steps import bound_step
    home, partner = r.parties["home"], r.parties["partner"]
    deal = r.metric("deficit").deal if any(m.name == "deficit" for m in r.metrics) else None
    out = []
    for c in binding_rows(r.constraints):
        found = bound_step(inst, c.name, c.unit) if inst is not None else None
        step = found.amount if found else step_of(c.unit)
        gain = None if c.relaxation_value is None else c.relaxation_value * step
        what = step_words(step, c.unit)
        if c.kind == "participation":
            party = home if c.party == "home" else partner
            lead = f"If {party} accepted a deal worth {money(step)} less to it than no deal"
        elif c.sense == "<=":
            lead = f"With {what} more allowed by '{c.label}'"
        else:
            lead = f"With {what} less required by '{c.label}'"
        if gain is None:
            text = f"'{c.label}' is at its limit; no shadow price was computed for it."
        elif abs(gain) < 1e-6 * max(1.0, abs(deal or 1.0)):
            text = (f"'{c.label}' is at its limit, but relaxing it alone would not lower the deficit while the "
                    "chosen tariff options and NTB reliefs stay as they are.")
        else:
            text = f"{lead}, the deficit could fall by {money(gain)}."
        rng = next((g for g in (r.ranging.bounds if r.ranging else []) if g.name == c.name), None)
        if rng and gain:
            text += (f" This rate holds while the bound stays between {value(rng.low, c.unit)} and "
                     f"{value(rng.high, c.unit)}.")
        out.append(Explanation(c.name, c.label, c.party, c.kind, step, c.unit, None if gain is None else -gain, text,
                               None if not rng else Interval(rng.low, rng.high), found.key if found else "",
                               bool(found and found.stated), found.money if found else None))
    return out


def lever_context(inst) -> list[LeverContext]:
    """For every lever of the instance, what a reader needs to say it in plain words and to set
    it against the references: the object it belongs to (`group`: the tariff line, dealer
    network, maker, measure or good, in the instance's label) and the segment it is about
    (`item`, '' when none); its value with no deal and in the calibration year (the rate
    actually paid for tariff lines; 0 for amounts and switches when the instance sets none);
    and whatever else its family's `context` adds (for goods, the value of one unit and the
    share that is additional).

    Families in the order of the lever-family table; each says its own group, item and
    calibration-year value (`LeverFamily.context`, `baseline`)."""
    from model.data.levers import families
    from model.economics.outcomes import chosen_outcomes
    no_deal_outcomes = chosen_outcomes(inst, inst.no_deal)
    base_outcomes = chosen_outcomes(inst, None)
    out = []
    for f in families():
        no_deal = inst.no_deal.values(f.deal_field)
        for key in f.keys(inst):
            row = replace(LeverContext(name=f.name, index=f.key_text(key), group=f.label(inst, key), item=""),
                          **f.context(inst, key))
            if f.kind == "option":
                chosen = no_deal.get(key)
                if chosen is not None:
                    row = replace(row, no_deal=f.option_rate(inst, key, chosen, no_deal_outcomes),
                                  no_deal_choice=f.option_label(inst, key, chosen))
                row = replace(row, baseline=f.baseline(inst, key, base_outcomes))
            elif f.kind == "switch":
                row = replace(row, no_deal=float(bool(no_deal.get(key, False))), baseline=0.0)
            else:
                row = replace(row, no_deal=float(no_deal.get(key, 0.0)), baseline=0.0)
            out.append(row)
    return out
