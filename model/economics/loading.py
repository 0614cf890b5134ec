"""Loading an instance: the data layer's reading, then the checks that need the economics.

`model.data.loader.read_instance` validates everything the file says on its own
(structure, units, ranges, references); what needs the metrics is checked here, right
after: the calibration figures against the baseline, and red lines stated relative to a
reference whose value is not positive. Everything that loads instances for use (the
commands, the tests, the benchmarks) calls `load`.
"""
from __future__ import annotations

from pathlib import Path

from model.data.fields import DOCS
from model.data.instance import Instance
from model.data.loader import CALIBRATION_TOLERANCE, Origins, read_instance
from model.economics.metrics import evaluate
from model.errors import InstanceError, InstanceErrors


def load(path: str | Path, root: str | Path | None = None) -> Instance:
    """Read and validate an instance file, calibration included; raises InstanceError(s)
    naming file, field and line."""
    path = Path(path)
    instance, origins = read_instance(path, root)
    errors = check_calibration(instance, origins, str(path)) + check_relative_red_lines(instance, origins, str(path))
    if errors:
        raise InstanceErrors(errors)
    return instance


def check_relative_red_lines(instance: Instance, origins: Origins, file: str) -> list[InstanceError]:
    """A bound stated relative to a reference must have a positive reference: 90% of a negative
    deficit is above it (looser, not tighter), and any share of zero is zero. Rejected, with
    the reference's value, rather than silently turned around."""
    relative = [(r, r.relative_to) for r in instance.red_lines if r.relative_to is not None]
    if not relative:
        return []
    refs = {"baseline": evaluate(instance, None), "no_deal": evaluate(instance, instance.no_deal)}
    errors = []
    for r, relative_to in relative:
        ref = refs[relative_to][r.metric]
        if ref > 0:
            continue
        f, line = origins.locate(f"red_lines.{r.name.split('[')[0]}.relative_to", file)
        what = "zero" if ref == 0 else f"negative ({ref:,.6g})"
        errors.append(InstanceError(
            f, f"red_lines.{r.name.split('[')[0]}.relative_to", f"'{r.metric}' is {what} at {relative_to.replace('_', ' ')}, "
            f"so a bound relative to it would {'be zero whatever the share' if ref == 0 else 'loosen as the share falls'}",
            line=line, hint="state the bound as an absolute value (drop 'relative_to'), or choose a metric that is "
                            f"positive at the reference; see {DOCS}#red_lines"))
    return errors


def check_calibration(instance: Instance, origins: Origins, file: str) -> list[InstanceError]:
    """The baseline must reproduce each calibration figure to within 0.1%.

    When the figure was written in one file and the segments were changed in another (a
    file that `extends` it adds, removes or restates segments), the hint says so: the
    inherited figures describe the parent's segments, and `calibration` can be restated."""
    if not instance.calibration:
        return []
    baseline = evaluate(instance, None)
    errors = []
    for k, target in instance.calibration.items():
        got = baseline[k]
        if abs(got - target) > CALIBRATION_TOLERANCE * max(abs(target), 1e-9):
            f, line = origins.locate(f"calibration.{k}", file)
            changed = sorted({where for path, (where, _) in origins.where.items()
                              if path.startswith("segments.") and where != f})
            hint = "adjust the segment data so that they add up to the published total"
            if changed:
                names = ", ".join(Path(c).name for c in changed)
                hint = (f"the segments were changed in {names}, but this figure comes from {Path(f).name}: "
                        f"restate it under 'calibration:' in {Path(file).name} for these segments, or drop it "
                        f"with 'calibration: {{{k}: null}}' (or all figures with 'calibration: null'); see "
                        f"{DOCS}#calibration")
            errors.append(InstanceError(
                f, f"calibration.{k}", f"the baseline gives {got:,.6g} but the calibration figure is "
                f"{target:,.6g} ({(got - target) / target:+.2%}); they must agree to 0.1%", line=line, hint=hint))
    return errors
