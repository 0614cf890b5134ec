"""Tiny instances for tests: a dict you can override, written to YAML and loaded.

The base case has two segments and one channel, with round numbers so that optima can
be worked out by hand: full pass-through (customs value does not move with the tariff),
no production shift, no goods, no red lines, participation off unless a test turns it on.

    inst = tiny(tmp_path, {"segments": {"car": {"imports": q(200, "vehicles")}}})

Overrides merge key by key; a None value deletes a key (like `extends`).
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from model.economics.loading import load


def q(value, unit, source="test"):
    return {"value": value, "unit": unit, "source": source}


def segment(imports, price, tariff_menu="cars", base=0.0, elasticity=-1.0, pass_through=1.0, exports=0,
            export_price=10000, ceiling=0, margin=1000, substitution=0.0, displacement=0.0, label=None):
    return {
        "label": label or "segment", "tariff_menu": tariff_menu,
        "base_tariff": q(base, "%"), "imports": q(imports, "vehicles"), "import_price": q(price, "USD/vehicle"),
        "exports": q(exports, "vehicles"), "export_price": q(export_price, "USD/vehicle"),
        "elasticity": q(elasticity, "1"), "pass_through": q(pass_through, "fraction"),
        "partner_ceiling": q(ceiling, "vehicles"), "partner_margin": q(margin, "USD/vehicle"),
        "home_substitution": q(substitution, "fraction"), "displacement": q(displacement, "fraction"),
    }


BASE = {
    "schema_version": 1,
    "name": "tiny",
    "title": "Tiny test negotiation",
    "question": "Which concessions minimize the deficit in a two-segment toy case?",
    "parties": {"home": "Home", "partner": "Partner"},
    "sources": {"test": {"assumption": "round number chosen for a hand-checkable test"}},
    "settings": {"participation": False},
    "tariff_menus": {
        # Split: each segment is its own tariff line, so the hand-worked optima choose per segment.
        "cars": {"split": True, "flat": {"floor": q(0, "%"), "ceiling": q(20, "%"), "step": q(10, "%")}},
    },
    "segments": {
        "car": segment(1000, 10000, label="cars"),
        "truck": segment(100, 20000, label="trucks"),
    },
    "channels": {
        "dealers": {"label": "partner dealers", "capacity": q(50, "vehicles"),
                    "unit_value": {"car": q(10000, "USD/vehicle")}, "dealer_margin": q(0, "USD/vehicle")},
    },
    "payoffs": {
        "home": {"deficit": q(-1, "1")},
        "partner": {"partner_export_margin": q(1, "1")},
    },
    "no_deal": {"tariff": {"cars": q(20, "%")}},
}


def merge(base, override):
    """`override` applied to `base` key by key; None deletes."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for k, v in override.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out[k], v) if k in out else copy.deepcopy(v)
    return out


def spec(overrides: dict | None = None) -> dict:
    return merge(BASE, overrides or {})


def write(tmp_path: Path, overrides: dict | None = None, name: str = "tiny.yaml") -> Path:
    path = Path(tmp_path) / name
    path.write_text(yaml.safe_dump(spec(overrides), sort_keys=False), encoding="utf-8")
    return path


def tiny(tmp_path: Path, overrides: dict | None = None):
    """Write the tiny instance with `overrides` and load it (validated)."""
    return load(write(tmp_path, overrides))
