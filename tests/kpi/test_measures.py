from decimal import Decimal

import pytest

from gecrm.kpi import measures
from gecrm.kpi.measures import Figures, Sums, beats_industry, benchmark


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 3, "0.3333"),
        (2, 3, "0.6667"),
        (1, 8, "0.1250"),
        (1, 20000, "0.0001"),  # 0.00005: a tie rounds half up
        (1, 20001, "0.0000"),
        (-1, 20000, "-0.0001"),  # half up = away from zero for negatives
        (1, -3, "-0.3333"),
        (-5, -4, "1.2500"),
        (0, 7, "0.0000"),
        (10**18, 3, "333333333333333333.3333"),
    ],
)
def test_ratio_rounds_half_up_to_four_places_exactly(numerator, denominator, expected):
    value = measures.ratio(numerator, denominator)
    assert value == Decimal(expected)
    assert str(value) == expected


def test_zero_denominators_are_null():
    assert measures.ratio(5, 0) is None
    assert measures.growth(100, 0) is None
    assert measures.ict_penetration(0, 0) is None
    assert measures.ict_share(0, 0) is None


def test_growth_with_negative_previous_period_follows_the_formula():
    # (10 − (−20)) / −20 = −1.5
    assert measures.growth(1000, -2000) == Decimal("-1.5000")


def test_money_has_two_places():
    assert str(measures.money(12345)) == "123.45"
    assert str(measures.money(-5)) == "-0.05"
    assert str(measures.money(0)) == "0.00"
    assert measures.money(None) is None


def test_sums_measures_and_addition():
    a = Sums.of_group(18000, 9000, 5000)
    b = Sums.of_group(6000, 10000, 0)
    c = Sums.of_group(0, 0, 0)
    total = a + b + c
    assert (total.all_groups, total.groups, total.ict_groups) == (3, 2, 1)
    assert total.revenue_ytd == Decimal("240.00")
    assert total.growth == Decimal("0.2632")  # 50 / 190
    assert total.ict_penetration == Decimal("0.5000")
    assert total.ict_share == Decimal("0.2083")  # 50 / 240
    assert c.growth is None and c.ict_penetration is None and c.ict_share is None


def test_a_group_with_negative_ytd_revenue_is_not_counted_as_a_group():
    negative = Sums.of_group(-100, 50, 0)
    assert negative.groups == 0 and negative.all_groups == 1
    assert negative.ict_penetration is None


def test_beats_industry_needs_both_measures_strictly_above():
    industry = Sums(2, 2, 1, 24000, 19000, 5000)  # growth 0.2632, penetration 0.5
    assert beats_industry(Sums(1, 1, 1, 18000, 9000, 5000), industry) is True
    # growth above, penetration below
    assert beats_industry(Sums(1, 1, 0, 18000, 9000, 0), industry) is False
    # equal as reported is not above
    assert beats_industry(industry, industry) is False
    # nothing to compare
    assert beats_industry(Sums(), industry) is None
    assert beats_industry(Sums(1, 1, 1, 100, 0, 100), industry) is None


def test_benchmark_sums_the_listed_industries_and_skips_blank_and_unknown():
    by_industry = {
        "fin.bank": Figures(Sums(2, 2, 1, 24000, 19000, 5000)),
        "gov.party": Figures(Sums(1, 1, 1, 2000, 4000, 2000)),
    }
    both = benchmark(by_industry, ["fin.bank", "gov.party", "", "ent.trade"])
    assert both == Sums(3, 3, 2, 26000, 23000, 7000)
    assert benchmark(by_industry, []) == Sums()


def test_figures_round_trip_through_snapshot_columns():
    figures = Figures(Sums(3, 2, 1, 5, 6, 7), Sums(1, 1, 1, 2, 3, 4))
    assert Figures.from_row(figures.as_columns()) == figures
