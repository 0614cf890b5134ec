"""The command line: `solve.py run|frontier|compare|sweep|alternatives|evaluate|validate ...`.
Thin: all logic lives in the package.

Exit codes: 0 optimal deal; 1 environment (a path that cannot be written, memory, an
unreachable scheduler), internal or solver error (or a solution that failed
verification); 2 bad input (an argument out of range, an instance problem, an --out this
tool must not replace); 3 no deal possible (infeasible); 4 unbounded; 5 time limit
reached; 6 HiGHS missing or broken. `alternatives` follows them (0: packages found and
verified); `evaluate` exits 0 once the offer is evaluated, acceptable or not. See
docs/reliability.md.

Every option is range-checked by its argparse type, so a bad argument stops the command
before anything is read, solved or written.
"""
from __future__ import annotations

import argparse
import errno
import math
import os
import re
import sys
import textwrap
import traceback
from pathlib import Path

from model.analyses.deal_robustness import DEFAULT_DRAWS, HORIZON_DRAWS
from model.errors import EngineUnavailable, InstanceError, InstanceErrors, SolverUnavailable
from model.reporting.report_directory import OutputFailed, OutputRefused
from model.text import clip, quoted, stream_safe, visible

EXIT = {"optimal": 0, "error": 1, "bad_input": 2, "infeasible": 3, "unbounded": 4, "time_limit": 5,
        "no_solver": 6}

# The range of every numeric option (see docs/reliability.md, "Limits").
MAX_PACKAGES = 50               # alternatives: each package is a full MILP solve
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
    /dev/null, and text the terminal cannot take any more is dropped. Nothing printed can
    drive the terminal: control characters are shown as escapes (`model.text.visible`)."""
    _reopen_closed_descriptors()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Tolerant(sys.stdout), _Tolerant(sys.stderr)
    try:
        return _main(argv)
    except KeyboardInterrupt:      # before a command started, or while it was saying how it went
        _say("interrupted: no output was changed", sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved


EXIT_INTERRUPTED = 130

# Errors that name what is wrong and what to do themselves, and the exit code of each.
PLAIN_ERRORS = {OutputRefused: "bad_input", OutputFailed: "error", SolverUnavailable: "no_solver",
                EngineUnavailable: "error"}
MAX_ERROR_OUTPUT = 40_000        # characters of problems printed in all; the rest are counted


class _CannotStart(Exception):
    """A library a command needs cannot be loaded (memory, a broken install, HiGHS)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _jobs():
    """The commands' work (`model.jobs`), loaded only when a command runs: --help and argument
    errors need none of its libraries (numpy, pandas, Pyomo, HiGHS), and one that cannot be
    loaded is said plainly (`environment.import_failure`), not as a traceback."""
    from model.environment import import_failure, interrupt_deferred, memory_message
    try:
        with interrupt_deferred():
            from model import jobs
    except MemoryError:
        raise _CannotStart(EXIT["error"], memory_message()) from None
    except ImportError as exc:
        raise _CannotStart(*import_failure(exc)) from None
    return jobs


def _say(text: str, stream=None) -> None:
    """Print text made for a person: control characters shown as escapes (`text.visible`)."""
    print(visible(text), file=stream or sys.stdout, flush=True)


def _error(text: str) -> None:
    """One error message on stderr, at most `text.MAX_MESSAGE_CHARS` characters (the cut counted)."""
    _say(clip(text), sys.stderr)


