"""Parameter sweeps and Monte Carlo draws: many variants of one instance, each solved and verified.

A sweep is a grid of `--param PATH=v1,v2,...` values (every combination), times
`--monte-carlo N` draws of the instance's `uncertainty:` inputs. Draw i is grid point
i // N, sample i % N; sample d's random numbers come from numpy's SeedSequence([seed, d]),
so a draw depends only on (seed, its index): the same seed gives the same sweep.csv
whatever the number of workers or machines, and every grid point sees the same samples
(common random numbers, so grid points differ only by the parameter swept).

Draws are solved in chunks by `solve_chunk`, which reuses one built model per process
(`model.resolve.Resolver`): in this process (`workers=1`), in a local Dask cluster of
K processes (`workers=K`), or on an existing Dask cluster (`scheduler=ADDRESS`).
"""
from __future__ import annotations

import itertools
import math
import sys
import threading
from dataclasses import dataclass

import numpy as np

from model.analyses.sweep_summary import OUTCOMES, PV_OUTCOMES, summarize
from model.data.instance import Instance
from model.data.levers import families
from model.data.schema import MAGNITUDE
from model.data.uncertainty import allowed, unit_factor, with_values
from model.errors import InstanceError
from model.results import DealRobustness, SweepSummary

# Outcome metrics written for every draw (base units).


@dataclass(frozen=True)
class Plan:
    """What to sweep: grid parameters (values in each field's own unit) and Monte Carlo draws."""

    params: tuple[tuple[str, tuple[float, ...]], ...] = ()
    samples: int = 0          # Monte Carlo draws per grid point; 0: none
    seed: int = 0
    sides: bool = False       # in each draw without a deal, decide which side walks away (more solves)

    @property
    def grid(self) -> list[tuple[float, ...]]:
        return list(itertools.product(*(values for _, values in self.params)))

    def __len__(self) -> int:
        return len(self.grid) * max(1, self.samples)


def parse_values(text: str, option: str = "--param", form: str = "PATH",
                 example: str = "segments.suv.elasticity=-1,-1.5") -> tuple[str, tuple[float, ...]]:
    """'NAME=v1,v2,...' -> ('NAME', (v1, v2, ...)); ValueError naming `option` and what is wrong."""
    name, eq, values = text.partition("=")
    if not eq or not name.strip() or not values.strip():
        raise ValueError(f"{option} '{text}': write {form}=v1,v2,... (e.g. {example})")
    try:
        numbers = tuple(float(v) for v in values.split(","))
    except ValueError:
        raise ValueError(f"{option} '{text}': the values must be numbers separated by commas") from None
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(f"{option} '{text}': the values must be finite numbers (not nan or inf)")
    return name.strip(), numbers


def parse_param(text: str) -> tuple[str, tuple[float, ...]]:
    """'segments.suv.elasticity=-1,-1.25,-1.5' -> ('segments.suv.elasticity', (-1.0, -1.25, -1.5))."""
    return parse_values(text)


def check_plan(inst: Instance, plan: Plan) -> None:
    """Every swept path is a number of the instance that a draw may change, within its range."""
    from model.errors import did_you_mean
    inputs = {i.path: i for i in inst.inputs}
    for path, values in plan.params:
        where = f"--param {path}"
        if path not in inputs:
            raise InstanceError(inst.file, where, f"'{path}' is not a number of this instance",
                                hint=did_you_mean(path, list(inputs)) or "e.g. segments.suv.elasticity")
        rng = allowed(path)
        if rng is None:
            raise InstanceError(inst.file, where, f"a sweep cannot change '{path}'")
        factor = unit_factor(inputs[path].unit)
        for v in values:
            b = v * factor
            if not math.isfinite(b) or abs(b) > MAGNITUDE:     # the loader's cap on every number
                raise InstanceError(inst.file, where, f"{v:g} {inputs[path].unit} is far too large (at most "
                                    f"{MAGNITUDE:g} in base units, as for every number of an instance)",
                                    hint="is a unit wrong? values are in the field's own unit")
            if not rng.contains(b):
                raise InstanceError(inst.file, where, f"{v:g} {inputs[path].unit} is outside the field's range "
                                    f"({rng.text()} in base units)")
    if plan.samples and not inst.uncertainty:
        raise InstanceError(inst.file, "uncertainty", "--monte-carlo needs uncertain inputs, and the instance "
                            "declares none", hint="add an 'uncertainty:' block (see docs/sweeps.md)")
    if not plan.params and not plan.samples:
        raise InstanceError(inst.file, "", "nothing to sweep", hint="give --param PATH=v1,v2,..., --monte-carlo N or --lever FAMILY.KEY=v1,v2,...")


