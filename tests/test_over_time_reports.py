"""Reports of a deal over a horizon (issue 27 item 3), built from a hand-made `OverTime`
(tests/over_time_cases.py: three years at 2%, every figure worked out there by hand) attached to
a tiny solve: the first screen's path (what changes in which year, the schedule chosen, the
present values), the section's table of each year, the long CSV files, the workbook's sheets and
the chart of the deficit path."""
from __future__ import annotations

import csv
import re
from dataclasses import replace

import openpyxl
import pytest
from over_time_cases import DEFICIT_PV, HOME_PV, PARTNER_PV, YEARS, over_time
from test_charts import outside_markers
from tiny import tiny

from model.reporting import charts, over_time_section
from model.reporting.brief import brief_html
from model.reporting.html import report_html
from model.reporting.markdown import report_markdown
from model.reporting.report_files import write_report
from model.reporting.terminal import run_summary
from model.run import solve_instance


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    return solve_instance(tiny(tmp_path_factory.mktemp("over_time")))


@pytest.fixture
def r(solved):
    return replace(solved, over_time=over_time())


def test_the_figures_of_the_case_are_the_hand_worked_ones():
    """The case's sums, as its docstring works them out (so the reports below read known figures)."""
    assert DEFICIT_PV[1] == pytest.approx(28.0526e9, abs=1e5)
    assert HOME_PV == pytest.approx(1.9474e9, abs=1e5)
    assert PARTNER_PV == pytest.approx(-45.14e6, abs=1e4)


# -- the first screen -------------------------------------------------------------------------

def test_the_path_says_the_schedule_each_years_changes_and_the_present_values(r):
    lead, items = over_time_section.path_lines(r)
    assert lead == ("**The deal over time**, 2026 to 2028: the tables and balances describe 2028, the last year (the "
                    "deal fully phased in); the years before are in 'The deal over time' below.")
    assert items == [
        "**Home tariff on cars: cars**: from 10.0% in 2026 to 0.0% in 2027, then held (linear path, chosen from 3)",
        "**2026**, against no deal: Home tariff on cars: cars: 10.0% (no deal: 20.0%)",
        "**2027**: Home tariff on cars: cars: 0.0% (from 10.0%)",
        "**2028**: cars through partner dealers: 50 vehicles (from 0 vehicles)",
        "**Present values** at 2% a year, in 2026 dollars, over 2026 to 2028: Home's gain over no deal by its payoff "
        "+$1.95 bn; Partner's gain over no deal by its payoff -$45.1 M; the deficit $28.05 bn with the deal against "
        "$30.00 bn with no deal (-$1.95 bn)",
    ]


def test_years_without_a_change_are_said_together_and_a_fixed_schedule_says_so(r):
    from model.results import Schedule
    ot = over_time()
    years = [2026, 2027, 2028, 2029, 2030]
    levers = [replace(lv, year=y) for y in years[2:] for lv in ot.levers if lv.year == 2028]
    ot = replace(ot, years=years, last_year=2030, levers=ot.levers + levers[3:],
                 schedules=[replace(ot.schedules[0], fixed=True, path="phase_out", values=[0.1, 0.0, 0.0, 0.0, 0.0],
                                    choices=[])])
    lines = over_time_section.change_lines(replace(r, over_time=ot))
    assert lines[-1] == "Nothing changes in 2029 to 2030"
    assert over_time_section.schedule_lines(ot) == [
        "**Home tariff on cars: cars**: from 10.0% in 2026 to 0.0% in 2027, then held (phase out path, fixed by the "
        "instance)"]
    scaled = Schedule(lever="purchase.aircraft", label="aircraft", path="ramp", fixed=False, unit="aircraft",
                      values=[10.0, 20.0, 30.0, 30.0, 30.0], menu=["ramp", "flat"], level=30.0)
    assert over_time_section.schedule_lines(replace(ot, schedules=[scaled])) == [
        "**aircraft**: from 10 aircraft in 2026 to 30 aircraft in 2028, then held (ramp path at a level of 30 "
        "aircraft, chosen from 2)"]
    deliveries = replace(scaled, fixed=True, path="as_delivered", values=[0.0, 20.0, 20.0, 0.0, 0.0], level=None)
    assert over_time_section.schedule_lines(replace(ot, schedules=[deliveries])) == [   # up, then down: each run
        "**aircraft**: 0 aircraft in 2026, 20 aircraft in 2027-2028, 0 aircraft in 2029-2030 (as delivered path, "
        "fixed by the instance)"]
    held = replace(ot.schedules[0], values=[0.1, 0.1, 0.05, 0.0, 0.0], choices=[])
    assert over_time_section.schedule_lines(replace(ot, schedules=[held])) == [
        "**Home tariff on cars: cars**: from 10.0% in 2026 (held to 2027) to 0.0% in 2029, then held (phase out "
        "path, fixed by the instance)"]


