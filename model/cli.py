"""The command line: `solve.py run|validate ...`. Thin: all logic lives in the package.

Exit codes: 0 optimal deal; 1 environment (a path that cannot be written, memory, an
unreachable scheduler), internal or solver error (or a solution that failed
verification); 2 bad input (an argument out of range, an instance problem, an --out this
tool must not replace); 3 no deal possible (infeasible); 4 unbounded; 5 time limit
reached; 6 HiGHS missing or broken. See docs/reliability.md.

Every option is range-checked by its argparse type, so a bad argument stops the command
before anything is read, solved or written.
"""
from __future__ import annotations

import argparse
import errno
import math
import os
import sys
import traceback
from pathlib import Path

from model import jobs
from model.analyses.sweep import parse_param
from model.errors import EngineUnavailable, InstanceError, InstanceErrors, SolverUnavailable
from model.reporting.report_directory import OutputFailed, OutputRefused

EXIT = {"optimal": 0, "error": 1, "bad_input": 2, "infeasible": 3, "unbounded": 4, "time_limit": 5,
        "no_solver": 6}

# The range of every numeric option (see docs/reliability.md, "Limits").
MAX_POINTS = 200                 # frontier points: each is a full MILP solve
MAX_DRAWS = 1_000_000            # sweep draws in all (grid points x Monte Carlo draws)
MAX_WORKERS = 64                 # local worker processes
MAX_SEED = 2**64 - 1
MAX_SCHEDULER_TIMEOUT = 3600.0
MAX_PRINTED_ERRORS = 50          # problems printed; the rest are counted


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code says how it went (see the module docstring).

    Standard streams that are closed (`>&-`) or whose reader has gone (`| head`) change
    neither what is written nor the exit code: the missing descriptors are pointed at
    /dev/null, and text the terminal cannot take any more is dropped."""
    _reopen_closed_descriptors()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tolerant(sys.stdout), _Tolerant(sys.stderr)
    try:
        return _main(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        # argparse reads '--points=--' as an option given no value at all (an empty list).
        empty = [k for k, v in vars(args).items() if isinstance(v, list) and not v and k != "param"]
        if empty:
            parser.error(f"argument --{empty[0].replace('_', '-')}: expected one value")
    except SystemExit as exc:      # --help (0), or a bad argument (2): argparse has said which and why
        return exc.code if isinstance(exc.code, int) else EXIT["bad_input"]
    try:
        return args.func(args)
    except (InstanceError, InstanceErrors) as exc:
        _print_problems(exc.errors if isinstance(exc, InstanceErrors) else [exc])
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
    except MemoryError:
        print("error: not enough memory for this instance; see the size limits in docs/reliability.md, or run "
              "on a machine with more memory. No output was changed.", file=sys.stderr)
        return EXIT["error"]
    except OSError as exc:          # the environment: a file or folder that cannot be read or written
        where = exc.filename or "a file or connection"
        print(f"error: {exc.strerror or exc} ({where}); check the path, its permissions and the free space. "
              "No report was changed.", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT["error"]
    except Exception as exc:  # the last line of defence: never a bare traceback
        print(f"internal error: {type(exc).__name__}: {exc}\n  (run with --debug for the traceback; "
              "please report it with the instance file)", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT["error"]


def _print_problems(errors: list) -> None:
    """Every problem, up to MAX_PRINTED_ERRORS; the rest counted."""
    n = len(errors)
    print(f"error: {n:,} problem{'s' if n > 1 else ''} in the instance:", file=sys.stderr)
    for e in errors[:MAX_PRINTED_ERRORS]:
        print(f"  {e}", file=sys.stderr)
    if n > MAX_PRINTED_ERRORS:
        print(f"  ... and {n - MAX_PRINTED_ERRORS:,} more problems not shown (the first {MAX_PRINTED_ERRORS} are); "
              "fix these and run `solve.py validate` again", file=sys.stderr)


class _Tolerant:
    """A standard stream that stops writing, silently, once writing to it fails (its reader
    went away, or it is a full disk): what the terminal misses is in the report files."""

    def __init__(self, stream):
        self._stream = stream
        self._gone = stream is None

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except (OSError, ValueError):
                self._give_up()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._give_up()

    def _give_up(self) -> None:
        """Point the descriptor at /dev/null, so that the interpreter's last flush at exit
        neither fails nor changes the exit code (what Python's documentation advises)."""
        self._gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def isatty(self) -> bool:
        return not self._gone and self._stream.isatty()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _reopen_closed_descriptors() -> None:
    """A closed stdin, stdout or stderr (`>&-`) becomes /dev/null: otherwise the next file
    opened would get its number, and anything printed (here, or by the solver's C code)
    would land in that file."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError as exc:
            if exc.errno != errno.EBADF:
                continue
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")


# -- argument types: each checks its range, so a bad argument stops before anything is read,
# -- solved or written (argparse then exits 2 with the message and the usage line).

def _number(what: str, low: float, high: float | None = None, integer: bool = False, above: bool = False):
    """An argparse type: a finite number (an integer if `integer`) in [low, high]
    (`above`: strictly above low)."""
    def parse(text: str):
        try:
            v = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be {'a whole number' if integer else 'a number'}, "
                                             f"got {text!r}") from None
        too_low = v <= low if above else v < low
        if not math.isfinite(v) or too_low or (high is not None and v > high):
            if integer:
                rng = f"a whole number from {low:,}" + (f" to {high:,}" if high is not None else " up")
            else:
                rng = f"a finite number {'above' if above else 'of at least'} {low:g}" + (
                    f" and at most {high:g}" if high is not None else "")
            raise argparse.ArgumentTypeError(f"{what} must be {rng}, got {text!r}")
        return v
    return parse


def _path(text: str) -> str:
    """A file or folder name that can be shown and written in reports (UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(text).decode("utf-8", "backslashreplace")
        raise argparse.ArgumentTypeError(f"the name '{shown}' is not valid UTF-8 text; rename it (or copy it) "
                                         "to a UTF-8 name") from None
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError("an empty name is not a file name")
    return text


def _param(text: str) -> tuple[str, tuple[float, ...]]:
    try:
        return parse_param(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="solve.py", description="Which concessions minimize a bilateral trade deficit.")
    p.add_argument("--debug", action="store_true", help="show tracebacks (before or after the command)")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help)
        # SUPPRESS: `--debug` after the command sets it; absent there, it keeps the value given before.
        c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        c.set_defaults(func=func)
        return c

    run = command("run", cmd_run, "solve an instance and write its report")
    run.add_argument("file", type=_path, help="instance file (YAML)")
    run.add_argument("--out", type=_path, help="report directory (default reports/<instance name>/)")
    run.add_argument("--export-lp", type=_path, metavar="PATH",
                     help="also write the deficit-minimizing model in CPLEX LP format")
    run.add_argument("--objective", choices=["min_deficit", "weighted", "nash"], help="override the instance's objective")
    run.add_argument("--time-limit", type=_number("--time-limit (seconds)", 0, above=True), metavar="S",
                     help="stop the solver after S seconds (a number above 0)")

    cmp_ = command("compare", cmd_compare, "solve several instances and compare inputs and outcomes")
    cmp_.add_argument("files", type=_path, nargs="+", metavar="FILE", help="two or more instance files")
    cmp_.add_argument("--out", type=_path, help="comparison directory (default reports/compare-<names>/)")

    sw = command("sweep", cmd_sweep, "solve an instance for many parameter values or Monte Carlo draws")
    sw.add_argument("file", type=_path, help="instance file (YAML)")
    sw.add_argument("--param", type=_param, action="append", default=[], metavar="PATH=v1,v2,...",
                    help="sweep a number over values in its own unit (repeat: every combination)")
    sw.add_argument("--monte-carlo", type=_number("--monte-carlo", 0, MAX_DRAWS, integer=True), default=0,
                    metavar="N", help=f"N draws of the instance's 'uncertainty:' (0 to {MAX_DRAWS:,})")
    sw.add_argument("--seed", type=_number("--seed", 0, MAX_SEED, integer=True), default=0,
                    help="random seed, 0 or more (same seed, same sweep.csv)")
    sw.add_argument("--workers", type=_number("--workers", 1, MAX_WORKERS, integer=True), default=1, metavar="K",
                    help=f"K worker processes on this machine (Dask; 1 to {MAX_WORKERS})")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    sw.add_argument("--scheduler-timeout", type=_number("--scheduler-timeout (seconds)", 0, MAX_SCHEDULER_TIMEOUT,
                                                        above=True),
                    default=30.0, metavar="S", help="give up on an unanswering scheduler after S seconds (default 30)")
    sw.add_argument("--out", type=_path, help="output directory (default reports/<instance name>-sweep/)")

    fr = command("frontier", cmd_frontier, "the Pareto frontier and the zone of possible agreement")
    fr.add_argument("file", type=_path, help="instance file (YAML)")
    fr.add_argument("--points", type=_number("--points", 2, MAX_POINTS, integer=True), default=9, metavar="N",
                    help=f"points on the frontier (2 to {MAX_POINTS}, default 9)")
    fr.add_argument("--out", type=_path, help="report directory (default reports/<instance name>-frontier/)")

    val = command("validate", cmd_validate, "check an instance file and say what is wrong")
    val.add_argument("file", type=_path)
    val.add_argument("--resolved", action="store_true", help="print the instance with 'extends' applied")
    return p


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT["bad_input"]


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
    status, text = jobs.frontier(args.file, points=args.points, out=args.out)
    print(text)
    return 0 if status == "ok" else EXIT["infeasible"]


def cmd_compare(args) -> int:
    if len(args.files) < 2:
        return _refuse("compare needs at least two instance files")
    print(jobs.compare([Path(f) for f in args.files], out=args.out))
    return 0


def cmd_sweep(args) -> int:
    draws = max(1, args.monte_carlo) * math.prod(len(values) for _, values in args.param)
    if draws > MAX_DRAWS:
        return _refuse(f"the sweep has {draws:,} draws (grid points x Monte Carlo draws); at most {MAX_DRAWS:,} "
                       "are allowed: use fewer --param values or a smaller --monte-carlo")
    failed, text = jobs.sweep(args.file, params=args.param, monte_carlo=args.monte_carlo, seed=args.seed,
                              workers=args.workers, scheduler=args.scheduler, out=args.out,
                              scheduler_timeout=args.scheduler_timeout)
    print(text)
    return EXIT["error"] if failed else 0