def _main(argv: list[str] | None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    debug, args = "--debug" in given, None
    try:
        parser = build_parser()
        odd = next((a for a in given if a.startswith("--") and a.endswith("=--")), None)
        if odd is not None:            # argparse turns `--opt=--` into an empty list, not an error
            return _refuse(f"{odd}: '--' is not a value for {odd[:-3]}")
        try:
            args = parser.parse_args(given)
        except SystemExit as exc:      # --help (0), or a bad argument (2): argparse has said which and why
            return exc.code if isinstance(exc.code, int) else EXIT["bad_input"]
        debug = args.debug
        return args.func(args)
    except (InstanceError, InstanceErrors) as exc:
        errors = exc.errors if isinstance(exc, InstanceErrors) else [exc]
        offers = [str(Path(o)) for o in getattr(args, "offer", None) or []]
        in_offer = bool(offers) and all(e.file in offers for e in errors)
        options = all(e.field.startswith("--") for e in errors)
        _print_problems(errors, "the offer file" if in_offer else "the options" if options else "the instance")
        if debug:
            traceback.print_exc()
        return EXIT["bad_input"]
    except _CannotStart as exc:
        _error(exc.message)
        return exc.code
    except tuple(PLAIN_ERRORS) as exc:        # errors whose message says it all
        _error(f"error: {exc}")
        return EXIT[next(code for kind, code in PLAIN_ERRORS.items() if isinstance(exc, kind))]
    except KeyboardInterrupt:
        _say("interrupted: no output was changed", sys.stderr)
        return EXIT_INTERRUPTED
    except MemoryError:
        _error("error: not enough memory for this instance; see the size limits in docs/reliability.md, or run "
               "on a machine with more memory. No output was changed.")
        return EXIT["error"]
    except ImportError as exc:      # a library loaded only when a command needs it (memory, a broken install)
        from model.environment import import_failure
        code, message = import_failure(exc)
        _error(message)
        if debug:
            traceback.print_exc()
        return code
    except OSError as exc:          # the environment: a file or folder that cannot be read or written
        where = exc.filename or "a file or connection"
        _error(f"error: {exc.strerror or exc} ({where}); check the path, its permissions and the free space. "
               "No report was changed.")
        if debug:
            traceback.print_exc()
        return EXIT["error"]
    except Exception as exc:  # the last line of defence: never a bare traceback
        _error(f"internal error: {type(exc).__name__}: {exc}\n  (run with --debug for the traceback; "
               "please report it with the instance file)")
        if debug:
            traceback.print_exc()
        return EXIT["error"]


def _print_problems(errors: list, where: str = "the instance") -> None:
    """Every problem, up to MAX_PRINTED_ERRORS and MAX_ERROR_OUTPUT characters in all, each
    message at most `text.MAX_MESSAGE_CHARS`; the rest counted."""
    n = len(errors)
    _say(f"error: {n:,} problem{'s' if n > 1 else ''} in {where}:", sys.stderr)
    used = shown = 0
    for e in errors[:MAX_PRINTED_ERRORS]:
        line = visible(clip(f"  {e}"))
        if used + len(line) > MAX_ERROR_OUTPUT and shown:
            break
        print(line, file=sys.stderr)
        used += len(line)
        shown += 1
    if n > shown:
        why = (f"the first {shown} are" if shown == MAX_PRINTED_ERRORS else
               f"the first {shown} fill {MAX_ERROR_OUTPUT:,} characters")
        _say(f"  ... and {n - shown:,} more problems not shown ({why}); fix these and run `solve.py validate` again",
             sys.stderr)


class _Tolerant:
    """A standard stream that stops writing, silently, once writing to it fails (its reader
    went away, or it is a full disk): what the terminal misses is in the report files."""

    def __init__(self, stream):
        self._stream = stream
        self._gone = stream is None

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(stream_safe(text))
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


def _relax_step(text: str) -> tuple[str, float]:
    """'vehicles=5000' -> ('vehicles', 5000.0); 'pp=2' -> ('fraction', 0.02): one step of
    relaxation in a unit of the constraints (vehicles, USD, pp or fraction, a good's unit)."""
    unit, eq, amount = text.partition("=")
    unit = unit.strip()
    if not eq or not unit:
        raise argparse.ArgumentTypeError(f"--relax-step {text!r}: write UNIT=AMOUNT, e.g. vehicles=5000, USD=1e9, pp=1")
    try:
        v = float(amount)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--relax-step {text!r}: the amount must be a number") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"--relax-step {text!r}: the amount must be a finite number above 0")
    return ("fraction", v / 100) if unit in ("pp", "%") else (unit, v)


def _param(text: str) -> tuple[str, tuple[float, ...]]:
    from model.environment import interrupt_deferred
    with interrupt_deferred():
        from model.analyses.sweep import parse_param
    try:
        return parse_param(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# A Dask scheduler address: [scheme://]host[:port]; host a name, an IPv4 address or [IPv6].
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
_HOST = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])"
_ADDRESS = re.compile(rf"^(?:(?P<scheme>[a-z]+)://)?(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?$")


