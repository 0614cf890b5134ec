"""Lever families as data: one row per kind of concession, read by every layer.

A lever family is a kind of concession (a tariff option per tariff line, a dealer-network
commitment per channel and segment, ...). Its row says who offers it, what indexes it,
its unit and how it is scaled inside the model, its bounds, how it is labelled, which
step of the deficit bridge it belongs to, and how a sweep names it. The model build, the
solution read-back, the re-solve path, results, explanations, the bridge, sweeps and the
diagnosis loop over `LEVER_FAMILIES` instead of naming families.

What a family *does* lives with its layer: its constraint rows (optimization), its
terms in the metrics and its independent check (economics). The built-in families'
economics interact (a production shift removes imports at the chosen tariff option's
average, a commitment is limited by a ceiling that NTB relief lifts), so their terms
are written out in `economics.metrics` and `optimization.build`; a family whose effects
simply add to the metrics brings them as the four hooks below, and nothing generic is
edited to add it (see docs/architecture.md, "Adding a lever family").
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from model.data.instance import Instance

VOL = 1e3     # model unit of vehicle quantities: thousand vehicles
MONEY = 1e6   # model unit of money: USD million
UNIT_SCALE = {"vehicles": VOL, "USD": MONEY, "fraction": 1.0, "jobs": 1e3}


def value_scale(unit_value: float) -> float:
    """Model unit of a good counted in its own unit: the power of ten that makes one model
    unit worth about USD 1 million, so a purchase's deficit coefficient is near 1 whether the
    good is stated per Btu or per MMBtu (HiGHS's tolerances are absolute)."""
    if not unit_value or not math.isfinite(unit_value) or unit_value <= 0:
        return 1.0
    return 10.0 ** round(math.log10(MONEY / unit_value))


@dataclass(frozen=True)
class LeverFamily:
    """One kind of concession.

    kind: 'option' (one option chosen per tariff line: a binary per option),
          'switch' (a yes/no concession: one binary), or
          'quantity' (a continuous amount >= 0).
    deal_field: the attribute of `Deal` (and the section of `no_deal`/`fixed_levers`)
          holding the family's values, keyed as `keys` gives them.
    short: the prefix of its columns in sweep.csv ('commitment.toyota.suv').
    """

    name: str                                     # model variable and results' lever name
    deal_field: str
    section: str                                  # its key under `no_deal:`/`fixed_levers:` in a file
    party: str                                    # 'home' or 'partner'
    kind: str                                     # 'option', 'switch' or 'quantity'
    short: str
    keys: Callable[[Instance], list]              # the family's index
    unit: Callable[[Instance, object], str]       # base unit of one key's value
    label: Callable[[Instance, object], str]      # in the instance's words
    scale: Callable[[Instance, object], float] = lambda inst, key: 1.0   # base units per model unit
    upper: Callable[[Instance, object], float] = lambda inst, key: math.inf   # its own limit, base units
    limit_field: Callable[[object], str] = lambda key: ""   # where the instance file states `upper`
    limited_by: str = ""                          # what else limits it when `upper` is unlimited
    bridge_step: str | None = None                # its step in the deficit bridge (None: no step)
    bridge_label: str = ""
    sweep_label: Callable[[Instance, object], str] | None = None
    # For an 'option' family: its options on a key, and how one is named.
    options: Callable[[Instance, object], list] = lambda inst, key: []
    option_label: Callable[[Instance, object, str], str] = lambda inst, key, name: name
    # The rate a chosen option amounts to, given the deal's outcomes per segment (see run.lever_rows).
    option_rate: Callable[[Instance, object, str, dict], float] = lambda inst, key, name, outcomes: 0.0
    # Hooks for a family whose effects add to the metrics (None for the built-ins):
    rows: tuple = ()                              # optimization: ((constraint name, row generator), ...)
    model_terms: Callable | None = None           # optimization: (v, inst, linear) -> {metric: expression}
    metric_values: Callable | None = None         # economics: (inst, values) -> {metric: float}
    checks: Callable | None = None                # economics: (inst, values) -> [Check]

    def key_text(self, key) -> str:
        """'toyota.suv' for ('toyota', 'suv'): how results and sweeps spell an index."""
        return ".".join(key) if isinstance(key, tuple) else str(key)


def _tariff_keys(inst: Instance) -> list:
    return list(inst.lines)


def _commitment_keys(inst: Instance) -> list:
    return [(c, s) for c, ch in inst.channels.items() for s in ch.segments]


def _shift_keys(inst: Instance) -> list:
    return [(k, s) for k, mk in inst.makers.items() for s in mk.segments]


def _duty_rate(outcomes) -> float:
    """Duty over customs value across outcomes (duck-typed: economics.responses.OptionOutcome)."""
    value = sum(o.imports_value for o in outcomes)
    return sum(o.duty for o in outcomes) / value if value > 0 else outcomes[0].effective_tariff


def _segment_unit(inst, key) -> str:
    """The count unit of the segment a (channel or maker, segment) key is about."""
    return inst.segments[key[1]].unit


def _thousand(inst, key) -> float:
    return VOL


BUILT_IN = (
    LeverFamily(
        name="tariff", deal_field="tariff", section="tariff",  party="home", kind="option", short="tariff",
        keys=_tariff_keys, unit=lambda inst, line: "fraction",
        label=lambda inst, line: f"{inst.parties['home']} tariff on {inst.lines[line].label}",
        bridge_step="tariff", bridge_label="tariff options",
        sweep_label=lambda inst, line: f"tariff on {inst.lines[line].label}",
        options=lambda inst, line: [o.name for o in inst.line_options(line)],
        option_label=lambda inst, line, name: inst.line_option(line, name).label,
        # The duty actually paid over the line's segments (a quota's mix of in- and out-of-quota rates).
        option_rate=lambda inst, line, name, outcomes: _duty_rate([outcomes[s] for s in inst.lines[line].segments])),
    LeverFamily(
        name="partner_tariff", deal_field="partner_tariff", section="partner_tariff", party="partner",
        kind="option", short="partner_tariff",
        keys=lambda inst: list(inst.partner_lines), unit=lambda inst, line: "fraction",
        label=lambda inst, line: f"{inst.parties['partner']} tariff on {inst.parties['home']}-made "
                                 f"{inst.partner_lines[line].label}",
        bridge_step="partner_tariff", bridge_label="partner tariffs on home exports",
        options=lambda inst, line: [o.name for o in inst.partner_line_options(line)],
        option_label=lambda inst, line, name: inst.partner_line_option(line, name).label,
        option_rate=lambda inst, line, name, outcomes: inst.partner_line_option(line, name).rate),
    LeverFamily(
        name="ntb_relief", deal_field="ntb", section="ntb",  party="partner", kind="switch", short="ntb",
        keys=lambda inst: list(inst.ntb_measures), unit=lambda inst, n: "yes/no",
        label=lambda inst, n: inst.ntb_measures[n].label, upper=lambda inst, n: 1.0,
        # NTB relief acts through the commitments it lets buyers take: it shares their step.
        bridge_step="commitments",
        sweep_label=lambda inst, n: f"{inst.ntb_measures[n].label} (granted)"),
    LeverFamily(
        name="commitment", deal_field="commitments", section="commitments",  party="partner", kind="quantity", short="commitment",
        keys=_commitment_keys, unit=_segment_unit, scale=_thousand,
        label=lambda inst, k: f"{inst.segments[k[1]].label} through {inst.channels[k[0]].label}",
        upper=lambda inst, k: inst.channels[k[0]].capacity, limited_by="buyers' ceilings",
        limit_field=lambda k: f"channels.{k[0]}.capacity",
        bridge_step="commitments", bridge_label="commitments and reimports through dealer networks"),
    LeverFamily(
        name="production_shift", deal_field="shift", section="production_shift",  party="partner", kind="quantity", short="shift",
        keys=_shift_keys, unit=_segment_unit, scale=_thousand,
        label=lambda inst, k: (f"{inst.makers[k[0]].label}: {inst.segments[k[1]].label} built in "
                               f"{inst.parties['home']}"),
        upper=lambda inst, k: inst.makers[k[0]].spare_capacity, limited_by="the imports it replaces",
        limit_field=lambda k: f"makers.{k[0]}.spare_capacity",
        bridge_step="shift", bridge_label="production shifted to home plants"),
    LeverFamily(
        name="purchase", deal_field="purchases", section="purchases",  party="partner", kind="quantity", short="purchase",
        keys=lambda inst: list(inst.goods), unit=lambda inst, g: inst.goods[g].unit,
        label=lambda inst, g: inst.goods[g].label,
        scale=lambda inst, g: value_scale(inst.goods[g].unit_value),
        upper=lambda inst, g: inst.goods[g].max_units, limit_field=lambda g: f"goods.{g}.max_units",
        bridge_step="purchases", bridge_label="purchase commitments",
        sweep_label=lambda inst, g: f"{inst.goods[g].label} (bought)"),
)

LEVER_FAMILIES: dict[str, LeverFamily] = {f.name: f for f in BUILT_IN}


def register_lever_family(family: LeverFamily) -> None:
    """Add a family (after the built-ins, in registration order)."""
    LEVER_FAMILIES[family.name] = family


def unregister_lever_family(name: str) -> None:
    if name in {f.name for f in BUILT_IN}:
        raise ValueError(f"'{name}' is a built-in lever family")
    LEVER_FAMILIES.pop(name, None)


def families() -> list[LeverFamily]:
    return list(LEVER_FAMILIES.values())


def family_by_field(deal_field: str) -> LeverFamily:
    return next(f for f in LEVER_FAMILIES.values() if f.deal_field == deal_field)


def bridge_steps() -> list[tuple[str, str, list[str]]]:
    """(step, label, deal fields that change in it), in the order the bridge applies them."""
    steps: dict[str, tuple[str, list[str]]] = {}
    for f in LEVER_FAMILIES.values():
        if f.bridge_step is None:
            continue
        label, fields = steps.setdefault(f.bridge_step, (f.bridge_label, []))
        fields.append(f.deal_field)
        if f.bridge_label and not label:
            steps[f.bridge_step] = (f.bridge_label, fields)
    return [(step, label or step, fields) for step, (label, fields) in steps.items()]
