"""The deficit bridge: from the calibration year to no deal to the deal, split by cause.

Each step changes the lever families that belong to it (`LeverFamily.bridge_step`),
from the no-deal setting to the deal's, and the deficit is re-evaluated exactly
(`metrics.evaluate`), so the steps add up to the total:
  calibration year -> no deal: the no-deal tariffs (and any no-deal levers)
  no deal -> deal: one step per bridge step of the lever-family table, in its order
  (tariff options, commitments and reimports through dealer networks with the NTB relief
  that lets buyers take them, production shifts, purchases, then any other family).
"""
from __future__ import annotations

from model.data.instance import Deal, Instance
from model.data.levers import bridge_steps
from model.economics.metrics import evaluate
from model.results import BridgeStep


def deficit_bridge(inst: Instance, deal: Deal, table=None) -> list[BridgeStep]:
    """The steps from the calibration year to the deal: each its change and the level it reaches."""
    base = evaluate(inst, None, table)["deficit"]
    current = inst.no_deal
    level = evaluate(inst, current, table)["deficit"]
    rows = [BridgeStep("calibration_year", "calibration year", None, base),
            BridgeStep("no_deal", "no deal (threat-point tariffs)", level - base, level)]
    for step, label, fields in bridge_steps():
        current = current.with_values_of({f: deal.values(f) for f in fields})
        new = evaluate(inst, current, table)["deficit"]
        rows.append(BridgeStep(step, label, new - level, new))
        level = new
    rows.append(BridgeStep("deal", "deal", None, level))
    return rows
