"""Số tiền bằng chữ (amount in Vietnamese words) and in figures."""

import pytest

from payments.text import amount_in_words, format_vnd


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_000, "Một nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (2_500_500, "Hai triệu năm trăm nghìn năm trăm đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (50_000, "Năm mươi nghìn đồng"),
        (10_000, "Mười nghìn đồng"),
        (110_000, "Một trăm mười nghìn đồng"),
        (24_000, "Hai mươi tư nghìn đồng"),
        (1, "Một đồng"),
        (5, "Năm đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (1_000_005, "Một triệu không trăm linh năm đồng"),
        (2_000_001_000, "Hai tỷ không trăm linh một nghìn đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
    ],
)
def test_it_reads_amounts_in_words(amount, words):
    assert amount_in_words(amount) == words


@pytest.mark.parametrize("amount", [0, -1_000])
def test_it_refuses_zero_and_negative_amounts(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)


@pytest.mark.parametrize("amount", [1000.0, "1000", True])
def test_it_refuses_non_integers(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount)


def test_it_formats_figures_with_dots():
    assert format_vnd(2_500_500) == "2.500.500"
    assert format_vnd(50_000) == "50.000"
    assert format_vnd(500) == "500"
