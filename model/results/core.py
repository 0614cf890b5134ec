"""The rows of a solve and `Results`, the typed whole that reports, comparisons and tests read.

Nothing here knows Pyomo. `Results.to_dict()` is what `results.json` holds; it is
deterministic (sorted, rounded to 12 significant digits) so that the same instance
gives a byte-identical file; timings are kept apart.
"""
from __future__ import annotations

import json
import math
import sys
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass

import pandas as pd

from model.results.negotiation import KEY
from model.results.over_time import OverTime
from model.results.sections import (
    Assumption,
    AssumptionRank,
    BridgeStep,
    ConcessionValues,
    DealRobustness,
    Diagnosis,
    Diversion,
    Explanation,
    FreeOptimum,
    Frontier,
    InputRow,
    InstanceSummary,
    LeverContext,
    Objective,
    PassThrough,
    PolicyCurve,
    QuotaRow,
    Ranging,
    RedLineCosts,
    RedLineReview,
    ShadowPrices,
    SolverInfo,
    SolveStages,
    SweepSummary,
    Verification,
)


@dataclass
class MetricRow:
    name: str
    label: str
    unit: str
    baseline: float
    no_deal: float
    deal: float | None

    @property
    def dealt(self) -> float:
        """The value with the deal, for the parts of a report that only exist when there is one."""
        if self.deal is None:
            raise ValueError(f"metric {self.name!r} has no value with a deal: there is no deal")
        return self.deal


@dataclass
class LeverRow:
    name: str          # tariff, ntb_relief, commitment, production_shift, purchase
    party: str
    index: str         # segment, measure, 'channel.segment', 'maker.segment' or good
    value: float
    unit: str
    label: str
    choice: str | None = None    # the option chosen, for option levers (tariff lines)
    fixed: bool = False          # fixed by the instance, not chosen by the model

    @property
    def shown(self) -> bool:
        """Part of the deal as a reader lists it: every option chosen, every other lever in use."""
        return self.choice is not None or abs(self.value) > 1e-9


@dataclass
class ConstraintRow:
    name: str
    label: str
    party: str | None
    kind: str
    lhs: float
    sense: str
    rhs: float
    unit: str
    slack: float
    binding: bool                         # from the solver's evidence: see `run.is_binding`
    dual: float | None = None             # d(objective)/d(rhs) in the fixed LP, USD per unit
    relaxation_value: float | None = None  # objective improvement per unit of relaxation

    @property
    def shown_as_binding(self) -> bool:
        """Binding, and a constraint of the negotiation (a red line, participation, a ceiling,
        a capacity), not the model's bookkeeping (one option per line, signs, fixed levers)."""
        return self.binding and self.kind not in BOOKKEEPING_KINDS

    @property
    def worth(self) -> float:
        """What relaxing it by one unit is worth (0 when not priced): the ranking key."""
        return abs(self.relaxation_value or 0.0)


BOOKKEEPING_KINDS = ("choice", "bound", "fixed_lever")


def binding_rows(constraints: list[ConstraintRow]) -> list[ConstraintRow]:
    """The constraints shown as binding, most valuable to relax first (model order on ties)."""
    rows = [c for c in constraints if c.shown_as_binding]
    return sorted(rows, key=lambda c: -c.worth)


@dataclass
class Results:
    """One solve and the analyses every report of it reads, each a typed section (see
    `sections`): produced by `run.solve_model` and the command's pipeline, read by `reporting`."""

    instance: InstanceSummary
    status: str
    message: str
    objective: Objective
    metrics: list[MetricRow]
    levers: list[LeverRow]
    constraints: list[ConstraintRow]
    verification: Verification
    solver: SolverInfo
    shadow_prices: ShadowPrices
    assumptions: list[Assumption]
    inputs: list[InputRow]
    stages: SolveStages
    warnings: list[str] = field(default_factory=list)
    bridge: list[BridgeStep] = field(default_factory=list)
    quotas: list[QuotaRow] = field(default_factory=list)
    pass_through: PassThrough | None = None
    diversion: Diversion | None = None              # the deal against no deal
    red_lines: RedLineReview | None = None
    red_line_costs: RedLineCosts | None = None
    assumption_rank: AssumptionRank | None = None  # `run`: the assumptions ranked by their influence on the deal
    ranging: Ranging | None = None
    explanations: list[Explanation] = field(default_factory=list)
    concession_values: ConcessionValues | None = None
    lever_context: list[LeverContext] = field(default_factory=list)
    free_optimum: FreeOptimum | None = None
    frontier: Frontier | None = None
    diagnosis: Diagnosis | None = None
    sweep: SweepSummary | None = None
    robustness: DealRobustness | None = None       # `run`: deal or no deal over draws of the uncertainty
    policy_curve: PolicyCurve | None = None        # `sweep --lever`: one lever at each value, the rest negotiated
    over_time: OverTime | None = None              # an instance with `horizon:`: each year, and the sums
    timings: dict[str, float] = field(default_factory=dict)    # not written to results.json

    @property
    def has_deal(self) -> bool:
        return self.status in ("optimal", "time_limit") and any(m.deal is not None for m in self.metrics)

    @property
    def parties(self) -> dict[str, str]:
        return self.instance.parties

    def metric(self, name: str) -> MetricRow:
        return next(m for m in self.metrics if m.name == name)

    def to_dict(self) -> dict:
        # What asdict gives, built in the same pass as the rounding (asdict deep-copies every
        # row first: seconds for the 10^5-row results of large instances).
        return _round({f.name: getattr(self, f.name) for f in fields(self) if f.name != "timings"})

    def to_json(self) -> str:
        """results.json: each section indented, each row of a long table on one line (written
        by the C encoder: a 10^5-row table in a fraction of the time `indent` takes)."""
        d = self.to_dict()
        row = json.JSONEncoder(allow_nan=False).encode      # one encoder for every row (not one each)
        parts = []
        for key, value in d.items():
            if isinstance(value, list) and len(value) > ROWS_ON_ONE_LINE and all(isinstance(r, dict) for r in value):
                text = "[\n    " + ",\n    ".join(map(row, value)) + "\n  ]"
            else:
                text = json.dumps(value, indent=2, allow_nan=False).replace("\n", "\n  ")
            parts.append(f"  {json.dumps(key)}: {text}")
        return "{\n" + ",\n".join(parts) + "\n}\n"

    def frames(self) -> dict[str, pd.DataFrame]:
        """Levers, metrics and constraints as tables (the CSV files), built column by column."""
        return {"levers": _frame(LeverRow, self.levers), "metrics": _frame(MetricRow, self.metrics),
                "constraints": _frame(ConstraintRow, self.constraints)}

    @classmethod
    def from_dict(cls, d: dict) -> Results:
        """Results read back from results.json (the compare cache)."""
        return from_data(cls, d)


