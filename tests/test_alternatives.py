"""Alternative packages on tiny instances whose packages are worked out by hand.

Common data (tests/tiny.py, as in test_small_optima.py): at tariff t imports are M0 / (1 + t)
at an unchanged customs value, so the deficit from imports is
  cars:   0% 10,000,000   10% 9,090,909.09   20% 8,333,333.33
  trucks: 0%  2,000,000   10% 1,818,181.82   20% 1,666,666.67
The nine tariff pairs (car, truck), by deficit:
  (20,20) 10,000,000.00   (20,10) 10,151,515.15   (20,0) 10,333,333.33
  (10,20) 10,757,575.76   (10,10) 10,909,090.91   (10,0) 11,090,909.09   (0,20) 11,666,666.67 ...
The partner's payoff is its exporters' margin, $1,000 a vehicle imported (full pass-through:
the margin per vehicle does not move with the tariff), so its gain over no deal (20,20) is
$1,000 x the extra imports: (20,10) +7,575.76, (20,0) +16,666.67, (10,20) +75,757.58,
(10,10) +83,333.33.
"""
import json
from pathlib import Path

import pytest
from tiny import q, tiny, write

from model.analyses.alternatives import find_alternatives
from model.cli import main
from model.optimization.handle import NegotiationModel
from model.reporting.alternatives_report import kept_apart
from model.results import Alternatives, from_data, rounded

ROOT = Path(__file__).resolve().parent.parent

CAR = {0: 10_000_000.0, 10: 1e7 / 1.1, 20: 1e7 / 1.2}
TRUCK = {0: 2_000_000.0, 10: 2e6 / 1.1, 20: 2e6 / 1.2}
NAME = {0: "flat_0", 10: "flat_10", 20: "flat_20"}


def pairs(found):
    return [pairs_of(p) for p in found.packages]


def test_the_best_tariff_pairs_within_ten_percent_in_order(tmp_path):
    """Within 10% of 10,000,000 (at most 11,000,000): five of the nine pairs, best first;
    (10,0) at 11,090,909.09 is outside the band. Each a verified deal, all distinct."""
    found = find_alternatives(NegotiationModel(tiny(tmp_path)), count=10, within=0.10)
    expected = [(20, 20), (20, 10), (20, 0), (10, 20), (10, 10)]
    assert pairs(found) == [(NAME[c], NAME[t]) for c, t in expected]
    assert [p.deficit for p in found.packages] == pytest.approx([CAR[c] + TRUCK[t] for c, t in expected])
    assert all(p.verified for p in found.packages)
    assert len(set(pairs(found))) == len(found.packages)
    assert "no further distinct package" in found.stop_reason
    # Each side's gain over no deal (20,20): home = -(deficit - 10,000,000), partner = $1,000 a vehicle.
    assert [p.partner_gain for p in found.packages] == pytest.approx(
        [0.0, 100_000 / 1.1 - 100_000 / 1.2, 100_000 - 100_000 / 1.2, 1e6 / 1.1 - 1e6 / 1.2,
         1e6 / 1.1 + 1e5 / 1.1 - 1.1e6 / 1.2])
    # Equivalent offers: highest partner gain (10,10), lowest (20,20), then the one furthest from both:
    # (20,0) at +16,666.67 (its distance 16,666.67 beats (20,10)'s 7,575.76 and (10,20)'s 7,575.76).
    assert [p.rank for p in found.packages if p.equivalent] == [1, 3, 5]


def test_count_keeps_the_best_ones(tmp_path):
    found = find_alternatives(NegotiationModel(tiny(tmp_path)), count=3, within=0.10)
    assert pairs(found) == [("flat_20", "flat_20"), ("flat_20", "flat_10"), ("flat_20", "flat_0")]
    assert "3 packages asked for" in found.stop_reason


def test_within_zero_on_a_unique_optimum_gives_one_package(tmp_path):
    found = find_alternatives(NegotiationModel(tiny(tmp_path)), count=5, within=0.0)
    assert pairs(found) == [("flat_20", "flat_20")]
    assert found.packages[0].verified and not found.packages[0].equivalent


