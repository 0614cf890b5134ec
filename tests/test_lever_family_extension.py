"""A lever family added from outside the package (tests/pledge_family.py, one module) gets a
section of the instance file, a `fixed_levers` entry, a metric of its own that a red line
names, its own row and check, a phrase, and sweeps over its fields; no generic module knows
its name.

Hand-worked case: the tiny instance's optimum keeps 20% on cars and trucks (deficit
8,333,333.33 + 1,666,666.67 = 10,000,000). The partner may pledge up to USD 8 M of home
investment at a political cost of 10 cents per dollar, which its payoff counts (weight -1);
home's red line asks for at least USD 5 M pledged. A pledge moves no goods, so the deficit
stays 10,000,000, and the second stage (the partner's best payoff at that deficit) pledges
exactly the 5 M the red line asks: political cost 0.1 x 5 M = 500,000.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pledge_family import METRIC, PLEDGES
from tiny import q, tiny

from model.analyses.sweep import Plan, run_sweep
from model.data.format_doc import render
from model.data.levers import register_lever_family, unregister_lever_family
from model.data.schema import doc_link, instance_spec
from model.data.uncertainty import with_values
from model.errors import InstanceErrors
from model.reporting.markdown import report_markdown
from model.reporting.report_files import write_report
from model.run import solve_instance

TESTS = Path(__file__).resolve().parent
PLEDGE_FILE = {
    "investment_pledges": {"plants": {"label": "new plants", "cap": q(8, "USD million"),
                                      "political_cost": q(10, "%")}},
    "red_lines": {"home_investment": {"party": "home", "label": "at least $5 M of pledged investment",
                                      "reason": "jobs in the home country", "metric": METRIC, "sense": ">=",
                                      "bound": q(5, "USD million")}},
    "payoffs": {"partner": {"partner_political_cost": q(-1, "1")}},
}


@pytest.fixture
def pledges():
    register_lever_family(PLEDGES)
    yield PLEDGES
    unregister_lever_family(PLEDGES.name)


def test_the_family_flows_through_file_model_verification_and_report(tmp_path, pledges):
    inst = tiny(tmp_path, PLEDGE_FILE)
    assert inst.investment_pledges["plants"].cap == 8e6 and inst.investment_pledges["plants"].political_cost == 0.1
    r = solve_instance(inst)
    assert r.status == "optimal" and r.verification.ok
    assert r.metric("deficit").deal == pytest.approx(10_000_000.0, rel=1e-9)
    assert r.metric(METRIC).deal == pytest.approx(5e6, rel=1e-9)                  # its own metric
    assert r.metric("partner_political_cost").deal == pytest.approx(5e5, rel=1e-9)
    assert r.metric(METRIC).label == "home investment the partner pledges"
    lever = next(lv for lv in r.levers if lv.name == "pledge")
    assert (lever.index, lever.value, lever.unit, lever.party) == ("plants", pytest.approx(5e6), "USD", "partner")
    rows = {c.name: c for c in r.constraints}
    # The red line on the family's metric holds with equality; the family's own row and check ran.
    red = rows["red_line[home_investment]"]
    assert (red.lhs, red.rhs) == (pytest.approx(5e6), pytest.approx(5e6))
    cap = rows["pledge_cap[plants]"]
    assert (cap.lhs, cap.rhs, cap.kind) == (pytest.approx(5e6), 8e6, "capacity")
    out = write_report(r, tmp_path / "report")
    saved = json.loads((out / "results.json").read_text())
    assert any(lv["name"] == "pledge" and lv["value"] == pytest.approx(5e6) for lv in saved["levers"])
    assert "pledges $5.0 M of investment in Home a year (new plants)" in report_markdown(r)


def test_fixed_levers_set_the_family_s_levers(tmp_path, pledges):
    inst = tiny(tmp_path, {**PLEDGE_FILE, "fixed_levers": {"investment_pledge": {"plants": q(6, "USD million")}}})
    assert inst.fixed.values("pledges") == {"plants": 6e6}
    r = solve_instance(inst)
    assert r.status == "optimal" and r.verification.ok
    lever = next(lv for lv in r.levers if lv.name == "pledge")
    assert lever.fixed and lever.value == pytest.approx(6e6)
    assert r.metric("partner_political_cost").deal == pytest.approx(6e5, rel=1e-9)
    assert next(c for c in r.constraints if c.name == "fixed_lever[investment_pledge.plants]").lhs == pytest.approx(6e6)
    with pytest.raises(InstanceErrors, match="unknown investment pledge 'plant'"):
        tiny(tmp_path, {**PLEDGE_FILE, "fixed_levers": {"investment_pledge": {"plant": q(6, "USD million")}}})


def test_a_sweep_over_the_family_s_field_re_solves_the_one_model(tmp_path, pledges):
    """`sweep --param investment_pledges.plants.political_cost=10,20` (%): the pledge stays 5 M,
    so the partner's payoff falls by (0.2 - 0.1) x 5 M = 500,000 between the two draws."""
    inst = tiny(tmp_path, PLEDGE_FILE)
    changed = with_values(inst, {"investment_pledges.plants.political_cost": 0.2})
    assert changed.investment_pledges["plants"].political_cost == 0.2 and changed.segments == inst.segments
    result = run_sweep(inst, Plan(params=(("investment_pledges.plants.political_cost", (10.0, 20.0)),)), progress=False)
    low, high = result.rows
    assert all(row["status"] == "optimal" and row["verified"] and row["method"] == "re-solve" for row in result.rows)
    assert low["levers"]["pledge.plants"] == pytest.approx(5e6) and high["levers"]["pledge.plants"] == pytest.approx(5e6)
    assert high["metrics"]["partner_payoff"] - low["metrics"]["partner_payoff"] == pytest.approx(-5e5, rel=1e-6)


def test_the_format_and_its_document_include_the_family_while_registered(tmp_path, pledges):
    assert "investment_pledges" in instance_spec().model_fields
    assert doc_link("investment_pledges.plants.cap") == "docs/instance-format.md#investment_pledges"
    text = render()
    assert "## investment_pledges" in text and "| `political_cost` | The partner's political cost per dollar" in text
    assert f"| `{METRIC}` | home investment the partner pledges | USD |" in text


def test_the_family_leaves_no_trace_when_unregistered(tmp_path):
    r = solve_instance(tiny(tmp_path))
    assert not any(lv.name == "pledge" for lv in r.levers)
    with pytest.raises(InstanceErrors, match="unknown field 'investment_pledges'"):
        tiny(tmp_path, {"investment_pledges": PLEDGE_FILE["investment_pledges"]})
    assert "investment_pledges" not in instance_spec().model_fields and "## investment_pledges" not in render()


def test_the_family_module_imports_nothing_above_the_data_layer():
    """Imported alone in a fresh interpreter: no economics, optimization, analyses or report
    module comes with it (so it cannot close an import circle through them)."""
    code = (f"import json, sys; sys.path.insert(0, {str(TESTS)!r}); import pledge_family; "
            "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules if m.startswith('model.')})))")
    layers = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert set(layers) <= {"data", "errors"}, layers