def test_every_first_screen_shows_the_path_and_the_year_the_tables_describe(r, tmp_path):
    md = report_markdown(r)
    html = report_html(r, {})
    term = run_summary(r, tmp_path)
    brief = brief_html(r)
    for text in (md, html, brief):
        assert "2027: Home tariff on cars: cars: 0.0% (from 10.0%)" in re.sub(r"</?b>|\*\*", "", text)
        assert "the deficit $28.05 bn with the deal against $30.00 bn with no deal" in text
    assert "2027: Home tariff on cars: cars: 0.0% (from 10.0%)." in term
    # report.html's cards: the deficit's present value beside the last year's figures.
    assert ('<div class="card good"><div class="v">$28.05 bn</div><div class="t">down against no deal: good for '
            'Home</div><div class="l">deficit over 2026 to 2028, present value</div>') in html
    # The bottom line says which year its deficit is for.
    assert "the deficit in the negotiated goods (vehicles; no purchases) is $10.0 M in 2028 (the deal fully phased in)" in re.sub(r"\s+", " ", md)
    assert "the deficit in the negotiated goods (vehicles; no purchases) is $10.0 M in 2028 (the deal fully phased in)" in re.sub(r"\s+", " ", term)


def test_a_one_year_result_has_none_of_it(solved, tmp_path):
    assert over_time_section.path_lines(solved) == ("", [])
    md = report_markdown(solved)
    assert "over time" not in md.lower() and "a year, " in md
    assert over_time_section.section(solved) == ""
    written = write_report(solved, tmp_path / "one")
    assert not list(written.glob("over_time*"))


def test_without_a_deal_the_path_gives_the_no_deal_present_value_only(solved):
    r = replace(solved, status="infeasible", over_time=over_time(deal=False))
    lead, items = over_time_section.path_lines(r)
    assert lead.startswith("**Over time**, 2026 to 2028: the tables describe 2028")
    assert items == ["**Present values** at 2% a year, in 2026 dollars, over 2026 to 2028: the deficit with no deal "
                     "$30.00 bn"]
    head, rows = over_time_section.year_table(r)
    assert head == ["year", "discount factor", "deficit, no deal"]
    assert [row[2] for row in rows] == ["$10.00 bn", "$10.20 bn", "$10.40 bn", "$30.00 bn"]


# -- the section ------------------------------------------------------------------------------

def test_the_table_gives_each_year_and_the_present_values(r):
    head, rows = over_time_section.year_table(r)
    assert head == ["year", "discount factor", "deficit, no deal", "deficit, deal", "deal - no deal",
                    "Home's gain (payoff)", "Partner's gain (payoff)"]
    assert rows == [
        ["2026", "1.0000", "$10.00 bn", "$9.80 bn", "-$200.0 M", "+$200.0 M", "+$100.0 M"],
        ["2027", "0.9804", "$10.20 bn", "$9.50 bn", "-$700.0 M", "+$700.0 M", "-$50.0 M"],
        ["2028", "0.9612", "$10.40 bn", "$9.30 bn", "-$1.10 bn", "+$1.10 bn", "-$100.0 M"],
        # 1 + 1/1.02 + 1/1.02^2 = 2.9416: the annuity factor
        ["**present value** (2026 dollars)", "2.9416", "$30.00 bn", "$28.05 bn", "-$1.95 bn", "+$1.95 bn", "-$45.1 M"],
    ]


