from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPlanning(CollectionsCommon):
    """What the daily planning shows on each invoice: the next reminder's
    level and date."""

    def _receivable(self, invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def _plan(self):
        # as the cron does: the superuser, every company
        self.env["account.move"].sudo()._cron_collections_plan()

    @freeze_time("2026-03-10")
    def test_not_yet_due_gets_courtesy_reminder(self):
        invoice = self._invoice(1200, "2026-03-01", "2026-03-31")
        self._plan()
        self.assertEqual(invoice.collection_next_level_id.name, "Courtesy reminder")
        self.assertEqual(invoice.collection_next_date, date(2026, 3, 28))

    @freeze_time("2026-03-10")
    def test_long_overdue_starts_at_first_reminder(self):
        """An invoice already 40 days late is not sent a courtesy reminder,
        nor a final notice: it starts at the first overdue level, today."""
        invoice = self._invoice(800, "2026-01-01", "2026-01-29")
        self._plan()
        self.assertEqual(invoice.collection_next_level_id.name, "First reminder")
        # due on 5 February (due date + 7), so it goes with today's run
        self.assertEqual(invoice.collection_next_date, date(2026, 3, 10))

    @freeze_time("2026-03-10")
    def test_next_level_waits_after_previous_reminder(self):
        """After the first reminder was sent on 8 March, the second waits
        ten days from then, although 21 days past due is already reached."""
        invoice = self._invoice(800, "2026-01-01", "2026-01-29")
        self._receivable(invoice).write(
            {
                "collection_level_id": self.levels[1].id,
                "collection_last_date": "2026-03-08",
            }
        )
        self._plan()
        self.assertEqual(invoice.collection_next_level_id.name, "Second reminder")
        self.assertEqual(invoice.collection_next_date, date(2026, 3, 18))

    @freeze_time("2026-03-10")
    def test_last_level_sent_nothing_more(self):
        invoice = self._invoice(800, "2025-10-01", "2025-10-31")
        self._receivable(invoice).write(
            {
                "collection_level_id": self.levels[-1].id,
                "collection_last_date": "2026-01-05",
            }
        )
        self._plan()
        self.assertFalse(invoice.collection_next_level_id)
        self.assertFalse(invoice.collection_next_date)

    @freeze_time("2026-03-10")
    def test_paid_invoice_leaves_the_plan(self):
        invoice = self._invoice(500, "2026-01-01", "2026-01-29")
        self._plan()
        self.assertTrue(invoice.collection_next_date)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": "2026-03-10"})._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self._plan()
        self.assertFalse(invoice.collection_next_level_id)
        self.assertFalse(invoice.collection_next_date)

    @freeze_time("2026-03-10")
    def test_excluded_customer_not_planned(self):
        invoice = self._invoice(500, "2026-01-01", "2026-01-29")
        self.customer.with_company(self.company).collection_excluded = True
        self._plan()
        self.assertFalse(invoice.collection_next_level_id)

    @freeze_time("2026-03-10")
    def test_customer_policy_overrides_default(self):
        gentle = self.env["collection.policy"].create(
            {
                "name": "Gentle",
                "company_id": self.company.id,
                "level_ids": [
                    (0, 0, {"name": "Friendly nudge", "trigger_days": 30}),
                ],
            }
        )
        self.customer.with_company(self.company).collection_policy_id = gentle
        invoice = self._invoice(500, "2026-01-01", "2026-02-20")
        self._plan()
        self.assertEqual(invoice.collection_next_level_id.name, "Friendly nudge")
        self.assertEqual(invoice.collection_next_date, date(2026, 3, 22))

    @freeze_time("2026-03-10")
    def test_credit_note_not_planned(self):
        refund = self.init_invoice(
            "out_refund",
            partner=self.customer,
            invoice_date="2026-03-01",
            amounts=[100],
            post=True,
        )
        self._plan()
        self.assertFalse(refund.collection_next_date)