def test_amounts_count_as_distinct_by_the_stated_minimum_difference(tmp_path):
    """Buyers take 30 home-made cars ($10,000 of exports each; capacity 50). The minimum
    difference is 10% of the channel's capacity, 5 cars. Within 2% of 9,700,000 (at most
    9,894,000), the best distinct packages are, in order:
      (20,20) with 30 cars 9,700,000; 25 cars 9,750,000; 20 cars 9,800,000; 15 cars 9,850,000;
      (20,10) with 30 cars 10,151,515.15 - 300,000 = 9,851,515.15;
    then (20,20) with 10 cars (9,900,000) and (20,10) with 25 (9,901,515.15) are outside the band."""
    inst = tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    found = find_alternatives(NegotiationModel(inst), count=10, within=0.02, min_difference=0.10)
    cars = [p.levers["commitment.dealers.car"] for p in found.packages]
    assert cars == pytest.approx([30, 25, 20, 15, 30], abs=1e-4)
    assert pairs(found) == [("flat_20", "flat_20")] * 4 + [("flat_20", "flat_10")]
    assert [p.deficit for p in found.packages] == pytest.approx(
        [9_700_000, 9_750_000, 9_800_000, 9_850_000, CAR[20] + TRUCK[10] - 300_000], rel=1e-8)   # HiGHS's tolerance
    assert all(p.verified for p in found.packages)
    for i, a in enumerate(found.packages):          # every pair: another choice, or 5 cars apart
        for b in found.packages[:i]:
            assert pairs_of(a) != pairs_of(b) or abs(cars[i] - cars[b.rank - 1]) >= 5 - 1e-4
    # The partner gains only from the truck cut (+7,575.76): packages 5 and 1 mark the spread.
    assert [p.rank for p in found.packages if p.equivalent] == [1, 5]


def test_by_default_amounts_are_distinct_by_what_they_change_in_a_sides_payoff(tmp_path):
    """The economic rule (issue 26): the same instance as above, with a threshold of 10% of the
    larger side's gain with package 1. Package 1, (20,20) with 30 cars: home gains 300,000 (the
    deficit falls from 10,000,000 to 9,700,000), the partner nothing, so T = 30,000: with the same
    tariffs a package must move home's payoff by 30,000, 3 cars. Within 2% (at most 9,894,000):
      (20,20) with 30, 27, 24, 21, 18, 15 cars: 9,700,000 ... 9,850,000;
      (20,10) with 30 cars: 9,851,515.15 (another choice: distinct whatever its amounts);
      (20,20) with 12 cars: 9,880,000; (20,10) with 27 cars: 9,881,515.15 (3 cars from (20,10)/30);
    then (20,20) with 9 cars (9,910,000) and (20,10) with 24 (9,911,515.15) are outside the band.
    Moving cars by less than 3 never counts, whatever the limit rule would say (it would take 5)."""
    inst = tiny(tmp_path, {"segments": {"car": {"partner_ceiling": q(30, "vehicles")}}})
    found = find_alternatives(NegotiationModel(inst), count=12, within=0.02, min_gain=0.10)
    assert found.min_difference is None and found.min_gain == 0.10
    assert found.min_gain_usd == pytest.approx(30_000)
    cars = [p.levers["commitment.dealers.car"] for p in found.packages]
    assert cars == pytest.approx([30, 27, 24, 21, 18, 15, 30, 12, 27], abs=1e-4)
    assert pairs(found) == [("flat_20", "flat_20")] * 6 + [("flat_20", "flat_10"), ("flat_20", "flat_20"),
                                                             ("flat_20", "flat_10")]
    truck10 = CAR[20] + TRUCK[10]
    assert [p.deficit for p in found.packages] == pytest.approx(
        [9_700_000, 9_730_000, 9_760_000, 9_790_000, 9_820_000, 9_850_000, truck10 - 300_000, 9_880_000,
         truck10 - 270_000], rel=1e-8)
    assert all(p.verified for p in found.packages)
    for i, a in enumerate(found.packages):        # every pair: another choice, or home's payoff 30,000 apart
        for b in found.packages[:i]:
            assert pairs_of(a) != pairs_of(b) or abs(a.home_payoff - b.home_payoff) >= 30_000 * (1 - 1e-6)
    assert "no further distinct package" in found.stop_reason
    assert "payoff differs by at least 10.0% of the larger side's gain with package 1 ($30.0 k)" in kept_apart(found)


