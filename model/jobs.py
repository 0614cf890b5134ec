"""Each command's work, from instance file to report directory: load, check where the
report goes, solve, analyse, write, and say what was done. No argument parsing (that is
`cli`) and no rendering (that is `reporting`): a job strings the layers together."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from model.analyses.deal_robustness import DEFAULT_DRAWS, HORIZON_DRAWS
from model.analyses.robustness import deficit_histogram, grid_table, sensitivity, varying_levers
from model.analyses.sweep import Plan, check_plan, parse_param, resolver_for, run_sweep
from model.analyses.sweep_summary import sweep_csv
from model.data.loader import resolve
from model.economics.loading import load
from model.errors import InstanceError
from model.optimization.handle import NegotiationModel
from model.optimization.horizon import command_model
from model.reporting import alternatives_report, offer_report, offers_side_by_side
from model.reporting.charts import offers_chart, packages_chart
from model.reporting.frontier_section import frontier_terminal
from model.reporting.report_directory import check_file_target, check_target, text_writer, write_directory
from model.reporting.report_files import write_report
from model.reporting.spreadsheet import csv_writer, safe_text, write_xlsx
from model.reporting.terminal import run_summary, sweep_summary
from model.results import rounded
from model.run import unbounded_explanation
from model.run.pipelines import (
    FRONTIER,
    RUN,
    RUN_FRONTIER_POINTS,
    SWEEP,
    Context,
    Options,
    execute,
    execute_alternatives,
    execute_evaluation,
    solve_instance,
)

REPORTS = Path("reports")              # where reports go when --out is not given
CACHE = REPORTS / ".cache"             # compare's saved results, keyed by content and code

def validate(file: str, resolved: bool = False) -> tuple[str, str]:
    """(one line saying the file is valid, the resolved instance as YAML if asked)."""
    import yaml
    inst = load(file)
    listing = ""
    if resolved:
        data, _ = resolve(Path(file))
        listing = yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True)
    n_assumed = sum(1 for i in inst.inputs if inst.sources[i.source].kind == "assumption")
    return (f"{file}: ok: instance '{inst.name}', {len(inst.segments)} segments, {len(inst.channels)} channels, "
            f"{len(inst.red_lines)} red lines, {len(inst.inputs)} numbers ({n_assumed} assumptions)"), listing


def one_year_only(inst, command: str) -> None:
    """Refuse, in words, a command not built over a horizon yet (rather than solve one year of it)."""
    if inst.horizon is not None:
        raise InstanceError(inst.file, "horizon", f"`{command}` is not built for a deal over several years yet",
                            hint="`run` solves it over its horizon; for this command, remove 'horizon:' to study "
                                 "one year")


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def run(file: str, out: str | None = None, objective: str | None = None, time_limit: float | None = None,
        export_lp: str | None = None, relax_steps: dict[str, float] | None = None, say=None,
        robustness: int | None = None, seed: int = 0, assumption_rank: bool = True) -> tuple[str, str]:
    """Solve one instance through the `run` pipeline and write its report: (status, the rest of
    the terminal summary). `relax_steps`: unit -> one step of relaxation for the no-deal
    diagnosis (see analyses.diagnose). `robustness`: draws of the instance's uncertainty (0:
    none; None: DEFAULT_DRAWS, or HORIZON_DRAWS for an instance with a horizon, whose draws each
    rebuild the multi-year model), with `seed`. `assumption_rank`: rank the assumptions by their influence on the deal
    (analyses.assumption_rank). `say(text)`, when given, gets the first screen as soon as
    the deal is verified and analysed, before the charts and workbooks are written."""
    inst = load(file)
    target = check_target(out or REPORTS / inst.name)
    if export_lp:        # an LP file written before (it starts with our header) may be replaced; nothing else
        check_file_target(export_lp, "--export-lp", lambda head: head.startswith(b"\\ Deficit-minimizing"),
                          report=target)
    points = RUN_FRONTIER_POINTS if (objective or inst.settings.objective) == "min_deficit" else 0
    if robustness is None:
        robustness = HORIZON_DRAWS if inst.horizon is not None else DEFAULT_DRAWS
    ctx = Context(command_model(inst, time_limit),
                  Options(objective, time_limit, export_lp, relax_steps=relax_steps, frontier_points=points,
                          robustness=robustness, seed=seed, assumption_rank=assumption_rank))
    results = execute(RUN, ctx)
    text = run_summary(results, target)
    if export_lp:
        text += f"\nmodel (first stage, objective in USD million) written to {export_lp}"
    if say is not None:
        head, _, tail = text.rpartition("\n  report: ")      # the report's path last, once it is written
        say(head)
        text = "  report: " + tail
    write_report(results, target)
    return results.status, text


FRONTIER_STATUS = {"ok": "optimal", "no_zopa": "infeasible"}     # the rest are the solve's own words


def frontier(file: str, points: int, out: str | None = None) -> tuple[str, str]:
    """The deal and the frontier of the free negotiation: (status, terminal text); status
    'optimal' when the frontier was computed, 'infeasible' when there is no zone, else the
    status of the end that did not solve ('unbounded', 'time_limit', 'error')."""
    inst = load(file)
    one_year_only(inst, "frontier")
    target = check_target(out or REPORTS / f"{inst.name}-frontier")
    results = execute(FRONTIER, Context(NegotiationModel(inst), Options(frontier_points=points)))
    front = results.frontier
    assert front is not None
    table = pd.DataFrame([rounded(p) for p in front.points])
    write_report(results, target, extra_files={"frontier.csv": csv_writer(table)}, command="frontier")
    return FRONTIER_STATUS.get(front.status, front.status), frontier_terminal(results, target)


def compare(paths: list[Path], out: str | None = None) -> tuple[str, str]:
    """Solve (or reuse) each instance, compare, write the comparison: (status, the terminal
    table). Status 'unbounded' when an instance is (the text names it and its levers), 'error'
    when an instance's solve failed, else 'optimal' (whatever each instance's own outcome)."""
    # Imported here: only `compare` needs them, and they cost a third of a second at every start.
    from model.analyses.compare import compare as compare_instances
    from model.reporting.comparison import chart as comparison_chart
    from model.reporting.comparison import html as comparison_html
    from model.reporting.comparison import markdown as comparison_markdown
    from model.reporting.comparison import sheets as comparison_sheets
    from model.reporting.comparison import terminal_table, to_rows
    if out:
        check_target(out)
    comp, uses = compare_instances(paths, CACHE, solve_instance)
    target = check_target(out or REPORTS / ("compare-" + "-".join(comp.instance_names)))
    frame = pd.DataFrame(to_rows(comp))
    svg = comparison_chart(comp)
    write_directory(target, {"comparison.csv": csv_writer(frame),
                             "comparison.svg": text_writer(svg),
                             "comparison.md": text_writer(comparison_markdown(comp)),
                             "comparison.html": text_writer(comparison_html(comp, svg)),
                             "comparison.xlsx": lambda p: write_xlsx(p, comparison_sheets(comp),
                                                                     full_tables="comparison.csv"),
                             **over_time_comparison_files(comp)},
                    command="compare")
    lines = [terminal_table(comp)]
    reused = [n for n, u in zip(comp.names, uses) if u.reused]
    if reused:
        lines.append(f"reused saved results for: {', '.join(reused)} (same content and code, checksum verified)")
    lines += [f"note: {u.note}" for u in uses if u.note]
    # An instance without a result to compare is said as such, with its reason.
    for name, path, status in zip(comp.names, paths, comp.statuses):
        which = name if name == str(path) else f"{name} ({path})"
        if status == "unbounded":
            lines.append(f"unbounded: {which}: {unbounded_explanation(load(path))}")
        elif status == "error":
            lines.append(f"error: the solve of {which} failed; its column holds no result")
    lines.append(f"comparison: {target / 'comparison.md'}")
    status = "unbounded" if "unbounded" in comp.statuses else "error" if "error" in comp.statuses else "optimal"
    return status, "\n".join(lines)


def over_time_comparison_files(comp) -> dict:
    """comparison_over_time.csv and comparison_over_time_sums.csv when an instance compared has a
    horizon (each year in long form, and the present values and totals); none otherwise."""
    from model.reporting import comparison
    if not any(comp.over_time):
        return {}
    return {comparison.OVER_TIME_CSV: csv_writer(comparison.over_time_frame(comp)),
            comparison.OVER_TIME_SUMS_CSV: csv_writer(comparison.over_time_sums_frame(comp))}


def sweep(file: str, params: list[str | tuple[str, tuple[float, ...]]], monte_carlo: int, seed: int, workers: int,
          scheduler: str | None, out: str | None = None, scheduler_timeout: float = 30.0,
          lever: str | None = None) -> tuple[str, str]:
    """Solve the instance, then every draw; write the report directory (the deal's report
    with a robustness section) plus sweep.csv, sweep_summary.json and sweep.svg. With `lever`
    ('family.key=v1,v2,...'), also the policy curve of that lever (policy_curve.csv, its chart
    in the report); with only `lever`, no draws. Returns (status, terminal text): 'unbounded'
    when the deal or a draw is, 'error' when a draw ended in an error, else 'optimal' (a draw
    with no possible deal is a result, not a failure)."""
    from model.analyses.policy_curve import find_lever, parse_lever
    from model.reporting.policy_curve_section import curve_csv, curve_terminal
    inst = load(file)
    target = check_target(out or REPORTS / f"{inst.name}-sweep")
    try:
        parsed = tuple(parse_param(p) if isinstance(p, str) else p for p in params)
        curve = parse_lever(lever) if lever is not None else None
    except ValueError as exc:
        raise InstanceError(file, "--lever" if str(exc).startswith("--lever") else "--param", str(exc)) from None
    if monte_carlo < 0 or workers < 1:
        raise InstanceError(file, "--monte-carlo/--workers", "--monte-carlo must be >= 0 and --workers >= 1")
    plan = Plan(params=parsed, samples=monte_carlo, seed=seed, sides=True)     # who walks away, each no-deal draw
    draws = bool(parsed or monte_carlo)
    if draws or curve is None:
        check_plan(inst, plan)
    if curve is not None:
        find_lever(inst, curve[0])                     # a bad lever is refused before anything is solved
        if inst.horizon is not None:
            raise InstanceError(file, "--lever", "the policy curve is not built over a horizon yet (it re-solves "
                                "the one-year model)", hint="sweep --param or --monte-carlo, or a one-year instance")
    model = command_model(inst)
    base = execute(SWEEP, Context(model, Options(lever=curve)))
    files: dict = {}
    lines: list[str] = []
    status = "unbounded" if base.status == "unbounded" else "optimal"
    if draws:
        status, lines = _draws(inst, plan, model, base, workers, scheduler, scheduler_timeout, target, files)
    if base.policy_curve is not None:
        files["policy_curve.csv"] = csv_writer(curve_csv(base.policy_curve))
        text = curve_terminal(base, target)
        lines = lines[:-1] + text.split("\n") if lines else text.split("\n")
        if any(p.status == "unbounded" for p in base.policy_curve.points):
            status = "unbounded"
        elif any(p.status == "error" for p in base.policy_curve.points) and status == "optimal":
            status = "error"
    write_report(base, target, files, command="sweep")
    return status, "\n".join(lines)


def _draws(inst, plan, model, base, workers, scheduler, scheduler_timeout, target, files) -> tuple[str, list[str]]:
    """The sweep's draws: their summary on `base`, their files into `files`; (status, terminal lines)."""
    from functools import partial

    from model.run.horizon_draws import REBUILD_REASON, solve_draw
    solve = solve_draw if inst.horizon is not None else None       # a horizon: each draw rebuilt and solved whole
    # ... and, where the plan asks who walks away, decided on the draw's own model
    drawn = partial(solve_draw, sides=True) if solve is not None and plan.sides else solve
    result = run_sweep(inst, plan, workers=workers, scheduler=scheduler, progress=True, timeout=scheduler_timeout,
                       model=model, solve=drawn)
    s = result.summary
    if s is None:
        raise RuntimeError("run_sweep returned its draws without their summary")
    # What the robustness section shows beyond the summary: the distribution, the sensitivity
    # to each uncertain input (two more solves per input) and the table by grid point.
    s.histogram = deficit_histogram(result)
    base_deficit = base.metric("deficit").deal if base.has_deal else None
    s.sensitivity = sensitivity(inst, result, base_deficit, model, solve)
    s.grid = grid_table(inst, result)
    s.grid_levers = varying_levers(inst, s.grid) if s.grid else []
    base.sweep = s
    base.timings["sweep"] = result.seconds
    files["sweep.csv"] = text_writer(sweep_csv(result, cell=safe_text))
    files["sweep_summary.json"] = text_writer(json.dumps(rounded(s), indent=2, allow_nan=False) + "\n")
    reason = ""
    if solve is not None:
        reason = REBUILD_REASON
    elif s.method.get("rebuild") and result.engine == "this process":
        reason = getattr(resolver_for(inst, model), "reason", "")
    lines = sweep_summary(inst, result, target, reason, base).split("\n")
    status = "unbounded" if base.status == "unbounded" or s.status.get("unbounded") else (
        "error" if s.status.get("error") else "optimal")
    if status == "unbounded":     # the draws' solver says only "unbounded": name the levers, as `run` does
        lines.insert(-1, f"  unbounded: {unbounded_explanation(inst)}")
    errors = [r for r in result.rows if r["status"] == "error"]
    if errors:
        lines.insert(-1, f"  error in draw {errors[0]['draw']}: {errors[0]['message'] or 'no reason given by the solver'}"
                     + (f" (and {len(errors) - 1:,} more draws: see sweep.csv)" if len(errors) > 1 else ""))
    return status, lines


