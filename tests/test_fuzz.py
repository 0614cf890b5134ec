"""Fuzzing: random mutations of a valid instance never crash the tool, never leave a partial
report, and never report a deal that fails verification."""
import copy
import json
import uuid

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import spec

from model.cli import main

EXPECTED_FILES = {"results.json", "levers.csv", "metrics.csv", "constraints.csv", "report.md", "report.html",
                  "results.xlsx", "timings.json"}
CONCESSION_FILES = {"concession_values.csv", "concession_values.svg"}     # when the run priced concessions
BASE = spec({"segments": {"car": {"partner_ceiling": {"value": 30, "unit": "vehicles", "source": "test"}}},
             "settings": {"participation": True}})


def leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield path + (k,)
            yield from leaves(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield path + (i,)
            yield from leaves(v, path + (i,))


PATHS = list(leaves(BASE))
REPLACEMENTS = [None, "text", 7, -3.5, True, [], {}, {"value": "x"}, float("inf"), 1e308]


def mutate(data, path, action, factor, replacement):
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    value = parent[last]
    if action == "drop":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif action == "retype":
        parent[last] = replacement
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[last] = value * factor if action == "scale" else -value
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), action=st.sampled_from(["drop", "retype", "scale", "flip"]),
       factor=st.sampled_from([0.0, 1e-3, 0.5, 3.0, 1e3]), replacement=st.sampled_from(REPLACEMENTS))
def test_mutated_instances_fail_clearly_or_solve_verified(tmp_path, capsys, path, action, factor, replacement):
    data = mutate(BASE, path, action, factor, replacement)
    file = tmp_path / "fuzz.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = tmp_path / f"out-{uuid.uuid4().hex}"      # hypothesis reuses tmp_path across examples
    code = main(["run", str(file), "--out", str(out)])
    text = capsys.readouterr()
    assert "Traceback" not in text.err and "internal error" not in text.err, text.err
    assert code in (0, 2, 3, 4, 5), (code, text.err)
    if code == 2:
        assert "error:" in text.err and "fuzz.yaml" in text.err
        assert not out.exists()
        return
    results = json.loads((out / "results.json").read_text())
    priced = any(r["status"] == "ok" for r in results["extras"].get("concession_values", {}).get("rows", []))
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == EXPECTED_FILES | (CONCESSION_FILES if priced else set())      # complete, never partial
    if code == 0:
        assert results["verification"]["ok"] is True
