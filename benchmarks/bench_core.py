"""Time each stage of one solve of an instance, against bare `import pyomo.environ`.

    .venv/bin/python benchmarks/bench_core.py [instances/smart_defaults.yaml] [--repeat 5]

Prints a table of median and best times (over --repeat runs, each in a fresh process
so that import costs are counted): import, load, build, solve, verify (+duals),
report writing, and the whole command, next to a bare `python -c "import pyomo.environ"`.
A benchmark, not a test: it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGES = r"""
import json, sys, time, tempfile
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import pyomo.environ
from model.economics.loading import load
from model.run import solve_instance
from model.reporting.report_files import write_report
t1 = time.perf_counter()
inst = load({file!r})
t2 = time.perf_counter()
r = solve_instance(inst)
t3 = time.perf_counter()
write_report(r, tempfile.mkdtemp() + "/out")
t4 = time.perf_counter()
out = dict(imports=t1 - t0, load=t2 - t1, report=t4 - t3, total=t4 - t0, status=r.status)
out.update(r.timings)
print(json.dumps(out))
"""


def run_stages(file: str) -> dict:
    code = STAGES.format(root=str(ROOT), file=file)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bare_import() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pyomo.environ"], check=True)
    return time.perf_counter() - t0


def whole_command(file: str) -> float:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "solve.py"), "run", file, "--out", f"{d}/out"],
                       check=True, capture_output=True)
        return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("file", nargs="?", default=str(ROOT / "instances" / "smart_defaults.yaml"))
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    runs = [run_stages(args.file) for _ in range(args.repeat)]
    bare = [bare_import() for _ in range(args.repeat)]
    whole = [whole_command(args.file) for _ in range(args.repeat)]
    rows = [("python -c 'import pyomo.environ' (process)", bare)]
    labels = {"imports": "imports (pyomo, model package)", "load": "load + validate instance",
              "build": "option table + references + Pyomo build", "solve": "solve (HiGHS, both stages)",
              "verify": "verify (plain-Python re-check)", "duals": "fixed LP for shadow prices",
              "report": "write report directory", "total": "in-process total"}
    for key, label in labels.items():
        rows.append((label, [r.get(key, 0.0) for r in runs]))
    rows.append(("whole `solve.py run` command (process)", whole))
    print(f"instance: {args.file}; status {runs[0]['status']}; {args.repeat} runs; seconds\n")
    print("| stage | median | best |\n|---|---:|---:|")
    for label, xs in rows:
        print(f"| {label} | {statistics.median(xs):.3f} | {min(xs):.3f} |")


if __name__ == "__main__":
    main()
