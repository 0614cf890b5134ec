"""The instance file format, as pydantic models: the structure and types of each field.

This is the file-format spec. Every number is a quantity `{value, unit, source}` where
`source` is a key of the top-level `sources:` table (a citation, or an assumption with
its reason). Units are checked against each field's dimension in `loader`; names that
refer to other entries (segments, channels, ...) are checked there too.
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

SCHEMA_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class Q(Strict):
    """A number with its unit and the key of its source."""

    value: float
    unit: str
    source: str

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError("must be a number")
        if not math.isfinite(v):
            raise ValueError("must be a finite number (not NaN or infinity)")
        return v


class SourceSpec(Strict):
    """A publication (`citation`, `year`) or an assumption (`assumption`: why this number)."""

    citation: str | None = None
    year: int | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.citation is None) == (self.assumption is None):
            raise ValueError("give either 'citation' (a publication) or 'assumption' (why the number is assumed)")
        return self


class Parties(Strict):
    home: str
    partner: str


class FlatTiers(Strict):
    """Flat tariffs from `floor` to `ceiling` every `step`."""

    floor: Q
    ceiling: Q
    step: Q


class QuotaSpec(Strict):
    """A tariff-rate quota: `in_quota` rate up to `quota` units a year (pooled over every
    segment on the line), `out_of_quota` above; `rent_holder` says who holds the quota rent."""

    label: str | None = None
    quota: Q
    in_quota: Q
    out_of_quota: Q
    rent_holder: Literal["government", "home_importers", "exporters"] = "exporters"


class RestraintSpec(Strict):
    """An export restraint: at most `quota` units a year over the line, none above; imports
    pay their calibration tariff and the exporters hold the rent."""

    label: str | None = None
    quota: Q


class MenuSpec(Strict):
    """A tariff menu is a legislated tariff line: one option applies to every segment on it,
    unless `split` gives each segment a line of its own."""

    label: str | None = None
    split: StrictBool = False
    flat: FlatTiers | None = None
    quotas: dict[str, QuotaSpec] = Field(default_factory=dict)
    export_restraints: dict[str, RestraintSpec] = Field(default_factory=dict)


class SegmentSpec(Strict):
    label: str
    tariff_menu: str
    base_tariff: Q
    imports: Q
    import_price: Q
    exports: Q
    export_price: Q
    elasticity: Q
    pass_through: Q
    partner_ceiling: Q
    partner_margin: Q
    home_substitution: Q
    displacement: Q


Unlimited = Literal["unlimited"]


class ChannelSpec(Strict):
    label: str
    capacity: Q | Unlimited
    unit_value: dict[str, Q]
    dealer_margin: Q


class NtbSpec(Strict):
    label: str
    ceiling_lift: dict[str, Q]
    political_cost: Q


class MakerSpec(Strict):
    label: str
    spare_capacity: Q | Unlimited
    segments: list[str]


class GoodSpec(Strict):
    label: str
    unit: str
    unit_value: Q
    max_units: Q | Unlimited
    political_cost: Q


class RedLineSpec(Strict):
    """`metric sense bound` for one party; `segments` or `index` for indexed metrics;
    `relative_to` makes the bound a multiple of the baseline or no-deal value."""

    party: Literal["home", "partner"]
    label: str
    reason: str
    metric: str
    segments: list[str] | None = None
    index: str | None = None
    sense: Literal["<=", ">="]
    bound: Q
    relative_to: Literal["baseline", "no_deal"] | None = None


class DealSpec(Strict):
    """A setting of levers: tariff per segment or per menu (a flat rate or a quota name),
    commitments[channel][segment], ntb[measure], production_shift[maker][segment],
    purchases[good]. Levers left out are not used (no-deal) or free (fixed_levers)."""

    tariff: dict[str, Q | str] = Field(default_factory=dict)
    commitments: dict[str, dict[str, Q]] = Field(default_factory=dict)
    ntb: dict[str, StrictBool] = Field(default_factory=dict)
    production_shift: dict[str, dict[str, Q]] = Field(default_factory=dict)
    purchases: dict[str, Q] = Field(default_factory=dict)


class SettingsSpec(Strict):
    response: Literal["constant_elasticity", "linear"] = "constant_elasticity"
    objective: Literal["min_deficit", "weighted", "nash"] = "min_deficit"
    participation: StrictBool = True
    lexicographic_tolerance: float = Field(1e-9, gt=0, lt=0.01)
    objective_weights: dict[str, float] = Field(default_factory=dict)
    nash_weights: dict[Literal["home", "partner"], float] = Field(default_factory=lambda: {"home": 0.5, "partner": 0.5})
    time_limit: float | None = Field(None, gt=0)


class Distribution(Strict):
    """An uncertain input (see `model/uncertainty.py`): normal (`mean`, `sd`), uniform or
    triangular (`mode`), always bounded by `low` and `high`, in the field's own unit.
    `mean`/`mode` default to the field's value."""

    distribution: Literal["normal", "uniform", "triangular"]
    low: Q
    high: Q
    mean: Q | None = None
    sd: Q | None = None
    mode: Q | None = None


class InstanceSpec(Strict):
    schema_version: Literal[1]
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str
    question: str
    extends: str | None = None
    parties: Parties
    sources: dict[str, SourceSpec]
    settings: SettingsSpec = Field(default_factory=SettingsSpec)
    tariff_menus: dict[str, MenuSpec]
    segments: dict[str, SegmentSpec]
    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    ntb_measures: dict[str, NtbSpec] = Field(default_factory=dict)
    makers: dict[str, MakerSpec] = Field(default_factory=dict)
    goods: dict[str, GoodSpec] = Field(default_factory=dict)
    red_lines: dict[str, RedLineSpec] = Field(default_factory=dict)
    payoffs: dict[Literal["home", "partner"], dict[str, Q]]
    no_deal: DealSpec
    fixed_levers: DealSpec = Field(default_factory=DealSpec)
    calibration: dict[str, Q] = Field(default_factory=dict)
    uncertainty: dict[str, Distribution] = Field(default_factory=dict)
