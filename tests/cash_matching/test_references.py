import pytest

from cash_matching.engine.references import (
    compact,
    find_structured_references,
    is_valid_be,
    is_valid_qrr,
    is_valid_rf,
    make_be,
    make_qrr,
    make_rf,
    mod10_recursive,
)


@pytest.mark.parametrize(
    "reference, valid",
    [
        ("RF18539007547034", True),  # ISO 11649's own example
        ("RF18 5390 0754 7034", True),
        ("rf18539007547034", True),
        ("RF19539007547034", False),  # wrong check digits
        ("RF18539007547035", False),  # one digit changed
        ("RF07 43", True),  # Odoo's example: invoice id 43
        ("RF", False),
        ("RF1853900754703412345678901", False),  # body longer than 21
    ],
)
def test_rf(reference, valid):
    assert is_valid_rf(reference) is valid


def test_make_rf_round_trip():
    assert make_rf("43") == "RF0743"
    assert make_rf("539007547034") == "RF18539007547034"
    for body in ("1", "INV2026000123", "ABCDEFGHIJKLMNOPQRSTU"):
        assert is_valid_rf(make_rf(body))
    with pytest.raises(ValueError):
        make_rf("")


@pytest.mark.parametrize(
    "reference, valid",
    [
        ("+++090/9337/55493+++", True),
        ("***090/9337/55493***", True),
        ("090/9337/55493", True),
        ("090933755493", True),
        ("+++090/9337/55494+++", False),
        ("+++000/0000/00097+++", True),  # remainder 0 is written 97
        ("+++090/9337/5549+++", False),  # one digit short
    ],
)
def test_belgian(reference, valid):
    assert is_valid_be(reference) is valid


def test_make_be():
    assert make_be(909337554) == "+++090/9337/55493+++"
    assert make_be(0) == "+++000/0000/00097+++"


@pytest.mark.parametrize(
    "reference, valid",
    [
        ("210000000003139471430009017", True),  # SIX implementation guide
        ("21 00000 00003 13947 14300 09017", True),
        ("210000000003139471430009016", False),
        ("21000000000313947143000901", False),  # 26 digits
    ],
)
def test_qr_reference(reference, valid):
    assert is_valid_qrr(reference) is valid


def test_mod10_recursive():
    assert mod10_recursive("21000000000313947143000901") == 7
    assert make_qrr(123).endswith(str(mod10_recursive("0" * 23 + "123")))
    assert is_valid_qrr(make_qrr(987654321))


def test_find_in_free_text():
    text = (
        "Payment inv 2026/0042 ref rf18 5390 0754 7034, also "
        "+++090/9337/55493+++ and 21 00000 00003 13947 14300 09017 thanks"
    )
    assert find_structured_references(text) == [
        ("rf", "RF18539007547034"),
        ("be", "+++090/9337/55493+++"),
        ("qrr", "210000000003139471430009017"),
    ]


def test_find_ignores_invalid_and_glued():
    assert find_structured_references("RF19539007547034") == []
    assert find_structured_references("RF0743THANKS") == [("rf", "RF0743")]
    assert find_structured_references("") == []


def test_compact():
    assert compact(" inv/2026-00.42 ") == "INV20260042"
    assert compact(None) == ""
