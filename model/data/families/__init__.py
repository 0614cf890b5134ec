"""The lever families: one module each, registered here in model order (see `base`).

The order is the model's: variables, rows and report sections follow it. A family added
from outside the package (`base.register_lever_family`) comes after these.
"""
from __future__ import annotations

from model.data.families import (
    commitment,
    maker_cap,
    ntb_relief,
    partner_tariff,
    production_shift,
    purchase,
    tariff,
)
from model.data.families.base import BUILT_IN, register_lever_family

for _module in (tariff, partner_tariff, ntb_relief, commitment, production_shift, purchase, maker_cap):
    BUILT_IN.append(_module.FAMILY)
    register_lever_family(_module.FAMILY)