def test_sums_add_money_as_present_values_volumes_as_totals_and_never_rates(r):
    _, rows = over_time_section.sums_table(r)
    assert rows == [
        ["Total bilateral deficit", "present value", "$30.00 bn", "$28.05 bn", "-$1.95 bn"],
        ["Imports from the partner", "total over the years", "3,000 vehicles", "3,550 vehicles", "+550 vehicles"],
        ["Price home buyers pay", "not summed (2026 to 2028)", "0.0% to 0.0%", "-5.0% to -10.0%", "-10.0 pp in 2028"],
    ]
    section = over_time_section.section(r)
    assert section.startswith("## The deal over time, 2026 to 2028")
    assert "(source: OMB Circular A-4 (2023))" in section and "![" in section and "(over_time.svg)" in section


# -- the files --------------------------------------------------------------------------------

def read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_over_time_csv_is_long_one_row_per_year_and_metric_and_sums_are_apart(r, tmp_path):
    out = write_report(r, tmp_path / "rep")
    rows = read_csv(out / "over_time.csv")
    assert list(rows[0]) == ["year", "metric", "label", "unit", "no_deal", "deal"]
    metrics = ["deficit", "imports_units", "buyer_price_change", "home_gain", "partner_gain"]
    assert len(rows) == len(YEARS) * len(metrics)
    assert [(int(x["year"]), x["metric"]) for x in rows] == [(y, m) for y in YEARS for m in metrics]
    by = {(int(x["year"]), x["metric"]): x for x in rows}
    assert by[2028, "deficit"]["no_deal"] == "10404000000" and by[2028, "deficit"]["deal"] == "9300000000"
    assert by[2027, "buyer_price_change"]["deal"] == "-0.1"
    assert by[2027, "partner_gain"]["deal"] == "-50000000"
    sums = read_csv(out / "over_time_sums.csv")
    assert [x["metric"] for x in sums] == ["deficit", "imports_units", "home_gain", "partner_gain"]   # no rate
    deficit = sums[0]
    assert (deficit["summed"], deficit["discount_rate"], deficit["no_deal"], deficit["deal"]) == \
        ("present value", "0.02", "30000000000", "28052595200")        # 10 significant digits: no float noise
    assert (sums[1]["summed"], sums[1]["discount_rate"], sums[1]["deal"]) == ("total", "", "3550")
    levers = read_csv(out / "over_time_levers.csv")
    assert len(levers) == 9 and levers[3]["year"] == "2027" and levers[3]["value"] == "0"
    for name in ("over_time.csv", "over_time_sums.csv", "over_time_levers.csv"):
        assert not re.search(r"\d\.\d{11,}|e[+-]\d", (out / name).read_text()), name


def test_the_workbook_holds_the_same_long_sheets(r, tmp_path):
    out = write_report(r, tmp_path / "rep")
    book = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert {"over_time", "over_time_sums", "over_time_levers", "schedules"} <= set(book.sheetnames)
    sheet = list(book["over_time"].iter_rows(values_only=True))
    assert sheet[0] == ("year", "metric", "label", "unit", "no_deal", "deal")
    assert len(sheet) == 1 + 15 and sheet[1][:2] == (2026, "deficit") and sheet[1][5] == 9.8e9
    sums = list(book["over_time_sums"].iter_rows(values_only=True))
    assert [row[0] for row in sums[1:]] == ["deficit", "imports_units", "home_gain", "partner_gain"]
    schedules = list(book["schedules"].iter_rows(values_only=True))
    assert schedules[1][:5] == ("tariff.car", "Home tariff on cars: cars", "linear", False,
                                "all_now | linear | all_at_end")


# -- the chart --------------------------------------------------------------------------------

