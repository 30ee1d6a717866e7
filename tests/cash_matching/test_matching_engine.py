"""The matching engine: signals, amounts, confidence, without Odoo."""

from dataclasses import replace
from datetime import date

import pytest

from cash_matching.engine.matching import (
    DEFAULT_MODEL,
    SIGNAL_CODES,
    SIGNAL_HELP,
    BankLine,
    Matcher,
    Money,
    OpenItem,
    Partner,
    _subset_sums,
    describe,
    name_similarity,
    name_tokens,
    within_one_edit,
)
from cash_matching.engine.references import make_be, make_rf

DAY = date(2026, 3, 2)
RF = make_rf("1000518")  # RF331000518
BE = make_be(909337554)  # +++090/9337/55493+++
QRR = "210000000003139471430009017"
DUPONT_IBAN = "FR76 3000 6000 0112 3456 7890 189"
ACME_IBAN = "DE89 3704 0044 0532 0130 00"
ORION_IBAN = "NL91 ABNA 0417 1643 00"

PARTNERS = [
    Partner(1, "Dupont Martin SARL", (DUPONT_IBAN,)),
    Partner(2, "Acme Trading Ltd", (ACME_IBAN,)),
    Partner(3, "Müller Logistik GmbH"),
    Partner(4, "Nova Systems SA"),
    Partner(5, "Harbor Supplies Inc"),
    Partner(6, "Orion Print BV", (ORION_IBAN,)),
    Partner(7, "Sakura Trading KK"),
    Partner(8, "Petit Café SAS", ("FR14 2004 1010 0505 0001 3M02 606",)),
]


def item(item_id, partner_id, name, amount, day, currency="EUR", company=None, **kw):
    return OpenItem(
        id=item_id,
        partner_id=partner_id,
        move_name=name,
        currency=currency,
        residual=amount,
        residual_company=amount if company is None else company,
        date=day,
        **kw,
    )


ITEMS = [
    item(101, 1, "INV/2026/00012", 1200.0, date(2026, 1, 5), references=("S00042",)),
    item(102, 1, "INV/2026/00345", 300.0, date(2026, 1, 6), references=("PO-48213",)),
    item(103, 1, "INV/2026/00518", 450.5, date(2026, 1, 9), references=(RF,)),
    item(104, 1, "RINV/2026/00007", -200.0, date(2026, 1, 10)),
    item(201, 2, "INV/2026/00777", 999.99, date(2026, 1, 12), references=(BE,)),
    item(
        202,
        2,
        "INV/2026/00778",
        1000.0,
        date(2026, 1, 31),
        discount_amount=980.0,
        discount_date=date(2026, 2, 10),
    ),
    item(301, 3, "INV/2026/00901", 2750.0, date(2026, 2, 1)),
    item(302, 3, "INV/2026/00902", 640.0, date(2026, 2, 2)),
    item(401, 4, "INV/2026/00950", 5000.0, date(2026, 2, 5), references=(QRR,)),
    item(501, 5, "INV/2026/00960", 1080.0, date(2026, 2, 6), "USD", 1000.0),
    item(601, 6, "INV/2026/00970", 250.0, date(2026, 2, 7)),
    item(602, 6, "INV/2026/00971", 250.0, date(2026, 2, 8)),
    item(701, 7, "INV/2026/00980", 125000.0, date(2026, 2, 9), "JPY", 780.0),
    item(801, 8, "INV/2026/00990", 0.1, date(2026, 2, 10)),
    item(802, 8, "INV/2026/00991", 0.2, date(2026, 2, 11)),
]


def usd_rate(from_currency, to_currency, day):
    rates = {("EUR", "USD"): 1.08, ("USD", "EUR"): 1 / 1.08}
    return (
        1.0 if from_currency == to_currency else rates.get((from_currency, to_currency))
    )


def matcher(**options):
    options.setdefault("company_currency", "EUR")
    return Matcher(ITEMS, PARTNERS, **options)


def line(amount, communication="", currency="EUR", day=DAY, **kw):
    return BankLine(1, amount, currency, day, communication=communication, **kw)


