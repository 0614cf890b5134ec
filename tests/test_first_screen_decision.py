"""The first screen for the decision (issue 26 item 1): the change in jobs and in the price
buyers pay against no deal, only what changes listed under what a side gives, and the html
cards coloured good or bad for the side they concern (with words saying it too).

Hand-worked tiny case (tests/tiny.py): full pass-through, elasticity -1, so imports are
1,000 / (1 + t) cars and 100 / (1 + t) trucks. No deal puts 20% on both lines. The instance
fixes cars at 10%; trucks stay free and the deficit is least at 20% (as with no deal).
- Price: cars pay 1.10x, trucks 1.20x their price; weighted by the calibration year's spending (cars $10 M,
  trucks $2 M) the average rises 11.7% with the deal, 20.0% with no deal: 8.3 pp lower.
- Jobs (home only, 0.1 a vehicle; half the lost car imports are made at home): with the deal
  0.5 x (1,000 - 1,000/1.1) = 45.45 cars, 4.545 jobs; with no deal 0.5 x (1,000 - 1,000/1.2)
  = 83.33 cars, 8.333 jobs: 3.79 jobs fewer.
- The deficit rises against no deal (cheaper cars), so its card is the bad one for Home.
"""
from __future__ import annotations

import json
import re

import pytest
from tiny import q, write

from model.cli import main
from model.reporting.html import card_tone
from model.results import Results

CASE = {"fixed_levers": {"tariff": {"car": q(10, "%")}},
        "segments": {"car": {"home_substitution": q(0.5, "fraction")}},
        "jobs_per_unit": {"home": q(0.1, "jobs/vehicle")}}


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("decision")
    path = write(tmp, CASE)
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("builtins.print", lambda *a, **k: lines.append(" ".join(str(x) for x in a)))
        assert main(["run", str(path), "--out", str(tmp / "o"), "--no-robustness"]) == 0
    out = tmp / "o"
    r = Results.from_dict(json.loads((out / "results.json").read_text()))
    screen = (out / "report.md").read_text().split("## Outcomes", 1)[0]
    return r, screen, "\n".join(lines), (out / "report.html").read_text()


def test_the_case_is_the_hand_worked_one(case):
    r = case[0]
    assert {lv.index: round(lv.value, 4) for lv in r.levers if lv.name == "tariff"} == {"car": 0.1, "truck": 0.2}
    price = r.metric("buyer_price_change")
    assert price.dealt == pytest.approx((1e7 * 0.1 + 2e6 * 0.2) / 1.2e7)
    assert price.no_deal == pytest.approx(0.2)
    jobs = r.metric("home_jobs")
    assert jobs.dealt == pytest.approx(0.1 * 0.5 * (1000 - 1000 / 1.1))
    assert jobs.no_deal == pytest.approx(0.1 * 0.5 * (1000 - 1000 / 1.2))


def test_jobs_and_the_price_buyers_pay_are_on_every_first_screen(case):
    _, screen, terminal, html = case
    jobs = "Jobs against no deal**: Home -3.79 jobs (jobs building vehicles in each country"
    price = ("The price Home buyers pay for Partner's vehicles**: 8.3 pp lower than with no deal (+11.7% against "
             "the calibration year with the deal, +20.0% with no deal")
    assert jobs in screen and price in screen
    assert "Partner -" not in screen.split("Jobs against no deal", 1)[1].split("\n", 1)[0]   # not counted for it
    flat = re.sub(r"\s+", " ", terminal)
    assert jobs.replace("**", "") in flat and price.replace("**", "") in flat
    assert "Jobs against no deal</b>: Home -3.79 jobs" in html and "8.3 pp lower than with no deal" in html


def test_jobs_not_counted_are_said_so(tmp_path):
    path = write(tmp_path, {"fixed_levers": CASE["fixed_levers"]})
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-robustness"]) == 0
    screen = (tmp_path / "o" / "report.md").read_text().split("## Outcomes", 1)[0]
    assert "**Jobs** are not counted: the instance gives no jobs per unit built" in screen
    assert "Jobs against no deal" not in screen


def test_what_a_side_gives_lists_only_what_changes_against_no_deal(case):
    _, screen, terminal, html = case
    home = next(line for line in screen.splitlines() if line.startswith("- **Home**:"))
    assert "cars at 10.0%" in home                       # fixed, but a change against no deal: given
    assert "trucks" not in home and "as with no deal" not in home
    note = "Left as with no deal (so not among what either side gives): Home tariff on cars: trucks: 20.0%."
    assert note in screen and note in re.sub(r"\s+", " ", terminal)
    gives = html.split("<h2>The deal</h2>", 1)[1].split("</div></div>", 1)[0]
    assert "trucks" not in gives and "Left as with no deal" in html


def test_cards_are_coloured_for_the_side_they_concern_with_words(case):
    r, _, _, html = case
    cards = re.findall(r'<div class="card( \w+)?"><div class="v">([^<]*)</div><div class="t">([^<]*)</div>'
                       r'<div class="l">([^<]*)</div>', html)
    by_label = {label.replace("&#x27;", "'"): (tone.strip(), words) for tone, _, words, label in cards}
    d = r.metric("deficit")
    assert d.dealt > d.no_deal                           # cheaper cars: more imports
    assert by_label["deficit in the negotiated goods (vehicles; no purchases)"] == ("bad", "up against no deal: bad "
                                                                                    "for Home")
    assert by_label["Home's gain over no deal (payoff)"] == ("bad", "a loss for Home")
    assert by_label["Partner's gain over no deal (payoff)"] == ("good", "a gain for Partner")


def test_card_tone_by_direction():
    assert card_tone(2.0, "Japan") == ("good", "a gain for Japan")
    assert card_tone(-2.0, "Japan") == ("bad", "a loss for Japan")
    assert card_tone(0.1, "Japan") == ("", "as with no deal")
    assert card_tone(-1e9, "United States", deficit=True) == ("bad", "up against no deal: bad for United States")
    assert card_tone(1e9, "United States", deficit=True) == ("good", "down against no deal: good for United States")


def test_the_bottom_line_opens_every_first_screen(case):
    """Who gains, in what: the deficit, $10.0 M with no deal (cars $8.33 M, trucks 100/1.2 x
    $20,000 = $1.67 M), rises by 1,000 x $10,000 x (1/1.1 - 1/1.2) = $757.6 k (the dealers sell
    nothing: the buyers' ceiling is 0), which is Home's payoff; no draws were asked for, so no
    'how sure'."""
    r, screen, terminal, html = case
    d = r.metric("deficit")
    assert d.dealt - d.no_deal == pytest.approx(1000 * 10_000 * (1 / 1.1 - 1 / 1.2))
    said = ("A deal that leaves Home worse off than no deal by its payoff**: the deficit in the negotiated goods "
            "(vehicles; no purchases) is $10.8 M a year, +$757.6 k against no deal ($10.0 M). Gains over no deal by payoff: Home -$757.6 k")
    assert said in screen and screen.index("**Bottom line.**") < screen.index("- **Home**:")
    flat = re.sub(r"\s+", " ", terminal)
    assert said.replace("**", "") in flat and flat.index("bottom line:") < flat.index("the deal:")
    assert html.index("<b>Bottom line.</b>") < html.index('<div class="deal">') and "How sure" not in screen