def test_the_chart_draws_each_year_deal_and_no_deal_inside_its_axes(drawn):
    svg, fig = drawn(charts.over_time_chart, over_time())
    assert svg and svg.lstrip().startswith("<?xml")
    ax = fig.axes[0]
    points = {c.get_label(): [tuple(p) for p in c.get_offsets()] for c in ax.collections if c.get_label() in
              ("deal", "no deal")}
    assert points["no deal"] == [(2026, 10.0), (2027, 10.2), (2028, 10.404)]
    assert points["deal"] == [(2026, 9.8), (2027, 9.5), (2028, 9.3)]
    assert outside_markers(fig) == []
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2026", "2027", "2028"]
    assert charts.over_time_chart(over_time(deal=False)) is None


def test_the_report_links_and_holds_the_chart(r, tmp_path):
    out = write_report(r, tmp_path / "rep")
    assert (out / "over_time.svg").exists()
    assert "![The deficit year by year: the deal against no deal](over_time.svg)" in (out / "report.md").read_text()
    assert 'data-chart="over_time"' in (out / "report.html").read_text()


# -- compare: instances over a horizon, and one against a one-year instance ----------------------

def comparison(solved):
    from model.analyses.compare import Comparison, outcome_diff
    ot = over_time()
    other = replace(ot, discount_rate=0.03, metrics=[replace(ot.metrics[0], deal_sum=28.5e9)] + ot.metrics[1:])
    results = [replace(solved, over_time=ot), replace(solved, over_time=other), solved]
    return Comparison(names=["staged", "staged_3pct", "one_year"], files=["a.yaml", "b.yaml", "c.yaml"],
                      statuses=["optimal"] * 3, inputs=[], outcomes=outcome_diff(results),
                      parties=[{"home": "Home", "partner": "Partner"}] * 3,
                      over_time=[r.over_time for r in results])


def test_compare_gives_present_values_against_the_first_and_each_year(solved):
    from model.reporting import comparison as cmp
    c = comparison(solved)
    assert cmp.present_value_rows(c) == [
        ["years", "2026 to 2028", "2026 to 2028", "one year"],
        ["discount rate", "2% a year", "3% a year", "n/a"],
        # 28.5 - 28.0526 = +0.4474 bn
        ["deficit with the deal, present value", "$28.05 bn", "$28.50 bn (+$447.4 M)", "n/a"],
        ["deficit with no deal, present value", "$30.00 bn", "$30.00 bn (same)", "n/a"],
        ["deficit, deal - no deal, present value", "-$1.95 bn", "-$1.50 bn (+$447.4 M)", "n/a"],
        ["Home's gain over no deal, present value", "+$1.95 bn", "+$1.95 bn (same)", "n/a"],
        ["Partner's gain over no deal, present value", "-$45.1 M", "-$45.1 M (same)", "n/a"],
    ]
    head, rows = cmp.year_rows(c)
    assert head == ["year", "staged", "staged_3pct"]                   # the one-year instance has no years
    assert rows[0] == ["2026", "$9.80 bn (-$200.0 M against no deal)", "$9.80 bn (-$200.0 M against no deal)"]
    assert [row[0] for row in rows] == ["2026", "2027", "2028"]
    md = cmp.markdown(c)
    assert "## Over the years" in md and "one_year has one year and no present value" in md
    assert "Over the years" in cmp.html(c, svg="<svg></svg>")
    assert "deficit with the deal, PV" in cmp.terminal_table(c)
    frame = cmp.over_time_frame(c)
    assert list(frame.columns) == ["instance", "year", "metric", "label", "unit", "no_deal", "deal"]
    assert len(frame) == 2 * 3 * 5 and set(frame["instance"]) == {"staged", "staged_3pct"}
    sums = cmp.over_time_sums_frame(c)
    assert list(sums[sums.metric == "deficit"]["deal"]) == pytest.approx([DEFICIT_PV[1], 28.5e9])
    assert {"over_time", "over_time_sums"} <= set(cmp.sheets(c))


def test_compare_without_a_horizon_has_no_such_section(solved):
    from model.reporting import comparison as cmp
    c = replace(comparison(solved), over_time=[None, None, None])
    assert "Over the years" not in cmp.markdown(c) and "over_time" not in cmp.sheets(c)


