"""Fuzzing: random mutations of a valid instance never crash the tool, never leave a partial
report, and never report a deal that fails verification."""
import copy
import json
import math
import uuid

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import spec

from model.cli import main

pytestmark = pytest.mark.fuzz
EXPECTED_FILES = {"results.json", "levers.csv", "metrics.csv", "constraints.csv", "report.md", "report.html",
                  "results.xlsx", "timings.json"}
CONCESSION_FILES = {"concession_values.csv", "concession_values.svg"}     # when the run priced concessions
BASE = spec({"segments": {"car": {"partner_ceiling": {"value": 30, "unit": "vehicles", "source": "test"}}},
             "settings": {"participation": True}})


def leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield path + (k,)
            yield from leaves(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield path + (i,)
            yield from leaves(v, path + (i,))


PATHS = list(leaves(BASE))
REPLACEMENTS = [None, "text", 7, -3.5, True, [], {}, {"value": "x"}, float("inf"), 1e308]


def mutate(data, path, action, factor, replacement):
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    value = parent[last]
    if action == "drop":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif action == "retype":
        parent[last] = replacement
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[last] = value * factor if action == "scale" else -value
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), action=st.sampled_from(["drop", "retype", "scale", "flip"]),
       factor=st.sampled_from([0.0, 1e-3, 0.5, 3.0, 1e3]), replacement=st.sampled_from(REPLACEMENTS))
def test_mutated_instances_fail_clearly_or_solve_verified(tmp_path, capsys, path, action, factor, replacement):
    data = mutate(BASE, path, action, factor, replacement)
    file = tmp_path / "fuzz.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = tmp_path / f"out-{uuid.uuid4().hex}"      # hypothesis reuses tmp_path across examples
    code = main(["run", str(file), "--out", str(out)])
    text = capsys.readouterr()
    assert "Traceback" not in text.err and "internal error" not in text.err, text.err
    assert code in (0, 2, 3, 4, 5), (code, text.err)
    if code == 2:
        assert "error:" in text.err and "fuzz.yaml" in text.err
        assert not out.exists()
        return
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert EXPECTED_FILES <= names and all(n.endswith(".svg") for n in names - EXPECTED_FILES - CONCESSION_FILES)  # complete
    results = json.loads((out / "results.json").read_text())
    priced = any(r["status"] == "ok" for r in results["extras"].get("concession_values", {}).get("rows", []))
    data_files = {n for n in names if not n.endswith(".svg")}       # charts: one .svg each, as drawn
    assert data_files == EXPECTED_FILES | ({"concession_values.csv"} if priced else set())    # complete, never partial
    assert ("concession_values.svg" in names) == priced
    if code == 0:
        assert results["verification"]["ok"] is True


# -- Command-line arguments (issue 12, item 9): any argument list either stops with a clear
# -- message (exit 2) before any work, or reaches the job with every number in its range.

from model import cli as cli_module  # noqa: E402
from model import jobs  # noqa: E402

NUMBERS = ["0", "1", "2", "9", "-1", "-0", "+3", "2.5", "1e3", "1e309", "nan", "-inf", "inf", "0x10", "", " 5",
           "9" * 30, "abc", "1,2", "--", str(2**64), str(2**64 - 1), str(cli_module.MAX_POINTS),
           str(cli_module.MAX_POINTS + 1), str(cli_module.MAX_DRAWS), str(cli_module.MAX_WORKERS + 1)]
ANY_NUMBER = st.one_of(st.sampled_from(["1", "2", "9", "2.5"]), st.sampled_from(NUMBERS))   # half in range
PARAMS = ["segments.car.imports=900,1000", "segments.car.imports=nan", "x=1", "=1", "segments.car.imports=",
          "segments.car.imports=1,,2", "segments.car.imports=1e400", "a=b"]
TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\udcff", "\x00", "<", "/", "-"]),
               max_size=12)
OPTIONS = {
    "run": [("--time-limit", ANY_NUMBER), ("--objective", st.sampled_from(["nash", "bogus", ""])),
            ("--out", TEXT)],
    "frontier": [("--points", ANY_NUMBER), ("--out", TEXT)],
    "sweep": [("--seed", ANY_NUMBER), ("--monte-carlo", ANY_NUMBER),
              ("--workers", ANY_NUMBER), ("--param", st.sampled_from(PARAMS)),
              ("--scheduler-timeout", ANY_NUMBER)],
    "compare": [("--out", TEXT)],
    "validate": [("--resolved", st.just(None))],
}


@st.composite
def argument_lists(draw):
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [draw(st.sampled_from(["--debug", None])), command, draw(st.sampled_from(["F", "F", "", "\udcff.yaml"]))]
    for option, values in draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=4)):
        value = draw(values)
        argv += [option] if value is None else draw(st.sampled_from([[option, value], [f"{option}={value}"]]))
    if draw(st.integers(0, 4)) == 0:
        argv.append(draw(TEXT))                            # a stray word
    return [a for a in argv if a is not None]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=argument_lists())
