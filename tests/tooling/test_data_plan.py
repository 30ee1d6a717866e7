"""The demo data plan: reproducible, and shaped like a real ledger."""

from collections import Counter
from datetime import date, timedelta

from suite.plan import BANK_LINE_MIX, SEGMENTS, communication, iban, make_plan

TODAY = date(2026, 11, 2)


def test_same_seed_same_data():
    first, second = make_plan(200, seed=7, today=TODAY), make_plan(200, 7, TODAY)
    assert [(c.name, c.segment) for c in first.customers] == [
        (c.name, c.segment) for c in second.customers
    ]
    assert [(i.invoice_date, i.lines, i.paid_date) for i in first.invoices] == [
        (i.invoice_date, i.lines, i.paid_date) for i in second.invoices
    ]
    assert make_plan(200, seed=8, today=TODAY).customers[0] != first.customers[0]


def test_size_and_segments():
    plan = make_plan(2000, seed=1, today=TODAY)
    assert len(plan.customers) == 2000
    assert 18000 < len(plan.invoices) < 24000  # about ten each
    shares = Counter(c.segment for c in plan.customers)
    for name, segment in SEGMENTS.items():
        assert abs(shares[name] / 2000 - segment["share"]) < 0.03, name
    assert len({c.name for c in plan.customers}) == 2000  # names are unique
    companies = Counter(c.company for c in plan.customers)
    assert 0.55 < companies["fr"] / 2000 < 0.65


def test_open_invoices_in_every_ageing_bucket():
    plan = make_plan(1000, seed=3, today=TODAY)
    open_ages = [
        (TODAY - i.invoice_date).days
        for i in plan.invoices
        if not i.paid_date and not i.write_off
    ]
    buckets = Counter(
        "current"
        if age <= 30
        else "31-60"
        if age <= 60
        else "61-90"
        if age <= 90
        else "90+"
        for age in open_ages
    )
    assert all(buckets[name] > 10 for name in ("current", "31-60", "61-90", "90+"))


def test_payments_follow_segments():
    plan = make_plan(2000, seed=5, today=TODAY)
    customers = {c.key: c for c in plan.customers}
    late = {name: [] for name in SEGMENTS}
    for invoice in plan.invoices:
        if invoice.paid_date:
            late[customers[invoice.customer].segment].append(
                (invoice.paid_date - invoice.invoice_date).days
            )
    average = {name: sum(days) / len(days) for name, days in late.items()}
    assert average["reliable"] < average["slow"] < average["chronic"]
    assert any(i.group for i in plan.invoices)  # one payment for several
    assert any(i.partial_share for i in plan.invoices)
    assert any(i.refund_share for i in plan.invoices)
    assert any(i.write_off for i in plan.invoices)
    assert len({i.currency for i in plan.invoices}) >= 2


def test_customers_pay_by_habit():
    plan = make_plan(2000, seed=5, today=TODAY)
    customers = {c.key: c for c in plan.customers}
    runs = Counter(c.habit.run for c in plan.customers)
    assert all(runs[run] > 150 for run in ("month_end", "month_day", "weekday", "any"))
    by_run = {run: [] for run in runs}
    for invoice in plan.invoices:
        customer = customers[invoice.customer]
        early = (invoice.paid_date or TODAY) < invoice.invoice_date + timedelta(7)
        if invoice.paid_date and not invoice.group and not early:
            by_run[customer.habit.run].append((customer.habit, invoice.paid_date))
    assert all(day.weekday() < 5 for pairs in by_run.values() for _h, day in pairs)
    # the last working day of the month
    assert all(
        (day + timedelta(1)).month != day.month or day.weekday() == 4
        for _habit, day in by_run["month_end"]
    )
    assert all(
        (day + timedelta(3)).month != day.month
        for _habit, day in by_run["month_end"]
        if day.weekday() == 4
    )
    # their day of the month, or the Monday after it
    assert all(
        day.day - habit.run_day in ((0, 1, 2) if day.weekday() == 0 else (0,))
        for habit, day in by_run["month_day"]
    )
    assert all(day.weekday() == habit.run_day for habit, day in by_run["weekday"])
    # The same seed gives the same habits.
    again = make_plan(2000, seed=5, today=TODAY)
    assert [c.habit for c in again.customers] == [c.habit for c in plan.customers]
    # Customers taking early-payment discounts take nearly all of them.
    early = {True: Counter(), False: Counter()}
    for invoice in plan.invoices:
        customer = customers[invoice.customer]
        if invoice.paid_date and customer.payment_term.endswith("early_discount"):
            taker = customer.habit.discount > 0.5
            days = (invoice.paid_date - invoice.invoice_date).days
            early[taker][days <= 7] += 1
    assert early[True][True] > 4 * early[True][False]
    assert early[False][False] > 4 * early[False][True]


def test_bank_lines_mix():
    plan = make_plan(3000, seed=11, today=TODAY)
    kinds = Counter(i.bank_line for i in plan.invoices if i.bank_line)
    assert set(kinds) <= {kind for kind, _share in BANK_LINE_MIX}
    assert kinds["clean_ref"] > kinds["mangled_ref"] > 0
    assert all((TODAY - i.paid_date).days <= 10 for i in plan.invoices if i.bank_line)


def test_iban_check_digits():
    value = iban("FR", "30006000011234567890189")
    assert value == "FR7630006000011234567890189"  # a published example


def test_communications():
    import random

    rng = random.Random(0)
    assert "INV/2026/00042" in communication("clean_ref", ["INV/2026/00042"], None, rng)
    grouped = communication("grouped", ["INV/1", "INV/2"], None, rng)
    assert "INV/1" in grouped and "INV/2" in grouped
    assert "INV" not in communication("third_party", ["INV/3"], None, rng)
