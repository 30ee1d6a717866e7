import io
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from ..models.collection_communication_send import CollectionCommunication
from ..models.collection_run import RUN_LOCK
from .common import CollectionsCommon

TODAY = "2026-03-10"

BOUNCE = """\
From: MAILER-DAEMON@mail.example (Mail Delivery System)
To: collector@suite.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN"
Message-Id: <dsn-1@mail.example>

--DSN
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--DSN
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1

--DSN
Content-Type: message/rfc822

Message-Id: {message_id}
From: collector@suite.example
To: {email}
Subject: Reminder

Please pay.
--DSN--
"""


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestReminderRun(CollectionsCommon):
    """The daily run, as the customers and the collectors see its output."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french(["collections_management"])
        cls.collector = new_test_user(
            cls.env,
            login="colette",
            name="Colette Collector",
            email="colette@suite.example",
            groups="collections_management.group_collections_user",
            company_id=cls.company.id,
        )
        france = cls.env.ref("base.fr")
        cls.customer.write(
            {
                "lang": "en_US",
                "street": "3 Market Street",
                "zip": "02110",
                "city": "Boston",
                "country_id": cls.env.ref("base.us").id,
                "mobile": "(617) 253-1000",
            }
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector
        cls.french = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Dupont",
                "email": "compta@dupont.example",
                "lang": "fr_FR",
                "street": "3 place du Marché",
                "zip": "44000",
                "city": "Nantes",
                "country_id": france.id,
                "mobile": "06 12 34 56 78",
            }
        )
        cls.french.with_company(cls.company).collector_id = cls.collector

    def _run(self, **kwargs):
        return self.env["collection.run"]._run_company(self.company, **kwargs)

    def _comms(self, partner=None, channel=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        if channel:
            domain.append(("channel", "=", channel))
        return self.env["collection.communication"].search(domain)

    def _level(self, name):
        return self.levels.filtered(lambda level: level.name == name)

    # ------------------------------------------------------------------
    # Levels and grouping
    # ------------------------------------------------------------------

    def test_first_reminder_by_email_in_english(self):
        invoice = self._invoice(1200, "2026-01-01", "2026-02-20")  # 18 days late
        run = self._run()
        comm = self._comms(self.customer)
        self.assertEqual(run.reminder_count, 1)
        self.assertEqual(comm.channel, "email")
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.level_id.name, "First reminder")
        self.assertEqual(comm.recipient_id, self.customer)
        self.assertEqual(comm.recipient_address, "compta@martin.example")
        self.assertEqual(comm.amount_due, 1200)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", comm.mail_message_id.id)]
        )
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(mail.state, "outgoing")  # in Odoo's mail queue
        self.assertIn("Reminder: overdue invoices", mail.subject)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("1,200.00", mail.body_html)
        self.assertIn("we have not yet received payment", mail.body_html)
        self.assertIn(f"/collections/r/{comm.id}/", mail.body_html)
        self.assertIn("Colette Collector", mail.body_html)
        # the invoice's level climbed, and the chatters say so
        self.assertEqual(invoice.collection_last_level_id.name, "First reminder")
        self.assertEqual(invoice.collection_last_date, date(2026, 3, 10))
        self.assertIn("First reminder", invoice.message_ids[0].body)
        self.assertIn("First reminder", self.customer.message_ids[0].body)

    def test_template_files_go_with_the_email(self):
        terms = self.env["ir.attachment"].create(
            {"name": "terms.txt", "raw": b"Payment within 30 days."}
        )
        self._level("First reminder").mail_template_id.attachment_ids = terms
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", comm.mail_message_id.id)]
        )
        self.assertEqual(mail.attachment_ids.mapped("name"), ["terms.txt"])
        self.assertEqual(mail.attachment_ids.raw, b"Payment within 30 days.")
        # the reminder keeps its own copy; the template keeps its file
        self.assertNotEqual(mail.attachment_ids, terms)
        self.assertEqual(mail.attachment_ids.res_id, comm.id)

    def test_email_in_french(self):
        self._invoice(800, "2026-01-01", "2026-02-20", partner=self.french)
        self._run()
        comm = self._comms(self.french)
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", comm.mail_message_id.id)]
        )
        self.assertIn("Relance : factures échues", mail.subject)
        self.assertIn("Sauf erreur de notre part", mail.body_html)
        self.assertIn("Voir et payer en ligne", mail.body_html)

    def test_levels_across_the_month_end(self):
        # due on 31 January: too late for the courtesy reminder on 2 February,
        # the first reminder on 7 February, the second on 21 February
        invoice = self._invoice(500, "2026-01-01", "2026-01-31")
        self._run(today=date(2026, 2, 2))
        self._run(today=date(2026, 2, 6))
        self.assertFalse(self._comms(self.customer))
        self._run(today=date(2026, 2, 7))
        first = self._comms(self.customer, "email")
        self.assertEqual(first.level_id.name, "First reminder")
        self.assertEqual(first.line_ids.days_overdue, 7)
        self._run(today=date(2026, 2, 20))
        self.assertEqual(self._comms(self.customer, "email"), first)
        self._run(today=date(2026, 2, 21))
        second = self._comms(self.customer, "email") - first
        self.assertEqual(second.level_id.name, "Second reminder")
        self.assertEqual(second.date, date(2026, 2, 21))
        self.assertEqual(invoice.collection_last_level_id.name, "Second reminder")
        self.assertEqual(invoice.collection_last_date, date(2026, 2, 21))

    def test_courtesy_reminder_before_due_date(self):
        self._invoice(300, "2026-02-10", "2026-03-12")  # due in two days
        self._run()
        comm = self._comms(self.customer)
        self.assertEqual(comm.level_id.name, "Courtesy reminder")
        self.assertEqual(comm.state, "sent")

    def test_one_reminder_per_customer_and_currency_totals(self):
        eur = self.setup_other_currency("EUR")  # 2 EUR for 1 USD in 2026
        eur_invoice = self._invoice(1000, "2026-01-01", "2026-02-01")
        other = self._invoice(500, "2026-01-05", "2026-02-10")
        usd_invoice = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            invoice_date="2026-01-03",
            amounts=[200],
            taxes=[],
            currency=eur,
        )
        usd_invoice.invoice_date_due = "2026-02-05"
        usd_invoice.action_post()
        self._run()
        comm = self._comms(self.customer, "email")
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm.move_ids, eur_invoice | other | usd_invoice)
        totals = {currency: net for currency, _d, _c, net in comm._totals()}
        self.assertEqual(totals, {self.company.currency_id: 1500, eur: 200})
        self.assertEqual(comm.amount_due, 1600)  # 1500 USD + 200 EUR at 2:1

    def test_credit_note_netted_and_not_positive_balance_skipped(self):
        self._invoice(1000, "2026-01-01", "2026-02-01")
        refund = self.init_invoice(
            "out_refund",
            partner=self.customer,
            invoice_date="2026-02-15",
            amounts=[300],
            taxes=[],
            post=True,
        )
        self._run()
        comm = self._comms(self.customer, "email")
        self.assertEqual(comm.amount_due, 700)
        self.assertEqual(comm._credit_lines().move_id, refund)
        # a customer owed more than it owes gets nothing
        self._invoice(100, "2026-01-01", "2026-02-01", partner=self.french)
        self.init_invoice(
            "out_refund",
            partner=self.french,
            invoice_date="2026-02-15",
            amounts=[150],
            taxes=[],
            post=True,
        )
        run = self._run(today=date(2026, 3, 11))
        self.assertFalse(self._comms(self.french))
        self.assertIn("Boulangerie Dupont: net_balance_not_positive", run.log)

    def test_minimum_amount(self):
        self.policy.min_amount = 50
        self._invoice(40, "2026-01-01", "2026-02-01")
        self._run()
        self.assertFalse(self._comms(self.customer))

    # ------------------------------------------------------------------
    # Exclusions and pauses
    # ------------------------------------------------------------------

    def test_excluded_and_paused_not_reminded(self):
        paused = self._invoice(700, "2026-01-01", "2026-02-01")
        paused.action_collection_pause()
        self.assertEqual(paused.collection_pause_reason, "Paused by a user")
        self._invoice(900, "2026-01-01", "2026-02-01", partner=self.french)
        self.french.with_company(self.company).collection_excluded = True
        self._run()
        self.assertFalse(self._comms())
        paused.action_collection_resume()
        self.assertFalse(paused.collection_pause_reason)
        self._run(today=date(2026, 3, 11))
        self.assertEqual(self._comms(self.customer).level_id.name, "First reminder")

    # ------------------------------------------------------------------
    # Channels
    # ------------------------------------------------------------------

    def test_sms_normalised_to_e164(self):
        level = self._level("First reminder")
        level.channel_sms = True
        self._invoice(800, "2026-01-01", "2026-02-20", partner=self.french)
        self._run()
        comm = self._comms(self.french, "sms")
        self.assertEqual(comm.state, "sent")
        self.assertEqual(comm.recipient_address, "+33612345678")
        sms = self.env["sms.sms"].search([("number", "=", "+33612345678")])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.state, "outgoing")  # in Odoo's SMS queue
        self.assertEqual(sms.mail_message_id, comm.mail_message_id)
        self.assertIn("800,00", sms.body)
        self.assertIn(f"/collections/r/{comm.id}/", sms.body)

    @mute_logger(
        "odoo.addons.collections_management.models.collection_communication_send"
    )
    def test_invalid_phone_fails_without_stopping_the_run(self):
        self._level("First reminder").channel_sms = True
        self.customer.mobile = "12345"
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._invoice(600, "2026-01-01", "2026-02-20", partner=self.french)
        run = self._run()
        failed = self._comms(self.customer, "sms")
        self.assertEqual(failed.state, "failed")
        self.assertIn("not a valid number", failed.error)
        self.assertEqual(failed.activity_ids.user_id, self.collector)
        self.assertEqual(self._comms(self.french, "sms").state, "sent")
        self.assertEqual(self._comms(self.customer, "email").state, "sent")
        self.assertEqual(run.failed_count, 1)

    @mute_logger(
        "odoo.addons.collections_management.models.collection_communication_send",
        "odoo.addons.mail.models.mail_render_mixin",
    )
    def test_broken_template_fails_its_reminders_only(self):
        level = self._level("First reminder")
        level.channel_sms = True
        level.mail_template_id = level.mail_template_id.copy(
            {"body_html": '<p t-out="object.no_such_field"/>'}
        )
        self._invoice(800, "2026-01-01", "2026-02-20", partner=self.french)
        run = self._run()
        email = self._comms(self.french, "email")
        self.assertEqual(email.state, "failed")
        self.assertIn("no_such_field", email.error)
        self.assertEqual(email.activity_ids.user_id, self.collector)
        self.assertFalse(self.env["mail.mail"].search([("res_id", "=", email.id)]))
        # the same customer's SMS went out
        self.assertEqual(self._comms(self.french, "sms").state, "sent")
        self.assertEqual(run.failed_count, 1)

    def test_missing_email_fails_with_a_task(self):
        self.customer.email = False
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer, "email")
        self.assertEqual(comm.state, "failed")
        self.assertIn("has no email address", comm.error)
        self.assertTrue(comm.activity_ids)

    def test_bounce_marks_failed(self):
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer, "email")
        # the mail server's delivery report, as the mail gateway receives it
        self.env["mail.thread"].message_process(
            False,
            BOUNCE.format(
                email="compta@martin.example",
                message_id=comm.mail_message_id.message_id,
            ),
        )
        self.assertEqual(comm.state, "failed")
        self.assertTrue(comm.is_bounced)
        self.assertEqual(comm.bounced_count, 1)
        self.assertEqual(comm.activity_ids.user_id, self.collector)

    def test_letter_pdf(self):
        self._level("First reminder").channel_letter = True
        invoice = self._invoice(800, "2026-01-01", "2026-02-20", partner=self.french)
        self._run()
        comm = self._comms(self.french, "letter")
        self.assertEqual(comm.state, "sent")
        reader = PdfFileReader(io.BytesIO(comm.letter_attachment_id.raw))
        text = "".join(page.extractText() for page in reader.pages)
        for expected in (
            "Boulangerie Dupont",
            "44000 Nantes",
            invoice.name,
            "Total dû",
        ):
            self.assertIn(expected, text)
        action = comm.action_print_letters()
        self.assertIn("/web/content/", action["url"])

    def test_courtesy_letter_says_the_invoices_fall_due(self):
        """Before the due date the letter reminds, it does not say unpaid;
        its lines say in how many days the invoice falls due."""
        courtesy = self._level("Courtesy reminder")
        courtesy.write({"channel_letter": True, "channel_call": True})
        invoice = self._invoice(800, "2026-03-01", "2026-03-12")  # due in 2 days
        self.customer.write({"street": "3 Market Street", "city": "Bristol"})
        self._run()
        letter = self._comms(self.customer, "letter")
        self.assertEqual(letter.level_id, courtesy)
        self.assertEqual(letter.line_ids.days_overdue, -2)
        reader = PdfFileReader(io.BytesIO(letter.letter_attachment_id.raw))
        text = " ".join(page.extractText() for page in reader.pages)
        text = " ".join(text.split())
        self.assertIn("As a courtesy, we remind you that the invoices below fall", text)
        self.assertNotIn("remain unpaid", text)
        call = self._comms(self.customer, "call").activity_id
        self.assertIn(f"{invoice.name}", call.note)
        self.assertIn("due in 2 days", call.note)
        self.assertNotIn("-2 days late", call.note)

    def test_call_task_for_the_collector(self):
        self._level("First reminder").channel_call = True
        invoice = self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer, "call")
        activity = comm.activity_id
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.res_id, self.customer.id)
        self.assertIn(invoice.name, activity.note)

    def test_collections_contact_receives_it(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "parent_id": self.customer.id,
                "email": "ap@martin.example",
                "is_collections_contact": True,
            }
        )
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer)
        self.assertEqual(comm.recipient_id, contact)
        self.assertEqual(comm.recipient_source, "collections_contact")
        self.assertEqual(comm.recipient_address, "ap@martin.example")

    def test_collections_email_receives_it(self):
        self.customer.collection_email = "payables@martin.example"
        self._level("First reminder").cc_salesperson = True
        salesperson = new_test_user(
            self.env, login="sam", name="Sam Sales", email="sam@suite.example"
        )
        self.customer.user_id = salesperson
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer)
        self.assertEqual(comm.recipient_source, "collections_email")
        self.assertEqual(comm.recipient_address, "payables@martin.example")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", comm.mail_message_id.id)]
        )
        # the dedicated address and the salesperson in copy, not the
        # customer's main address
        self.assertEqual(
            sorted(mail.recipient_ids.mapped("email")),
            ["payables@martin.example", "sam@suite.example"],
        )

    def test_collections_email_must_be_valid(self):
        with self.assertRaisesRegex(ValidationError, "not a valid email"):
            self.customer.collection_email = "payables at martin"

    def test_validation_before_sending(self):
        self._level("First reminder").needs_validation = True
        invoice = self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        comm = self._comms(self.customer)
        self.assertEqual(comm.state, "to_validate")
        self.assertFalse(comm.mail_message_id)
        self.assertFalse(invoice.collection_last_level_id)
        self._run(today=date(2026, 3, 11))  # nothing new while it waits
        self.assertEqual(len(self._comms(self.customer)), 1)
        self.assertEqual(comm.activity_ids.summary, "Validate this reminder")
        self.assertEqual(comm.activity_ids.user_id, self.collector)
        comm.with_user(self.collector).action_validate()
        self.assertEqual(comm.state, "sent")
        self.assertTrue(comm.mail_message_id)
        self.assertEqual(invoice.collection_last_level_id.name, "First reminder")
        # the collector's task is done, and the documents say what went out
        self.assertFalse(comm.activity_ids)
        self.assertIn("First reminder", invoice.message_ids[0].body)
        self.assertIn("First reminder", self.customer.message_ids[0].body)

    # ------------------------------------------------------------------
    # Instalments, time zones
    # ------------------------------------------------------------------

    def test_each_instalment_on_its_own_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30% now, 70% in 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 70, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            invoice_date="2026-02-01",
            amounts=[1000],
            taxes=[],
        )
        invoice.invoice_payment_term_id = term
        invoice.action_post()
        self._run()
        comm = self._comms(self.customer)
        self.assertEqual(comm._due_lines().amount_residual_currency, 300)
        first, second = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).sorted("date_maturity")
        self.assertEqual(first.collection_level_id.name, "First reminder")
        self.assertFalse(second.collection_level_id)

    def test_company_day_follows_its_time_zone(self):
        self.company.partner_id.tz = "Pacific/Auckland"
        with freeze_time(datetime(2026, 3, 31, 12, 0)):  # 1 April in Auckland
            self.assertEqual(
                self.env["collection.run"]._company_today(self.company),
                date(2026, 4, 1),
            )
        self.company.partner_id.tz = "America/Los_Angeles"
        with freeze_time(datetime(2026, 4, 1, 3, 0)):  # still 31 March there
            self.assertEqual(
                self.env["collection.run"]._company_today(self.company),
                date(2026, 3, 31),
            )

    # ------------------------------------------------------------------
    # Idempotence, crashes, concurrency
    # ------------------------------------------------------------------

    def test_second_run_same_day_sends_nothing(self):
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        self._run()
        self.assertEqual(len(self._comms(self.customer)), 1)
        # the next day neither: the second level waits 10 days
        self._run(today=date(2026, 3, 11))
        self.assertEqual(len(self._comms(self.customer)), 1)
        self._run(today=date(2026, 3, 20))
        self.assertEqual(
            self._comms(self.customer).mapped("level_id.name"),
            ["Second reminder", "First reminder"],
        )

    def test_crash_then_restart_sends_each_once(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Client {i}", "email": f"c{i}@x.example"} for i in range(4)]
        )
        for partner in partners:
            self._invoice(100, "2026-01-01", "2026-02-20", partner=partner)
        original = CollectionCommunication._send
        calls = []

        def crash_on_third_batch(comms):
            calls.append(comms)
            if len(calls) == 3:
                raise RuntimeError("process killed")
            return original(comms)

        # (not assertRaises: Odoo's rolls the whole block back)
        with patch.object(CollectionCommunication, "_send", crash_on_third_batch):
            try:
                self._run(batch_size=1)
            except RuntimeError as exc:
                self.assertEqual(str(exc), "process killed")
            else:
                self.fail("the run did not crash")
        # the two finished batches stay, the crashed one left nothing behind
        self.assertEqual(len(self._comms()), 2)
        self._run(batch_size=1)
        self.assertEqual(len(self._comms()), 4)
        self.assertEqual(self._comms().partner_id, partners)

    def test_concurrent_run_waits_its_turn(self):
        self._invoice(800, "2026-01-01", "2026-02-20")
        other = db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)", (RUN_LOCK, self.company.id)
            )
            self.assertFalse(self._run())
            self.assertFalse(self._comms())
        finally:
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)", (RUN_LOCK, self.company.id)
            )
            other.close()
        self.assertTrue(self._run())
        self.assertEqual(len(self._comms()), 1)

    def test_send_now(self):
        invoice = self._invoice(800, "2026-03-01", "2026-03-30")  # due later
        action = invoice.action_collection_send_now()
        comm = self.env["collection.communication"].browse(action["domain"][0][2])
        self.assertEqual(comm.level_id.name, "Courtesy reminder")
        self.assertEqual(comm.state, "sent")

    # ------------------------------------------------------------------
    # Companies and access
    # ------------------------------------------------------------------

    def test_other_company_untouched(self):
        other = self.setup_other_company()["company"]
        self._invoice(800, "2026-01-01", "2026-02-20")
        foreign = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            invoice_date="2026-01-01",
            amounts=[500],
            taxes=[],
            company=other,
        )
        foreign.invoice_date_due = "2026-02-20"
        foreign.action_post()
        self._run()
        self.assertEqual(self._comms().move_ids, self._comms().line_ids.move_id)
        self.assertNotIn(foreign, self._comms().move_ids)
        self.assertFalse(foreign.collection_last_level_id)

    def test_salesperson_cannot_read_reminders(self):
        self._invoice(800, "2026-01-01", "2026-02-20")
        self._run()
        salesperson = new_test_user(
            self.env, login="sid", groups="base.group_user", company_id=self.company.id
        )
        with self.assertRaises(AccessError):
            self._comms().with_user(salesperson).read(["state"])
        self.assertEqual(self._comms().with_user(self.collector).state, "sent")
