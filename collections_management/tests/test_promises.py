import re
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CollectionsCommon


class CommitmentsCommon(CollectionsCommon):
    """A collector following the customer, a manager and a salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="colette",
            name="Colette Collector",
            email="colette@suite.example",
            groups="collections_management.group_collections_user",
            company_id=cls.company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            login="manon",
            name="Manon Manager",
            email="manon@suite.example",
            groups="collections_management.group_collections_manager",
            company_id=cls.company.id,
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sam",
            name="Sam Sales",
            email="sam@suite.example",
            groups="base.group_user",
            company_id=cls.company.id,
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector
        cls.level = {level.name: level for level in cls.levels}


@tagged("post_install", "-at_install")
class TestPromises(CommitmentsCommon):
    def _promise(self, invoices, amount, promise_date, user=None):
        return (
            self.env["collection.promise"]
            .with_user(user or self.collector)
            ._collection_record(self.customer, invoices, amount, promise_date)
        )

    def test_kept_promise_pauses_reminders_and_closes_at_payment(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-06"):
            promise = self._promise(invoice, 1000, date(2026, 3, 20))
            self.assertEqual(promise.state, "open")
            self.assertEqual(invoice.collection_commitment_state, "promise")
            self.assertIn("Promise to pay", invoice.collection_pause_reason)
            self.assertFalse(invoice.collection_next_date)
        # the first reminder would go on 8 March: the promise holds it
        self._daily_run(date(2026, 3, 10))
        self.assertFalse(self._reminders())
        with freeze_time("2026-03-18"):
            self._pay(invoice, 1000, date(2026, 3, 18))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.paid_amount, 1000)
        self.assertEqual(self.customer.collection_promise_kept_rate, 100)

    def test_partially_kept_promise_resumes_the_reminders(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-06"):
            promise = self._promise(invoice, 1000, date(2026, 3, 20))
        self._pay(invoice, 400, date(2026, 3, 19))
        self.assertEqual(promise.state, "open")  # judged after the grace period
        with freeze_time("2026-03-23"):  # 20 March + 3 days of grace
            self.env["collection.promise"]._cron_review()
            self.assertEqual(promise.state, "open")
        with freeze_time("2026-03-24"):
            self.env["collection.promise"]._cron_review()
        self.assertEqual(promise.state, "partial")
        self.assertEqual(promise.paid_amount, 400)
        task = promise.activity_ids
        self.assertEqual(task.user_id, self.collector)
        self.assertIn("400.00", task.summary)
        self.assertFalse(invoice.collection_pause_reason)
        run = self._daily_run(date(2026, 3, 24))
        reminder = run.communication_ids
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertEqual(reminder.level_id, self.level["First reminder"])
        self.assertEqual(reminder.amount_due, 600)

    def test_broken_promise_resumes_at_the_next_level(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        run = self._daily_run(date(2026, 3, 8))
        self.assertEqual(run.communication_ids.level_id, self.level["First reminder"])
        with freeze_time("2026-03-10"):
            promise = self._promise(invoice, 500, date(2026, 3, 15))
        with freeze_time("2026-03-19"):
            self.env["collection.promise"]._cron_review()
        self.assertEqual(promise.state, "broken")
        self.assertEqual(promise.paid_amount, 0)
        self.assertIn("Broken promise", promise.activity_ids.summary)
        self.assertEqual(promise.activity_ids.user_id, self.collector)
        self.assertEqual(self.customer.collection_promise_kept_rate, 0)
        # the second level falls on 22 March (21 days after the due date)
        self.assertFalse(self._daily_run(date(2026, 3, 21)).communication_ids)
        second = self._daily_run(date(2026, 3, 22)).communication_ids
        self.assertEqual(second.level_id, self.level["Second reminder"])

    def test_refusals_say_what_is_wrong(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10"):
            cases = [
                (1000, date(2026, 4, 10), "at most 30 days"),
                (1000, date(2026, 3, 9), "in the past"),
                (499, date(2026, 3, 20), "at least 50% of the $\xa01,000.00 due"),
                (1200, date(2026, 3, 20), "more than the $\xa01,000.00 due"),
                (0, date(2026, 3, 20), "must be positive"),
            ]
            for amount, day, message in cases:
                with self.subTest(amount=amount, day=day):
                    with self.assertRaisesRegex(UserError, re.escape(message)):
                        self._promise(invoice, amount, day)
            self.assertFalse(self.env["collection.promise"].search([]))
            self._promise(invoice, 500, date(2026, 4, 9))  # the limits themselves

    def test_too_many_broken_promises(self):
        self.company.collection_max_broken_promises = 2
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        for start, end, review in (
            ("2026-03-02", date(2026, 3, 5), "2026-03-09"),
            ("2026-03-10", date(2026, 3, 12), "2026-03-16"),
        ):
            with freeze_time(start):
                self._promise(invoice, 1000, end)
            with freeze_time(review):
                self.env["collection.promise"]._cron_review()
        with (
            freeze_time("2026-03-17"),
            self.assertRaisesRegex(UserError, "broke 2 promises"),
        ):
            self._promise(invoice, 1000, date(2026, 3, 25))

    def test_same_promise_twice_is_recorded_once(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10"):
            first = self._promise(invoice, 800, date(2026, 3, 20))
            again = self._promise(invoice, 800, date(2026, 3, 20))
            self.assertEqual(first, again)
            with self.assertRaisesRegex(UserError, "already covered"):
                self._promise(invoice, 900, date(2026, 3, 25))
            first.with_user(self.collector).action_cancel()
            self.assertFalse(invoice.collection_pause_reason)
            self.assertEqual(invoice.collection_next_date, date(2026, 3, 10))

    def test_record_from_the_invoice_and_the_customer(self):
        """The buttons open the promise, dispute and plan forms on the
        invoice (or the customer's open invoices), filled in."""
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        self._invoice(50, "2026-02-01", "2026-03-01")  # also open
        with freeze_time("2026-03-10"):
            action = invoice.with_user(self.collector).action_collection_promise()
            self.assertEqual(action["target"], "new")
            Promise = self.env["collection.promise"].with_user(self.collector)
            with Form(Promise.with_context(**action["context"])) as form:
                self.assertEqual(form.partner_id, self.customer)
                self.assertEqual(form.due_amount, 1000)
                form.amount = 600
                form.promise_date = date(2026, 3, 25)
            promise = form.record
            self.assertEqual(promise.move_ids, invoice)
            self.assertEqual(promise.user_id, self.collector)
            self.assertEqual(promise.source, "collector")

            action = self.customer.with_user(self.collector).action_collection_plan()
            Plan = self.env["collection.payment.plan"].with_user(self.collector)
            with Form(Plan.with_context(**action["context"])) as form:
                self.assertEqual(len(form.move_ids), 2)
                self.assertEqual(form.amount, 1050)
                form.instalment_count = 2
                form.first_date = date(2026, 4, 1)
            self.assertEqual(form.record.line_ids.mapped("amount"), [525, 525])

            action = self.customer.with_user(self.collector).action_collection_dispute()
            Dispute = self.env["collection.dispute"].with_user(self.collector)
            with Form(Dispute.with_context(**action["context"])) as form:
                form.amount = 50
                form.reason_id = self.env.ref(
                    "collections_management.dispute_reason_quantity"
                )
            self.assertEqual(form.record.deadline, date(2026, 3, 20))

    def test_access(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-10"):
            promise = self._promise(invoice, 800, date(2026, 3, 20))
            with self.assertRaises(AccessError):
                promise.with_user(self.salesperson).read(["amount"])
            with self.assertRaises(AccessError):
                promise.with_user(self.collector).unlink()
            other = self.setup_other_company()["company"]
            self.collector.company_ids |= other
            self.assertFalse(
                self.env["collection.promise"]
                .with_user(self.collector)
                .with_context(allowed_company_ids=other.ids)
                .search([("id", "=", promise.id)])
            )
