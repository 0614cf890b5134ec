"""The deficit bridge: from the calibration year to no deal to the deal, split by cause.

Each step changes one family of levers, from the no-deal setting to the deal's, and the
deficit is re-evaluated exactly (`metrics.evaluate`), so the steps add up to the total:
  calibration year -> no deal: the no-deal tariffs (and any no-deal levers)
  no deal -> deal: tariff options, then commitments and reimports through dealer
  networks, then production shifts, then purchases (NTB relief acts through the
  commitments it allows, so it has no step of its own).
"""
from __future__ import annotations

from dataclasses import replace

from model.data.instance import Deal, Instance
from model.economics.metrics import evaluate

STEPS = (("tariff", "tariff options", "tariff"),
         ("commitments", "commitments and reimports through dealer networks", "commitments"),
         ("shift", "production shifted to home plants", "shift"),
         ("purchases", "purchase commitments", "purchases"))


def deficit_bridge(inst: Instance, deal: Deal, table=None) -> list[dict]:
    """[{step, label, change, level}] from the calibration year to the deal."""
    base = evaluate(inst, None, table)["deficit"]
    current = inst.no_deal
    level = evaluate(inst, current, table)["deficit"]
    rows = [{"step": "calibration_year", "label": "calibration year", "change": None, "level": base},
            {"step": "no_deal", "label": "no deal (threat-point tariffs)", "change": level - base, "level": level}]
    for step, label, attr in STEPS:
        current = replace(current, **{attr: getattr(deal, attr)})
        if attr == "commitments":
            current = replace(current, ntb=deal.ntb)
        new = evaluate(inst, current, table)["deficit"]
        rows.append({"step": step, "label": label, "change": new - level, "level": new})
        level = new
    rows.append({"step": "deal", "label": "deal", "change": None, "level": level})
    return rows
