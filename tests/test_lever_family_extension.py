"""A lever family added from outside the package flows through build, solve, verification,
results.json and report.md without any generic module knowing its name.

The family, declared in this test only: the partner leases home-built aircraft, each
worth USD 2,000,000 of home exports, at most 3 a year (its own limit row). With the
tiny instance's no-deal-free optimum (20% on cars and trucks, deficit
8,333,333.33 + 1,666,666.67 = 10,000,000), three leases lower the deficit to exactly
10,000,000 - 3 x 2,000,000 = 4,000,000; the limit binds and relaxing it by one lease is
worth USD 2,000,000 of deficit.
"""
from __future__ import annotations

import json

import pytest
from tiny import tiny

from model.data.levers import LeverFamily, register_lever_family, unregister_lever_family
from model.economics.checks import Check
from model.reporting.markdown import report_markdown
from model.reporting.report_files import write_report
from model.run import solve_instance

VALUE, LIMIT = 2_000_000.0, 3.0


def lease_limit_rows(v, inst, table, refs, metrics, linear):
    """At most LIMIT leases a year: lease[jet] <= LIMIT."""
    yield "jet", v.lease["jet"], "<=", LIMIT, 1.0


def lease_terms(v, inst, linear):
    """Each lease is home exports worth VALUE (model money unit: USD million)."""
    return {"exports_value": linear([VALUE / 1e6], [v.lease["jet"]])}


def lease_values(inst, values):
    return {"exports_value": VALUE * values.get("jet", 0.0)}


def lease_checks(inst, values):
    return [Check("lease_limit[jet]", "at most 3 aircraft leases", "partner", "capacity",
                  values.get("jet", 0.0), "<=", LIMIT, "leases")]


LEASE = LeverFamily(
    name="lease", deal_field="leases", section="leases", party="partner", kind="quantity", short="lease",
    keys=lambda inst: ["jet"], unit=lambda inst, k: "leases", label=lambda inst, k: "aircraft leased by the partner",
    upper=lambda inst, k: LIMIT, bridge_step="leases", bridge_label="aircraft leases",
    rows=(("lease_limit", lease_limit_rows),), model_terms=lease_terms, metric_values=lease_values,
    checks=lease_checks)


@pytest.fixture
def lease_family():
    register_lever_family(LEASE)
    yield LEASE
    unregister_lever_family(LEASE.name)


def test_an_extra_lever_family_flows_end_to_end(tmp_path, lease_family):
    r = solve_instance(tiny(tmp_path))
    assert r.status == "optimal" and r.verification["ok"]
    assert r.metric("deficit").deal == pytest.approx(4_000_000.0, rel=1e-9)
    lease = next(lv for lv in r.levers if lv.name == "lease")
    assert (lease.index, lease.value, lease.unit, lease.party) == ("jet", pytest.approx(LIMIT), "leases", "partner")
    # The family's own row binds, with the shadow price worked out above; its own check ran.
    row = next(c for c in r.constraints if c.name == "lease_limit[jet]")
    assert row.binding and row.relaxation_value == pytest.approx(VALUE, rel=1e-6)
    assert sum(1 for c in r.constraints if c.name == "lease_limit[jet]") == 1
    # The bridge has the family's step, and the steps add up.
    steps = {b["step"]: b for b in r.extras["bridge"]}
    assert steps["leases"]["change"] == pytest.approx(-3 * VALUE)
    out = write_report(r, tmp_path / "report")
    saved = json.loads((out / "results.json").read_text())
    assert any(lv["name"] == "lease" and lv["value"] == pytest.approx(LIMIT) for lv in saved["levers"])
    assert "aircraft leased by the partner" in report_markdown(r)


def test_the_family_leaves_no_trace_when_unregistered(tmp_path):
    r = solve_instance(tiny(tmp_path))
    assert r.metric("deficit").deal == pytest.approx(10_000_000.0, rel=1e-9)
    assert not any(lv.name == "lease" for lv in r.levers)
