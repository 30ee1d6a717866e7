import base64
import io
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..engine import prediction
from ..engine.prediction.synthetic import synthetic_history
from .common import CollectionsCommon

TODAY = date(2026, 3, 10)  # a Tuesday


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestPredictionUse(CollectionsCommon):
    """What the predictions change: the levels skipped when no action is
    needed, the chances per level on the invoice, the cash forecast."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slow = cls.env["res.partner"].create(
            {"name": "Garage Lenteur", "email": "compta@lenteur.example"}
        )
        # Boulangerie Martin pays 10 to 14 days late, Garage Lenteur 40 to 44.
        start = date(2025, 3, 3)
        for n in range(5):
            for partner, delay in ((cls.customer, 10 + n), (cls.slow, 40 + n)):
                day = start + timedelta(days=30 * n)
                invoice = cls._invoice(100.0, day, day + timedelta(days=30), partner)
                cls._pay(invoice, 100.0, invoice.invoice_date_due + timedelta(delay))
        # Both owe an invoice due 8 days ago: the first reminder (7 days) is due.
        cls.martin_open = cls._invoice(800.0, "2026-02-01", "2026-03-02")
        cls.slow_open = cls._invoice(900.0, "2026-02-01", "2026-03-02", cls.slow)

    def _chances(self, invoice):
        return [
            (line.level_id, line.probability)
            for line in invoice.collection_level_probability_ids
        ]

    def test_chances_per_level_on_the_invoice(self):
        self.env["collection.prediction"]._train(self.company)
        # Too little history: each customer's own delays. Unpaid 8 days after
        # the due date, Martin is paid before the second reminder (day 21) for
        # sure; Lenteur reaches the third (35) but not the final notice (50).
        self.assertEqual(
            self._chances(self.martin_open),
            list(zip(self.levels, [100.0, 100.0, 0.0, 0.0, 0.0], strict=True)),
        )
        self.assertEqual(
            self._chances(self.slow_open),
            list(zip(self.levels, [100.0, 100.0, 100.0, 100.0, 0.0], strict=True)),
        )
        self.assertEqual(
            self.martin_open.collection_level_probability_ids.mapped("predicted_on"),
            [TODAY] * 5,
        )
        # The customer forms: Martin's 800 are expected on 14 March (12 days
        # late), within 30 days; Lenteur's on 13 April (42 days), after.
        self.assertEqual(self.martin_open.collection_expected_date, date(2026, 3, 14))
        self.assertEqual(self.customer.collection_expected_30, 800.0)
        self.assertEqual(self.customer.collection_late_chance, 100.0)
        self.assertEqual(self.slow.collection_expected_30, 0.0)
        # Refreshed daily without learning again: paid invoices lose theirs.
        self._pay(self.martin_open, 800.0, TODAY)
        self.env["collection.prediction"]._refresh(self.company)
        self.assertFalse(self.martin_open.collection_level_probability_ids)
        self.assertEqual(len(self.slow_open.collection_level_probability_ids), 5)

    def test_no_action_needed_skips_the_level_and_logs_it(self):
        first, second = self.levels[1], self.levels[2]
        self.assertEqual(self.policy.skip_probability, 0.0)  # off by default
        self.policy.skip_probability = 80.0
        run = self._daily_run(TODAY)
        # Martin will pay before the second reminder: nothing is sent.
        self.assertFalse(self._reminders())
        [skip] = run.level_skip_ids
        self.assertEqual(
            (skip.partner_id, skip.move_id, skip.level_id, skip.next_level_id),
            (self.customer, self.martin_open, first, second),
        )
        self.assertEqual((skip.probability, skip.threshold), (100.0, 80.0))
        self.assertEqual(run.level_skip_count, 1)
        self.assertEqual(self.martin_open.collection_level_skip_ids, skip)
        self.assertEqual(self.martin_open.collection_next_level_id, second)
        self.assertEqual(self.martin_open.collection_next_date, date(2026, 3, 23))
        # Lenteur will not: the first reminder goes out.
        self.assertEqual(set(self._reminders(self.slow).level_id), {first})
        # A second run the same day skips nothing twice.
        again = self._daily_run(TODAY)
        self.assertFalse(again.level_skip_ids)
        self.assertEqual(self.env["collection.level.skip"].search_count([]), 1)
        # On the second reminder's day, Martin still has not paid: it goes.
        self._daily_run(date(2026, 3, 23))
        self.assertEqual(set(self._reminders().level_id), {second})

    def test_the_rule_off_sends_every_level(self):
        run = self._daily_run(TODAY)
        self.assertFalse(run.level_skip_ids)
        self.assertEqual(set(self._reminders().level_id), {self.levels[1]})

    def test_skip_threshold_is_a_share(self):
        with self.assertRaises(ValidationError):
            self.policy.skip_probability = 120.0

    def test_cash_forecast_per_currency_and_against_collected(self):
        Forecast = self.env["collection.cash.forecast"]
        eur = self.setup_other_currency("EUR", rates=[("2020-01-01", 2.0)])
        self._pay(self.martin_open | self.slow_open, 1700.0, TODAY)
        # Martin pays 12 days late (median): due 16 March, expected 28 March.
        usd = self._invoice(1000.0, "2026-02-16", "2026-03-16")
        late = self._invoice(600.0, "2026-03-01", "2026-09-01")  # after 13 weeks
        euro = self.init_invoice(
            "out_invoice",
            partner=self.customer,
            invoice_date="2026-02-20",
            amounts=[400.0],
            taxes=[],
            currency=eur,
        )
        euro.invoice_date_due = "2026-03-20"  # expected 1 April
        euro.action_post()
        rows = Forecast._make(self.company, TODAY)
        by_currency = {
            currency: rows.filtered(lambda r, c=currency: r.currency_id == c)
            for currency in (self.company.currency_id, eur)
        }
        for week_rows in by_currency.values():
            self.assertEqual(
                week_rows.mapped("week_start"),
                [date(2026, 3, 9) + timedelta(weeks=n) for n in range(13)],
            )
            for row in week_rows:
                self.assertLessEqual(row.low, row.expected)
                self.assertLessEqual(row.expected, row.high)
        expected = {
            (row.currency_id.name, row.week_start): row.expected
            for row in rows
            if row.expected
        }
        self.assertEqual(
            expected,
            {("USD", date(2026, 3, 23)): 1000.0, ("EUR", date(2026, 3, 30)): 400.0},
        )
        self.assertNotIn(late.amount_residual, rows.mapped("expected"))
        self.assertTrue(all(rows.mapped("is_latest")))
        # The cron the same week keeps this forecast; no duplicate.
        Forecast._cron_forecast(commit=False)
        self.assertEqual(Forecast.search_count([]), 26)
        # Forecasting again on Thursday replaces the week's forecast: one
        # forecast a week is kept against what is collected.
        with freeze_time(date(2026, 3, 12)):
            again = Forecast._make(self.company, date(2026, 3, 12))
        self.assertFalse(rows.exists())
        self.assertEqual(Forecast.search([]), again)
        rows = again
        # The USD invoice is paid on 25 March, the euro one not at all.
        self._pay(usd, 1000.0, date(2026, 3, 25))
        with freeze_time(date(2026, 4, 7)):
            Forecast._cron_forecast(commit=False)
        closed = rows.filtered("is_closed")
        self.assertEqual(
            closed.mapped("week_start"),
            [date(2026, 3, 9) + timedelta(weeks=n) for n in range(4)] * 2,
        )
        week = closed.filtered(
            lambda r: r.currency_id.name == "USD" and r.week_start == date(2026, 3, 23)
        )
        self.assertEqual((week.actual, week.error), (1000.0, 0.0))
        self.assertTrue(week.in_band)
        missed = closed.filtered(
            lambda r: r.currency_id == eur and r.week_start == date(2026, 3, 30)
        )
        self.assertEqual(
            (missed.actual, missed.error, missed.abs_error), (0.0, -400.0, 400.0)
        )
        # The graph's lines: low, expected and high each week, and what was
        # collected once the week is over.
        Band = self.env["collection.cash.forecast.band"]
        band = Band.search([("forecast_id", "=", week.id)])
        self.assertEqual(
            sorted((b.scenario, b.amount) for b in band),
            [
                ("1_low", week.low),
                ("2_expected", 1000.0),
                ("3_high", week.high),
                ("4_collected", 1000.0),
            ],
        )
        open_week = rows.filtered(lambda r: not r.is_closed)[:1]
        self.assertEqual(
            Band.search([("forecast_id", "=", open_week.id)]).mapped("scenario"),
            ["1_low", "2_expected", "3_high"],
        )
        # The new week's forecast is made and is now the latest one.
        newest = Forecast.search([("forecast_date", "=", date(2026, 4, 7))])
        self.assertTrue(newest and all(newest.mapped("is_latest")))
        self.assertFalse(any(rows.mapped("is_latest")))


@tagged("post_install", "-at_install")
class TestPredictionBacktest(CollectionsCommon):
    def _backtest(self, text):
        wizard = self.env["collection.prediction.backtest"].create(
            {"history_file": base64.b64encode(text.encode())}
        )
        wizard.action_run()
        return wizard

    def test_backtest_gives_the_engine_figures_and_stores_nothing(self):
        invoices = synthetic_history(150, 12, date(2024, 1, 1), 730, seed=5)
        lines = [",".join(prediction.CSV_COLUMNS)]
        for inv in invoices:
            lines.append(
                f"{inv.id},{inv.customer},{inv.invoice_date},{inv.due_date},"
                f"{inv.amount},,{inv.paid_date or ''},{'yes' if inv.disputed else 'no'}"
            )
        trainings = self.env["collection.prediction"].search_count([])
        wizard = self._backtest("\n".join(lines))
        read = prediction.read_history_csv(io.StringIO("\n".join(lines)), "USD")
        _model, figures, reason = prediction.train_and_evaluate(read, "USD")
        self.assertEqual(wizard.invoice_count, len(invoices))
        self.assertEqual(wizard.result, reason)
        self.assertEqual(wizard.holdout_count, figures["holdout_count"])
        self.assertAlmostEqual(
            wizard.median_baseline_mae_days, figures["median_baseline_mae_days"], 2
        )
        self.assertAlmostEqual(
            wizard.due_date_baseline_mae_days, figures["due_date_baseline_mae_days"], 2
        )
        if reason == prediction.MODEL:
            self.assertAlmostEqual(wizard.model_mae_days, figures["model_mae_days"], 2)
            self.assertIn("the model would be used", wizard.summary)
        self.assertEqual(self.env["collection.prediction"].search_count([]), trainings)

    def test_a_bad_history_is_refused_with_its_line_in_french(self):
        self._load_french(["collections_management"])
        header = ",".join(prediction.CSV_COLUMNS)
        bad = f"{header}\nINV1,Dupont,2024-01-15,2024-02-14,12,,31/01/2024,no\n"
        with self.assertRaisesRegex(UserError, "Line 2: paid_date '31/01/2024'"):
            self._backtest(bad)
        wizard = self.env["collection.prediction.backtest"].with_context(lang="fr_FR")
        with self.assertRaisesRegex(UserError, "Ligne 2"):
            wizard.create({"history_file": base64.b64encode(bad.encode())}).action_run()
        with self.assertRaisesRegex(UserError, "header lacks disputed"):
            self._backtest(
                "invoice_number,customer,invoice_date,due_date,amount,"
                "currency,paid_date\n"
            )
