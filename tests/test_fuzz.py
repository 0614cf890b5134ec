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
                  "results.xlsx", "timings.json", "brief.html"}
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
    priced = any(r["status"] == "ok" for r in (results.get("concession_values") or {}).get("rows", []))
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
SCHEDULERS = ["", " ", "tcp://10.0.0.5:8786", "tls://h.example:1", "h:8786", "[::1]:8786", "bogus://h:1", "h:99999",
              "tcp://h h:1", "tcp://", "://h", "h:", "tcp://-h:1"]
TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(["\udcff", "\x00", "<", "/", "-"]),
               max_size=12)
OPTIONS = {
    "run": [("--time-limit", ANY_NUMBER), ("--objective", st.sampled_from(["nash", "bogus", ""])),
            ("--out", TEXT)],
    "frontier": [("--points", ANY_NUMBER), ("--out", TEXT)],
    "sweep": [("--seed", ANY_NUMBER), ("--monte-carlo", ANY_NUMBER),
              ("--workers", ANY_NUMBER), ("--param", st.sampled_from(PARAMS)),
              ("--scheduler-timeout", ANY_NUMBER), ("--scheduler", st.sampled_from(SCHEDULERS) | TEXT)],
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
            return {"run": ("optimal", "ok"), "frontier": ("optimal", "ok"), "sweep": ("optimal", "ok"),
                    "compare": ("optimal", "ok"), "validate": ("ok", "")}[name]
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
        assert kwargs["scheduler"] is None or cli_module._ADDRESS.match(kwargs["scheduler"])   # well formed, never ""
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


# -- Text fields through every output (issue 22, items 6 and 10): any text in a label, a
# -- party's name, the title or the question reaches the terminal, report.md, the html page,
# -- the CSV files, the workbook, the SVG charts and results.json without a crash; the files
# -- for reading and the terminal never carry a raw control character; html shows the text
# -- escaped once; results.json keeps it exactly.

import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from xml.etree import ElementTree  # noqa: E402

import openpyxl  # noqa: E402

from model.text import visible  # noqa: E402

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")   # what `visible` rewrites
FIELD_TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    ["\x00", "\x1b", "\x07", "\r", "\n", "\t", "\x9b", "\x85", "\u202e", "\u2028", "&", "'", '"', "<", ">", ";",
     "$", "\\", "|", "*", "`", "#", "=", "\ufeff"]), min_size=1, max_size=24)
TEXT_FIELDS = {"title": ("title",), "question": ("question",), "home": ("parties", "home"),
               "partner": ("parties", "partner"), "segment": ("segments", "car", "label"),
               "channel": ("channels", "dealers", "label"), "source": ("sources", "test", "assumption")}


class _PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self._style = [], 0

    def handle_starttag(self, tag, attrs):
        self._style += tag == "style"

    def handle_endtag(self, tag):
        self._style -= tag == "style"

    def handle_data(self, data):
        if not self._style:
            self.text.append(data)


def check_outputs(out, said: str, exact: dict) -> None:
    """Every output of a report folder, for text `exact` (field -> the text as read)."""
    assert not RAW.search(said.replace("\r", "")), said[-500:]       # the terminal (a progress bar's CR aside)
    for path in out.iterdir():
        if path.suffix in (".md", ".csv", ".svg", ".html"):
            text = path.read_text(encoding="utf-8")
            assert not RAW.search(text), (path.name, RAW.search(text))
            if path.suffix == ".svg":
                ElementTree.fromstring(text.encode("utf-8"))
    page = _PageText()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    shown = "".join(page.text)
    for field in ("title", "home", "partner"):                  # escaped by the page itself, not markdown
        assert visible(exact[field]) in shown, field
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["instance"]["title"] == exact["title"]
    assert results["instance"]["parties"] == {"home": exact["home"], "partner": exact["partner"]}
    openpyxl.load_workbook(out / "results.xlsx")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.fixed_dictionaries({k: FIELD_TEXT for k in TEXT_FIELDS}))
def test_text_fields_through_every_output(tmp_path, capsys, texts):
    data = copy.deepcopy(BASE)
    for field, path in TEXT_FIELDS.items():
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = texts[field]
    file = tmp_path / f"t-{uuid.uuid4().hex}.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    exact = {f: v for f, v in zip(TEXT_FIELDS, _read_back(file))}
    out = tmp_path / f"out-{uuid.uuid4().hex}"
    code = main(["run", str(file), "--out", str(out)])
    said = capsys.readouterr()
    assert "Traceback" not in said.err and "internal error" not in said.err, said.err
    assert not RAW.search((said.out + said.err).replace("\r", ""))
    if code == 2:                    # text the loader refuses (e.g. two parties of the same name)
        assert "error:" in said.err and not out.exists()
        return
    assert code in (0, 3), said.err
    check_outputs(out, said.out + said.err, exact)


def _read_back(file):
    """Each text field as the loader reads it from the YAML written (PyYAML's round trip)."""
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    for path in TEXT_FIELDS.values():
        value = data
        for key in path:
            value = value[key]
        yield value


@pytest.fixture(scope="module")
def solved():
    """One solved tiny instance, its results reused by the rendering fuzz below."""
    import tempfile

    from tiny import write as write_tiny

    from model.economics.loading import load
    from model.run import solve_instance
    with tempfile.TemporaryDirectory() as d:
        return solve_instance(load(write_tiny(d, {"segments": {"car": {"partner_ceiling": q_(30)}}})))


def q_(v):
    return {"value": v, "unit": "vehicles", "source": "test"}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(FIELD_TEXT, min_size=6, max_size=6))
def test_any_text_in_results_renders_in_every_format(tmp_path, solved, texts):
    """The writers themselves, on results whose names and labels are any text (no solve per
    example): a NUL in a label used to crash html.inline; control characters reached the
    terminal summary, report.md, the CSV files and the charts."""
    from dataclasses import replace

    import model.jobs  # noqa: F401  (the same import path as the commands)
    from model.reporting.report_files import write_report
    from model.reporting.terminal import run_summary
    title, home, partner, lever, constraint, metric = texts
    r = replace(solved, instance=replace(solved.instance, title=title, question=title + "?",
                                         parties={"home": home, "partner": partner}),
                levers=[replace(lv, label=lever + lv.label) for lv in solved.levers],
                constraints=[replace(c, label=constraint + c.label) for c in solved.constraints],
                metrics=[replace(m, label=metric + m.label) for m in solved.metrics])
    out = tmp_path / f"out-{uuid.uuid4().hex}"
    write_report(r, out)
    said = visible(run_summary(r, out))
    check_outputs(out, said, {"title": title, "home": home, "partner": partner})