def input_columns(inst: Instance, plan: Plan) -> list[str]:
    """The drawn or swept inputs, in order: uncertain inputs (if Monte Carlo), then --param paths."""
    cols = [u.path for u in inst.uncertainty] if plan.samples else []
    return cols + [p for p, _ in plan.params if p not in cols]


def draw_inputs(inst: Instance, plan: Plan, i: int) -> dict[str, float]:
    """Draw i's inputs, each in its field's own unit. A --param value overrides a drawn one."""
    per = max(1, plan.samples)
    g, d = divmod(i, per)
    values: dict[str, float] = {}
    if plan.samples:
        rng = np.random.default_rng(np.random.SeedSequence([plan.seed, d]))
        for u, unc in zip(rng.random(len(inst.uncertainty)), inst.uncertainty):
            values[unc.path] = unc.draw(float(u)) / unc.factor
    for (path, _), v in zip(plan.params, plan.grid[g]):
        values[path] = v
    return values


# One Resolver per worker thread and instance: the model is built once, then re-solved.
# (Per thread: a HiGHS model solves one thing at a time; Dask workers may be threads.)
_LOCAL = threading.local()


def resolver_for(inst: Instance, model=None):
    """This thread's Resolver of `inst`: on `model` (the command's own NegotiationModel of `inst`)
    when given, else on a model built here once (a worker's)."""
    from model.optimization.handle import NegotiationModel
    from model.optimization.resolve import Resolver
    key = (inst.content_hash or id(inst), inst.name)
    cache = getattr(_LOCAL, "resolvers", None)
    if cache is None or key not in cache:
        _LOCAL.resolvers = cache = {key: Resolver(model if model is not None else NegotiationModel(inst))}
    return cache[key]


def draw_instance(inst: Instance, plan: Plan, i: int) -> tuple[dict[str, float], Instance]:
    """Draw i: its inputs (each in its field's own unit) and the instance with them set (in base units)."""
    units = {x.path: x.unit for x in inst.inputs}
    values = draw_inputs(inst, plan, i)
    return values, with_values(inst, {p: v * unit_factor(units[p]) for p, v in values.items()})


def solve_chunk(inst: Instance, plan: Plan, start: int, stop: int, model=None, solve=None) -> list[dict]:
    """Solve draws start..stop-1 and return one row (a dict) each; runs on any worker. `solve`:
    a function of a draw's instance that solves it whole (`run.horizon_draws.solve_draw` for an
    instance with a horizon, which the re-solve of one built model does not cover); None: re-solve."""
    resolver = resolver_for(inst, model) if solve is None else None
    rows = []
    for i in range(start, stop):
        values, variant = draw_instance(inst, plan, i)
        result = resolver.solve(variant) if resolver is not None else solve(variant)
        per = max(1, plan.samples)
        row = {"draw": i, "grid_point": i // per, "sample": i % per, "inputs": values, "status": result.status,
               "message": result.message, "method": result.method, "verified": result.verified,
               "max_violation": result.max_violation,
               "metrics": {k: result.metrics[k] for k in OUTCOMES + PV_OUTCOMES if k in result.metrics}
               if result.metrics else {},
               "levers": lever_values(inst, result.deal) if result.deal else {}}
        if plan.sides and result.status == "infeasible":
            if resolver is None:        # a whole solve per draw: who walks away if `solve` tested it
                row["walks_away"], row["walks_away_by"] = result.walks_away or ("undetermined", "")
            else:
                from model.analyses.deal_robustness import walks_away
                row["walks_away"], row["walks_away_by"] = walks_away(resolver, variant)
        rows.append(row)
    return rows


