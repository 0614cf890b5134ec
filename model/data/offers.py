"""Offer files: the levers one side tables, written exactly as an instance's `fixed_levers`.

    schema_version: 1
    offer: july_2025_terms                 # a name: letters, digits, '_' and '-'
    title: "The July 2025 framework's terms"
    tabled_by: partner                     # optional: home or partner (who makes the offer)
    note: "..."                            # optional: what the offer is, in words
    sources:                               # optional: sources its numbers cite; the
      eo_14345: {citation: "...", year: 2025}   #   instance's own sources may be cited too
    fixed_levers:                          # the instance file's format, section by section
      tariff: {cars: {value: 15, unit: "%", source: eo_14345}}          # per segment or tariff menu:
                                                                        #   a flat rate, or a quota's name
      ntb: {us_safety_standards: true}
      commitments: {toyota_dealers: {suv: {value: 20000, unit: vehicles/year, source: ...}}}
      production_shift: {toyota: {suv: {value: 10000, unit: vehicles/year, source: ...}}}
      purchases: {us_rice: {value: 260000, unit: tonne, source: ...}}

Levers the offer leaves out are, in the offer *as stated*, at their no-deal setting (and
those the instance itself fixes at the instance's values); `evaluate` also completes them.

Validation is the instance loader's own: the sections are read by `loader.Builder.deal`,
the same code that reads `fixed_levers` and `no_deal`, so an offer gets the same checks and
messages (an unknown segment or channel with a 'did you mean', a rate that is not a tier of
the menu, a unit that does not fit, a commitment above what buyers would take, a purchase
above its limit), each naming the offer file, the field and the line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from model.data.families.base import registry_version
from model.data.instance import Deal, Instance, Source
from model.data.levers import families
from model.data.loader import Builder, Origins, not_a_kind_of, structure_errors
from model.data.schema import SourceSpec, Strict, deal_spec
from model.data.yaml_io import read_yaml
from model.errors import InstanceError, InstanceErrors


class OfferBase(Strict):
    """An offer file (see the module docstring)."""

    schema_version: Literal[1] = 1
    offer: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    title: str
    tabled_by: Literal["home", "partner"] | None = None
    note: str | None = None
    sources: dict[str, SourceSpec] = Field(default_factory=dict)
    if TYPE_CHECKING:     # added by `offer_spec`, as the registered lever families have it
        fixed_levers: BaseModel


_specs: dict[int, type[OfferBase]] = {}


def offer_spec() -> type[OfferBase]:
    """The offer file's format: its own fields and `fixed_levers` as the lever families have it."""
    version = registry_version()
    if version not in _specs:
        _specs.clear()
        _specs[version] = create_model("OfferSpec", __base__=OfferBase, __doc__=OfferBase.__doc__,
                                       __module__=__name__, fixed_levers=(deal_spec(), ...))
    return _specs[version]


@dataclass(frozen=True)
class Offer:
    name: str
    title: str
    file: str
    levers: Deal                              # only the levers the offer fixes, base units
    tabled_by: str | None = None
    note: str | None = None
    sources: dict[str, Source] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(self.levers.values(f.deal_field) for f in families())


def load_offer(path: str | Path, inst: Instance) -> Offer:
    """Read and validate an offer file against `inst`; raises InstanceError(s) naming the
    offer file, the field and the line."""
    path = Path(path)
    file = str(path)
    raw = read_yaml(path)
    not_a_kind_of(raw, file, "an offer file", set(offer_spec().model_fields), "schema_version, offer, title, fixed_levers",
                  "docs/negotiating.md")
    origins = Origins()
    origins.record(raw, file)
    try:
        spec = offer_spec().model_validate(raw)
    except ValidationError as exc:
        raise InstanceErrors(structure_errors(exc.errors(), raw, origins, file)) from None
    errors = []
    for key in spec.sources:
        if key in inst.sources:
            f, line = origins.locate(f"sources.{key}", file)
            errors.append(InstanceError(f, f"sources.{key}", f"the instance already has a source '{key}'",
                                        line=line, hint="cite the instance's source as it is, or give yours another key"))
    sources = {k: Source(k, v.kind, v.said, v.year)
               for k, v in spec.sources.items()}
    # The loader's deal parsing, with the offer's sources beside the instance's.
    builder = Builder(SimpleNamespace(sources={**inst.sources, **spec.sources}), origins, file)
    levers = builder.deal(spec.fixed_levers, "fixed_levers", inst, complete=False)
    errors += builder.errors
    if errors:
        raise InstanceErrors(errors)
    offer = Offer(spec.offer, spec.title, file, levers, spec.tabled_by, spec.note, sources)
    if offer.is_empty():
        f, line = origins.locate("fixed_levers", file)
        raise InstanceError(f, "fixed_levers", "the offer fixes no lever",
                            line=line, hint="give at least one of: " + ", ".join(f.section for f in families()))
    return offer
