"""How a drawn or swept input is named for a reader: shared by the sweep's summary, its
robustness sections and `run`'s draws (a module of its own, below all three)."""
from __future__ import annotations


def input_label(inst, path: str) -> str:
    """'segments.suv.elasticity' -> 'SUVs and crossovers: elasticity' (the instance's label of
    the object, then the field in words)."""
    parts = path.split(".")
    if len(parts) >= 3:
        section, key, field = parts[0], parts[1], " ".join(parts[2:]).replace("_", " ")
        owner = getattr(inst, section, None)
        if isinstance(owner, dict) and key in owner and getattr(owner[key], "label", None):
            label = owner[key].label
            short = label.split(" (")[0] if " (" in label else label
            return f"{short}: {field}"
    return path
