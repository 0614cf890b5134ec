"""Hand-written mutants: bugs the suite must catch (`make mutants`; CI runs it after `make test`).

Each mutant changes one line of the package in a copy of the repository and runs the tests
named beside it there; the mutant is killed when those tests fail. A mutant that survives
means a promise no test guards any more: the script lists it and exits 1.

    .venv/bin/python tests/mutants.py            # every mutant
    .venv/bin/python tests/mutants.py NAME ...    # some of them
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("model", "tests", "instances", "benchmarks", "solve.py", "pyproject.toml")


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


CHECKS = ("tests/test_checks_fail.py",)
MUTANTS = [
    Mutant("max_violation always 0", "model/economics/checks.py",
           "return max((c.relative_violation for c in checks), default=0.0)", "return 0.0", CHECKS),
    Mutant("VIOLATION_TOLERANCE 50x looser", "model/economics/checks.py",
           "VIOLATION_TOLERANCE = 1e-6", "VIOLATION_TOLERANCE = 5e-5", CHECKS),
    Mutant("tie-break tolerance 50x looser", "model/optimization/handle.py",
           "return self.inst.settings.lexicographic_tolerance * max(1.0, abs(value))",
           "return 50 * self.inst.settings.lexicographic_tolerance * max(1.0, abs(value))",
           ("tests/test_small_optima.py",)),
    Mutant("deficit adds the purchases (sign flip)", "model/economics/metrics.py",
           'v["deficit"] = v["sector_deficit"] - v["purchases_value"]',
           'v["deficit"] = v["sector_deficit"] + v["purchases_value"]', ("tests/test_independent_derivations.py",)),
    Mutant("exporters' surplus adds the quota rent (sign flip)", "model/economics/metrics.py",
           'v["partner_export_margin"] - v["partner_quota_rent"] - base["export_margin"]',
           'v["partner_export_margin"] + v["partner_quota_rent"] - base["export_margin"]',
           ("tests/test_independent_derivations.py",)),
    Mutant("dealers' margin dropped from the metrics", "model/data/families/commitment.py",
           '"dealer_margin": sum(x * inst.channels[c].dealer_margin', '"dealer_margin": 0 * sum(x * inst.channels[c].dealer_margin',
           ("tests/test_independent_derivations.py",)),
    Mutant("buyer ceiling checks dropped", "model/economics/checks.py",
           "    for s, seg in inst.segments.items():\n        sold = seg.exports",
           "    for s, seg in {}.items():\n        sold = seg.exports", CHECKS),
    Mutant("participation checks dropped", "model/economics/checks.py",
           "    if inst.settings.participation:\n        for p in", "    if False:\n        for p in", CHECKS),
    Mutant("integrality check always 0", "model/economics/checks.py",
           "worst = max((abs(v - round(v))", "worst = 0 * max((abs(v - round(v))", CHECKS),
    Mutant("fixed option check always met", "model/economics/checks.py",
           "1.0 if got.get(key) == fixed else 0.0", "1.0", CHECKS),
    Mutant("relative red line ignores its reference", "model/economics/metrics.py",
           "return line.bound * ref[line.metric]", "return line.bound", ("tests/test_small_optima.py",)),
    Mutant("Cobb-Douglas index as an arithmetic mean", "model/economics/nests.py",
           "return math.exp(sum(w * math.log(r) for w, r in zip(weights, ratios))), list(weights)",
           "return sum(w * r for w, r in zip(weights, ratios)), list(weights)",
           ("tests/test_independent_derivations.py",)),
    Mutant("no repair after the solve", "model/optimization/handle.py",
           "if off <= EXACT and not self._noise(x).size and self.num_columns > LARGE_MODEL_VARIABLES:",
           "if True:",
           ("tests/test_independent_solver.py", "tests/test_brute_force.py")),
    Mutant("a solution failing the check is reported as a deal", "model/run/solve.py",
           "if violation > VIOLATION_TOLERANCE:      # a solution that fails the check",
           "if False:      # a solution that fails the check", CHECKS),
]


def run(mutant: Mutant) -> tuple[str, float, str]:
    """('killed' | 'SURVIVED' | 'not applied', seconds, the tests' last line)."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        copy = Path(tmp)
        for name in COPIED:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, copy / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
            else:
                shutil.copy2(src, copy / name)
        target = copy / mutant.file
        text = target.read_text()
        if text.count(mutant.old) != 1:
            return "not applied", 0.0, f"the line to change was found {text.count(mutant.old)} times"
        target.write_text(text.replace(mutant.old, mutant.new))
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider",
                               *mutant.tests], cwd=copy, env=env, capture_output=True, text=True)
        lines = proc.stdout.strip().splitlines() or [""]
        last = next((ln for ln in lines if ln.startswith("FAILED")), lines[-1])[:160]
        if f"{copy}/model" not in subprocess.run(
                [sys.executable, "-c", "import model; print(model.__file__)"], cwd=copy, env=env,
                capture_output=True, text=True).stdout:
            return "not applied", 0.0, "the copy's package was not the one imported"
        status = "killed" if proc.returncode == 1 else ("SURVIVED" if proc.returncode == 0 else "not applied")
        return status, time.perf_counter() - start, last


def main(names: list[str]) -> int:
    chosen = [m for m in MUTANTS if not names or m.name in names]
    outcomes = []
    for m in chosen:
        status, seconds, last = run(m)
        outcomes.append(status)
        print(f"{status:11s} {seconds:6.1f} s  {m.name}  [{' '.join(m.tests)}]  {last}", flush=True)
    killed = outcomes.count("killed")
    print(f"mutation score: {killed}/{len(chosen)} killed")
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
