"""Faults: time limits, unbounded models, missing HiGHS, hostile files, determinism."""
import subprocess
import sys
from pathlib import Path

import pytest
from tiny import q, write

from model.cli import main
from model.optimization.highs import SolveOutcome

pytestmark = pytest.mark.slow  # subprocesses

ROOT = Path(__file__).resolve().parent.parent


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A 400-line synthetic negotiation: HiGHS needs a few seconds for it."""
    from model.data.generate import Size, write_instance
    return write_instance(Size(segments=400, options=12, channels=10), tmp_path_factory.mktemp("gen"))


def test_time_limit_before_any_deal(generated, tmp_path, capsys):
    code, text = cli(capsys, "run", str(generated), "--time-limit", "0.01", "--out", str(tmp_path / "o"))
    assert code == 5
    assert "time_limit" in text and "before any deal was found" in text
    assert (tmp_path / "o" / "report.md").exists()


def test_time_limit_with_a_deal_reports_it_verified_with_its_gap(tmp_path, capsys, monkeypatch):
    """Stop the solver as a time limit would, after it found a deal but before proving it
    optimal (a real time limit on this machine may or may not find one first): the first MIP
    run ends 'time_limit' with its solution; the repair's LPs run as usual."""
    from model.optimization import handle
    real, calls = handle.run, []

    def stopped(h, time_limit=None):
        out = real(h, time_limit)
        calls.append(out.status)
        if len(calls) > 1:
            return out
        return SolveOutcome("time_limit", out.objective, out.bound, 0.0123, "time limit reached", True, out.x)
    monkeypatch.setattr(handle, "run", stopped)
    code, text = cli(capsys, "run", str(write(tmp_path)), "--time-limit", "5", "--out", str(tmp_path / "o"))
    assert code == 5
    assert "best deal found, within 1.23% of optimal" in text
    assert "verification: max violation" in text and "(ok)" in text


def test_unbounded_model_names_the_unbounded_lever(tmp_path, capsys):
    path = write(tmp_path, {"goods": {"lng": {"label": "US LNG", "unit": "tonne", "unit_value": q(500, "USD/tonne"),
                                              "max_units": "unlimited", "political_cost": q(0, "USD/tonne")}}})
    code, text = cli(capsys, "run", str(path), "--out", str(tmp_path / "o"))
    assert code == 4
    assert "US LNG (goods.lng.max_units: unlimited)" in text


def test_unlimited_capacity_that_other_constraints_bound_still_solves(tmp_path, capsys):
    """An unlimited channel is still limited by buyers' ceiling (30): deficit 10,000,000 - 300,000."""
    path = write(tmp_path, {"channels": {"dealers": {"capacity": "unlimited"}},
                            "segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    from model.economics.loading import load
    from model.run import solve_instance
    r = solve_instance(load(path))
    assert r.status == "optimal" and r.metric("deficit").deal == pytest.approx(1e7 - 300_000)


def test_missing_highs_is_a_clear_error(tmp_path, capsys, monkeypatch):
    from model.errors import SolverUnavailable
    from model.optimization import highs

    def missing():
        raise SolverUnavailable("HiGHS is not available: install the 'highspy' package (pip install highspy)")
    monkeypatch.setattr(highs, "load_highspy", missing)
    code, text = cli(capsys, "run", str(write(tmp_path)), "--out", str(tmp_path / "o"))
    assert code == 6 and "HiGHS is not available" in text and "Traceback" not in text
    assert not (tmp_path / "o").exists()


def test_alias_bomb_is_refused(tmp_path, capsys):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    code, text = cli(capsys, "validate", str(path))
    assert code == 2 and ("alias" in text or "YAML nodes" in text)


def test_oversized_file_is_refused(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text("# " + "x" * 6_000_000 + "\n")
    code, text = cli(capsys, "validate", str(path))
    assert code == 2 and "limited to" in text


def test_results_json_identical_across_processes(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"o{k}"
        subprocess.run([sys.executable, str(ROOT / "solve.py"), "run", str(ROOT / "instances" / "smart_defaults.yaml"),
                        "--out", str(out)], check=True, capture_output=True)
        outs.append((out / "results.json").read_bytes())
    assert outs[0] == outs[1]