def from_data(cls, data: dict):
    """An instance of the dataclass `cls` from plain data (results.json read back): each field
    built from its declared type, nested dataclasses, lists, dicts and optionals included."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    return cls(**{f.name: _build(hints[f.name], data[_key(f)]) for f in fields(cls) if f.init and _key(f) in data})


def _key(f) -> str:
    """A field's key in the JSON files: its name, or the key its metadata declares (`from`)."""
    return f.metadata.get(KEY, f.name)


def _build(tp, value):
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        classes = [a for a in options if is_dataclass(a)]
        if classes and isinstance(value, dict):
            return from_data(classes[0], value)
        return _build(options[0], value) if len(options) == 1 else value
    if origin is list:
        (inner,) = typing.get_args(tp)
        return [_build(inner, v) for v in value]
    if origin is dict:
        _, inner = typing.get_args(tp)
        return {k: _build(inner, v) for k, v in value.items()}
    if is_dataclass(tp) and isinstance(value, dict):
        return from_data(tp, value)
    return value


def rounded(x):
    """`x` (a section, a list of rows, a dict) as results.json writes it: plain data, floats to 12
    significant digits."""
    return _round(x)


ROWS_ON_ONE_LINE = 50      # a table longer than this is written one row a line in results.json


def _frame(cls, rows: list) -> pd.DataFrame:
    """A DataFrame with one column per field of `cls`, filled column by column."""
    names = [f.name for f in fields(cls)]
    return pd.DataFrame({n: [getattr(r, n) for r in rows] for n in names}, columns=names)


def _round_rows(rows: list) -> list[dict]:
    """`_round` of a list of rows of one dataclass, column by column."""
    declared = fields(rows[0])
    return _round_columns([_key(f) for f in declared], [[getattr(r, f.name) for r in rows] for f in declared])


def _round_records(rows: list[dict]) -> list[dict] | None:
    """`_round` of a list of dicts with the same keys, column by column; None if the keys differ."""
    names = list(rows[0])
    if any(len(r) != len(names) or list(r) != names for r in rows):
        return None
    return _round_columns(names, [[r[n] for r in rows] for n in names])


def _round_columns(names: list[str], columns: list[list]) -> list[dict]:
    """Rows {name: value} from columns, floats as 12 significant digits and nested values
    rounded by `_round`: the same dicts as a recursive call per cell gives, at a fraction of
    the cost (a large instance's tables have 10^5 rows)."""
    out = []
    for values in columns:
        if {type(v) for v in values} <= SCALARS:
            out.append([_round_number(v) if type(v) is float else v for v in values])
        else:
            out.append([_round(v) for v in values])
    return [dict(zip(names, row)) for row in zip(*out)]


SCALARS = {float, int, str, bool, type(None)}     # written as they are (floats rounded)


def _round_number(x: float):
    if not math.isfinite(x):
        return None
    return float(f"{x:.12g}") if x != 0 else 0.0


def _round(x):
    """Round floats to 12 significant digits; None for NaN (JSON has none)."""
    if isinstance(x, float):
        if not math.isfinite(x):
            return None
        return float(f"{x:.12g}") if x != 0 else 0.0
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    if is_dataclass(x) and not isinstance(x, type):
        return {_key(f): _round(getattr(x, f.name)) for f in fields(x)}
    if isinstance(x, (list, tuple)):
        if x and is_dataclass(x[0]) and all(type(v) is type(x[0]) for v in x):
            return _round_rows(x)
        if len(x) > 1 and all(type(v) is dict for v in x):
            rows = _round_records(x)
            if rows is not None:
                return rows
        return [_round(v) for v in x]
    return x
