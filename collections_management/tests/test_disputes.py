from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_promises import CommitmentsCommon


@tagged("post_install", "-at_install")
class TestDisputes(CommitmentsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.price = cls.env.ref("collections_management.dispute_reason_price")

    def _dispute(self, invoices, amount, reason=None):
        return (
            self.env["collection.dispute"]
            .with_user(self.collector)
            ._collection_record(self.customer, invoices, amount, reason or self.price)
        )

    def test_partial_dispute_reminds_the_rest_then_accepted_credit_note(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        invoice.invoice_user_id = self.salesperson
        with freeze_time("2026-03-05"):
            dispute = self._dispute(invoice, 300)
        self.assertRegex(dispute.name, r"^DIS/2026/\d{4}$")
        self.assertEqual(dispute.user_id, self.collector)
        self.assertEqual(dispute.deadline, date(2026, 3, 15))  # price: 10 days
        # the salesperson is informed and a manager asks to be kept informed
        self.assertIn(self.salesperson.partner_id, dispute.message_partner_ids)
        dispute.message_subscribe(partner_ids=self.manager.partner_id.ids)
        self.assertEqual(invoice.collection_commitment_state, "dispute")
        self.assertFalse(invoice.collection_pause_reason)  # the rest is reminded
        reminder = self._daily_run(date(2026, 3, 8)).communication_ids
        self.assertEqual(reminder.amount_due, 700)
        self.assertEqual(reminder.line_ids.amount_residual_currency, 700)

        with freeze_time("2026-03-12"):
            # as in the application: with tracking, which the test case
            # disables by default
            as_collector = dispute.with_user(self.collector).with_context(
                tracking_disable=False, mail_notrack=False
            )
            as_collector.action_investigate()
            as_collector.action_accept()
        self.assertEqual(dispute.state, "accepted")
        credit_note = dispute.credit_note_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.amount_total, 300)
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(invoice.amount_residual, 700)
        self.assertEqual(invoice.payment_state, "partial")
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages, as at commit
        settled = dispute.message_ids.filtered(
            lambda m: (
                m.subtype_id
                == self.env.ref("collections_management.mt_dispute_settled")
            )
        )
        self.assertEqual(
            len(settled),
            1,
            dispute.message_ids.mapped(lambda m: (m.subtype_id.name, m.body)),
        )
        self.assertIn(self.manager.partner_id, settled.notified_partner_ids)
        self.assertEqual(self.customer.collection_dispute_cycle_days, 7)

    def test_full_dispute_pauses_then_rejected_with_an_explanation(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-05"):
            dispute = self._dispute(invoice, 1000)
        self.assertIn("In dispute", invoice.collection_pause_reason)
        self.assertIn(dispute.name, invoice.collection_pause_reason)
        # and so does the invoice being edited in its form (a new record)
        edited = invoice.new(origin=invoice)
        self.assertIn(dispute.name, edited.collection_pause_reason)
        self.assertFalse(self._daily_run(date(2026, 3, 8)).communication_ids)
        with self.assertRaisesRegex(UserError, "why the dispute is rejected"):
            dispute.with_user(self.collector).action_reject()
        dispute.resolution = "The prices are those of the signed quotation."
        with freeze_time("2026-03-09"):
            dispute.with_user(self.collector).action_reject()
        self.assertEqual(dispute.state, "rejected")
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "collection.dispute"),
                ("res_id", "=", dispute.id),
                ("recipient_ids", "in", self.customer.ids),
            ]
        )
        self.assertIn(self.customer, mail.recipient_ids)
        self.assertIn("prices are those of the signed quotation", mail.body_html)
        self.assertIn(dispute.name, mail.subject)
        self.assertFalse(invoice.collection_pause_reason)
        reminder = self._daily_run(date(2026, 3, 9)).communication_ids
        self.assertEqual(reminder.amount_due, 1000)

    def test_no_reminder_of_a_disputed_invoice_when_the_company_says_so(self):
        self.company.collection_remind_undisputed = False
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        self._dispute(invoice, 100)
        self.assertIn("In dispute", invoice.collection_pause_reason)
        self.assertFalse(self._daily_run(date(2026, 3, 8)).communication_ids)

    def test_credit_note_of_part_of_a_taxed_invoice(self):
        tax = self.company_data["default_tax_sale"]  # 15% excluded
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            invoice_date="2026-02-01",
            amounts=[1000],
            taxes=tax,
            post=True,
        )
        self.assertEqual(invoice.amount_total, 1150)
        dispute = self._dispute(invoice, 460)
        dispute.with_user(self.collector).action_accept()
        self.assertEqual(dispute.credit_note_ids.amount_total, 460)
        self.assertEqual(dispute.credit_note_ids.amount_tax, 60)
        self.assertEqual(invoice.amount_residual, 690)

    def test_overdue_dispute_tasks_its_owner_once(self):
        self.price.user_id = self.manager
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with freeze_time("2026-03-05"):
            dispute = self._dispute(invoice, 1000)
        self.assertEqual(dispute.user_id, self.manager)
        with freeze_time("2026-03-15"):
            self.env["collection.dispute"]._cron_review()
        self.assertFalse(dispute.activity_ids)
        with freeze_time("2026-03-16"):
            self.env["collection.dispute"]._cron_review()
            self.env["collection.dispute"]._cron_review()
        self.assertEqual(len(dispute.activity_ids), 1)
        self.assertEqual(dispute.activity_ids.user_id, self.manager)
        self.assertIn("past its deadline", dispute.activity_ids.summary)

    def test_refusals(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        with self.assertRaisesRegex(ValidationError, "more than the"):
            self._dispute(invoice, 1000.01)
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._dispute(invoice, 0)
        dispute = self._dispute(invoice, 200)
        self.assertEqual(dispute, self._dispute(invoice, 200))  # sent twice
        with self.assertRaisesRegex(UserError, "already in the open dispute"):
            self._dispute(invoice, 300)
        other = self.env["res.partner"].create({"name": "Someone Else"})
        with self.assertRaisesRegex(ValidationError, "only posted invoices of"):
            self.env["collection.dispute"].create(
                {
                    "partner_id": other.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 10,
                    "reason_id": self.price.id,
                }
            )
        dispute.action_accept()
        with self.assertRaisesRegex(UserError, "already settled"):
            dispute.action_reject()

    def test_salesperson_reads_but_cannot_settle(self):
        invoice = self._invoice(1000, "2026-02-01", "2026-03-01")
        dispute = self._dispute(invoice, 200)
        as_sales = dispute.with_user(self.salesperson)
        self.assertEqual(as_sales.amount, 200)
        with self.assertRaises(AccessError):
            as_sales.action_accept()
        self.assertEqual(dispute.state, "new")
