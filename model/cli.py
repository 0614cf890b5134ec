"""The command line: `solve.py run|frontier|compare|sweep|alternatives|evaluate|validate ...`.
Thin: all logic lives in the package.

Exit codes: 0 optimal deal; 1 internal or solver error (or a solution that failed
verification); 2 bad input; 3 no deal possible (infeasible); 4 unbounded;
5 time limit reached; 6 HiGHS missing or broken. `alternatives` follows them (0: packages
found and verified); `evaluate` exits 0 once the offer is evaluated, acceptable or not.
"""
from __future__ import annotations

import argparse
import math
import sys
import traceback
from pathlib import Path

from model import jobs
from model.errors import EngineUnavailable, InstanceError, InstanceErrors, SolverUnavailable
from model.reporting.report_directory import OutputFailed, OutputRefused

EXIT = {"optimal": 0, "error": 1, "bad_input": 2, "infeasible": 3, "unbounded": 4, "time_limit": 5,
        "no_solver": 6}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (InstanceError, InstanceErrors) as exc:
        errors = exc.errors if isinstance(exc, InstanceErrors) else [exc]
        print(f"error: {len(errors)} problem{'s' if len(errors) > 1 else ''} in the instance:", file=sys.stderr)
        for e in errors:
            print(f"  {e}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT["bad_input"]
    except OutputRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT["bad_input"]
    except OutputFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT["error"]
    except SolverUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT["no_solver"]
    except EngineUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT["error"]
    except KeyboardInterrupt:
        print("interrupted: no output was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:          # the reader of our output went away (e.g. `| head`)
        sys.stderr.close()
        return 0
    except Exception as exc:  # the last line of defence: never a bare traceback
        print(f"internal error: {type(exc).__name__}: {exc}\n  (run with --debug for the traceback; "
              "please report it with the instance file)", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT["error"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="solve.py", description="Which concessions minimize a bilateral trade deficit.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="solve an instance and write its report")
    run.add_argument("file", help="instance file (YAML)")
    run.add_argument("--out", help="report directory (default reports/<instance name>/)")
    run.add_argument("--export-lp", metavar="PATH", help="also write the deficit-minimizing model in CPLEX LP format")
    run.add_argument("--objective", choices=["min_deficit", "weighted", "nash"], help="override the instance's objective")
    run.add_argument("--time-limit", type=float, metavar="S", help="stop the solver after S seconds")
    run.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    cmp_ = sub.add_parser("compare", help="solve several instances and compare inputs and outcomes")
    cmp_.add_argument("files", nargs="+", metavar="FILE", help="two or more instance files")
    cmp_.add_argument("--out", help="comparison directory (default reports/compare-<names>/)")
    cmp_.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    cmp_.set_defaults(func=cmd_compare)

    sw = sub.add_parser("sweep", help="solve an instance for many parameter values or Monte Carlo draws")
    sw.add_argument("file", help="instance file (YAML)")
    sw.add_argument("--param", action="append", default=[], metavar="PATH=v1,v2,...",
                    help="sweep a number over values in its own unit (repeat: every combination)")
    sw.add_argument("--monte-carlo", type=int, default=0, metavar="N", help="N draws of the instance's 'uncertainty:'")
    sw.add_argument("--seed", type=int, default=0, help="random seed (same seed, same sweep.csv)")
    sw.add_argument("--workers", type=int, default=1, metavar="K", help="K worker processes on this machine (Dask)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    sw.add_argument("--out", help="output directory (default reports/<instance name>-sweep/)")
    sw.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    sw.set_defaults(func=cmd_sweep)

    fr = sub.add_parser("frontier", help="the Pareto frontier and the zone of possible agreement")
    fr.add_argument("file", help="instance file (YAML)")
    fr.add_argument("--points", type=int, default=9, metavar="N", help="points on the frontier (default 9)")
    fr.add_argument("--out", help="report directory (default reports/<instance name>-frontier/)")
    fr.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    fr.set_defaults(func=cmd_frontier)

    alt = sub.add_parser("alternatives", help="several distinct packages, nearly as good for home, best first")
    alt.add_argument("file", help="instance file (YAML)")
    alt.add_argument("--count", type=int, default=5, metavar="K", help="at most K packages (default 5, at most 50)")
    alt.add_argument("--within", type=float, default=1.0, metavar="PCT",
                     help="deficit within PCT percent of the best (default 1)")
    alt.add_argument("--min-difference", type=float, default=10.0, metavar="PCT",
                     help="packages with the same yes/no choices must differ in some amount by at least PCT percent "
                          "of that lever's limit (default 10)")
    alt.add_argument("--out", help="report directory (default reports/<instance name>-alternatives/)")
    alt.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    alt.set_defaults(func=cmd_alternatives)

    ev = sub.add_parser("evaluate", help="evaluate an offer: acceptable?, best completion, frontier, smallest change")
    ev.add_argument("file", help="instance file (YAML)")
    ev.add_argument("--offer", required=True, metavar="OFFER.yaml",
                    help="offer file: levers in the format of the instance's fixed_levers (see docs/negotiating.md)")
    ev.add_argument("--out", help="report directory (default reports/<instance name>-offer-<offer name>/)")
    ev.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    ev.set_defaults(func=cmd_evaluate)

    val = sub.add_parser("validate", help="check an instance file and say what is wrong")
    val.add_argument("file")
    val.add_argument("--resolved", action="store_true", help="print the instance with 'extends' applied")
    val.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    val.set_defaults(func=cmd_validate)
    return p


def cmd_validate(args) -> int:
    text, listing = jobs.validate(args.file, resolved=args.resolved)
    if listing:
        print(listing, end="")
    print(text, file=sys.stderr if args.resolved else sys.stdout)
    return 0


def cmd_run(args) -> int:
    status, text = jobs.run(args.file, out=args.out, objective=args.objective, time_limit=args.time_limit,
                            export_lp=args.export_lp)
    print(text)
    return EXIT.get(status, EXIT["error"])


def cmd_frontier(args) -> int:
    if args.points < 2:
        print("error: --points must be at least 2", file=sys.stderr)
        return EXIT["bad_input"]
    status, text = jobs.frontier(args.file, points=args.points, out=args.out)
    print(text)
    return 0 if status == "ok" else EXIT["infeasible"]


def cmd_compare(args) -> int:
    if len(args.files) < 2:
        print("error: compare needs at least two instance files", file=sys.stderr)
        return EXIT["bad_input"]
    print(jobs.compare([Path(f) for f in args.files], out=args.out))
    return 0


def cmd_sweep(args) -> int:
    failed, text = jobs.sweep(args.file, params=args.param, monte_carlo=args.monte_carlo, seed=args.seed,
                              workers=args.workers, scheduler=args.scheduler, out=args.out)
    print(text)
    return EXIT["error"] if failed else 0


def cmd_alternatives(args) -> int:
    from model.analyses.alternatives import MAX_COUNT
    problems = []
    if not 1 <= args.count <= MAX_COUNT:
        problems.append(f"--count must be between 1 and {MAX_COUNT} (got {args.count})")
    if not (math.isfinite(args.within) and args.within >= 0):
        problems.append(f"--within must be a percentage of at least 0, e.g. --within 1 for 1% (got {args.within:g})")
    if not (math.isfinite(args.min_difference) and 0 < args.min_difference <= 100):
        problems.append(f"--min-difference must be a percentage above 0 and at most 100 (got {args.min_difference:g})")
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return EXIT["bad_input"]
    status, text = jobs.alternatives(args.file, count=args.count, within=args.within / 100,
                                     min_difference=args.min_difference / 100, out=args.out)
    print(text)
    return EXIT.get(status, EXIT["error"])


def cmd_evaluate(args) -> int:
    """Exit 0 when the offer was evaluated, acceptable or not (the summary and report say which)."""
    _, text = jobs.evaluate_offer(args.file, args.offer, out=args.out)
    print(text)
    return 0
