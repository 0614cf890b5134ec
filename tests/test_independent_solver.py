"""An independent solver agrees: GLPK's glpsol reaches HiGHS's optimum on the exported LP.

`--export-lp` writes the first-stage (deficit-minimizing) model; its objective is the
deal deficit in USD million. For every shipped instance, GLPK's optimum must equal the
deficit HiGHS reports to 1e-6 relative.
"""
import re
import shutil
import subprocess

import pytest
from expected_outcomes import shipped

from model.economics.loading import load
from model.run import solve_instance

GLPSOL = shutil.which("glpsol")


@pytest.mark.skipif(GLPSOL is None, reason="glpsol not found: install Debian's glpk-utils (.ci/run does)")
@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_glpk_reaches_the_same_optimum(tmp_path, path):
    lp = tmp_path / "model.lp"
    r = solve_instance(load(path), export_lp=lp)
    if r.status != "optimal":
        pytest.skip(f"{path.name} has no optimal deal ({r.status}); nothing to compare")
    out = tmp_path / "glpk.txt"
    proc = subprocess.run([GLPSOL, "--lp", str(lp), "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
    text = out.read_text()
    assert re.search(r"Status:\s+INTEGER OPTIMAL|Status:\s+OPTIMAL", text), text[:500]
    glpk = float(re.search(r"Objective:\s+\S+ = (\S+)", text).group(1))
    assert glpk * 1e6 == pytest.approx(r.metric("deficit").deal, rel=1e-6)
