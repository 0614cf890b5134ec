"""The command line: `solve.py run|validate ...`. Thin: all logic lives in the package.

Exit codes: 0 optimal deal; 1 internal or solver error (or a solution that failed
verification); 2 bad input; 3 no deal possible (infeasible); 4 unbounded;
5 time limit reached; 6 HiGHS missing or broken.
"""
from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from .errors import EngineUnavailable, InstanceError, InstanceErrors, SolverUnavailable
from .outputs import OutputFailed, OutputRefused, check_target

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

    val = sub.add_parser("validate", help="check an instance file and say what is wrong")
    val.add_argument("file")
    val.add_argument("--resolved", action="store_true", help="print the instance with 'extends' applied")
    val.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    val.set_defaults(func=cmd_validate)
    return p


def cmd_validate(args) -> int:
    from .loader import load, resolve
    inst = load(args.file)
    if args.resolved:
        import yaml
        data, _ = resolve(Path(args.file))
        print(yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True), end="")
    n_assumed = sum(1 for i in inst.inputs if inst.sources[i.source].kind == "assumption")
    print(f"{args.file}: ok: instance '{inst.name}', {len(inst.segments)} segments, {len(inst.channels)} channels, "
          f"{len(inst.red_lines)} red lines, {len(inst.inputs)} numbers ({n_assumed} assumptions)",
          file=sys.stderr if args.resolved else sys.stdout)
    return 0


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def cmd_run(args) -> int:
    from .loader import load
    from .run import solve_instance
    inst = load(args.file)
    out = check_target(args.out or Path("reports") / inst.name)
    results = solve_instance(inst, objective=args.objective, time_limit=args.time_limit, export_lp=args.export_lp)
    write_report(results, out)
    print(summary(results, out))
    if args.export_lp:
        print(f"model (first stage, objective in USD million) written to {args.export_lp}")
    return EXIT.get(results.status, EXIT["error"])


def cmd_frontier(args) -> int:
    """Solve the instance, compute the frontier of the free negotiation, write both."""
    import pandas as pd
    from .charts import frontier_chart
    from .frontier import compute_frontier
    from .frontier_report import frontier_section
    from .loader import load
    from .run import solve_instance
    if args.points < 2:
        print("error: --points must be at least 2", file=sys.stderr)
        return EXIT["bad_input"]
    inst = load(args.file)
    out = check_target(args.out or Path("reports") / f"{inst.name}-frontier")
    results = solve_instance(inst)
    front = compute_frontier(inst, args.points)
    results.extras["frontier"] = front.to_dict()
    extra = {"frontier.csv": (lambda f: lambda path: f.to_csv(path, index=False))(pd.DataFrame(front.points))}
    if front.status == "ok":
        svg = frontier_chart(front.points, front.marks, inst.parties)
        extra["frontier.svg"] = lambda path: path.write_text(svg, encoding="utf-8")
    write_report(results, out, extra_files=extra)
    print(frontier_section(results).replace("![frontier](frontier.svg)", f"chart: {out / 'frontier.svg'}"))
    print(f"\nreport: {out / 'report.md'}")
    return 0 if front.status == "ok" else EXIT["infeasible"]


def cmd_compare(args) -> int:
    from .compare import compare, markdown, terminal_table, to_rows
    from .outputs import text_writer, write_directory
    from .run import solve_instance
    import pandas as pd
    if len(args.files) < 2:
        print("error: compare needs at least two instance files", file=sys.stderr)
        return EXIT["bad_input"]
    paths = [Path(f) for f in args.files]
    if args.out:
        check_target(args.out)
    comp, hits = compare(paths, Path("reports") / ".cache", solve_instance)
    out = Path(args.out) if args.out else Path("reports") / ("compare-" + "-".join(comp.names))
    frame = pd.DataFrame(to_rows(comp))
    from .compare import html, sheets
    from .spreadsheet import write_xlsx
    write_directory(check_target(out), {"comparison.csv": lambda p: frame.to_csv(p, index=False),
                          "comparison.md": text_writer(markdown(comp)),
                          "comparison.html": text_writer(html(comp)),
                          "comparison.xlsx": lambda p: write_xlsx(p, sheets(comp), full_tables="comparison.csv")},
                    command="compare")
    print(terminal_table(comp))
    reused = [n for n, h in zip(comp.names, hits) if h]
    if reused:
        print(f"reused saved results for: {', '.join(reused)} (same content and code)")
    print(f"comparison: {out / 'comparison.md'}")
    return 0


