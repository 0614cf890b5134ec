"""Expected outcomes of the shipped instances, stored in tests/expected/<name>.json.

    make expected        # or: .venv/bin/python tests/expected_outcomes.py [instances/x.yaml ...]

re-solves the instances and rewrites their expected files, printing what changed. Run it
only when a change to the model or an instance is intended, and read the diff
(`git diff tests/expected`) before committing: the files are small on purpose.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.economics.loading import load  # noqa: E402
from model.run import solve_instance  # noqa: E402

EXPECTED_DIR = ROOT / "tests" / "expected"
UPDATE_COMMAND = "make expected"


def outcome(path: Path) -> dict:
    """The facts a change should not move silently: status, deficits, objective, levers."""
    r = solve_instance(load(path))
    d = r.metric("deficit")
    return {
        "instance": path.name,
        "status": r.status,
        "deficit": {"baseline": d.baseline, "no_deal": d.no_deal, "deal": d.deal},
        "objective": r.objective.value,
        "tariff_options": {lv.index: lv.choice for lv in r.levers if lv.name == "tariff"},
        # Levers of at least one unit (a vehicle, a tonne, an aircraft, an NTB relief): smaller
        # values are slack the lexicographic tolerance allows, not part of the deal.
        "levers": {f"{lv.name}[{lv.index}]": lv.value for lv in r.levers
                   if lv.name != "tariff" and abs(lv.value) >= 1},
    }


def expected_path(instance: Path) -> Path:
    return EXPECTED_DIR / f"{instance.stem}.json"


def shipped() -> list[Path]:
    return sorted((ROOT / "instances").glob("*.yaml"))


def one_year_shipped() -> list[Path]:
    """The shipped instances of one year (without `horizon:`; each shipped horizon states its own):
    for the checks of the one-year machinery that a horizon does not have yet (tests/test_over_time.py
    covers the horizon ones)."""
    return [p for p in shipped() if "\nhorizon:" not in p.read_text(encoding="utf-8")]


def main(argv: list[str]) -> int:
    EXPECTED_DIR.mkdir(exist_ok=True)
    for path in [Path(a) for a in argv] or shipped():
        new = outcome(path)
        target = expected_path(path)
        old = json.loads(target.read_text()) if target.exists() else None
        target.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n")
        print(f"{path.name}: {'unchanged' if old == new else ('created' if old is None else 'UPDATED')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