def ids(proposal):
    return {item_id for item_id, _amount in proposal.allocations}


def codes(proposal):
    return {signal.code for signal in proposal.signals}


def strength(proposal, code):
    return max((s.strength for s in proposal.signals if s.code == code), default=0.0)


# Each case: a bank line, the items its best proposal should hold, its kind,
# signal codes it should carry and its confidence bounds.
CASES = [
    # references, as printed and as payers write them
    ("clean number", line(1200, "Invoice INV/2026/00012"), {101}, "full",
     {"reference", "amount_exact"}, 0.99, 1),
    ("spaces", line(1200, "INV 2026 00012"), {101}, "full", {"reference"}, 0.99, 1),
    ("dashes, case", line(1200, "inv-2026-00012 thanks"), {101}, "full",
     {"reference"}, 0.99, 1),
    ("glued", line(1200, "REF:INV202600012"), {101}, "full", {"reference"}, 0.99, 1),
    ("no leading zeros", line(1200, "inv-2026-12"), {101}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("typo replaced", line(300, "INV/2026/00346"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("typo added", line(300, "INV/2026/003455"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("typo dropped", line(300, "INV/202/00345"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("typo swapped", line(300, "Payment INV/2026/00354"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("typo in letters", line(300, "IVN/2026/00345"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("O for zero", line(300, "INV/2026/OO345"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("truncated, unique", line(300, "INV/2026/0034"), {102}, "full",
     {"reference_fuzzy"}, 0.95, 1),
    ("number without prefix", line(300, "Facture 2026/00345"), {102}, "full",
     {"reference_fuzzy"}, 0.9, 1),
    ("sale order", line(1200, "Order S00042"), {101}, "full", {"reference"}, 0.99, 1),
    ("customer reference", line(300, "your PO 48213"), {102}, "full",
     {"reference"}, 0.99, 1),
    # structured references with valid check digits
    ("RF", line(450.5, "rf33 1000 518"), {103}, "full", {"structured"}, 0.99, 1),
    ("RF in its field", line(450.5, "Payment", structured_ref=RF), {103}, "full",
     {"structured"}, 0.99, 1),
    ("Belgian", line(999.99, "", structured_ref="+++090/9337/55493+++"), {201},
     "full", {"structured"}, 0.99, 1),
    ("Belgian in text", line(999.99, "***090/9337/55493*** merci"), {201}, "full",
     {"structured"}, 0.99, 1),
    ("QR reference", line(5000, "21 00000 00003 13947 14300 09017"), {401}, "full",
     {"structured"}, 0.99, 1),
    # who pays
    ("IBAN", line(300, "Payment", payer_iban="fr7630006000011234567890189"), {102},
     "full", {"iban", "amount_exact"}, 0.95, 1),
    ("name", line(640, "Virement", payer_name="MULLER LOGISTIK"), {302}, "full",
     {"name", "amount_exact"}, 0.95, 1),
    ("name, legal form and typo", line(640, "", payer_name="Mueller Logistik G.m.b.H."),
     {302}, "full", {"name"}, 0.95, 1),
    ("import's partner", line(640, "", partner_id=3), {302}, "full", {"partner"},
     0.95, 1),
    ("another customer's account", line(1200, "INV/2026/00012", payer_iban=ACME_IBAN),
     {101}, "full", {"reference", "payer_other"}, 0.95, 1),
    # several items in one amount
    ("two invoices, IBAN", line(1500, "Payment", payer_iban=DUPONT_IBAN), {101, 102},
     "full", {"iban", "amount_sum"}, 0.95, 1),
    ("two invoices quoted", line(1500, "INV/2026/00012 + INV/2026/00345"), {101, 102},
     "full", {"reference", "amount_sum"}, 0.99, 1),
    ("credit note deducted",
     line(1450.5, "INV/2026/00012 INV/2026/00518 RINV/2026/00007"), {101, 103, 104},
     "full", {"credit_note", "amount_sum"}, 0.95, 1),
    ("credit note, name", line(1450.5, "", payer_name="Dupont-Martin S.A.R.L."),
     {101, 103, 104}, "full", {"credit_note", "name"}, 0.95, 1),
    # partial payments, discounts, differences
    ("partial", line(500, "Acompte INV/2026/00012"), {101}, "partial",
     {"reference", "partial"}, 0.95, 1),
    ("discount in time", line(980, "INV/2026/00778", day=date(2026, 2, 12)), {202},
     "discount", {"discount"}, 0.95, 1),
    ("discount too late", line(980, "INV/2026/00778", day=date(2026, 2, 20)), {202},
     "partial", {"partial"}, 0.95, 1),
    ("bank fee", line(2746, "INV/2026/00901"), {301}, "writeoff", {"writeoff"},
     0.95, 1),
    ("fee beyond tolerance", line(2744, "INV/2026/00901"), {301}, "partial",
     {"partial"}, 0.95, 1),
    ("small invoice fee", line(297.5, "INV/2026/00345"), {102}, "writeoff",
     {"writeoff"}, 0.95, 1),
    ("small invoice, 1 % exceeded", line(296.5, "INV/2026/00345"), {102}, "partial",
     {"partial"}, 0.95, 1),
    ("overpaid a little", line(2752, "INV/2026/00901"), {301}, "writeoff",
     {"overpaid"}, 0.95, 1),
    # currencies and cents
    ("USD line, USD item", line(1080, "INV/2026/00960", "USD"), {501}, "full",
     {"reference", "amount_exact"}, 0.99, 1),
    ("yen", line(125000, "INV/2026/00980", "JPY"), {701}, "full", {"amount_exact"},
     0.99, 1),
    ("cents add up", line(0.3, "", payer_iban="FR1420041010050500013M02606"),
     {801, 802}, "full", {"amount_sum"}, 0.95, 1),
    # what must go to review
    ("amount only", line(2750, "Payment"), {301}, "full", {"amount_exact"}, 0, 0.5),
    ("third party", line(640, "Refund order 58213", payer_name="John Doe",
     payer_iban="GB29NWBK60161331926819"), {302}, "full", set(), 0, 0.5),
    ("same amount twice", line(250, "Payment", payer_iban=ORION_IBAN), {601},
     "full", {"ambiguous"}, 0, 0.7),
]  # fmt: skip


@pytest.mark.parametrize(
    "bank_line, expected, kind, signals, low, high",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_best_proposal(bank_line, expected, kind, signals, low, high):
    proposals = matcher(rate=usd_rate).match(bank_line)
    assert proposals, "no proposal"
    best = proposals[0]
    assert ids(best) == expected
    assert best.kind == kind
    assert signals <= codes(best)
    assert low <= best.confidence <= high, best
    assert len({frozenset(ids(p)) for p in proposals}) == len(proposals)
    assert [p.confidence for p in proposals] == sorted(
        (p.confidence for p in proposals), reverse=True
    )
    for proposal in proposals:
        for signal in proposal.signals:
            assert signal.code in SIGNAL_CODES
            assert 0 <= signal.strength <= 1
            # every placeholder of the explanation has its parameter
            SIGNAL_HELP[signal.code].format(**dict(signal.params))


def test_every_code_is_explained():
    assert set(SIGNAL_HELP) == set(SIGNAL_CODES)
    assert set(SIGNAL_CODES) | {"kind_full", "kind_partial", "kind_discount"} <= set(
        DEFAULT_MODEL["weights"]
    )


def test_allocations_and_differences():
    m = matcher(rate=usd_rate)
    (best, *_rest) = m.match(
        line(1450.5, "INV/2026/00012 INV/2026/00518 RINV/2026/00007")
    )
    assert best.allocations == (
        (101, 1200.0),
        (103, 450.5),
        (104, -200.0),
    )  # oldest first
    assert best.difference == 0.0
    partial = m.match(line(500, "INV/2026/00012"))[0]
    assert partial.allocations == ((101, 500.0),)
    discount = m.match(line(980, "INV/2026/00778", day=date(2026, 2, 12)))[0]
    assert discount.allocations == ((202, 1000.0),)
    assert discount.difference == 20.0
    fee = m.match(line(2746, "INV/2026/00901"))[0]
    assert (fee.allocations, fee.difference) == (((301, 2750.0),), 4.0)
    # in company currency: 3 USD at the item's booked rate (1,000 EUR / 1,080 USD)
    usd_fee = m.match(line(1077, "INV/2026/00960", "USD"))[0]
    assert (usd_fee.kind, usd_fee.difference) == ("writeoff", 2.78)


def test_structured_reference_with_wrong_check_digits():
    wrong = "RF34" + RF[4:]  # same body, check digits off by one
    best = matcher().match(line(450.5, wrong))[0]
    assert ids(best) == {103}
    assert "structured" not in codes(best)
    assert "reference_fuzzy" in codes(best)
    belgian = matcher().match(line(999.99, "+++090/9337/55494+++"))[0]
    assert "structured" not in codes(belgian)


@pytest.mark.parametrize(
    "text",
    ["INV/2026", "INV/2026/", "2026", "S0004", "S 00043", "Payment 12.00"],
)
def test_too_little_of_a_reference_quotes_nothing(text):
    for proposal in matcher().match(line(300, text)):
        assert not codes(proposal) & {"reference", "reference_fuzzy", "structured"}


def test_truncated_reference_must_be_unique():
    # "INV/2026/0" starts 14 numbers of the book: not a quote of any
    best = matcher().match(line(300, "INV/2026/0"))[0]
    assert ids(best) == {102} and best.confidence < 0.95
    assert strength(best, "reference_fuzzy") < 0.1


def test_converted_line():
    m = matcher(rate=usd_rate)
    best = m.match(line(1000, "INV/2026/00960"))[0]  # EUR paying a USD invoice
    assert ids(best) == {501} and best.kind == "full"
    assert {"currency", "amount_exact"} <= codes(best)
    assert best.confidence >= 0.95
    without_rate = matcher().match(line(1000, "INV/2026/00960"))
    assert all(p.kind == "partial" or 501 not in ids(p) for p in without_rate)
    assert not any(p.kind == "full" and 501 in ids(p) for p in without_rate)


def test_writeoff_tolerance_is_a_setting():
    strict = matcher(writeoff_abs=0.0)
    best = strict.match(line(2746, "INV/2026/00901"))[0]
    assert best.kind == "partial"
    loose = matcher(writeoff_abs=10.0, writeoff_rel=0.01)
    assert loose.match(line(2742, "INV/2026/00901"))[0].kind == "writeoff"


def test_ambiguity_and_remove():
    m = matcher()
    first, second, *_ = m.match(line(250, "Payment", payer_iban=ORION_IBAN))
    assert {frozenset(ids(first)), frozenset(ids(second))} == {
        frozenset({601}),
        frozenset({602}),
    }
    assert first.confidence < 0.95 and strength(first, "ambiguous") > 0.9
    m.remove([601])
    best = m.match(line(250, "Payment", payer_iban=ORION_IBAN))[0]
    assert ids(best) == {602} and best.confidence >= 0.95
    assert "ambiguous" not in codes(best)
    m.remove([602, 999])  # unknown ids are ignored
    assert all(602 not in ids(p) for p in m.match(line(250, "INV/2026/00971")))


def test_remove_takes_items_out_of_combinations():
    m = matcher()
    assert ids(m.match(line(1500, "", payer_iban=DUPONT_IBAN))[0]) == {101, 102}
    m.remove([102])
    assert all(
        102 not in ids(p) for p in m.match(line(1500, "", payer_iban=DUPONT_IBAN))
    )


def test_restore_puts_back_an_item_still_open():
    m = matcher()
    m.remove([102])
    assert not m.match(line(1500, "", payer_iban=DUPONT_IBAN))
    m.restore({102: 300.0, 999: 10.0})  # never taken out: ignored
    assert ids(m.match(line(300, "INV/2026/00345"))[0]) == {102}
    # oldest first again: 101 (January 5) and 102 (January 6) pay 1,500
    assert ids(m.match(line(1500, "", payer_iban=DUPONT_IBAN))[0]) == {101, 102}


def test_restore_leaves_out_an_item_paid_meanwhile():
    m = matcher()
    m.remove([101, 102])
    # 101 was partly paid elsewhere: its old residual would be a wrong match
    m.restore({101: 200.0, 102: 300.0})
    assert all(101 not in ids(p) for p in m.match(line(1200, "INV/2026/00012")))
    assert ids(m.match(line(300, "INV/2026/00345"))[0]) == {102}


def test_limit_and_nothing_to_match():
    m = matcher()
    assert len(m.match(line(250, "Payment"), limit=1)) == 1
    assert m.match(line(0.0, "INV/2026/00012")) == []
    assert m.match(line(-5.0, "INV/2026/00012")) == []
    assert m.match(line(123.45, "Payment")) == []


def test_weights_are_checked():
    with pytest.raises(ValueError):
        Matcher(ITEMS, PARTNERS, company_currency="EUR", weights={"version": 2})
    with pytest.raises(ValueError):
        Matcher(ITEMS, PARTNERS, company_currency="EUR", weights={"version": 1})


def test_describe():
    best = matcher().match(line(300, "INV/2026/00354"))[0]
    texts = [describe(signal) for signal in best.signals]
    assert "INV/2026/00345" in texts[0] and "one typo" in texts[0]


def test_amounts_stay_values_for_each_readers_format():
    # the models format them in the reader's language; the engine's own
    # sentences are English
    best = matcher().match(line(300, "INV/2026/00354"))[0]
    exact = next(s for s in best.signals if s.code == "amount_exact")
    assert dict(exact.params)["amount"] == Money(300.0, "EUR")
    assert "300.00 EUR" in describe(exact)
    assert str(Money(6532.32, "EUR")) == "6,532.32 EUR"


# Combinations ------------------------------------------------------------------


def powers_book(count, partner_id=9):
    """Items whose amounts are powers of two: each sum has one subset."""
    items = [
        item(
            900 + i,
            partner_id,
            f"INV/2025/{100 + i:05d}",
            10.0 * 2**i + 0.01,
            date(2025, 1, 1 + i),
        )
        for i in range(count)
    ]
    partners = [Partner(partner_id, "Kappa Tools AG", ("CH93 0076 2011 6238 5295 7",))]
    return items, partners


def pay(items, *indexes):
    return line(round(sum(items[i].residual for i in indexes), 2), "Payment",
                payer_iban="CH9300762011623852957")  # fmt: skip


def test_combination_size_is_bounded():
    items, partners = powers_book(8)
    six = pay(items, 0, 1, 2, 3, 4, 5)
    small = Matcher(items, partners, company_currency="EUR", max_subset_size=5)
    assert all(len(p.allocations) < 6 for p in small.match(six))
    large = Matcher(items, partners, company_currency="EUR", max_subset_size=6)
    best = large.match(six)[0]
    assert ids(best) == {900, 901, 902, 903, 904, 905} and best.kind == "full"


def test_combinations_use_the_oldest_items():
    items, partners = powers_book(20)
    m = Matcher(items, partners, company_currency="EUR")
    assert ids(m.match(pay(items, 0, 11))[0]) == {900, 911}
    assert not any(ids(p) == {900, 915} for p in m.match(pay(items, 0, 15)))
    wide = Matcher(items, partners, company_currency="EUR", max_subset_items=20)
    assert ids(wide.match(pay(items, 0, 15))[0]) == {900, 915}
    # quoted items take part whatever their age
    quoted = replace(pay(items, 0, 15), communication="INV/2025/00100 INV/2025/00115")
    assert ids(m.match(quoted)[0]) == {900, 915}


def test_a_customer_with_many_items_does_not_explode():
    items = [
        item(i, 9, f"INV/2025/{i:05d}", 100.0 + (i * 37) % 900, date(2025, 1, 1))
        for i in range(1, 2001)
    ]
    partners = [Partner(9, "Kappa Tools AG", ("CH9300762011623852957",))]
    m = Matcher(items, partners, company_currency="EUR")
    proposals = m.match(line(98765.43, "", payer_iban="CH9300762011623852957"))
    assert len(proposals) <= 3
    # the search itself stops at its cap of combinations
    found = _subset_sums([100] * 12, 300, 0, 5)
    assert len(found) == 25


def test_subset_sums_with_credit_notes():
    found = _subset_sums([1000, 500, -200, 700], 1300, 0, 3)
    assert sorted(chosen for chosen, _total in found) == [(0, 1, 2)]
    assert _subset_sums([1000, 500], 1499, 0, 2) == []
    assert _subset_sums([1000, 500], 1499, 1, 2) == [((0, 1), 1500)]


# Helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, tokens",
    [
        ("Dupont Martin SARL", ("dupont", "martin")),
        ("DUPONT-MARTIN S.A.R.L.", ("dupont", "martin")),
        ("Müller Logistik GmbH & Co. KG", ("muller", "logistik")),
        ("M. Jean Dupont", ("jean", "dupont")),
        ("Acme Trading Ltd.", ("acme", "trading")),
        ("Straße AG", ("strasse",)),
        ("", ()),
    ],
)
def test_name_tokens(name, tokens):
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    "payer, partner, low, high",
    [
        ("DUPONT MARTIN", "Dupont Martin SARL", 1.0, 1.0),
        ("MARTIN DUPONT", "Dupont Martin SARL", 1.0, 1.0),
        ("DUPONT MART", "Dupont Martin SARL", 0.9, 0.99),
        ("DUPONT", "Dupont Martin SARL", 0.6, 0.7),
        ("DUPONT IMMOBILIER", "Dupont Martin SARL", 0.4, 0.55),
        ("ACME", "Dupont Martin SARL", 0.0, 0.0),
    ],
)
def test_name_similarity(payer, partner, low, high):
    assert low <= name_similarity(name_tokens(payer), name_tokens(partner)) <= high


@pytest.mark.parametrize(
    "a, b, result",
    [
        ("INV202600345", "INV202600345", True),
        ("INV202600345", "INV202600346", True),  # replaced
        ("INV202600345", "INV2026003455", True),  # added
        ("INV202600345", "INV20260345", True),  # dropped
        ("INV202600345", "INV202600354", True),  # swapped
        ("INV202600345", "INV202600453", False),
        ("INV202600345", "INV2026345", False),
    ],
)
def test_within_one_edit(a, b, result):
    assert within_one_edit(a, b) is result
    assert within_one_edit(b, a) is result


def test_an_instalment_paid_exactly_is_that_instalment():
    # One invoice, two instalments (30 % now, 70 % in 60 days): two items
    # under one number. The line quoting the number with the second
    # instalment's amount pays that instalment, not a part of both.
    first = item(901, 4, "INV/2026/01000", 300.0, date(2026, 2, 1))
    second = item(902, 4, "INV/2026/01000", 700.0, date(2026, 2, 1))
    engine = Matcher([first, second], PARTNERS, company_currency="EUR")
    best = engine.match(line(700, "INV/2026/01000"))[0]
    assert ids(best) == {902}
    assert best.kind == "full"
    assert best.confidence >= 0.95
    # less than an instalment is still a part of the invoice, oldest first
    partial = engine.match(line(200, "INV/2026/01000"))[0]
    assert partial.kind == "partial"
    assert partial.allocations == ((901, 200.0),)


def test_part_of_an_invoice_in_instalments_pays_the_first_due():
    # instalments listed latest due first: the part still pays the first due
    later = item(912, 4, "INV/2026/01001", 700.0, date(2026, 2, 1))
    later = replace(later, due_date=date(2026, 4, 2))
    first = replace(
        item(913, 4, "INV/2026/01001", 300.0, date(2026, 2, 1)),
        due_date=date(2026, 2, 1),
    )
    engine = Matcher([later, first], PARTNERS, company_currency="EUR")
    best = engine.match(line(400, "Acompte INV/2026/01001"))[0]
    assert best.kind == "partial"
    assert best.allocations == ((913, 300.0), (912, 100.0))
