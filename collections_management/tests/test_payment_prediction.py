import json
import logging
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..engine import prediction
from ..engine.prediction.synthetic import synthetic_history
from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPaymentPrediction(CollectionsCommon):
    def _paid(self, partner, invoice_day, term_days, delay):
        invoice = self._invoice(
            100.0 + term_days,
            invoice_day,
            invoice_day + timedelta(days=term_days),
            partner,
        )
        paid_on = invoice.invoice_date_due + timedelta(days=delay)
        self._pay(invoice, invoice.amount_total, paid_on)
        return invoice

    def test_too_little_history_uses_the_customer_median(self):
        start = date(2026, 1, 5)
        for n, delay in enumerate((5, 15, 10)):
            self._paid(self.customer, start + timedelta(days=20 * n), 30, delay)
        open_invoice = self._invoice(500.0, "2026-04-01", "2026-05-01")
        with freeze_time("2026-04-15"):  # the invoice is not due yet
            training = self.env["collection.prediction"]._train(self.company)
        self.assertEqual(training.state, "baseline")
        self.assertEqual(training.reason, prediction.TOO_LITTLE_HISTORY)
        self.assertFalse(training.sudo().payload)
        # the customer paid 5, 15 and 10 days late: expected 10 days after
        # the due date, late for sure (3 of 3)
        self.assertEqual(open_invoice.collection_expected_date, date(2026, 5, 11))
        self.assertEqual(open_invoice.collection_late_probability, 100.0)
        # the settings say so
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.collection_prediction_state, "baseline")
        self.assertEqual(
            settings.collection_prediction_reason, prediction.TOO_LITTLE_HISTORY
        )

    def test_model_learnt_measured_and_used_when_better(self):
        # 80 paid invoices of four customers: one pays on time, one 10 days
        # late, one pays 45 days after the invoice whatever the term, one
        # later and later
        customers = [self.customer] + [
            self.env["res.partner"].create({"name": name})
            for name in ("Garage Petit", "Fromagerie Roux", "Atelier Lenoir")
        ]
        start = date(2025, 1, 6)
        for n in range(20):
            day = start + timedelta(days=14 * n)
            term = (15, 30, 45, 60)[n % 4]
            self._paid(customers[0], day, term, 0)
            self._paid(customers[1], day, term, 10)
            self._paid(customers[2], day, term, 45 - term)
            self._paid(customers[3], day, term, n)
        open_invoice = self._invoice(300.0, "2025-11-03", "2025-11-18", customers[2])
        self.company.collection_prediction_min_history = 60
        Training = self.env["collection.prediction"]
        training = Training._train(self.company)
        # the stored figures are the engine's on the same invoices
        invoices = Training._invoices(self.company)
        self.assertEqual(len([i for i in invoices.values() if i.paid_date]), 80)
        model, figures, reason = prediction.train_and_evaluate(
            invoices.values(), self.company.currency_id.name, min_history=60
        )
        self.assertEqual(training.reason, reason)
        self.assertEqual(training.train_count + training.holdout_count, 80)
        self.assertAlmostEqual(
            training.median_baseline_mae_days,
            figures["median_baseline_mae_days"],
            places=2,
        )
        self.assertEqual(training.state, "model" if model else "baseline")
        if model:
            self.assertLess(training.model_mae_days, training.median_baseline_mae_days)
        # the open invoice is expected when the predictor in use says
        predictor = Training._current_model(self.company) or prediction.MedianBaseline()
        history = prediction.History(invoices.values())
        predicted = predictor.predict_many([invoices[open_invoice.id]], history)
        # ... from today, as the invoice is long overdue: never in the past
        expected, p_late = prediction.open_expectation(
            invoices[open_invoice.id],
            predicted["days"][0],
            predicted["p_late"][0],
            date.today(),
        )
        self.assertEqual(open_invoice.collection_expected_date, expected)
        self.assertGreater(expected, date.today())
        self.assertEqual(open_invoice.collection_late_probability, 100.0)

    def test_a_tampered_model_is_refused(self):
        invoices = synthetic_history(60, 10, date(2024, 1, 1), 365, seed=3)
        paid = [inv for inv in invoices if inv.paid_date]
        model = prediction.fit(paid, prediction.History(invoices), "USD")
        Training = self.env["collection.prediction"].sudo()
        values = {
            "company_id": self.company.id,
            "date": "2026-01-01 00:00:00",
            "state": "model",
            "reason": prediction.MODEL,
            "payload": model.to_json(),
        }
        Training.create(values)
        self.assertIsInstance(Training._current_model(self.company), prediction.Model)
        # someone edits a number in the stored text, not the checksum
        payload = json.loads(values["payload"])
        payload["train_count"] = payload.get("train_count", 0) + 1
        tampered = values | {
            "date": "2026-02-01 00:00:00",
            "payload": json.dumps(payload),
        }
        Training.create(tampered)
        with self.assertLogs(
            "odoo.addons.collections_management.models.collection_prediction",
            logging.WARNING,
        ) as logs:
            self.assertIsNone(Training._current_model(self.company))
        self.assertIn("refused", logs.output[0])

    def test_broken_promises_count_from_their_judgement_and_the_channel(self):
        # A promise on an invoice of January, judged broken on 20 March.
        january = self._invoice(200.0, "2026-01-05", "2026-02-04")
        with freeze_time("2026-03-01"):
            promise = self.env["collection.promise"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "move_ids": [(6, 0, january.ids)],
                    "promise_date": "2026-03-10",
                    "amount": 200.0,
                }
            )
        promise.write({"state": "broken", "judged_date": date(2026, 3, 20)})
        march = self._invoice(300.0, "2026-03-20", "2026-04-19")
        april = self._invoice(300.0, "2026-04-01", "2026-05-01")
        invoices = self.env["collection.prediction"]._invoices(self.company)
        # Known only after its judgement: not on the invoice of that very day.
        self.assertEqual(invoices[january.id].broken_promises_before, 0)
        self.assertEqual(invoices[march.id].broken_promises_before, 0)
        self.assertEqual(invoices[april.id].broken_promises_before, 1)
        # Reached by email; once the customer has a portal user, on the portal.
        self.assertEqual(invoices[april.id].channel, "email")
        self.env["res.users"].create(
            {
                "name": "Martin portail",
                "login": "martin.portal",
                "partner_id": self.customer.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        invoices = self.env["collection.prediction"]._invoices(self.company)
        self.assertEqual(invoices[april.id].channel, "portal")
