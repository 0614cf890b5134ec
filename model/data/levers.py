"""The lever-family table, as every layer reads it: `families()` in model order.

Each family is one module of `model.data.families` (its record: `families.base.LeverFamily`).
This module is the table's public face: the registry, the model's scaling units, and
what is derived from the table as a whole (the deficit bridge's steps).
"""
from __future__ import annotations

from model.data.catalogue import MONEY, UNIT_SCALE, VOL, value_scale
from model.data.families.base import (
    BUILT_IN,
    LEVER_FAMILIES,
    Check,
    LeverFamily,
    Section,
    Variable,
    families,
    family_by_field,
    family_named,
    option_family,
    register_lever_family,
    unregister_lever_family,
)

__all__ = ["BUILT_IN", "LEVER_FAMILIES", "MONEY", "UNIT_SCALE", "VOL", "Check", "LeverFamily", "Section",
           "Variable", "bridge_steps", "families", "family_by_field", "family_named", "option_family",
           "options_only", "register_lever_family", "unregister_lever_family", "value_scale"]


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


def options_only(deal):
    """`deal`'s choice of each segment's tariff option alone, every other lever unused (the
    option table needs a choice per segment: e.g. the no-deal tariffs with nothing else)."""
    f = option_family()
    return type(deal)(**{f.deal_field: dict(deal.values(f.deal_field))})