def alternatives(file: str, count: int, within: float, min_difference: float | None, min_gain: float,
                 out: str | None = None) -> tuple[str, str]:
    """Up to `count` distinct packages within `within` (a share) of the best deficit: writes
    report.md, report.html, alternatives.json, packages.csv and alternatives.svg. Returns
    (status, terminal text); status 'optimal' when packages were found and verified."""
    inst = load(file)
    one_year_only(inst, "alternatives")
    target = check_target(out or REPORTS / f"{inst.name}-alternatives")
    found = execute_alternatives(Context(NegotiationModel(inst), Options(count=count, within=within,
                                                                         min_difference=min_difference,
                                                                         min_gain=min_gain)))
    files = {"report.md": text_writer(alternatives_report.markdown(found)),
             "report.html": text_writer(alternatives_report.html(found)),
             "alternatives.json": text_writer(json.dumps(rounded(found), indent=2, allow_nan=False) + "\n")}
    if found.packages:
        files["packages.csv"] = csv_writer(alternatives_report.frame(found))
        files[alternatives_report.CHART] = text_writer(packages_chart(found.packages, found.parties))
    write_directory(target, files, command="alternatives")
    status = found.status if found.status != "ok" else (
        "optimal" if all(p.verified for p in found.packages) else "error")
    return status, alternatives_report.terminal(found, target)