def pairs_of(p):
    return (p.levers["tariff.car"], p.levers["tariff.truck"])


def test_alternatives_command_writes_its_report(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "alt"
    assert main(["alternatives", str(path), "--count", "3", "--within", "10", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 distinct package(s) within 10.0%" in text and "report:" in text
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == {"report.md", "report.html", "alternatives.json", "packages.csv", "alternatives.svg"}
    saved = json.loads((out / "alternatives.json").read_text())
    assert [p["rank"] for p in saved["packages"]] == [1, 2, 3]
    assert saved["packages"][1]["levers"]["tariff.truck"] == "flat_10"
    # alternatives.json is the declared type, written as results.json is: read back, it writes the same.
    back = from_data(Alternatives, saved)
    assert back.packages[1].levers["tariff.truck"] == "flat_10" and rounded(back) == saved
    assert "Equivalent offers" in (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    assert 'data-chart="alternatives"' in page and "<svg" in page and 'src="http' not in page
    assert (out / "packages.csv").read_text().splitlines()[0].startswith("rank,deficit")


@pytest.mark.parametrize("args, words", [
    (["--count", "0"], "--count must be a whole number from 1 to 50"),
    (["--count", "51"], "--count must be a whole number from 1 to 50"),
    (["--within", "-1"], "--within (percent) must be a finite number of at least 0"),
    (["--within", "nan"], "--within (percent) must be a finite number of at least 0"),
    (["--min-difference", "0"], "--min-difference (percent) must be a finite number above 0"),
    (["--min-difference", "150"], "--min-difference (percent) must be a finite number above 0 and at most 100"),
    (["--min-gain", "0"], "--min-gain (percent) must be a finite number above 0"),
    (["--min-gain", "101"], "--min-gain (percent) must be a finite number above 0 and at most 100"),
])
def test_bad_arguments_exit_2_with_a_clear_message(tmp_path, capsys, args, words):
    out = tmp_path / "alt"
    assert main(["alternatives", str(write(tmp_path)), *args, "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_a_count_that_is_not_a_number_exits_2(tmp_path, capsys):
    assert main(["alternatives", str(write(tmp_path)), "--count", "many"]) == 2
    assert "--count must be a whole number, got 'many'" in capsys.readouterr().err


def test_alternatives_of_an_instance_without_a_deal_exit_3(tmp_path, capsys):
    """A red line nothing satisfies (imports above the calibration year's): no package."""
    path = write(tmp_path, {"red_lines": {"more": {
        "party": "partner", "label": "imports above 2024", "reason": "test", "metric": "imports_units",
        "sense": ">=", "bound": q(200, "%"), "relative_to": "baseline"}}})
    assert main(["alternatives", str(path), "--out", str(tmp_path / "alt")]) == 3
    assert "no package" in capsys.readouterr().out


@pytest.mark.slow
def test_the_default_instances_packages_in_the_guide_are_the_commands():
    """docs/negotiating.md's table is the report's table of `alternatives` on the default instance
    (instances/toyota_2025.yaml), and its threshold the search's: 1% of the larger side's gain,
    the United States' there."""
    from model.economics.loading import load
    from model.formatting import money
    from model.reporting.alternatives_report import summary_header, summary_rows
    from model.reporting.markdown_table import table
    found = find_alternatives(NegotiationModel(load(ROOT / "instances" / "toyota_2025.yaml")))
    guide = (ROOT / "docs" / "negotiating.md").read_text(encoding="utf-8")
    assert table(summary_header(found), summary_rows(found)) in guide
    first = found.packages[0]
    assert first.home_gain > first.partner_gain
    assert found.min_gain_usd == pytest.approx(0.01 * first.home_gain)
    assert f"T is\n1% of the United States' {money(first.home_gain)} gain, {money(found.min_gain_usd)}" in guide
    assert all(p.deficit - first.deficit <= 4.1e6 for p in found.packages[1:])
