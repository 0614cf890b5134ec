"""CI cannot pass with an independent check skipped: with REQUIRE_INDEPENDENT_CHECKS=1 (which
.ci/run sets) a skip of a test marked glpk, linopy or browser fails the run; without it the
skip is listed with its reason (-rs). And .ci/run fails on an apt failure instead of warning."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # runs pytest in a subprocess

SAMPLE = '''
import pytest

@pytest.mark.glpk
@pytest.mark.skipif(True, reason="glpsol not found here")
def test_needs_glpk():
    pass

def test_plain():
    pass
'''


def _pytest(folder: Path, required: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REQUIRE_INDEPENDENT_CHECKS"}
    if required:
        env["REQUIRE_INDEPENDENT_CHECKS"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(folder)],
                          cwd=folder, env=env, capture_output=True, text=True)


def test_a_skipped_independent_check_fails_when_required(tmp_path):
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    relaxed = _pytest(tmp_path, required=False)
    assert relaxed.returncode == 0, relaxed.stdout
    assert "SKIPPED" in relaxed.stdout and "glpsol not found here" in relaxed.stdout
    strict = _pytest(tmp_path, required=True)
    assert strict.returncode == 1, strict.stdout
    assert "REQUIRE_INDEPENDENT_CHECKS=1 makes that a failure" in strict.stdout
    assert "glpsol not found here" in strict.stdout


def test_ci_script_requires_the_independent_checks():
    text = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in text and "export REQUIRE_INDEPENDENT_CHECKS=1" in text
    assert "apt-get install -y -qq glpk-utils chromium chromium-driver" in text
    assert "warning" not in text.lower() and "|| true" not in text
    assert text.index("make test") < text.index("make mutants")