def test_gains_are_named_by_the_measure_participation_holds_and_payoff_levels_are_not_summed(r):
    from model.results import InputRow, YearValues
    welfare = replace(r, instance=replace(r.instance, participation_measure={"home": "welfare", "partner": "payoff"}))
    assert "Home's gain over no deal by its welfare +$1.95 bn; Partner's gain over no deal by its payoff" in \
        over_time_section.present_value_line(welfare)
    assert over_time_section.year_table(welfare)[0][-2:] == ["Home's gain (welfare)", "Partner's gain (payoff)"]
    ot = r.over_time
    payoff = YearValues("home_payoff", "home party's payoff", "USD", "present value", [-10e9] * 3, [-9e9] * 3,
                        -29e9, -26e9)
    with_payoff = replace(r, over_time=replace(ot, metrics=ot.metrics + [payoff]))
    assert [row[0] for row in over_time_section.sums_table(with_payoff)[1]] == [
        "Total bilateral deficit", "Imports from the partner", "Price home buyers pay"]
    # The discount rate's source as the instance cites it.
    cited = replace(r, inputs=r.inputs + [InputRow("horizon.discount_rate", 2.0, "%", "omb", "published",
                                                   "OMB Circular A-4 (2023)", 2023)])
    assert "(source: OMB Circular A-4 (2023) [omb])" in over_time_section.section(cited)


# -- end to end: h13's staged example, solved over its three years ----------------------------------

def test_a_horizon_instance_reports_its_path_end_to_end(tmp_path):
    """instances/staged_relief.yaml (its header works the optimum out: 10% in 2025 and 2026, 0% in
    2027, chosen among all now, all at the end and staged)."""
    from pathlib import Path

    from model.economics.loading import load
    root = Path(__file__).resolve().parent.parent
    result = solve_instance(load(root / "instances" / "staged_relief.yaml"))
    ot = result.over_time
    assert result.status == "optimal" and ot is not None and ot.years == [2025, 2026, 2027]
    lead, items = over_time_section.path_lines(result)
    assert "the tables and balances describe 2027, the last year" in lead
    assert items[0] == "**Home tariff on cars**: from 10.0% in 2025 (held to 2026) to 0.0% in 2027 (staged: 10% in " \
                       "2025-2026, 0% in 2027, chosen from 3)"
    assert items[1].startswith("**2025**, against no deal: Home tariff on cars: 10.0% (no deal: 20.0%)")
    assert "**2027**: Home tariff on cars: 0.0% (from 10.0%)" in items
    assert items[-1].startswith("**Present values** at 5% a year, in 2025 dollars, over 2025 to 2027")
    out = write_report(result, tmp_path / "staged")
    rows = read_csv(out / "over_time.csv")
    assert len(rows) == 3 * (len(ot.metrics) + 2)
    sums = {x["metric"]: x for x in read_csv(out / "over_time_sums.csv")}
    deficit = next(v for v in ot.metrics if v.name == "deficit")
    assert float(sums["deficit"]["deal"]) == pytest.approx(deficit.deal_sum, rel=1e-8)     # 9 significant digits
    assert "buyer_price_change" not in sums                           # a rate: never summed
    md = (out / "report.md").read_text()
    assert "## The deal over time, 2025 to 2027" in md and (out / "over_time.svg").exists()
    assert "0% in 2027, chosen from 3" in (out / "brief.html").read_text()
    # The README's excerpt of this first screen is the terminal's, line for line.
    readme = (root / "README.md").read_text(encoding="utf-8").split("### A deal over several years", 1)[1]
    excerpt = re.search(r"```\n(.*?)```", readme, re.S).group(1).splitlines()
    assert len(excerpt) == 11 and excerpt[2].strip().startswith("- Home tariff on cars: from 10.0% in 2025")
    terminal = run_summary(result, out).splitlines()
    start = terminal.index(excerpt[0])
    assert terminal[start:start + len(excerpt)] == excerpt


