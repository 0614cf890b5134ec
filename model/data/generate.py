"""Large synthetic instances in the instance format (YAML + CSV tables), for scale tests.

    python -m model.data.generate --variables 100000 --out instances/generated/v1e5
    python -m model.data.generate --segments 5000 --options 8 --channels 20 --out instances/generated/s5000

writes `<out>/<name>.yaml` and its CSV tables (tariff lines, channel x line values, NTB
ceiling lifts, makers' lines). The negotiation is toyota_2025's at tariff-line
granularity: every product line is its own tariff line (split menus) on one of two
tariff menus (passenger cars, HTS 8703, and light trucks, 8704), each menu a schedule of
flat tiers from the MFN rate up to the no-deal rate plus a tariff-rate quota; many
dealer channels and makers, each specialised in a few product groups. Every number is
marked as a synthetic assumption. The same arguments and seed give the same files.

What makes them look like real schedules (see docs/performance.md, "Generated
instances"): trade concentrated on few lines (lognormal, the top tenth of lines carries
about three fifths of the imports), the 2025 rates (MFN 2.5% and 25%, +25% under Proclamation
10908), import-demand elasticities and pass-through in the ranges the literature
reports, channels and makers that serve product groups rather than random lines,
buyers' ceilings that bind before dealers' capacity does, and scarce spare plant capacity.

Model size (see `model_size`): per line, one binary and one continuous variable per
tariff option; one commitment per (channel, line) the channel sells; one shift per
(maker, line); so lines x (2 options + channels x coverage + makers x maker_coverage)
variables. `size_for_variables` scales the number of lines and keeps the rest (12
options, 10 channels at 30%, 5 makers at 20%), as the benchmarks have since issue 9.
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml


@dataclass(frozen=True)
class Size:
    segments: int = 1000         # product lines, each its own tariff line
    options: int = 12            # per menu: flat tiers (options - 1) + one tariff-rate quota
    channels: int = 10
    coverage: float = 0.3        # share of lines each channel can sell
    makers: int = 5
    maker_coverage: float = 0.2  # share of lines each maker builds
    ntb_measures: int = 2
    seed: int = 0
    capacity: float = 1.0        # a channel's capacity over the buyers' ceilings of the lines it sells
    groups: int = 40             # product groups (HTS subheadings) that channels and makers specialise in
    participation: bool = True

    @property
    def name(self) -> str:
        return f"synthetic_s{self.segments}_o{self.options}_c{self.channels}"


def model_size(size: Size) -> dict[str, int]:
    """Expected numbers of variables (binary and total) and constraints of the built model."""
    per_channel = max(1, round(size.segments * size.coverage))
    per_maker = max(1, round(size.segments * size.maker_coverage))
    binaries = size.segments * size.options + size.ntb_measures
    variables = (2 * size.segments * size.options + size.channels * per_channel + size.makers * per_maker
                 + size.ntb_measures + 3)
    rows = (4 * size.segments + size.segments * size.options + size.channels + size.makers + 3 + 3
            + (2 if size.participation else 0))
    return {"variables": variables, "binaries": binaries, "constraints": rows}


def size_for_variables(target: int, options: int = 12, channels: int = 10, coverage: float = 0.3,
                       makers: int = 5, maker_coverage: float = 0.2, seed: int = 0) -> Size:
    """The Size with about `target` variables (lines scaled, the rest fixed)."""
    per_segment = 2 * options + channels * coverage + makers * maker_coverage
    segments = max(2, round(target / per_segment))
    return Size(segments, options, channels, coverage, makers, maker_coverage, 2, seed)


SOURCES = {
    "synthetic": {"assumption": "synthetic figure drawn by model.generate for scale tests; not real data"},
    "proclamation_10908": {"citation": "Proclamation 10908 (Section 232 autos): +25% from 3 Apr 2025", "year": 2025},
    "us_hts": {"citation": "US tariff schedule (HTSUS): MFN rate on passenger cars 2.5%", "year": 2025},
}


def q(value, unit, source="synthetic"):
    return {"value": value, "unit": unit, "source": source}


def _round(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def write_instance(size: Size, out: str | Path) -> Path:
    """Write the instance for `size` into directory `out`; return the YAML path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(size.seed)
    n = size.segments
    trucks = rng.random(n) < 0.1
    # Product groups (HTS subheadings: engine size, propulsion) that channels and makers specialise in.
    group = rng.integers(0, size.groups, n)
    names = [f"hts{8704 if trucks[i] else 8703}_{group[i]:02d}_{i:06d}" for i in range(n)]
    labels = [f"{'light trucks' if trucks[i] else 'passenger cars'}, HTS {8704 if trucks[i] else 8703}."
              f"{group[i]:02d} line {i}" for i in range(n)]
    # Imports: ~1.5 million vehicles in total, concentrated on few lines as in a real schedule
    # (lognormal, sigma 1.5: the top tenth of lines carries about three fifths of the trade).
    weights = rng.lognormal(0.0, 1.5, n)
    imports = np.maximum(10, np.round(1.5e6 * weights / weights.sum()))
    price = np.round(rng.uniform(15000, 60000, n), -1)
    exports = np.round(imports * rng.uniform(0, 0.01, n))
    ceiling = np.round(exports + imports * rng.uniform(0.002, 0.03, n))
    seg_rows = []
    for i, s in enumerate(names):
        seg_rows.append({
            "name": s, "label": labels[i], "tariff_menu": "light_trucks" if trucks[i] else "cars",
            "base_tariff": 25 if trucks[i] else 2.5, "imports": int(imports[i]), "import_price": price[i],
            "exports": int(exports[i]), "export_price": _round(price[i] * rng.uniform(1.2, 2.5)),
            "elasticity": _round(rng.uniform(-2.0, -0.7), 4), "pass_through": _round(rng.uniform(0.3, 0.8), 4),
            "partner_ceiling": int(ceiling[i]), "partner_margin": _round(price[i] * 0.12),
            "home_substitution": 0.4, "displacement": 0.8})
    units = {"base_tariff": "%", "imports": "vehicles/year", "import_price": "USD/vehicle",
             "exports": "vehicles/year", "export_price": "USD/vehicle", "elasticity": "1",
             "pass_through": "fraction", "partner_ceiling": "vehicles/year", "partner_margin": "USD/vehicle",
             "home_substitution": "fraction", "displacement": "fraction"}
    _write_csv(out / "segments.csv", seg_rows)

    def specialised(count: int) -> np.ndarray:
        """`count` lines, drawn mostly from three product groups (ten times as likely)."""
        home = rng.choice(size.groups, min(3, size.groups), replace=False)
        weight = np.where(np.isin(group, home), 10.0, 1.0)
        return np.sort(rng.choice(n, count, replace=False, p=weight / weight.sum()))

    per_channel = max(1, round(n * size.coverage))
    channels, pairs = {}, []
    for c in range(size.channels):
        cname = f"dealer{c:03d}"
        chosen = specialised(per_channel)
        for i in chosen:
            pairs.append({"channel": cname, "segment": names[i], "unit_value": _round(price[i] * rng.uniform(1.1, 2.0))})
        channels[cname] = {"label": f"dealer network {c}",
                           "capacity": q(int(size.capacity * ceiling[chosen].sum()) + 100, "vehicles/year"),
                           "dealer_margin": q(int(rng.uniform(1500, 3500)), "USD/vehicle")}
    _write_csv(out / "channel_segments.csv", pairs)

    lifts, ntb = [], {}
    for k in range(size.ntb_measures):
        mname = f"ntb{k}"
        ntb[mname] = {"label": f"non-tariff-barrier relief {k}", "political_cost": q(int(rng.uniform(50, 300)), "USD million")}
        for i in np.sort(rng.choice(n, max(1, n // 2), replace=False)):
            lifts.append({"measure": mname, "segment": names[i], "lift": int(max(1, ceiling[i] * rng.uniform(0.1, 0.6)))})
    _write_csv(out / "ntb_lift.csv", lifts)

    per_maker = max(1, round(n * size.maker_coverage))
    makers, maker_pairs = {}, []
    for k in range(size.makers):
        kname = f"maker{k:02d}"
        chosen = specialised(per_maker)
        maker_pairs += [{"maker": kname, "segment": names[i]} for i in chosen]
        makers[kname] = {"label": f"maker {k}", "spare_capacity": q(int(3.2e5 / size.makers), "vehicles/year")}
    _write_csv(out / "maker_segments.csv", maker_pairs)

    step = 25.0 / (size.options - 2) if size.options > 2 else 25.0
    flat = lambda lo, hi: {"floor": q(lo, "%", "us_hts"), "ceiling": q(hi, "%", "proclamation_10908"),
                           "step": q(_round(step, 15), "%")}
    menus = {
        # Tariff-line granularity: each product line is its own legislated line.
        "cars": {"split": True, "flat": flat(2.5, 27.5), "quotas": {"trq": {
            "quota": q(int(imports[~trucks].mean()), "vehicles/year"), "in_quota": q(10, "%"),
            "out_of_quota": q(27.5, "%", "proclamation_10908")}}},
        "light_trucks": {"split": True, "flat": flat(25, 50), "quotas": {"trq": {
            "quota": q(int(imports[trucks].mean()) if trucks.any() else 1000, "vehicles/year"),
            "in_quota": q(25, "%"), "out_of_quota": q(50, "%", "proclamation_10908")}}},
    }
    no_deal_tariff = {"cars": q(27.5, "%", "proclamation_10908"), "light_trucks": q(50, "%", "proclamation_10908")}
    if not trucks.any():
        del menus["light_trucks"], no_deal_tariff["light_trucks"]
    spec = {
        "schema_version": 1, "name": size.name,
        "title": f"Synthetic negotiation: {n} product lines, {size.options} tariff options, {size.channels} channels",
        "question": "Which concessions minimize the home deficit in a large synthetic negotiation (a scale test)?",
        "parties": {"home": "United States", "partner": "Japan"},
        "sources": SOURCES,
        "settings": {"response": "constant_elasticity", "objective": "min_deficit",
                     "participation": size.participation},
        "tables": [
            {"csv": "segments.csv", "path": "segments.{name}",
             "columns": {k: {"unit": u, "source": "synthetic"} for k, u in units.items()}},
            {"csv": "channel_segments.csv", "path": "channels.{channel}.unit_value.{segment}", "value": "unit_value",
             "columns": {"unit_value": {"unit": "USD/vehicle", "source": "synthetic"}}},
            {"csv": "ntb_lift.csv", "path": "ntb_measures.{measure}.ceiling_lift.{segment}", "value": "lift",
             "columns": {"lift": {"unit": "vehicles/year", "source": "synthetic"}}},
            {"csv": "maker_segments.csv", "path": "makers.{maker}.segments[]", "value": "segment"},
        ],
        "tariff_menus": menus,
        "channels": channels, "ntb_measures": ntb, "makers": makers,
        "goods": {
            "us_rice": {"label": "US rice", "unit": "tonne", "unit_value": q(900, "USD/tonne"),
                        "max_units": q(600000, "tonne"), "political_cost": q(100, "USD/tonne")},
            "us_farm_goods": {"label": "US farm goods", "unit": "tonne", "unit_value": q(350, "USD/tonne"),
                              "max_units": q(22857143, "tonne"), "political_cost": q(10, "USD/tonne")},
            "boeing_aircraft": {"label": "Boeing aircraft", "unit": "aircraft",
                                "unit_value": q(100, "USD million/aircraft"), "max_units": q(20, "aircraft"),
                                "political_cost": q(5, "USD million/aircraft")},
        },
        "red_lines": {
            "deficit_cap": {"party": "home", "label": "home: deficit at most 90% of the calibration year's",
                            "reason": "synthetic", "metric": "deficit", "sense": "<=", "bound": q(90, "%"),
                            "relative_to": "baseline"},
            "production_loss": {"party": "partner", "label": "partner: production falls by at most 10% of imports",
                                "reason": "synthetic", "metric": "partner_production_loss", "sense": "<=",
                                "bound": q(int(0.1 * imports.sum()), "vehicles/year")},
            "rice": {"party": "partner", "label": "partner: limited rice", "reason": "synthetic",
                     "metric": "purchases_units", "index": "us_rice", "sense": "<=", "bound": q(260000, "tonne")},
        },
        "payoffs": {
            "home": {"deficit": q(-1, "1"), "tariff_revenue": q(1, "1"), "buyer_cost": q(-1, "1"),
                     "home_production_gain": q(8000, "USD/vehicle")},
            "partner": {"partner_export_margin": q(1, "1"), "dealer_margin": q(1, "1"),
                        "partner_production_loss": q(-6000, "USD/vehicle"), "partner_political_cost": q(-1, "1")},
        },
        "no_deal": {"tariff": no_deal_tariff},
    }
    path = out / f"{size.name}.yaml"
    header = (f"# Synthetic scale-test instance written by `python -m model.data.generate` ({size}).\n"
              "# Not real data: every number's source is the 'synthetic' assumption.\n")
    path.write_text(header + yaml.safe_dump(spec, sort_keys=False, width=120), encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.10g}" if isinstance(v, (float, np.floating)) else v) for k, v in r.items()})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m model.data.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--segments", type=int, default=1000, help="product lines")
    p.add_argument("--options", type=int, default=12, help="tariff options per menu (flat tiers + 1 quota)")
    p.add_argument("--channels", type=int, default=10)
    p.add_argument("--coverage", type=float, default=0.3, help="share of lines each channel can sell")
    p.add_argument("--makers", type=int, default=5)
    p.add_argument("--maker-coverage", type=float, default=0.2)
    p.add_argument("--variables", type=int, help="instead of --segments: aim at about this many variables")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="directory to write the YAML and CSV files into")
    a = p.parse_args(argv)
    if a.options < 3:
        p.error("--options must be at least 3 (two flat tiers and a quota)")
    if a.variables:
        size = size_for_variables(a.variables, a.options, a.channels, a.coverage, a.makers, a.maker_coverage, a.seed)
    else:
        size = Size(a.segments, a.options, a.channels, a.coverage, a.makers, a.maker_coverage, 2, a.seed)
    path = write_instance(size, a.out)
    print(f"{path}: {model_size(size)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