def _scheduler(text: str) -> str:
    """A Dask scheduler address, checked by its form before anything is read or solved
    (that it answers is checked before the draws, under --scheduler-timeout)."""
    m = _ADDRESS.match(text.strip())
    example = "write it as tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786 (Dask's default port is 8786)"
    if not text.strip():
        raise argparse.ArgumentTypeError(f"--scheduler: an empty address; {example}, or leave --scheduler out to "
                                         "run on this machine")
    if m is None:
        raise argparse.ArgumentTypeError(f"--scheduler {quoted(text)} is not a scheduler address; {example}")
    if m.group("scheme") and m.group("scheme") not in SCHEDULER_SCHEMES:
        raise argparse.ArgumentTypeError(f"--scheduler {quoted(text)}: '{m.group('scheme')}://' is not a scheme "
                                         f"Dask connects with ({', '.join(SCHEDULER_SCHEMES)}); {example}")
    if m.group("port") is not None and not 1 <= int(m.group("port")) <= 65535:
        raise argparse.ArgumentTypeError(f"--scheduler {quoted(text)}: the port must be 1 to 65535")
    return text.strip()


EXIT_CODES = {
    0: "optimal deal",
    1: "internal or solver error, a solution that failed verification, a report that could not be written",
    2: "bad input: the instance file or an option (nothing is written)",
    3: "no deal possible (infeasible): the report says which red lines to move",
    4: "unbounded: a lever without a limit (the message names it)",
    5: "time limit reached (the message gives the MIP gap)",
    6: "HiGHS missing or broken",
    130: "interrupted (Ctrl-C): no output was changed",
}


def _codes(**special: str) -> str:
    """The exit codes a command can return, with its own meaning where it differs."""
    codes = {**EXIT_CODES, **{int(k[1:]): v for k, v in special.items()}}
    return "exit codes:\n" + "\n".join(f"  {k:>3}  {v}" for k, v in codes.items() if v)


def _epilog(example: str, writes: str, **codes: str) -> str:
    return f"example:\n  {example}\n\nwrites:\n{writes}\n\n{_codes(**codes)}"


