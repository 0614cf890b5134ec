"""Sweeps: determinism whatever the parallelism, every draw verified, quantiles, re-solve = rebuild.

The constructed case (tiny instance, see tests/tiny.py): cars M0 imports at $10,000 and
trucks 100 at $20,000, elasticity -1, full pass-through, tariff menu {0%, 10%, 20%}, the
dealer channel blocked by a buyers' ceiling of 0, participation off. Minimizing the
deficit picks 20% on both (every lever's only effect is to cut imports), so imports are
M0 / 1.2 and 100 / 1.2 at unchanged customs values:

    deficit(M0) = M0 / 1.2 * 10,000 + 100 / 1.2 * 20,000 = 8,333.33 M0 + 1,666,666.67

Sweeping M0 over 600, 1200, 1800, 2400, 3000 gives deficits 6,666,666.67, 11,666,666.67,
16,666,666.67, 21,666,666.67 and 26,666,666.67 (steps of 5,000,000). Quantiles by linear
interpolation at position q (n - 1) = 4q: 5% -> 6,666,666.67 + 0.2 * 5,000,000 =
7,666,666.67; 25% -> 11,666,666.67; median 16,666,666.67; 75% -> 21,666,666.67; 95% ->
21,666,666.67 + 0.8 * 5,000,000 = 25,666,666.67; mean 16,666,666.67.
"""
from __future__ import annotations

import pytest
from tiny import q, tiny

from model.analyses.sweep import Plan, draw_inputs, run_sweep
from model.analyses.sweep_summary import quantiles, sweep_csv
from model.cli import main
from model.data.uncertainty import Uncertain, with_values
from model.economics.loading import load
from model.optimization.handle import NegotiationModel
from model.optimization.resolve import Resolver
from model.run import solve_instance

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
TOYOTA = ROOT / "instances" / "smart_defaults.yaml"

def uncertain_tiny(tmp_path):
    """Tiny instance with three uncertain inputs (one of each distribution)."""
    return tiny(tmp_path, {"uncertainty": {
        "segments.car.elasticity": {"distribution": "triangular", "low": q(-2, "1"), "high": q(-0.5, "1")},
        "segments.truck.imports": {"distribution": "normal", "sd": q(20, "vehicles"), "low": q(50, "vehicles"),
                                   "high": q(150, "vehicles")},
        "segments.car.import_price": {"distribution": "uniform", "low": q(8000, "USD/vehicle"),
                                      "high": q(12000, "USD/vehicle")}}})


def test_constructed_quantiles(tmp_path):
    """The grid sweep of car imports gives the deficits and quantiles worked out above."""
    inst = tiny(tmp_path)
    plan = Plan(params=(("segments.car.imports", (600, 1200, 1800, 2400, 3000)),))
    result = run_sweep(inst, plan, progress=False)
    deficits = [r["metrics"]["deficit"] for r in result.rows]
    expected = [m0 / 1.2 * 10_000 + 100 / 1.2 * 20_000 for m0 in (600, 1200, 1800, 2400, 3000)]
    assert deficits == pytest.approx(expected, rel=1e-9)
    qs = result.summary.quantiles["deficit"]
    assert qs.q05 == pytest.approx(7_666_666.6667, rel=1e-9)
    assert qs.q25 == pytest.approx(11_666_666.6667, rel=1e-9)
    assert qs.q50 == pytest.approx(16_666_666.6667, rel=1e-9)
    assert qs.q75 == pytest.approx(21_666_666.6667, rel=1e-9)
    assert qs.q95 == pytest.approx(25_666_666.6667, rel=1e-9)
    assert qs.mean == pytest.approx(16_666_666.6667, rel=1e-9)
    # Every draw chose 20% on both segments: each option's share is 1.
    shares = {(x.lever, x.choice): x.share for x in result.summary.levers}
    assert shares[("tariff.car", "flat_20")] == 1.0 and shares[("tariff.truck", "flat_20")] == 1.0
    assert [g.deficit.q50 for g in result.summary.by_grid_point] == pytest.approx(expected, rel=1e-9)


def test_quantiles_of_one_to_101():
    """Type-7 quantiles of 1..101: position q * 100, so the q-quantile is 1 + 100 q."""
    qs = quantiles([float(v) for v in range(101, 0, -1)])
    assert (qs["q05"], qs["q25"], qs["q50"], qs["q75"], qs["q95"]) == (6.0, 26.0, 51.0, 76.0, 96.0)
    assert (qs["min"], qs["max"], qs["mean"]) == (1.0, 101.0, 51.0)


