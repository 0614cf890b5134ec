"""The building blocks of the instance format: how a field declares its meaning, unit and range.

Every field of the format is declared with `Field(description=..., json_schema_extra=...)`,
numbers through `quantity(...)`: its meaning, dimension (one of `model.data.units.UNITS`,
or one that depends on other fields: `count:{unit}` and `USD/count:{unit}` (a good's own
unit), `metric` (the unit of the metric named beside it), `payoff weight` (USD per unit of
the metric) and `field` (the uncertain field's)), allowed range in base units, and whether
draws may change it. The core sections (`model.data.schema`) and every lever family's
sections (`model.data.families`) are written with these, so the loader, the uncertainty
checks and `format_doc` read one kind of declaration.

A declaration may also say which attribute of the validated data holds the field, when
that is not the field's own name (`attribute=` of `quantity`/`text`: 'payoff_weights' for
`payoffs`, 'armington.substitution' for a segment's `substitution_elasticity`): setting a
drawn value (`model.data.uncertainty.with_values`) follows those names.
"""
from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonDict

SCHEMA_VERSION = 1
DOCS = "docs/instance-format.md"
# The largest size any number may have in base units, whatever its field's range: larger
# ones are typos, and they overflow the solver (HiGHS treats 1e20 as infinite).
MAGNITUDE = 1e15


# -- declarations -------------------------------------------------------------------------
@dataclass(frozen=True)
class Range:
    """Allowed values in base units: low <= v <= high, with `low_open`/`high_open` making
    that end strict. None means no bound on that side."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    @classmethod
    def of(cls, spec: dict | None) -> Range:
        spec = spec or {}
        low = spec.get("gt", spec.get("ge"))
        high = spec.get("lt", spec.get("le"))
        return cls(low, high, "gt" in spec, "lt" in spec)

    def below(self, v: float) -> bool:
        return self.low is not None and (v < self.low or (self.low_open and v == self.low))

    def above(self, v: float) -> bool:
        return self.high is not None and (v > self.high or (self.high_open and v == self.high))

    def contains(self, v: float) -> bool:
        return not (self.below(v) or self.above(v))

    def low_text(self) -> str:
        return f"{'>' if self.low_open else '>='} {self.low:g}"

    def high_text(self) -> str:
        return f"{'<' if self.high_open else '<='} {self.high:g}"

    def text(self) -> str:
        """'> 0', '>= 0 and <= 1', 'any' (in base units)."""
        sides = ([self.low_text()] if self.low is not None else []) + \
                ([self.high_text()] if self.high is not None else [])
        return " and ".join(sides) or "any"


@dataclass(frozen=True)
class Declared:
    """What the schema says about one numeric field."""

    dimension: str            # a units.py dimension, or 'count:{unit}', 'metric', 'payoff weight', 'step', 'field'
    range: Range
    hint: str | None = None   # shown when the value is out of range
    drawable: bool = False    # may `uncertainty:` draws and `sweep --param` change it?
    unlimited: bool = False   # may it be written 'unlimited'?


def quantity(description: str, dimension: str, *, gt: float | None = None, ge: float | None = None,
             lt: float | None = None, le: float | None = None, hint: str | None = None,
             drawable: bool = False, unlimited: bool = False, attribute: str | None = None, **field: Any):
    """A numeric field `{value, unit, source}`: its meaning, dimension and allowed range;
    `attribute`: where the validated data holds it, if not under the field's own name."""
    bounds: JsonDict = {k: v for k, v in (("gt", gt), ("ge", ge), ("lt", lt), ("le", le)) if v is not None}
    extra: JsonDict = {"dimension": dimension, "range": bounds, "drawable": drawable, "unlimited": unlimited}
    if hint:
        extra["hint"] = hint
    if attribute:
        extra["attribute"] = attribute
    return Field(description=description, json_schema_extra=extra, **field)


def declared(model: type[BaseModel], name: str) -> Declared:
    """The declaration of the numeric field `name` of `model`. (The cache's wrapper takes any
    hashable arguments: this function keeps the signature that callers are checked against.)"""
    return _declared(model, name)


@cache
def _declared(model: type[BaseModel], name: str) -> Declared:
    return declaration_of(model.model_fields[name])


def extra_of(info: FieldInfo) -> JsonDict:
    """A field's `json_schema_extra`: a mapping for every field of the format (or none)."""
    extra = info.json_schema_extra
    if callable(extra):
        raise TypeError(f"a field's json_schema_extra is a function ({extra!r}): the format declares mappings")
    return extra or {}


def declaration_of(info) -> Declared:
    """The declaration a numeric field's FieldInfo carries (see `quantity`)."""
    extra = info.json_schema_extra or {}
    return Declared(extra["dimension"], Range.of(extra.get("range")), extra.get("hint"),
                    bool(extra.get("drawable")), bool(extra.get("unlimited")))


def _members(annotation) -> list:
    """The types a field may hold: the members of a union, or the type itself."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def _model_in(annotation) -> type[BaseModel] | None:
    return next((t for t in _members(annotation) if isinstance(t, type) and issubclass(t, BaseModel)), None)


def text(description: str, attribute: str | None = None, **field: Any):
    """A field that is not a number: its meaning (and `attribute`, as for `quantity`)."""
    if attribute:
        field["json_schema_extra"] = {**field.get("json_schema_extra", {}), "attribute": attribute}
    return Field(description=description, **field)


def attribute_of(model: type[BaseModel], name: str) -> str:
    """Where the validated data holds the field `name` of `model`: its declared `attribute`
    (a dotted path for a nested record, e.g. 'armington.substitution'), else its name."""
    attribute = extra_of(model.model_fields[name]).get("attribute", name)
    if not isinstance(attribute, str):
        raise TypeError(f"{model.__name__}.{name}: its declared 'attribute' is not a field path: {attribute!r}")
    return attribute


# A pydantic field definition, as `create_model` takes it: (annotation, FieldInfo). The annotation
# is a type form (a class, a union, Literal[...], dict[str, X]): statically, no narrower than Any.
FieldDefinition = tuple[Any, FieldInfo]


# -- the format ---------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Q(Strict):
    """A number with its unit and the key of its source: `{value: 2.5, unit: "%", source: us_hts}`.
    Whatever the field, a number may not exceed 10^15 in base units (a bigger one is a
    typo, and overflows the solver); `unlimited` is written as such where a field allows it."""

    value: float = text("The number, as published or assumed.")
    unit: str = text("Its unit: one of those accepted for the field's dimension (see units).")
    source: str = text("A key of `sources:`: where the number comes from.")

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("must be a number")
        if not math.isfinite(v):
            raise ValueError("must be a finite number (not NaN or infinity)")
        return v


TARIFF = "share"
Unlimited = Literal["unlimited"]


def own_unit(dimension: str, unit: str) -> str:
    """A vehicle dimension restated in a segment's own count unit ('vehicles' -> 'count:tonne');
    vehicles stay vehicles, and other dimensions are unchanged."""
    if unit == "vehicles" or dimension not in ("vehicles", "USD/vehicle", "jobs/vehicle"):
        return dimension
    return {"vehicles": f"count:{unit}", "USD/vehicle": f"USD/count:{unit}", "jobs/vehicle": f"jobs/count:{unit}"}[
        dimension]
