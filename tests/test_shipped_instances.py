"""Every shipped instance solves, verifies, and matches its stored expected outcome, to the
solve's promised precision (1e-9 relative: a regression net; the figures are derived
independently in test_independent_derivations.py and checked against GLPK and linopy)."""
import json
import math

import pytest
from expected_outcomes import UPDATE_COMMAND, expected_path, outcome, shipped

REL = 1e-9


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=REL, abs_tol=1e-6)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem, marks=() if p.stem == "toyota_2025" else pytest.mark.slow)
                                  for p in shipped()])
def test_shipped_instance_matches_expected(path):
    target = expected_path(path)
    assert target.exists(), f"no expected outcome for {path.name}: run `{UPDATE_COMMAND}` and review the new file"
    expected = json.loads(target.read_text())
    got = outcome(path)
    for key in expected:
        assert close(got[key], expected[key]), (
            f"{path.name}: '{key}' changed:\n  expected {expected[key]}\n  got      {got[key]}\n"
            f"If the change is intended, run `{UPDATE_COMMAND}` and review `git diff tests/expected`.")
