"""The model handle's re-solve path against Pyomo's own persistent HiGHS interface (APPSI).

Both start from the same built Pyomo model and make the same changes, one after another, as the
analyses of one `run` do: each lever forced to another setting and the model re-solved (the
concession values), and the deficit capped at points between the frontier's ends (the frontier).
The handle changes HiGHS's copy directly (column bounds, one added row); APPSI re-reads the
Pyomo model's changes (`update`) before each solve. Both solve the same MILPs (stage one only,
to compare like with like) and must find the same optima.

    .venv/bin/python benchmarks/bench_handle.py [--instance instances/smart_defaults.yaml] [--repeat 3]

Prints seconds for: loading the model into HiGHS, and the re-solves, for each path; the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyomo.environ as pyo

from model.economics.loading import load
from model.optimization.build import variable_name
from model.optimization.handle import MIN, NegotiationModel

ROOT = Path(__file__).resolve().parent.parent


def changes(model: NegotiationModel) -> list[tuple[str, object]]:
    """The sequence both paths run: ('force', (family, key, option or amount)) for every lever,
    then ('cap', deficit) for 8 points below the free optimum."""
    inst, out = model.inst, []
    for f in model.families:
        for key in f.keys(inst):
            if f.kind == "option":
                options = f.options(inst, key)
                out.append(("force", (f, key, options[len(options) // 2])))
            elif f.kind == "switch":
                out.append(("force", (f, key, True)))
            else:
                out.append(("force", (f, key, f.scale(inst, key))))       # one model unit
    best = model.solve().value
    out += [("cap", best * (1 + 0.002 * k)) for k in range(1, 9)]
    return out


def run_handle(model: NegotiationModel, steps) -> list[float | None]:
    values = []
    for kind, what in steps:
        with model.scratch():
            if kind == "force":
                f, key, value = what
                model.force({f.deal_field: {key: value}})
            else:
                model.bound(model.objective_metric, "<=", what)
            model.set_objective(model.objective_metric, MIN)
            out = model.run()
            values.append(out.objective if out.has_solution else None)
    return values


def run_appsi(model: NegotiationModel, steps) -> tuple[float, float, list[float | None]]:
    """APPSI on the handle's Pyomo model; returns (seconds to load, seconds to re-solve, optima)."""
    from pyomo.contrib.appsi.solvers import Highs
    m = model.m
    opt = Highs()
    opt.config.load_solution = False
    opt.highs_options = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-7, "threads": 1, "random_seed": 0,
                         "presolve": "choose", "output_flag": False}
    t0 = time.perf_counter()
    opt.set_instance(m)
    load_seconds = time.perf_counter() - t0
    m.bench_cap = pyo.Param(mutable=True, initialize=1e12)
    m.bench_cap_row = pyo.Constraint(expr=m.metric[model.objective_metric] <= m.bench_cap)
    values = []
    t1 = time.perf_counter()
    for kind, what in steps:
        fixed = []
        if kind == "force":
            f, key, value = what
            var = getattr(m, variable_name(f))
            for option, _ in model.lever_columns(f, key).items():
                v = var[key, option] if f.kind == "option" else var[key]
                if v.fixed:
                    continue
                v.fix(1.0 if (f.kind == "option" and option == value) or (f.kind == "switch" and value) else
                      0.0 if f.kind != "quantity" else value / f.scale(model.inst, key))
                fixed.append(v)
        else:
            m.bench_cap.set_value(what / model.scale(model.objective_metric))
        res = opt.solve(m)
        values.append(res.best_feasible_objective)
        for v in fixed:
            v.unfix()
        m.bench_cap.set_value(1e12)
    seconds = time.perf_counter() - t1
    m.del_component(m.bench_cap_row)
    m.del_component(m.bench_cap)
    return load_seconds, seconds, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", default=str(ROOT / "instances" / "smart_defaults.yaml"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    inst = load(args.instance)
    figures = {"handle load": [], "handle re-solves": [], "appsi load": [], "appsi re-solves": []}
    for _ in range(args.repeat):
        model = NegotiationModel(inst)
        figures["handle load"].append(model.load_seconds)
        steps = changes(model)
        t0 = time.perf_counter()
        mine = run_handle(model, steps)
        figures["handle re-solves"].append(time.perf_counter() - t0)
        load_seconds, seconds, theirs = run_appsi(model, steps)
        figures["appsi load"].append(load_seconds)
        figures["appsi re-solves"].append(seconds)
        for a, b in zip(mine, theirs):
            assert (a is None) == (b is None) and (a is None or abs(a - b) <= 1e-6 * max(1.0, abs(a))), (a, b)
    n = len(steps)
    print(f"{Path(args.instance).name}: {n} re-solves ({n - 8} levers forced, 8 deficit caps), median of "
          f"{args.repeat} runs, seconds")
    for name, values in figures.items():
        print(f"  {name:18s} {statistics.median(values):8.3f}")
    ratio = statistics.median(figures["appsi re-solves"]) / statistics.median(figures["handle re-solves"])
    print(f"  APPSI / handle, re-solves: {ratio:.2f}x")


if __name__ == "__main__":
    main()