def test_any_argument_list_stops_clearly_or_reaches_the_job_in_range(tmp_path, capsys, monkeypatch, argv):
    calls = []

    def job(name):
        def record(*args, **kwargs):
            calls.append((name, args, kwargs))
            return {"run": ("optimal", "ok"), "frontier": ("ok", "ok"), "sweep": (False, "ok"),
                    "compare": "ok", "validate": ("ok", "")}[name]
        return record
    for name in ("run", "frontier", "sweep", "compare", "validate"):
        monkeypatch.setattr(jobs, name, job(name))
    path = str(tmp_path / "f.yaml")
    code = main([path if a == "F" else a for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "internal error" not in out.err, out.err
    assert code in (0, 2), (argv, code, out.err)
    if code == 2:
        assert "error" in out.err and not calls
        return
    [(name, args, kwargs)] = calls
    finite = lambda v: isinstance(v, (int, float)) and math.isfinite(v)
    if kwargs.get("time_limit") is not None:
        assert finite(kwargs["time_limit"]) and kwargs["time_limit"] > 0
    if name == "frontier":
        assert 2 <= kwargs["points"] <= cli_module.MAX_POINTS
    if name == "sweep":
        assert 0 <= kwargs["seed"] <= cli_module.MAX_SEED and 1 <= kwargs["workers"] <= cli_module.MAX_WORKERS
        assert 0 <= kwargs["monte_carlo"] <= cli_module.MAX_DRAWS and kwargs["scheduler_timeout"] > 0
        assert all(finite(v) for _, values in kwargs["params"] for v in values)
    for value in [*args, *kwargs.values()]:
        if isinstance(value, str):
            value.encode("utf-8")                         # every name can be shown and written


# -- CSV side tables (issue 12, item 9): any table text fails clearly or loads and solves.

CSV_FIELDS = ["base_tariff", "imports", "import_price", "exports", "export_price", "elasticity", "pass_through",
              "partner_ceiling", "partner_margin", "home_substitution", "displacement"]
TRUCK = ["truck", "trucks", "cars", "0", "100", "20000", "0", "10000", "-1", "1", "0", "1000", "0", "0"]
CELLS = st.sampled_from(["", "0", "-1", "1e400", "-1e400", "nan", "inf", "1e6", "=1+1", '"q""uoted"', "x" * 50,
                         "truck", "car", "cars", "lorries", "1_000", "0x1F", " 7 ", "\x00", "\ufeff", "é", "1,5",
                         "10" + "0" * 400])


@st.composite
def csv_texts(draw):
    header = ["name", "label", "tariff_menu"] + CSV_FIELDS
    rows = [list(TRUCK)]
    for k in range(draw(st.integers(0, 3))):              # more segments, named apart
        rows.append([f"truck{k}"] + TRUCK[1:])
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 4, 6]))):     # damage some cells (often none)
        row = draw(st.sampled_from(rows + [header]))
        i = draw(st.integers(0, len(row) - 1))
        action = draw(st.sampled_from(["set", "drop", "add"]))
        if action == "set":
            row[i] = draw(CELLS)
        elif action == "drop" and len(row) > 1:
            row.pop(i)
        else:
            row.insert(i, draw(CELLS))
    lines = [header] + rows
    sep = draw(st.sampled_from(["\n", "\r\n"]))
    text = sep.join(",".join(c if "," not in c else f'"{c}"' for c in line) for line in lines) + sep
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"", b"\xff"])) + data
    return data


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_texts())
def test_csv_tables_fail_clearly_or_solve_verified(tmp_path, capsys, data):
    d = tmp_path / f"t-{uuid.uuid4().hex}"
    d.mkdir()
    spec_ = spec({"segments": {"truck": None}})
    units = {"base_tariff": "%", "imports": "vehicles", "import_price": "USD/vehicle", "exports": "vehicles",
             "export_price": "USD/vehicle", "elasticity": "1", "pass_through": "fraction",
             "partner_ceiling": "vehicles", "partner_margin": "USD/vehicle", "home_substitution": "fraction",
             "displacement": "fraction"}
    spec_["tables"] = [{"csv": "rows.csv", "path": "segments.{name}",
                        "columns": {f: {"unit": u, "source": "test"} for f, u in units.items()}}]
    (d / "rows.csv").write_bytes(data)
    file = d / "inst.yaml"
    file.write_text(yaml.safe_dump(spec_, sort_keys=False))
    out = d / "out"
    code = main(["run", str(file), "--out", str(out)])
    text = capsys.readouterr()
    assert "Traceback" not in text.err and "internal error" not in text.err, text.err
    assert code in (0, 2, 3, 4, 5), (code, text.err)
    if code == 2:
        assert "error:" in text.err and ("rows.csv" in text.err or "inst.yaml" in text.err), text.err
        assert not out.exists()
        return
    results = json.loads((out / "results.json").read_text())
    if code == 0:
        assert results["verification"]["ok"] is True
