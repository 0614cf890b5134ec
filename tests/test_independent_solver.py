"""An independent solver agrees: GLPK's glpsol on the exported LP, on every shipped instance.

`--export-lp` writes the first-stage (deficit-minimizing) model; its objective is the deal
deficit in USD million. glpsol solves it to a zero MIP gap; its solution file (`-w`) gives
the objective to 15 significant figures.
- An instance with a deal: HiGHS's stage one reaches GLPK's optimum to the gap the solve
  promises (MIP_REL_GAP, 1e-9 relative, for models of this size), and the reported deal
  (after the second stage and the polish) is within that gap plus the lexicographic
  tolerance above it, and never below it by more than the gap: a deal better than the
  optimum would be a wrong deal.
- An instance without a deal: GLPK finds it integer-empty (no primal feasible solution).
"""
import re
import shutil
import subprocess

import pytest
from expected_outcomes import shipped

from model.economics.loading import load
from model.optimization.highs import MIP_REL_GAP
from model.run import solve_instance

GLPSOL = shutil.which("glpsol")
pytestmark = [pytest.mark.glpk, pytest.mark.skipif(
    GLPSOL is None, reason="glpsol not found: install Debian's glpk-utils (.ci/run does)")]


def glpk(lp, tmp_path) -> tuple[str, float | None]:
    """(status line of the solution file, objective or None) of glpsol on `lp`."""
    sol, log = tmp_path / "glpk.sol", tmp_path / "glpk.log"
    proc = subprocess.run([GLPSOL, "--lp", str(lp), "-w", str(sol), "--log", str(log)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    text = sol.read_text()
    status = re.search(r"^c Status:\s+(.+)$", text, re.M).group(1).strip()
    # 's mip ROWS COLS STATUS OBJ' (o: optimal) or, for an LP, 's bas ROWS COLS PRIMAL DUAL OBJ' (f: feasible)
    head = re.search(r"^s (mip|bas) \d+ \d+ (\w)(?: \w)? (\S+)$", text, re.M)
    return status, (float(head.group(3)) if head.group(2) in "of" else None)


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_glpk_reaches_the_same_optimum(tmp_path, path):
    lp = tmp_path / "model.lp"
    inst = load(path)
    r = solve_instance(inst, export_lp=lp, concessions=False)
    status, objective = glpk(lp, tmp_path)
    if r.status == "infeasible":
        assert status == "INTEGER EMPTY" and objective is None, (status, objective)
        assert "LP HAS NO PRIMAL FEASIBLE SOLUTION" in (tmp_path / "glpk.log").read_text()
        return
    assert r.status == "optimal" and status in ("INTEGER OPTIMAL", "OPTIMAL"), (r.status, status)
    optimum = objective * 1e6
    assert r.stages.stage_one_deficit == pytest.approx(optimum, rel=MIP_REL_GAP)
    # Over a horizon the objective is the metric's present value (the metric's own row is the last year's).
    reported = r.objective.value if r.over_time is not None else r.metric(inst.settings.objective_metric).deal
    above = MIP_REL_GAP + inst.settings.lexicographic_tolerance
    assert optimum - MIP_REL_GAP * abs(optimum) <= reported <= optimum + above * abs(optimum), (reported, optimum)
    assert r.verification.ok
