"""The deficit bridge: its parts add up to the total, and each part is what it says."""
import pytest
from tiny import q, tiny

from model.run import solve_instance


def test_bridge_adds_up_and_names_each_cause(tmp_path):
    """Tiny case with a 30-car ceiling and 500 t of a $1,000/t good: tariffs stay at the
    no-deal 20% (tariff step 0), commitments -$300,000, no shift (0), purchases -$500,000."""
    r = solve_instance(tiny(tmp_path, {
        "segments": {"car": {"partner_ceiling": q(30, "vehicles")}},
        "goods": {"g": {"label": "grain", "unit": "tonne", "unit_value": q(1000, "USD/tonne"),
                        "max_units": q(500, "tonne"), "political_cost": q(0, "USD/tonne")}}}))
    steps = {b.step: b for b in r.bridge}
    d = r.metric("deficit")
    assert steps["calibration_year"].level == pytest.approx(d.baseline)
    assert steps["no_deal"].level == pytest.approx(d.no_deal)
    assert steps["deal"].level == pytest.approx(d.deal)
    assert sum(b.change for b in r.bridge if b.change is not None) == pytest.approx(d.deal - d.baseline)
    assert steps["tariff"].change == pytest.approx(0)
    assert steps["commitments"].change == pytest.approx(-300_000)
    assert steps["shift"].change == pytest.approx(0)
    assert steps["purchases"].change == pytest.approx(-500_000)
