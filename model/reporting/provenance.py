"""The provenance appendix: every input, grouped by its source, each reason said once.

It opens with the share of inputs that are assumptions; then one entry per source,
assumptions first (the most used first; `run`'s next section ranks them by their influence
on the deal), each with its reason or citation and the inputs
that rest on it, in the units people write ('15%', '-1.5 (elasticity)', '$20,000 a
vehicle'). A source behind many inputs (a CSV-fed instance) lists them by field, with
their count and range, instead of one by one: every number is in results.json.
"""
from __future__ import annotations

from model.reporting.assumption_rank_section import TITLE
from model.reporting.words import input_value
from model.results import Results
from model.results.core import InputRow

MAX_LISTED = 24          # inputs of one source listed one by one; above, grouped by field


def provenance_section(r: Results) -> str:
    inputs = r.inputs
    if not inputs:
        return ""
    assumed = sum(1 for i in inputs if i.kind == "assumption")
    groups: dict[str, list[InputRow]] = {}
    for i in inputs:
        groups.setdefault(i.source, []).append(i)
    order = sorted(groups, key=lambda k: (groups[k][0].kind != "assumption", -len(groups[k]), k))
    lines = [f"## Where the numbers come from: {assumed:,} of {len(inputs):,} inputs are assumptions\n\n"
             f"**{assumed:,} of the {len(inputs):,} inputs ({assumed / len(inputs):.0%}) are assumptions**, not "
             "published figures. Each source is listed once, "
             "assumptions first, with the inputs that rest on it; change an assumption in the instance file to see "
             "how the deal depends on it." + _ranked(r), ""]
    for key in order:
        rows = groups[key]
        first = rows[0]
        if first.kind == "assumption":
            head = f"- **Assumption** `{key}`: {first.citation}"
        else:
            year = f" ({first.year})" if first.year else ""
            head = f"- **{first.citation or key}**{year} `{key}`"
        lines.append(head.rstrip(".") + f". {_inputs(rows)}.")
    return "\n".join(lines)


def _ranked(r: Results) -> str:
    """A pointer to the ranking of the assumptions by their influence on the deal, when `run` made one."""
    v = r.assumption_rank
    if v is None or v.skipped or not v.ranked:
        return ""
    return (f" The next section, *{TITLE}*, ranks the {len(v.ranked):,} assumption sources a re-solve can move by "
            "their influence on the deal.")


def _inputs(rows: list[InputRow]) -> str:
    n = len(rows)
    what = "1 input" if n == 1 else f"{n:,} inputs"
    if n <= MAX_LISTED:
        return f"{what}: " + "; ".join(f"`{i.path}` {input_value(i.path, i.value, i.unit)}" for i in rows)
    fields: dict[tuple[str, str], list[InputRow]] = {}
    for i in rows:
        fields.setdefault((_pattern(i.path), i.unit), []).append(i)
    parts = []
    for (pattern, unit), items in fields.items():
        lo = min(items, key=lambda i: i.value)
        hi = max(items, key=lambda i: i.value)
        span = input_value(lo.path, lo.value, unit) if lo.value == hi.value else \
            f"{input_value(lo.path, lo.value, unit)} to {input_value(hi.path, hi.value, unit)}"
        parts.append(f"`{pattern}` ({len(items):,}: {span})")
    return f"{what}, by field ('*' is every entry): " + "; ".join(parts)


def _pattern(path: str) -> str:
    """'segments.s00012.imports' -> 'segments.*.imports'; per-segment entries of a channel or
    measure ('channels.c1.unit_value.s3') -> 'channels.*.unit_value.*'."""
    parts = path.split(".")
    if len(parts) >= 3:
        parts[1] = "*"
    if len(parts) >= 4 and parts[2] in ("unit_value", "ceiling_lift"):
        parts[3] = "*"
    return ".".join(parts)