HELP = {
    "run": ("Solve an instance: the deal (every lever at once) that minimizes the deficit among deals both sides "
            "would sign, verified outside the solver, with its report. The terminal shows the report's first screen: "
            "the deal per party, how robust it is (in how many draws of the instance's 'uncertainty:' a deal holds, "
            "who walks away in the others, which input decides it), the balances, the constraints that matter most.",
            _epilog("solve.py run instances/toyota_2025.yaml --out reports/toyota",
                    "  DIR (default reports/<name>/): report.md, report.html, results.json, results.xlsx,\n"
                    "  levers.csv, metrics.csv, constraints.csv, one .svg per chart, timings.json;\n"
                    "  the frontier and the robustness draws are included for small models (at most 100 yes/no choices)")),
    "validate": ("Check an instance file without solving: 'ok' with its size, or every problem at once with file, "
                 "line, field, what is wrong and a hint.",
                 _epilog("solve.py validate instances/mine.yaml", "  nothing (--resolved prints the instance with "
                         "'extends' applied)", e0="the file is valid", e1="internal error", e3="", e4="", e5="",
                         e6="")),
    "frontier": ("The Pareto frontier of the free negotiation (fixed levers released): deals that trade the deficit "
                 "against the partner's gain, each verified, and the zone of possible agreement; the min-deficit, "
                 "Nash and fixed-terms deals are marked.",
                 _epilog("solve.py frontier instances/toyota_2025.yaml --points 9",
                         "  DIR (default reports/<name>-frontier/): the deal's report with a frontier section,\n"
                         "  frontier.csv and frontier.svg", e0="the frontier was computed",
                         e1="a solver error or a point that failed verification (no zone is claimed)",
                         e3="no zone of possible agreement (no deal both sides prefer to no deal)",
                         e5="time limit reached before the frontier's ends were found")),
    "compare": ("Solve two or more instances (reusing checked saved results) and compare them: what it did to the "
                "deal first, with a chart of the headline metrics, then the inputs that differ, grouped by object.",
                _epilog("solve.py compare instances/toyota_2025.yaml instances/july_2025_framework.yaml",
                        "  DIR (default reports/compare-<names>/): comparison.md, comparison.html, comparison.csv\n"
                        "  (tidy: value, unit and source in their own columns), comparison.xlsx, comparison.svg;\n"
                        "  saved results in reports/.cache/",
                        e0="done, whatever each instance's outcome (optimal, no deal, time limit)",
                        e1="an instance's solve ended in an error (the comparison is written, and says which)",
                        e3="", e4="an instance is unbounded (the message names it and the levers without a limit)",
                        e5="")),
    "sweep": ("Solve an instance for many variants: a grid of --param values, Monte Carlo draws of its "
              "'uncertainty:' block, or both; on this machine or a Dask cluster. The first screen gives the share of "
              "draws with a deal, which side walks away in the others and the inputs that separate deal from no "
              "deal; the report's robustness section: the deficit's distribution, the levers that vary across "
              "draws, the sensitivity to each uncertain input (a tornado chart), or a table by grid point.",
              _epilog("solve.py sweep instances/toyota_2025.yaml --monte-carlo 1000 --seed 1 --workers 4",
                      "  DIR (default reports/<name>-sweep/): a report about the draws (the deal in short and a\n"
                      "  robustness section), sweep.csv (every draw), sweep_summary.json, deal_share.svg, sweep.svg,\n"
                      "  sweep_levers.svg, tornado.svg (grid.svg for a one-parameter grid)",
                      e0="every draw ran (a draw with no possible deal is a result)",
                      e1="a draw ended in an error, or the Dask scheduler cannot be reached", e3="",
                      e4="the deal or a draw is unbounded (the message names the levers without a limit)", e5="")),
    "alternatives": ("Several distinct packages whose deficit is within --within percent of the best, best first, each "
                     "verified: distinct in a tariff option or yes/no concession, or in some amount by a move worth "
                     "--min-gain percent of the larger side's gain (or --min-difference percent of its limit). Marks the equivalent offers (equally good for home, most "
                     "different for the partner).",
                     _epilog("solve.py alternatives instances/toyota_2025.yaml --count 5 --within 1",
                             "  DIR (default reports/<name>-alternatives/): report.md, report.html (packages in\n"
                             "  payoff space), packages.csv, alternatives.json, alternatives.svg",
                             e0="packages found and verified")),
    "evaluate": ("Evaluate an offer (levers in the format of fixed_levers): acceptable as stated, and what it breaks "
                 "by how much; each side's gain; the best completion; the distance to the frontier; the smallest "
                 "change that makes it acceptable. Several --offer: side by side with no deal and the optimum.",
                 _epilog("solve.py evaluate instances/smart_defaults.yaml --offer instances/offers/july_2025_terms.yaml",
                         "  DIR (default reports/<name>-offer-<offer>/): report.md, report.html, evaluation.json,\n"
                         "  offer_levers.csv; several offers (default reports/<name>-offers/): report.md,\n"
                         "  report.html, evaluation.json, offers.csv, offers.svg",
                         e0="the offer was evaluated, acceptable or not",
                         e1="a solve of the evaluation ended in an error (the report says which)", e3="",
                         e4="unbounded with the offer's levers fixed, or in the free negotiation (the message "
                            "names the levers without a limit)", e5="")),
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="solve.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Which concessions minimize a bilateral trade deficit, among deals both sides would sign.",
        epilog="Run 'solve.py COMMAND --help' for each command's options, an example, its files and exit codes.\n\n"
               "example:\n  solve.py run instances/toyota_2025.yaml\n\n" + _codes())
    p.add_argument("--debug", action="store_true", help="show tracebacks (before or after the command)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        description, epilog = HELP[name]
        c = sub.add_parser(name, help=help, description=textwrap.fill(description, 88), epilog=epilog,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        # SUPPRESS: `--debug` after the command sets it; absent there, it keeps the value given before.
        c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        c.set_defaults(func=func)
        return c

    run = command("run", cmd_run, "solve an instance and write its report")
    run.add_argument("file", type=_path, help="instance file (YAML)")
    run.add_argument("--out", type=_path, help="report directory (default reports/<instance name>/)")
    run.add_argument("--export-lp", type=_path, metavar="PATH",
                     help="also write the deficit-minimizing model in CPLEX LP format")
    run.add_argument("--objective", choices=["min_deficit", "weighted", "nash", "welfare"], help="override the instance's objective")
    run.add_argument("--time-limit", type=_number("--time-limit (seconds)", 0, above=True), metavar="S",
                     help="stop the solver after S seconds (a number above 0)")
    run.add_argument("--relax-step", type=_relax_step, action="append", default=[], metavar="UNIT=AMOUNT",
                     help="when there is no deal: what counts as one step of relaxation in UNIT (vehicles, USD, pp, "
                          "or a good's unit; defaults vehicles=1000, USD=1e8, pp=1, aircraft=1, others 1000); the "
                          "diagnosis moves the fewest steps, so a larger step makes that kind of bound cheaper to "
                          "move (repeat for several units)")
    run.add_argument("--robustness", type=_number("--robustness", 0, MAX_DRAWS, integer=True), default=None,
                     metavar="N", help=f"solve N draws of the instance's 'uncertainty:' and say on the first screen in "
                                       f"how many the deal holds (default {DEFAULT_DRAWS}; {HORIZON_DRAWS} for an "
                                       "instance with a horizon, whose draws each rebuild the multi-year model; 0 "
                                       "turns this off)")
    run.add_argument("--no-robustness", dest="robustness", action="store_const", const=0,
                     help="no draws (the same as --robustness 0)")
    run.add_argument("--seed", type=_number("--seed", 0, MAX_SEED, integer=True), default=0,
                     help="random seed of the robustness draws, 0 or more (same seed, same draws)")
    run.add_argument("--no-assumption-rank", dest="assumption_rank", action="store_false",
                     help="do not rank the instance's assumptions by their influence on the deal (each assumption "
                          "source moved down and up, two re-solves each)")

    cmp_ = command("compare", cmd_compare, "solve several instances and compare outcomes and inputs")
    cmp_.add_argument("files", type=_path, nargs="+", metavar="FILE", help="two or more instance files")
    cmp_.add_argument("--out", type=_path, help="comparison directory (default reports/compare-<names>/)")

    sw = command("sweep", cmd_sweep, "solve an instance for many parameter values or Monte Carlo draws")
    sw.add_argument("file", type=_path, help="instance file (YAML)")
    sw.add_argument("--param", type=_param, action="append", default=[], metavar="PATH=v1,v2,...",
                    help="sweep a number over values in its own unit (repeat: every combination)")
    sw.add_argument("--lever", metavar="FAMILY.KEY=v1,v2,...",
                    help="hold one lever at each value, the rest negotiated, and draw the balances and both sides' "
                         "gains against it (rates in percent, e.g. tariff.cars=0,2.5,5; a lever's name as in "
                         "results.json's levers and packages.csv)")
    sw.add_argument("--monte-carlo", type=_number("--monte-carlo", 0, MAX_DRAWS, integer=True), default=0,
                    metavar="N", help=f"N draws of the instance's 'uncertainty:' (0 to {MAX_DRAWS:,})")
    sw.add_argument("--seed", type=_number("--seed", 0, MAX_SEED, integer=True), default=0,
                    help="random seed, 0 or more (same seed, same sweep.csv)")
    sw.add_argument("--workers", type=_number("--workers", 1, MAX_WORKERS, integer=True), default=1, metavar="K",
                    help=f"K worker processes on this machine (Dask; 1 to {MAX_WORKERS})")
    sw.add_argument("--scheduler", type=_scheduler, metavar="ADDRESS",
                    help="run on an existing Dask cluster, e.g. tcp://host:8786")
    sw.add_argument("--scheduler-timeout", type=_number("--scheduler-timeout (seconds)", 0, MAX_SCHEDULER_TIMEOUT,
                                                        above=True),
                    default=30.0, metavar="S", help="give up on an unanswering scheduler after S seconds (default 30)")
    sw.add_argument("--out", type=_path, help="output directory (default reports/<instance name>-sweep/)")

    fr = command("frontier", cmd_frontier, "the Pareto frontier and the zone of possible agreement")
    fr.add_argument("file", type=_path, help="instance file (YAML)")
    fr.add_argument("--points", type=_number("--points", 2, MAX_POINTS, integer=True), default=9, metavar="N",
                    help=f"points on the frontier (2 to {MAX_POINTS}, default 9)")
    fr.add_argument("--out", type=_path, help="report directory (default reports/<instance name>-frontier/)")

    alt = command("alternatives", cmd_alternatives, "several distinct packages, nearly as good for home, best first")
    alt.add_argument("file", type=_path, help="instance file (YAML)")
    alt.add_argument("--count", type=_number("--count", 1, MAX_PACKAGES, integer=True), default=5, metavar="K",
                     help=f"at most K packages (1 to {MAX_PACKAGES}, default 5)")
    alt.add_argument("--within", type=_number("--within (percent)", 0, 1000), default=1.0, metavar="PCT",
                     help="deficit within PCT percent of the best (default 1)")
    alt.add_argument("--min-gain", type=_number("--min-gain (percent)", 0, 100, above=True), default=1.0,
                     metavar="PCT",
                     help="packages with the same yes/no choices must differ in some amount by a move that changes "
                          "either side's payoff by at least PCT percent of the larger side's gain with the best "
                          "package (above 0, at most 100; default 1)")
    alt.add_argument("--min-difference", type=_number("--min-difference (percent)", 0, 100, above=True),
                     default=None, metavar="PCT",
                     help="instead of --min-gain: amounts must differ by at least PCT percent of the lever's limit "
                          "(above 0, at most 100)")
    alt.add_argument("--out", type=_path, help="report directory (default reports/<instance name>-alternatives/)")

    ev = command("evaluate", cmd_evaluate, "evaluate an offer: acceptable?, best completion, frontier, smallest change")
    ev.add_argument("file", type=_path, help="instance file (YAML)")
    ev.add_argument("--offer", type=_path, required=True, metavar="OFFER.yaml", action="append",
                    help="offer file: levers in the format of the instance's fixed_levers (see docs/negotiating.md); "
                         "give --offer more than once to set several offers side by side")
    ev.add_argument("--out", type=_path, help="report directory (default reports/<instance name>-offer-<offer name>/, "
                                              "or reports/<instance name>-offers/ for several offers)")
    ev.add_argument("--robustness", type=_number("--robustness", 0, MAX_DRAWS, integer=True), default=DEFAULT_DRAWS,
                    metavar="N", help=f"check the offer as stated in N draws of the instance's 'uncertainty:' (no "
                                      f"solves; default {DEFAULT_DRAWS}; 0 turns this off)")
    ev.add_argument("--seed", type=_number("--seed", 0, MAX_SEED, integer=True), default=0,
                    help="random seed of the draws, 0 or more (the same draws as run's and sweep's)")

    val = command("validate", cmd_validate, "check an instance file and say what is wrong")
    val.add_argument("file", type=_path, help="instance file (YAML)")
    val.add_argument("--resolved", action="store_true", help="print the instance with 'extends' applied")
    return p


def _refuse(message: str) -> int:
    _error(f"error: {message}")
    return EXIT["bad_input"]


def cmd_validate(args) -> int:
    jobs = _jobs()
    text, listing = jobs.validate(args.file, resolved=args.resolved)
    if listing:
        print(visible(listing), end="")
    _say(text, sys.stderr if args.resolved else sys.stdout)
    return 0


def cmd_run(args) -> int:
    jobs = _jobs()
    status, text = jobs.run(args.file, out=args.out, objective=args.objective, time_limit=args.time_limit,
                            export_lp=args.export_lp, relax_steps=dict(args.relax_step) or None, say=_say,
                            robustness=args.robustness, seed=args.seed, assumption_rank=args.assumption_rank)
    _say(text)
    return EXIT.get(status, EXIT["error"])


def cmd_frontier(args) -> int:
    """0: the frontier was computed; 3: no zone of possible agreement (the free negotiation is
    infeasible); 4 unbounded, 5 time limit, 1 a solver error (no zone is claimed then)."""
    jobs = _jobs()
    status, text = jobs.frontier(args.file, points=args.points, out=args.out)
    _say(text)
    return EXIT.get(status, EXIT["error"])


def cmd_compare(args) -> int:
    """0 once compared, whatever each instance's outcome; but 4 when an instance is unbounded
    and 1 when one ended in a solver error (its column is then no result to compare)."""
    jobs = _jobs()
    if len(args.files) < 2:
        return _refuse("compare needs at least two instance files")
    status, text = jobs.compare([Path(f) for f in args.files], out=args.out)
    _say(text)
    return EXIT.get(status, EXIT["error"])


def cmd_sweep(args) -> int:
    """0 when every draw ran (a draw with no possible deal is a result); 1 when a draw ended in
    an error; 4 when the deal or a draw is unbounded."""
    jobs = _jobs()
    draws = max(1, args.monte_carlo) * math.prod(len(values) for _, values in args.param)
    if draws > MAX_DRAWS:
        return _refuse(f"the sweep has {draws:,} draws (grid points x Monte Carlo draws); at most {MAX_DRAWS:,} "
                       "are allowed: use fewer --param values or a smaller --monte-carlo")
    status, text = jobs.sweep(args.file, params=args.param, monte_carlo=args.monte_carlo, seed=args.seed,
                              workers=args.workers, scheduler=args.scheduler, out=args.out,
                              scheduler_timeout=args.scheduler_timeout, lever=args.lever)
    _say(text)
    return EXIT.get(status, EXIT["error"])


def cmd_alternatives(args) -> int:
    jobs = _jobs()
    status, text = jobs.alternatives(args.file, count=args.count, within=args.within / 100,
                                     min_difference=None if args.min_difference is None else args.min_difference / 100,
                                     min_gain=args.min_gain / 100, out=args.out)
    _say(text)
    return EXIT.get(status, EXIT["error"])


def cmd_evaluate(args) -> int:
    """0 when the offer was evaluated, acceptable or not (the summary and report say which);
    4 when the instance with the offer is unbounded, 1 when a solve ended in an error."""
    jobs = _jobs()
    if len(args.offer) > 1:
        status, text = jobs.evaluate_offers(args.file, args.offer, out=args.out, robustness=args.robustness,
                                            seed=args.seed)
    else:
        status, text = jobs.evaluate_offer(args.file, args.offer[0], out=args.out, robustness=args.robustness,
                                           seed=args.seed)
    _say(text)
    return EXIT.get(status, EXIT["error"])