def test_the_brief_lists_fewer_years_and_counts_the_rest(r):
    from model.reporting import brief
    ot = r.over_time
    years = list(range(2026, 2036))
    levers = [replace(lv, year=y, value=0.1 - 0.01 * (y - 2026)) for y in years for lv in ot.levers[:1]]
    long = replace(r, over_time=replace(ot, years=years, last_year=2035, levers=levers, schedules=[],
                                        discount_factors=[1.02 ** -(y - 2026) for y in years]))
    lines = over_time_section.change_lines(long)
    assert len(lines) == 10 and lines[-1].startswith("**2035**: Home tariff on cars: cars: 1.0% (from 2.0%)")
    short = over_time_section.path_lines(long, max_years=brief.BRIEF_YEARS)[1]
    assert short[brief.BRIEF_YEARS] == "and 6 more years with changes (over_time_levers.csv lists every lever in every year)"
    assert "and 6 more years with changes" in brief.brief_html(long)


def test_a_quota_that_changes_by_year_has_its_rent_and_tariff_equivalent_each_year(r, tmp_path):
    """A quota of 500 cars at 0% (20% above) in 2026 and 700 from 2027, its rent held by the exporters:
    833.33 cars come in (the marginal one pays 20%), so it is full, its tariff equivalent is 20%, and
    its rent 20% x 10,000 x 500 = $1.0 M, then x 700 = $1.4 M."""
    from model.results import QuotaRow, YearQuota, YearValues

    def row(n):
        return QuotaRow(line="car", label="cars", option=f"q{n}", option_label=f"{n} cars at 0%", kind="tariff-rate quota",
                        quota=n, imports=1000 / 1.2, fill=1000 / 1.2 / n, binds=True, rent=0.2 * 10_000 * n,
                        rent_holder="exporters", tariff_equivalent=0.2, in_quota_rate=0.0, out_of_quota_rate=0.2)
    ot = r.over_time
    per_segment = YearValues("imports_units[car]", "vehicles imported: cars", "vehicles", "total", [1.0] * 3,
                             [2.0] * 3, 3.0, 6.0)
    quotas = replace(r, over_time=replace(ot, quotas=[YearQuota(2026, row(500)), YearQuota(2027, row(700)),
                                                      YearQuota(2028, row(700))], metrics=ot.metrics + [per_segment]))
    head, rows = over_time_section.quota_table(quotas)
    assert head == ["year", "tariff line", "kind", "quota", "filled", "rent", "held by", "tariff equivalent"]
    assert rows[:2] == [["2026", "cars", "tariff-rate quota", "500 vehicles", "100%", "$1.0 M", "exporters", "20.0%"],
                        ["2027", "cars", "tariff-rate quota", "700 vehicles", "100%", "$1.4 M", "exporters", "20.0%"]]
    assert "Quotas and export restraints in each year" in over_time_section.section(quotas)
    # A segment's metric is in the files, not the section's table of sums.
    assert "vehicles imported: cars" not in over_time_section.section(quotas)
    out = write_report(quotas, tmp_path / "rep")
    written = read_csv(out / "over_time_quotas.csv")
    assert [(x["year"], x["option"], x["rent"], x["tariff_equivalent"]) for x in written] == [
        ("2026", "q500", "1000000", "0.2"), ("2027", "q700", "1400000", "0.2"), ("2028", "q700", "1400000", "0.2")]
    assert any(x["metric"] == "imports_units[car]" for x in read_csv(out / "over_time_sums.csv"))
    assert not (write_report(r, tmp_path / "none") / "over_time_quotas.csv").exists()


def test_jobs_summed_over_the_years_are_job_years(r):
    from model.results import YearValues
    jobs = YearValues("home_jobs", "jobs gained in the home country", "jobs", "total", [100.0] * 3, [150.0] * 3,
                      300.0, 450.0)
    with_jobs = replace(r, over_time=replace(r.over_time, metrics=r.over_time.metrics + [jobs]))
    assert over_time_section.sums_table(with_jobs)[1][-1] == [
        "jobs gained in the home country", "total over the years (job-years)", "300 jobs", "450 jobs", "+150 jobs"]
