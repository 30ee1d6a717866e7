"""The synthetic book and bank feed, and the engine's figures over them."""

import random
import re
import time
from collections import Counter

import pytest

from cash_matching.engine.matching import BankLine, Matcher
from cash_matching.engine.references import compact, is_valid_be, is_valid_rf
from suite.matching_feed import (
    DEFAULT_MIX,
    TODAY,
    Truth,
    make_book,
    make_feed,
    mangle,
    rate,
    score,
)

THRESHOLD = 0.95


@pytest.fixture(scope="module")
def book():
    return make_book(20000, 4000, random.Random(7))


@pytest.fixture(scope="module")
def feed(book):
    items, partners = book
    return make_feed(items, partners, 2000, random.Random(8), rate=rate)


def test_book_looks_like_a_book(book):
    items, partners = book
    assert len(items) == 20000 and len(partners) == 4000
    assert {item.currency for item in items} == {"EUR", "USD"}
    with_iban = sum(1 for partner in partners if partner.ibans) / len(partners)
    assert 0.65 <= with_iban <= 0.75
    assert any(re.search(r"\b(SARL|GmbH|Ltd|SA|BV|Inc)\b", p.name) for p in partners)
    notes = [item for item in items if item.residual < 0]
    assert notes and all(item.move_name.startswith("RINV/") for item in notes)
    assert all(re.fullmatch(r"R?INV/20\d\d/\d{5}", item.move_name) for item in items)
    assert len({item.move_name for item in items}) == len(items)
    refs = [r for item in items for r in item.references]
    assert sum(1 for r in refs if r.startswith("RF") and is_valid_rf(r)) > 1000
    assert any(r.startswith("+++") and is_valid_be(r) for r in refs)
    # the amount alone is ambiguous for many items
    counts = Counter(item.residual for item in items)
    assert sum(n for n in counts.values() if n > 1) > len(items) / 5
    assert any(item.discount_amount for item in items)


def test_feed_pays_each_item_once(book, feed):
    items, _partners = book
    by_id = {item.id: item for item in items}
    assert len(feed) == 2000
    paid = [item_id for _line, truth in feed for item_id in truth]
    assert len(paid) == len(set(paid))
    kinds = Counter(truth.kind for _line, truth in feed)
    for kind, share in DEFAULT_MIX:
        assert kinds[kind] == pytest.approx(share * 2000, abs=2)
    for line, truth in feed:
        assert isinstance(line, BankLine) and isinstance(truth, frozenset)
        assert line.amount > 0
        if truth.kind == "third_party":
            assert not truth
        else:
            assert truth and all(item_id in by_id for item_id in truth)
            assert len({by_id[i].partner_id for i in truth}) == 1
    assert Truth({1, 2}, "several") == frozenset({1, 2})


def test_feed_mix(book):
    items, partners = book
    feed = make_feed(items, partners, 100, random.Random(3), mix=(("partial", 1.0),))
    assert len(feed) == 100 and {truth.kind for _line, truth in feed} == {"partial"}
    with pytest.raises(ValueError, match="unknown kinds"):
        make_feed(items, partners, 10, random.Random(3), mix=(("lottery", 1.0),))


@pytest.mark.parametrize("seed", range(40))
def test_mangle_keeps_enough_of_the_reference(seed):
    rng = random.Random(seed)
    mangled = mangle("INV/2025/00421", rng)
    assert mangled != "INV/2025/00421"
    assert len(compact(mangled)) >= 8


def test_engine_figures(book, feed):
    items, partners = book
    started = time.perf_counter()
    matcher = Matcher(items, partners, company_currency="EUR", rate=rate)
    built = time.perf_counter() - started
    figures = score(matcher, feed, THRESHOLD)
    print(
        f"\n20,000 items, 4,000 customers, 2,000 lines: index {built:.2f} s, "
        + ", ".join(
            f"{key} {value}" for key, value in figures.items() if key != "by_kind"
        )
    )
    for kind, counts in sorted(figures["by_kind"].items()):
        print(f"  {kind:12} {counts}")
    assert figures["auto_precision"] >= 0.995
    assert figures["auto_share"] >= 0.90
    assert figures["top3_recall"] >= 0.98
    assert figures["by_kind"]["third_party"]["auto"] == 0


def test_large_book():
    """100,000 items: the figures a run over a large book gets (printed, not
    asserted: the machine decides the times)."""
    items, partners = make_book(100000, 20000, random.Random(11))
    started = time.perf_counter()
    matcher = Matcher(items, partners, company_currency="EUR", rate=rate)
    built = time.perf_counter() - started
    feed = make_feed(items, partners, 1000, random.Random(12), rate=rate)
    figures = score(matcher, feed, THRESHOLD)
    print(
        f"\n100,000 items, 20,000 customers, 1,000 lines: index {built:.2f} s, "
        + ", ".join(
            f"{key} {value}" for key, value in figures.items() if key != "by_kind"
        )
    )
    assert figures["auto_precision"] >= 0.99
    # an amount unique among 100,000 items, and nothing else, stays well below
    counts = Counter((item.currency, item.residual) for item in items)
    unique = next(
        item
        for item in items
        if counts[item.currency, item.residual] == 1
        and item.residual > 0
        and item.id in matcher._items
    )
    line = BankLine(1, unique.residual, unique.currency, TODAY, communication="Payment")
    best = matcher.match(line)[0]
    assert {item_id for item_id, _amount in best.allocations} == {unique.id}
    assert best.confidence < 0.5