def evaluate_offer(file: str, offer_file: str, out: str | None = None, robustness: int = 0,
                   seed: int = 0) -> tuple[str, str]:
    """Evaluate the offer in `offer_file` against the instance: writes report.md, report.html,
    evaluation.json and offer_levers.csv. Returns (status, terminal text): 'optimal' once
    evaluated (acceptable or not: the text says which), 'unbounded' or 'error' when a solve
    of the evaluation was."""
    from model.data.offers import load_offer
    inst = load(file)
    one_year_only(inst, "evaluate")
    offer = load_offer(offer_file, inst)
    target = check_target(out or REPORTS / f"{inst.name}-offer-{offer.name}")
    ev = execute_evaluation(Context(NegotiationModel(inst), Options(offer=offer, robustness=robustness, seed=seed)))
    write_directory(target, {"report.md": text_writer(offer_report.markdown(ev)),
                             "report.html": text_writer(offer_report.html(ev)),
                             "evaluation.json": text_writer(json.dumps(rounded(ev), indent=2, allow_nan=False) + "\n"),
                             "offer_levers.csv": csv_writer(offer_report.frame(ev))},
                    command="evaluate")
    return ev.status, offer_report.terminal(ev, target)


def evaluate_offers(file: str, offer_files: list[str], out: str | None = None, robustness: int = 0,
                    seed: int = 0) -> tuple[str, str]:
    """Several offers on one instance, each evaluated in full on the command's one model, side by
    side with no deal and the optimum: writes report.md, report.html (a table and a chart, then
    each offer's evaluation), evaluation.json, offers.csv and offers.svg. Returns (status,
    terminal text) as `evaluate_offer` does; the status is the worst of the evaluations'."""
    from model.analyses.offers import side_by_side
    from model.data.offers import load_offer
    inst = load(file)
    one_year_only(inst, "evaluate")
    offers = [load_offer(f, inst) for f in offer_files]
    seen: dict[str, str] = {}
    for f, offer in zip(offer_files, offers):
        if offer.name in seen:
            raise InstanceError(str(Path(f)), "offer", f"the offer name '{offer.name}' is also the name of the "
                                f"offer in {seen[offer.name]}", hint="give each offer a name of its own")
        seen[offer.name] = str(Path(f))
    target = check_target(out or REPORTS / f"{inst.name}-offers")
    model = NegotiationModel(inst)
    evaluations = [execute_evaluation(Context(model, Options(offer=offer, robustness=robustness, seed=seed)))
                   for offer in offers]
    found = side_by_side(model, evaluations)
    write_directory(target, {"report.md": text_writer(offers_side_by_side.markdown(found)),
                             "report.html": text_writer(offers_side_by_side.html(found)),
                             "evaluation.json": text_writer(json.dumps(rounded(found), indent=2, allow_nan=False) + "\n"),
                             "offers.csv": csv_writer(offers_side_by_side.frame(found)),
                             offers_side_by_side.CHART: text_writer(offers_chart(found.lines, found.parties))},
                    command="evaluate")
    return found.status, offers_side_by_side.terminal(found, target)