@pytest.mark.slow
def test_same_seed_same_csv_with_local_dask_cluster(tmp_path):
    """Serial, and on a 2-worker local Dask cluster reached through its scheduler address:
    byte-identical sweep.csv; every draw verified."""
    from dask.distributed import LocalCluster
    inst = uncertain_tiny(tmp_path)
    plan = Plan(params=(("segments.truck.import_price", (15000, 25000)),), samples=12, seed=7)
    serial = run_sweep(inst, plan, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        distributed = run_sweep(inst, plan, scheduler=cluster.scheduler_address, progress=False)
    assert len(serial.rows) == 24
    assert sweep_csv(serial) == sweep_csv(distributed)
    assert all(r["verified"] and r["status"] == "optimal" for r in serial.rows)
    assert serial.summary.verified == 24 and serial.summary.max_violation <= 1e-6
    assert "Dask" in distributed.engine
    # A different seed draws different inputs.
    other = run_sweep(inst, Plan(params=plan.params, samples=12, seed=8), progress=False)
    assert sweep_csv(other) != sweep_csv(serial)


def test_draws_stay_in_bounds_and_share_samples_across_grid(tmp_path):
    """Each input lies within its declared bounds; grid points see the same samples."""
    inst = uncertain_tiny(tmp_path)
    plan = Plan(params=(("segments.truck.import_price", (15000, 25000)),), samples=50, seed=3)
    first = [draw_inputs(inst, plan, i) for i in range(50)]
    second = [draw_inputs(inst, plan, 50 + i) for i in range(50)]
    for a, b in zip(first, second):
        assert {k: v for k, v in a.items() if k != "segments.truck.import_price"} == \
               {k: v for k, v in b.items() if k != "segments.truck.import_price"}
        assert (a["segments.truck.import_price"], b["segments.truck.import_price"]) == (15000, 25000)
        assert -2 <= a["segments.car.elasticity"] <= -0.5
        assert 50 <= a["segments.truck.imports"] <= 150
        assert 8000 <= a["segments.car.import_price"] <= 12000


def test_inverse_cdfs_by_hand():
    """uniform(2, 4) at u = 0.25 is 2.5; triangular(0, 1, 2) at u = 0.5 is its mode 1 and
    at u = 0.125 is sqrt(0.125 * 2 * 1) = 0.5; a normal(10, 2) truncated symmetrically to
    [6, 14] has median 10, and its 0.8413 point (one sd above, untruncated) lies inside."""
    assert Uncertain("p", "uniform", 2, 4, 3).draw(0.25) == 2.5
    tri = Uncertain("p", "triangular", 0, 2, 1)
    assert tri.draw(0.5) == pytest.approx(1.0) and tri.draw(0.125) == pytest.approx(0.5)
    normal = Uncertain("p", "normal", 6, 14, 10, 2)
    assert normal.draw(0.5) == pytest.approx(10.0)
    assert 10 < normal.draw(0.8413) < 14 and normal.draw(0.0) == pytest.approx(6.0) and normal.draw(0.999999) <= 14


@pytest.mark.slow
def test_resolve_matches_rebuild_on_toyota():
    """Re-solving the built model with other numbers gives what a fresh build and solve give."""
    inst = load(TOYOTA)
    resolver = Resolver(NegotiationModel(inst))
    assert resolver.method == "re-solve", resolver.reason
    for values in ({"segments.suv.elasticity": -0.9}, {"segments.suv.partner_ceiling": 35000.0,
                                                       "channels.toyota_dealers.capacity": 5000.0},
                   {"red_lines.japan_production_loss.bound": 140000.0}):
        variant = with_values(inst, values)
        draw = resolver.solve(variant)
        fresh = solve_instance(variant)
        assert draw.status == fresh.status == "optimal" and draw.verified
        assert draw.metrics["deficit"] == pytest.approx(fresh.metric("deficit").deal, rel=1e-9)
        assert draw.metrics["partner_payoff"] == pytest.approx(fresh.metric("partner_payoff").deal, rel=1e-6)
        chosen = {lv.index: lv.choice for lv in fresh.levers if lv.name == "tariff"}
        assert {line: variant.line_option(line, o).label for line, o in draw.deal.values("tariff").items()} == chosen


def test_fallback_rebuilds_and_says_so(tmp_path):
    """A draw that breaks a row with no variables (exports above the buyers' ceiling on a
    segment no channel serves) is solved by rebuilding: infeasible, as the built model says."""
    inst = tiny(tmp_path, {"channels": None, "segments": {"truck": {"exports": q(10, "vehicles"),
                                                                  "partner_ceiling": q(20, "vehicles")}}})
    resolver = Resolver(NegotiationModel(inst))
    assert resolver.method == "re-solve"
    draw = resolver.solve(with_values(inst, {"segments.truck.partner_ceiling": 5.0}))
    assert draw.method == "rebuild" and draw.status == "infeasible"
    assert resolver.solve(inst).method == "re-solve"


def test_uncertainty_errors_name_the_field(tmp_path):
    from model.errors import InstanceErrors
    bad = {"uncertainty": {
        "segments.car.elasticty": {"distribution": "uniform", "low": q(-2, "1"), "high": q(-1, "1")},
        "segments.car.elasticity": {"distribution": "uniform", "low": q(-1, "1"), "high": q(0.5, "1")},
        "segments.truck.imports": {"distribution": "normal", "low": q(1, "vehicles"), "high": q(2, "USD")}}}
    with pytest.raises(InstanceErrors) as err:
        tiny(tmp_path, bad)
    text = str(err.value)
    assert "did you mean 'segments.car.elasticity'" in text
    assert "uncertainty.segments.car.elasticity.high" in text and "below 0" in text
    assert "unit 'USD' differs" in text and "needs a positive 'sd'" in text


@pytest.mark.slow
def test_cli_sweep_writes_outputs_and_rejects_bad_params(tmp_path, capsys):
    path = tmp_path / "mc.yaml"
    uncertain_tiny(tmp_path)
    (tmp_path / "tiny.yaml").rename(path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--monte-carlo", "5", "--seed", "1", "--out", str(out)]) == 0
    for f in ("sweep.csv", "sweep_summary.json", "sweep.svg", "report.md", "results.json"):
        assert (out / f).is_file()
    assert "## Robustness: 5 draws" in (out / "report.md").read_text()
    assert len((out / "sweep.csv").read_text().splitlines()) == 6
    assert main(["sweep", str(path), "--param", "segments.car.imports=abc"]) == 2
    assert main(["sweep", str(path), "--param", "segments.car.elasticity=0.5"]) == 2
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert "must be numbers" in err and "outside the field's range" in err and "nothing to sweep" in err


def test_unlimited_capacity_has_no_row_and_is_still_re_solved(tmp_path):
    """An 'unlimited' channel capacity adds no row to the model; the restated rows agree."""
    inst = tiny(tmp_path, {"channels": {"dealers": {"capacity": "unlimited"}},
                           "segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    resolver = Resolver(NegotiationModel(inst))
    assert resolver.method == "re-solve", resolver.reason
    draw = resolver.solve(with_values(inst, {"segments.car.partner_ceiling": 40.0}))
    assert draw.method == "re-solve" and draw.verified
    # Ceiling 40, capacity unlimited: the partner can commit up to 40 cars through its dealers.
    assert draw.deal.values("commitments")[("dealers", "car")] <= 40 + 1e-6


@pytest.mark.parametrize("address, why", [
    ("nonsense://nowhere", "'nonsense://' is not a scheme Dask connects with"),
    ("", "an empty address"), ("   ", "an empty address"),
    ("tcp://host:99999", "the port must be 1 to 65535"),
    ("tcp://exa mple:8786", "is not a scheduler address"), ("http//x", "is not a scheduler address")])
def test_scheduler_address_is_checked_by_form_before_anything(tmp_path, capsys, monkeypatch, address, why):
    """A malformed --scheduler is exit 2 before the instance is read or solved (it used to
    fail after the base solve; an empty one silently ran on this machine). Addresses that are
    well formed but unreachable: test_network_timeouts.py."""
    import model.run
    monkeypatch.setattr(model.run, "solve_instance", lambda *a, **k: pytest.fail("solved before checking"))
    out = tmp_path / "out"
    code = main(["sweep", str(tmp_path / "absent.yaml"), "--monte-carlo", "3", "--scheduler", address,
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and why in err and "Traceback" not in err, err
    assert "file not found" not in err and not out.exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tls://sched.example.org:8786", "10.0.0.5:8786",
                                     "tcp://[::1]:8786", "scheduler"])
def test_well_formed_scheduler_addresses_pass_the_form_check(address):
    from model.cli import _scheduler
    assert _scheduler(address) == address


@pytest.mark.slow
def test_workers_2_processes_give_the_serial_csv(tmp_path):
    """`--workers 2` (a local cluster of two worker processes) writes the serial sweep.csv."""
    path = tmp_path / "mc.yaml"
    uncertain_tiny(tmp_path)
    (tmp_path / "tiny.yaml").rename(path)
    args = ["sweep", str(path), "--monte-carlo", "16", "--seed", "3"]
    assert main(args + ["--out", str(tmp_path / "serial")]) == 0
    assert main(args + ["--workers", "2", "--out", str(tmp_path / "two")]) == 0
    serial = (tmp_path / "serial" / "sweep.csv").read_bytes()
    assert serial == (tmp_path / "two" / "sweep.csv").read_bytes()
    assert len(serial.splitlines()) == 17
