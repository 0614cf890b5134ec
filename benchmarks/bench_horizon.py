"""A ten-year horizon against one year: the model's build and solve, in one process.

Each ten-year instance (default: the sourced default over time, `instances/toyota_2025_over_time.yaml`,
and the July 2025 framework over time, `instances/july_2025_over_time.yaml`) is timed against its own
first year as a one-year instance (the same data, no horizon), so that like is compared with
like: option tables and references, the Pyomo build, the load into HiGHS and the solve (both
stages and the repair). Whole commands (`solve.py run`, with their analyses and reports) are
timed from outside with `farm-bench` (docs/performance.md).

    .venv/bin/python benchmarks/bench_horizon.py [--instance instances/x.yaml ...] [--repeat 5]

Prints, for each instance, the model's size and the median seconds of each stage for both, and the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.data.horizon import year_instance  # noqa: E402
from model.economics.loading import load  # noqa: E402
from model.optimization.handle import NegotiationModel  # noqa: E402
from model.optimization.horizon import HorizonModel  # noqa: E402


def timed(make) -> tuple[dict[str, float], object, object]:
    t0 = time.perf_counter()
    model = make()
    built = time.perf_counter()
    solution = model.solve()
    done = time.perf_counter()
    return ({"build": model.build_seconds, "load": model.load_seconds, "solve": done - built,
             "total": done - t0}, model, solution)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", nargs="+", default=[str(ROOT / "instances" / f"{name}.yaml") for name in
                                                          ("toyota_2025_over_time", "july_2025_over_time")])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for path in args.instance:
        inst = load(path)
        if inst.horizon is None:
            parser.error(f"{path} has no horizon")
        bench(inst, path, args.repeat)
    return 0


def bench(inst, path: str, repeat: int) -> None:
    """One horizon instance against its first year alone: sizes, median seconds of each stage, the ratio."""
    first = replace(year_instance(inst, inst.horizon.first_year), settings=inst.settings)
    runs: dict[str, list[dict[str, float]]] = {"one year": [], "horizon": []}
    sizes = {}
    for _ in range(repeat):
        for name, make in (("one year", lambda: NegotiationModel(first)), ("horizon", lambda: HorizonModel(inst))):
            times, model, solution = timed(make)
            runs[name].append(times)
            sizes[name] = (model.num_columns, len(model.row_lower), solution.status)
    years = len(inst.horizon.years)
    print(f"{Path(path).name}: {years} years against its first year alone (median of {repeat})")
    print(f"{'':10s} {'columns':>8s} {'rows':>7s} {'build':>8s} {'load':>8s} {'solve':>8s} {'total':>8s}  status")
    medians = {}
    for name, rows in runs.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        medians[name] = med
        cols, nrows, status = sizes[name]
        print(f"{name:10s} {cols:8d} {nrows:7d} {med['build']:8.3f} {med['load']:8.3f} {med['solve']:8.3f} "
              f"{med['total']:8.3f}  {status}")
    ratio = medians["horizon"]["total"] / medians["one year"]["total"]
    print(f"horizon / one year: {ratio:.1f}x for {years} years ({ratio / years:.2f}x a year)")


if __name__ == "__main__":
    raise SystemExit(main())
