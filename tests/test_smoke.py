"""The tiny instance loads and solves; a first hand-checked optimum.

Tiny case: cars 1,000 imports at $10,000 (base tariff 0%, elasticity -1, full
pass-through), trucks 100 at $20,000 on the same menu {0%, 10%, 20%}; one dealer channel
selling up to 50 home-made cars at $10,000, but partner buyers' ceiling is 0.
Minimizing the deficit with no other constraint picks 20% on both segments:
imports M = M0 * (1.2)^-1, value unchanged per unit, so
deficit = 1000/1.2 * 10,000 + 100/1.2 * 20,000 = 8,333,333.33 + 1,666,666.67 = 10,000,000.
"""
from tiny import tiny

from model.run import solve_instance


def test_tiny_min_deficit_picks_highest_tariff(tmp_path):
    r = solve_instance(tiny(tmp_path))
    assert r.status == "optimal"
    assert r.verification.ok
    assert abs(r.metric("deficit").deal - 10_000_000) < 1e-3
    assert {lv.index: lv.choice for lv in r.levers if lv.name == "tariff"} == {"car": "flat 20.0%", "truck": "flat 20.0%"}
