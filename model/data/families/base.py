"""What a lever family is, and the registry every layer loops over.

A lever family is a kind of concession (a tariff option per tariff line, a dealer-network
commitment per channel and segment, a purchase per good, ...). Everything about it is
declared in ONE module of `model.data.families` as one `LeverFamily` record:

- the instance file: its top-level section(s) (`sections`) and its entry under `no_deal:` and
  `fixed_levers:` (`deal_entry`, keyed by `section`), as pydantic field declarations that
  `model.data.schema` composes into the format; how its sections are read into validated
  frozen dataclasses (`read`) and how its deal entry is read into lever values (`read_deal`);
- the model: its index (`keys`) and kind (one variable per key, a binary per option for an
  option family), any further variables (`variables`), its constraint rows (`rows`), its
  terms in the named metrics and its own metrics (`terms`, stated on the passed-in `linear`,
  so that the same code gives Pyomo expressions and the re-solve path's coefficient maps),
  and its contributions to the named quantities the core's rows are stated on (`market`);
- the economics in plain Python: the same terms and contributions (`values`,
  `market_values`) for `economics.metrics.evaluate`, and its independent check
  (`checks`: `Check` records restating its rows, for the verification);
- the reports: labels, units, bridge step, sweep columns, option names, and its phrase on
  the first screen (`phrase`, given a toolkit of wording helpers by the reporting layer).

A family module imports nothing above the data layer: everything it needs from other
layers (the option table's outcomes, the `linear` builder, the wording helpers) is passed
in. Families couple only through named quantities, never by naming each other:

- metrics: each family adds terms to named metrics (`terms`/`values`); the core adds the
  option table's terms and the identities (deficit = imports - exports - purchases,
  welfare nets, payoffs);
- the partner's market, per segment: `partner_sales[s] <= partner_ceiling[s]` (the buyers'
  ceiling row, core). Today's exports and ceiling are the core's; families add to either
  side (`market`: commitments to sales, NTB relief to the ceiling), and one family may
  scale both by an export factor (`export_factor`: the partner's tariff);
- the option table: one family chooses each segment's tariff option (`option_choice`:
  the home tariff); the core states the option table's terms on those choices.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from model.data.catalogue import (
    MONEY,
    UNIT_SCALE,
    VOL,
    IndexedMetric,
    MetricInfo,
    add_metrics,
    remove_metrics,
    value_scale,
)
from model.data.fields import FieldDefinition

# A row generator: (v, instance, option table, references, metrics, linear) -> rows as (index, lhs,
# sense, rhs, scale), `lhs sense rhs` in model units (see `optimization.build`); v, lhs and rhs are
# Pyomo's objects or `optimization.resolve`'s coefficient maps.
RowGenerator = Callable[..., Iterable[tuple[Any, Any, str, Any, "float | None"]]]

__all__ = ["MONEY", "UNIT_SCALE", "VOL", "value_scale", "Check", "LeverFamily", "Section", "Variable",
           "register_lever_family", "unregister_lever_family", "families", "family_by_field", "family_named",
           "registry_version", "option_family", "segments_unit", "BINDING_TOLERANCE", "PARTNER_SALES",
           "PARTNER_CEILING"]

BINDING_TOLERANCE = 1e-6      # relative: a check this close to its bound binds

# Named per-segment quantities of the partner's market, stated in the core's buyers' ceiling row.
PARTNER_SALES, PARTNER_CEILING = "partner_sales", "partner_ceiling"


@dataclass(frozen=True)
class Check:
    """One constraint at a solution: `lhs sense rhs` (the independent verification's record)."""

    name: str        # e.g. 'buyer_ceiling[pickup]', the same name the Pyomo model uses
    label: str       # in the instance's words
    party: str | None
    kind: str        # demand, capacity, production, purchase, red_line, participation, choice, fixed_lever, bound
    lhs: float
    sense: str       # '<=', '>=' or '=='
    rhs: float
    unit: str

    @property
    def slack(self) -> float:
        """How far the constraint is from binding (negative: violated)."""
        if self.sense == "<=":
            return self.rhs - self.lhs
        if self.sense == ">=":
            return self.lhs - self.rhs
        return -abs(self.lhs - self.rhs)

    @property
    def scale(self) -> float:
        return max(1.0, abs(self.lhs), abs(self.rhs))

    @property
    def relative_violation(self) -> float:
        return max(0.0, -self.slack) / self.scale

    @property
    def binding(self) -> bool:
        return self.sense == "==" or abs(self.slack) <= BINDING_TOLERANCE * self.scale


@dataclass(frozen=True)
class Section:
    """A top-level section of the instance file that a family brings: its pydantic type and
    meaning; `entry` names one entry in messages ('channel'); `docs` says how
    docs/instance-format.md documents it: (heading, model, entries of smart_defaults.yaml shown)
    for the section and each model inside it (entries None: no example)."""

    key: str                          # in the file, e.g. 'channels'
    annotation: Any                   # e.g. dict[str, ChannelSpec]
    description: str
    entry: str = ""                   # one entry in words, e.g. 'channel'
    default: bool = True              # may the file leave it out ({} then)?
    attribute: str = ""               # the instance attribute `read` fills from it, if not `key`
    docs: tuple = ()                  # ((heading, model, entries shown from smart_defaults.yaml), ...)


@dataclass(frozen=True)
class Variable:
    """A further variable of a family (beyond its lever's own): `name[key]` for key in `keys`."""

    name: str
    keys: Callable[[Any, Mapping], list]     # (instance, option table) -> its index
    domain: str = "nonnegative"              # 'nonnegative' or 'binary'


class Reader(Protocol):
    """What `read`/`read_deal` get from the loader (`model.data.loader.Builder`)."""

    spec: Any
    errors: list

    def error(self, path: str, message: str, hint: str | None = None) -> None: ...
    def field(self, spec, name: str, prefix: str, **kw) -> float: ...
    def q(self, q, path: str, decl, dimension: str | None = None, rng=None) -> float: ...
    def bound(self, spec, name: str, prefix: str, **kw) -> float: ...
    def ref(self, name: str, known, path: str, what: str) -> bool: ...
    def set_aside(self, *parts: str) -> bool: ...
    def shared_unit(self, path: str, members, segments, what: str) -> str: ...


class Wording(Protocol):
    """The wording helpers the reporting layer passes to a family's `phrase`."""

    @property
    def home(self) -> str: ...         # the parties' names
    @property
    def partner(self) -> str: ...
    @property
    def year(self) -> str: ...         # the calibration year in words ('2024')
    @property
    def max_items(self) -> int: ...    # clauses per family, items per clause: the rest counted

    def amount(self, v: float, unit: str) -> str: ...
    def plural(self, unit: str) -> str: ...
    def short(self, label: str) -> str: ...
    def share(self, v: float) -> str: ...
    def money(self, v: float) -> str: ...
    def rate_setting(self, v: float | None, choice: str | None) -> str: ...
    def without_party(self, label: str, name: str) -> str: ...
    def capped(self, items: list[str], n: int, more: str) -> list[str]: ...
    def fixed(self, lever) -> str: ...


def _none(*args) -> dict:
    return {}


@dataclass(frozen=True)
class LeverFamily:
    """One kind of concession: everything the layers need to know about it (module docstring).

    kind: 'option' (one option chosen per key: a binary per option), 'switch' (a yes/no
          concession: one binary), or 'quantity' (a continuous amount >= 0).
    deal_field: the name `Deal.values` holds the family's values under, keyed as `keys`
          gives them; `section` is its key under `no_deal:`/`fixed_levers:` in a file.
    short: the prefix of its columns in sweep.csv ('commitment.toyota.suv').
    """

    name: str                                     # model variable and results' lever name
    deal_field: str
    section: str                                  # its key under `no_deal:`/`fixed_levers:` in a file
    party: str                                    # 'home' or 'partner'
    kind: str                                     # 'option', 'switch' or 'quantity'
    short: str
    keys: Callable[[Any], list]                   # the family's index
    unit: Callable[[Any, Any], str]               # base unit of one key's value
    label: Callable[[Any, Any], str]              # in the instance's words
    scale: Callable[[Any, Any], float] = lambda inst, key: 1.0   # base units per model unit
    upper: Callable[[Any, Any], float] = lambda inst, key: math.inf   # its own limit, base units
    limit_field: Callable[[Any], str] = lambda key: ""   # where the instance file states `upper`
    limited_by: str = ""                          # what else limits it when `upper` is unlimited
    bridge_step: str | None = None                # its step in the deficit bridge (None: no step)
    bridge_label: str = ""
    # One realistic step of the bounds its levers meet, for ranking what binds by the value of one
    # such step (`settings.steps.<name>` overrides it): (value, unit as a file writes it, dimension).
    # A money step on a bound counted in a good's own unit is converted at the good's unit value.
    step: tuple[float, str, str] | None = None
    sweep_label: Callable[[Any, Any], str] | None = None
    # For an 'option' family: its options on a key, and how one is named.
    options: Callable[[Any, Any], list] = lambda inst, key: []
    option_label: Callable[[Any, Any, str], str] = lambda inst, key, name: name
    # The rate a chosen option amounts to, given the deal's outcomes per segment (see run.lever_rows).
    option_rate: Callable[[Any, Any, str, dict], float] = lambda inst, key, name, outcomes: 0.0

    # -- the instance file ------------------------------------------------------------------
    sections: tuple[Section, ...] = ()
    deal_entry: FieldDefinition | None = None     # (annotation, pydantic FieldInfo) under `section`
    # (reader, {section key: validated value}, instance so far) -> {instance attribute: data}
    read: Callable[[Reader, dict, Any], dict] = _none
    # (reader, the validated entry, its path, instance, complete?) -> {key: value}; complete:
    # `no_deal`, which must set every option family's keys.
    read_deal: Callable[[Reader, Any, str, Any, bool], dict] = _none

    # -- the model ----------------------------------------------------------------------------
    variables: tuple[Variable, ...] = ()
    rows: tuple[tuple[str, RowGenerator], ...] = ()   # ((constraint name, row generator), ...) as build.ROW_FAMILIES
    # (v, instance, option table, linear) -> {metric: model-unit expression}: terms added to named
    # metrics (the family's own metrics included; indexed ones written 'name[index]').
    terms: Callable[[Any, Any, Mapping, Callable], dict] = _none
    # (v, instance, linear) -> {(quantity, segment): expression}: contributions to partner_sales/partner_ceiling.
    market: Callable[[Any, Any, Callable], dict] = _none
    # (v, instance) -> [(segment, factor, variable)]: today's exports and ceiling of the segment scale by
    # sum factor x variable (the variables of a segment sum to one). At most one family per segment.
    export_factor: Callable[[Any, Any], list] | None = None
    # (v, instance) -> [variable per (segment, option) of the option table, in its order]: the
    # binaries that choose each segment's tariff option. Exactly one family has it.
    option_choice: Callable[[Any, Any], list] | None = None

    # -- the economics in plain Python ----------------------------------------------------------
    # (instance, the family's deal values, outcomes per segment) -> {metric: base-unit amount}
    values: Callable[[Any, dict, Mapping], dict] = _none
    # (instance, deal values) -> {(quantity, segment): amount}; and {segment: factor}; and the
    # largest contribution any setting can make, {(quantity, segment): amount} (loader checks).
    market_values: Callable[[Any, dict], dict] = _none
    export_factor_values: Callable[[Any, dict], dict] = _none
    market_most: Callable[[Any], dict] = _none
    # (instance, deal values) -> the option each segment's outcome is read at (option_choice's family)
    chosen_options: Callable[[Any, dict], dict] = _none
    # (instance, deal values, outcomes per segment recomputed from the responses) -> [Check]
    checks: Callable[[Any, dict, Mapping], list] = lambda inst, values, outcomes: []

    # -- metrics of its own -------------------------------------------------------------------
    metrics: Mapping[str, MetricInfo] = field(default_factory=dict)
    indexed_metrics: Mapping[str, IndexedMetric] = field(default_factory=dict)

    # -- reports --------------------------------------------------------------------------------
    # (lever rows, {(name, index): context}, party name, Wording) -> clauses; None: 'label: setting'
    phrase: Callable[[list, dict, str, Wording], list] | None = None
    # (instance, key) -> what a reader needs beyond the label: {'group', 'item', ...} (analyses.explain)
    context: Callable[[Any, Any], dict] = _none
    # (instance, key, calibration-year outcomes) -> the key's value in the calibration year (None: unknown)
    baseline: Callable[[Any, Any, Mapping], float | None] = lambda inst, key, outcomes: None
    key_names: tuple[str, ...] = ()               # its key's parts in tables ('channel', 'segment')

    def key_text(self, key) -> str:
        """'toyota.suv' for ('toyota', 'suv'): how results and sweeps spell an index."""
        return ".".join(key) if isinstance(key, tuple) else str(key)

    def choices(self, v, inst) -> list:
        """Its `option_choice`: the variable choosing each OPTIONS entry (the option family's)."""
        if self.option_choice is None:
            raise TypeError(f"lever family '{self.name}' chooses no tariff options")
        return self.option_choice(v, inst)


# -- the registry ---------------------------------------------------------------------------------
LEVER_FAMILIES: dict[str, LeverFamily] = {}
BUILT_IN: list[LeverFamily] = []          # filled by model.data.families (the package)
_version = [0]


def registry_version() -> int:
    """Changes whenever a family is registered or unregistered (the schema is rebuilt then)."""
    return _version[0]


def register_lever_family(family: LeverFamily) -> None:
    """Add a family (after those registered before it), with its metrics; registering a
    family again under its name replaces it."""
    if family.name in LEVER_FAMILIES:
        unregister_lever_family(family.name, built_in_too=True)
    clash = [f.name for f in LEVER_FAMILIES.values() if f.deal_field == family.deal_field or f.section == family.section]
    taken = {s.key for f in LEVER_FAMILIES.values() for s in f.sections}
    if clash or taken & {s.key for s in family.sections}:
        raise ValueError(f"lever family '{family.name}' reuses a deal field, `no_deal` entry or section of "
                         f"{', '.join(clash) or ', '.join(sorted(taken & {s.key for s in family.sections}))}")
    if family.option_choice is not None and any(f.option_choice is not None for f in LEVER_FAMILIES.values()):
        raise ValueError("only one lever family may choose the segments' tariff options")
    add_metrics(family.name, family.metrics, family.indexed_metrics)
    LEVER_FAMILIES[family.name] = family
    _version[0] += 1


def unregister_lever_family(name: str, built_in_too: bool = False) -> None:
    if not built_in_too and name in {f.name for f in BUILT_IN}:
        raise ValueError(f"'{name}' is a built-in lever family")
    family = LEVER_FAMILIES.pop(name, None)
    if family is not None:
        remove_metrics([*family.metrics, *family.indexed_metrics])
        _version[0] += 1


def families() -> list[LeverFamily]:
    return list(LEVER_FAMILIES.values())


def family_by_field(deal_field: str) -> LeverFamily:
    return next(f for f in LEVER_FAMILIES.values() if f.deal_field == deal_field)


def family_named(name: str) -> LeverFamily:
    return LEVER_FAMILIES[name]


def option_family() -> LeverFamily:
    """The family that chooses each segment's tariff option (the home tariff)."""
    return next(f for f in LEVER_FAMILIES.values() if f.option_choice is not None)


def segments_unit(inst, segments) -> str:
    """The count unit of a group of segments (the loader checks they share one)."""
    return inst.segments[segments[0]].unit if segments else "vehicles"


def sections() -> Iterator[tuple[LeverFamily, Section]]:
    for f in LEVER_FAMILIES.values():
        for s in f.sections:
            yield f, s
