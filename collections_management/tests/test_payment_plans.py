from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_promises import CommitmentsCommon


@tagged("post_install", "-at_install")
class TestPaymentPlans(CommitmentsCommon):
    def _plan(self, invoices, count=3, first=date(2026, 3, 15), user=None, **values):
        return (
            self.env["collection.payment.plan"]
            .with_user(user or self.collector)
            ._collection_record(
                self.customer,
                invoices,
                count,
                frequency="monthly",
                first_date=first,
                **values,
            )
        )

    def _schedule(self, plan):
        return [
            (line.due_date, line.amount, line.paid_amount, line.state)
            for line in plan.line_ids
        ]

    def test_plan_completed_with_payments_arriving_in_between(self):
        invoices = self._invoice(500, "2026-01-05", "2026-02-04") | self._invoice(
            400, "2026-01-20", "2026-02-19"
        )
        with freeze_time("2026-03-10"):
            plan = self._plan(invoices)
        self.assertEqual(plan.state, "active")  # 900 is within the collector's limit
        self.assertEqual(plan.amount, 900)
        self.assertEqual(plan.start_date, date(2026, 3, 10))
        self.assertEqual(
            self._schedule(plan),
            [
                (date(2026, 3, 15), 300, 0, "pending"),
                (date(2026, 4, 15), 300, 0, "pending"),
                (date(2026, 5, 15), 300, 0, "pending"),
            ],
        )
        for invoice in invoices:
            self.assertIn(plan.name, invoice.collection_pause_reason)
            self.assertEqual(invoice.collection_commitment_state, "plan")
        with freeze_time("2026-03-14"):
            self._pay(invoices, 350, date(2026, 3, 14))
        self.assertEqual(
            self._schedule(plan)[:2],
            [
                (date(2026, 3, 15), 300, 300, "paid"),
                (date(2026, 4, 15), 300, 50, "pending"),
            ],
        )
        with freeze_time("2026-04-18"):
            self._pay(invoices, 250, date(2026, 4, 18))  # within the 5 days of grace
        with freeze_time("2026-05-25"):
            self._pay(invoices, 300, date(2026, 5, 25))  # ten days late
        self.assertEqual(
            [line.state for line in plan.line_ids], ["paid", "paid", "late"]
        )
        self.assertEqual(plan.line_ids[2].paid_date, date(2026, 5, 25))
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.remaining_amount, 0)
        self.assertAlmostEqual(self.customer.collection_plan_adherence, 200 / 3)

    def test_missed_instalment_breaches_and_resumes_the_reminders(self):
        invoice = self._invoice(900, "2026-01-05", "2026-02-04")
        with freeze_time("2026-03-10"):
            plan = self._plan(invoice)
            self._pay(invoice, 300, date(2026, 3, 15))
        with freeze_time("2026-04-20"):  # 15 April + 5 days: still in grace
            self.env["collection.payment.plan"]._cron_review()
        self.assertEqual(plan.state, "active")
        with freeze_time("2026-04-21"):
            self.env["collection.payment.plan"]._cron_review()
        self.assertEqual(plan.state, "breached")
        self.assertEqual(plan.line_ids[1].state, "missed")
        self.assertIn("breached", plan.activity_ids.summary)
        self.assertEqual(plan.activity_ids.user_id, self.collector)
        self.assertFalse(invoice.collection_pause_reason)
        reminder = self._daily_run(date(2026, 4, 21)).communication_ids
        self.assertEqual(reminder.amount_due, 600)
        self.assertEqual(reminder.line_ids.move_id, invoice)

    def test_instalments_are_reminded_instead_of_the_invoices(self):
        invoice = self._invoice(900, "2026-01-05", "2026-02-04")
        with freeze_time("2026-03-10"):
            plan = self._plan(invoice)
        # the invoice is long overdue but paused; the first instalment is
        # due on 15 March and its first reminder falls 7 days later
        self.assertFalse(self._daily_run(date(2026, 3, 20)).communication_ids)
        reminder = self._daily_run(date(2026, 3, 22)).communication_ids
        self.assertEqual(reminder.level_id, self.level["First reminder"])
        self.assertEqual(reminder.amount_due, 300)
        line = reminder.line_ids
        self.assertEqual(line.plan_line_id, plan.line_ids[0])
        self.assertFalse(line.move_line_id)
        self.assertEqual(line.document_name, f"{plan.name} instalment 1/3")
        self.assertEqual(plan.line_ids[0].collection_level_id, reminder.level_id)
        self.assertIn(f"{plan.name} instalment 1/3", reminder.message_ids[-1].body)
        self.assertEqual(reminder.move_ids, invoice)

    def test_approval_above_the_collectors_limit(self):
        self.company.collection_plan_approval_limit = 500
        invoice = self._invoice(900, "2026-01-05", "2026-02-04")
        with freeze_time("2026-03-10"):
            plan = self._plan(invoice)
            self.assertEqual(plan.state, "to_approve")
            self.assertFalse(invoice.collection_pause_reason)
            self.assertIn(self.manager, plan.activity_ids.user_id)
            self.assertNotIn(self.collector, plan.activity_ids.user_id)
            with self.assertRaisesRegex(UserError, "manager's approval"):
                plan.with_user(self.collector).action_approve()
            plan.with_user(self.manager).action_approve()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.approved_by_id, self.manager)
        self.assertFalse(plan.activity_ids)

    @freeze_time("2026-03-10")
    def test_refusals(self):
        invoice = self._invoice(900, "2026-01-05", "2026-02-04")
        with self.assertRaisesRegex(ValidationError, "cannot be in the past"):
            self._plan(invoice, first=date(2026, 3, 9))
        with self.assertRaisesRegex(ValidationError, "from 1 to 12 instalments"):
            self._plan(invoice, count=13)
        with self.assertRaisesRegex(ValidationError, "more than the"):
            self._plan(invoice, amount=950)
        with self.assertRaisesRegex(ValidationError, "down payment must be less"):
            self._plan(invoice, down_payment=900)
        plan = self._plan(invoice, down_payment=300, count=2)
        self.assertEqual(
            [(line.sequence, line.amount) for line in plan.line_ids],
            [(0, 300), (1, 300), (2, 300)],
        )
        self.assertEqual(plan, self._plan(invoice, down_payment=300, count=2))
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            plan.instalment_count = 4

    @freeze_time("2026-03-10")
    def test_salesperson_has_no_access(self):
        invoice = self._invoice(900, "2026-01-05", "2026-02-04")
        plan = self._plan(invoice)
        with self.assertRaises(AccessError):
            plan.with_user(self.salesperson).read(["amount"])