def lever_values(inst: Instance, deal) -> dict[str, object]:
    """The deal's levers as flat columns named `<family short name>.<key>`: the option
    chosen on each tariff line, 0/1 for each switch, amounts for the quantities."""
    out: dict[str, object] = {}
    for f in families():
        values = deal.values(f.deal_field)
        if f.kind == "option":
            out.update({f"{f.short}.{f.key_text(k)}": values[k] for k in f.keys(inst)})
        elif f.kind == "switch":
            out.update({f"{f.short}.{f.key_text(k)}": int(bool(values.get(k))) for k in f.keys(inst)})
        else:
            out.update({f"{f.short}.{f.key_text(k)}": v for k, v in values.items()})
    return out


@dataclass
class SweepResult:
    plan: Plan
    columns: list[str]              # input columns
    rows: list[dict]
    summary: SweepSummary | None = None
    engine: str = ""                # where the draws ran
    seconds: float = 0.0


def chunks(n: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous draw ranges: about 8 per worker (load balance), at most 100 draws each."""
    size = max(1, min(100, math.ceil(n / (8 * max(1, workers)))))
    return [(a, min(n, a + size)) for a in range(0, n, size)]


def run_sweep(inst: Instance, plan: Plan, workers: int = 1, scheduler: str | None = None,
              progress: bool = True, timeout: float = 30.0, model=None, solve=None) -> SweepResult:
    """Solve every draw of `plan`; rows come back in draw order whatever ran them.
    `timeout`: seconds to wait for a scheduler (and its first worker) before giving up.
    `model`: the command's NegotiationModel of `inst`, re-solved for the draws run in this process.
    `solve`: solves each draw whole instead (see `solve_chunk`; an instance with a horizon)."""
    import time

    from tqdm import tqdm
    check_plan(inst, plan)
    n = len(plan)
    t0 = time.perf_counter()
    rows: list[dict] = []
    bar = tqdm(total=n, unit="draw", desc=f"sweep {inst.name}", disable=not progress, file=sys.stderr,
               mininterval=0.5, dynamic_ncols=True)
    try:
        if scheduler or workers > 1:
            engine = _run_dask(inst, plan, workers, scheduler, rows, bar, timeout, solve)
        else:
            for a, b in chunks(n, 1):
                part = solve_chunk(inst, plan, a, b, model, solve)
                rows.extend(part)
                bar.update(len(part))
            engine = "this process"
    finally:
        bar.close()
    rows.sort(key=lambda r: r["draw"])
    result = SweepResult(plan, input_columns(inst, plan), rows, engine=engine, seconds=time.perf_counter() - t0)
    summary = summarize(inst, result)
    if plan.sides:                  # deal or no deal over the draws, who walks away, what separates them
        from model.analyses.deal_robustness import deal_robustness, uncertain_ranges
        summary.robustness = deal_robustness(inst, rows, result.columns, plan.seed, uncertain_ranges(inst))
    result.summary = summary
    return result


def _run_dask(inst, plan, workers, scheduler, rows, bar, timeout: float = 30.0, solve=None) -> str:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed
    cluster = None
    if scheduler:
        client = _connect(scheduler, timeout)
        engine = f"Dask cluster at {scheduler}"
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
        engine = f"local Dask cluster, {workers} worker processes"
    try:
        if scheduler:
            _wait_for_a_worker(client, scheduler, timeout)
        _ensure_importable(client)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        [inst_future] = client.scatter([inst], broadcast=True)
        futures = [client.submit(solve_chunk, inst_future, plan, a, b, None, solve, pure=False)
                   for a, b in chunks(len(plan), n_workers)]
        for future in as_completed(futures):
            part = future.result()
            rows.extend(part)
            bar.update(len(part))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return engine


def _unreachable(scheduler: str, why: str):
    from model.errors import EngineUnavailable
    return EngineUnavailable(
        f"--scheduler {scheduler}: {why}; check the address (e.g. tcp://host:8786) and that `dask scheduler` "
        "runs there, or run on this machine with --workers K. No output was written.")


def _connect(scheduler: str, timeout: float):
    """A Client of the scheduler at `scheduler`, or EngineUnavailable within about `timeout` seconds.

    Dask bounds the TCP connect by its timeout but then waits for the scheduler's handshake
    without one (distributed.comm.core.connect): a port that accepts and never answers
    would hang the sweep for ever. So the connection and the handshake are first tried
    here, under one deadline, with Dask's own comm layer (any address scheme it knows)."""
    import asyncio

    from dask.distributed import Client
    from distributed.comm import connect
    from distributed.security import Security

    async def handshake():     # Dask retries a refused connection until `timeout`, then says why
        tls = Security().get_connection_args("client")      # as the Client will (from Dask's config)
        comm = await asyncio.wait_for(connect(scheduler, timeout=timeout, **tls), 1.5 * timeout + 1)
        await comm.close()
    try:
        asyncio.run(handshake())
    except TimeoutError:
        raise _unreachable(scheduler, f"no Dask scheduler answered within {timeout:g} s (nothing listens "
                                      "there, or something that is not a Dask scheduler)") from None
    except (OSError, ValueError, TypeError) as exc:
        raise _unreachable(scheduler, f"cannot reach a Dask scheduler there ({exc})") from None
    try:
        return Client(scheduler, timeout=f"{timeout}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise _unreachable(scheduler, f"cannot reach a Dask scheduler there ({exc})") from None


def _wait_for_a_worker(client, scheduler: str, timeout: float) -> None:
    """A scheduler with no workers would leave every draw waiting: give up after `timeout`."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError) as exc:
        raise _unreachable(scheduler, f"the scheduler answers, but no worker joined it within {timeout:g} s "
                                      f"({type(exc).__name__}); start workers with `dask worker {scheduler}`") from None


def _ensure_importable(client) -> None:
    """Workers of an existing cluster may not have this package: send it to them as a zip."""
    import importlib.util
    ok = client.run(lambda: importlib.util.find_spec("model.optimization.resolve") is not None)
    if all(ok.values()):
        return
    import tempfile
    import zipfile
    from pathlib import Path

    from model.source import PACKAGE_ROOT, source_files
    with tempfile.TemporaryDirectory() as d:
        archive = Path(d) / "negotiation_model.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for f in source_files():
                z.write(f, f"model/{f.relative_to(PACKAGE_ROOT).as_posix()}")
        client.upload_file(str(archive))


def run_robustness(model, draws: int, seed: int = 0, solve=None, inst: Instance | None = None) -> DealRobustness:
    """`run`'s robustness: `draws` draws of the instance's uncertainty, solved on `model` (the
    command's own NegotiationModel) with the side that walks away decided in each draw without
    a deal. Skipped (with the reason) when the draws could not be re-solved on the built model.
    `solve`: a function that solves a draw of `inst` whole (an instance with a horizon: each draw
    rebuilds its multi-year model, `run.horizon_draws`), deciding itself who walks away."""
    from model.analyses.deal_robustness import deal_robustness, uncertain_ranges
    if solve is not None:
        assert inst is not None, "a whole solve per draw needs the instance drawn"
        plan = Plan(samples=draws, seed=seed, sides=True)
        rows = solve_chunk(inst, plan, 0, len(plan), solve=solve)
        found = deal_robustness(inst, rows, input_columns(inst, plan), seed, uncertain_ranges(inst))
        found.method = "rebuild"
        return found
    inst = model.inst
    resolver = resolver_for(inst, model)
    if resolver.method != "re-solve":
        return DealRobustness(draws=0, seed=seed, skipped=f"the draws would each rebuild the model "
                              f"({resolver.reason}); `solve.py sweep --monte-carlo N` draws them")
    plan = Plan(samples=draws, seed=seed, sides=True)
    rows = solve_chunk(inst, plan, 0, len(plan), model)
    return deal_robustness(inst, rows, input_columns(inst, plan), seed, uncertain_ranges(inst))