def cmd_sweep(args) -> int:
    from .sweep_report import sweep_command
    return sweep_command(args)


def write_report(results, out: Path, extra_files: dict | None = None) -> Path:
    """results.json, the CSV tables, report.md and timings.json (and `extra_files`:
    name -> writer(path)), written atomically."""
    from .outputs import text_writer, write_directory
    from .report import report_markdown
    frames = results.frames()
    files = {"results.json": text_writer(results.to_json())}
    for name, frame in frames.items():
        files[f"{name}.csv"] = (lambda f: lambda path: f.to_csv(path, index=False))(frame)
    files["report.md"] = text_writer(report_markdown(results))
    from .html_report import report_html
    from .spreadsheet import RESULTS_FULL_TABLES, results_sheets, write_xlsx
    files["report.html"] = text_writer(report_html(results))
    files["results.xlsx"] = lambda path: write_xlsx(path, results_sheets(results), RESULTS_FULL_TABLES)
    files["timings.json"] = text_writer(json.dumps({k: round(v, 6) for k, v in results.timings.items()}, indent=2) + "\n")
    files.update(extra_files or {})
    return write_directory(out, files)


def summary(r, out: Path) -> str:
    from .formatting import money, per_unit, value
    d = r.metric("deficit")
    lines = [f"{r.instance['name']}: {r.status}" + (f" ({r.message})" if r.message else ""),
             f"  deficit: baseline {money(d.baseline)}, no deal {money(d.no_deal)}, deal {money(d.deal)}"]
    second = r.extras.get("stages", {}).get("stage_two_status")
    if r.has_deal and second and second != "optimal":
        lines.append(f"  second stage (best deal for the partner at this deficit): {second}, not proven optimal")
    if r.has_deal:
        chosen = [f"{lv.label}: {lv.choice or value(lv.value, lv.unit)}" for lv in r.levers
                  if lv.name == "tariff" or abs(lv.value) > 1e-9]
        lines.append("  levers:")
        lines += [f"    {c}" for c in chosen]
        bind = [c for c in r.constraints if c.binding and c.kind not in ("choice", "bound", "fixed_lever")]
        lines.append("  binding constraints:" if bind else "  no constraint binds")
        lines += [f"    {c.label}" + (f" (relaxing it is worth {per_unit(c.relaxation_value, c.unit)})"
                                     if c.relaxation_value else "") for c in bind]
        for e in r.extras.get("explanations", []):
            if e["deficit_change"]:
                lines.append(f"    - {e['sentence']}")
        if r.status == "time_limit":
            lines.append(f"  MIP gap of the best deal found: {r.solver['mip_gap']:.2%}" if r.solver.get("mip_gap")
                         is not None else "  MIP gap unknown")
        lines.append(f"  verification: max violation {r.verification['max_violation']:.1e} "
                     f"({'ok' if r.verification['ok'] else 'FAILED'})")
    diag = r.extras.get("diagnosis")
    if diag and diag["status"] == "relaxable":
        lines.append("  smallest relaxation that makes a deal possible:")
        lines += [f"    {x['label']}: from {value(x['bound'], x['unit'])} to {value(x['relaxed_bound'], x['unit'])}"
                  for x in diag["relaxations"]]
    elif diag:
        lines.append("  no relaxation of red lines, participation, ceilings or capacities makes a deal possible")
    lines.append(f"  report: {out / 'report.md'}")
    return "\n".join(lines)
