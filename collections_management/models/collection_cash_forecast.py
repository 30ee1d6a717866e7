import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import prediction

_logger = logging.getLogger(__name__)

WEEKS = 13


class CollectionCashForecast(models.Model):
    """One week of a cash forecast: the open invoices of a company expected
    to be paid that week, in one currency, as forecast at the start of a
    week. Forecasts are kept; once their week is over, what was really
    collected on those invoices is set beside them, with the error."""

    _name = "collection.cash.forecast"
    _description = "Cash Forecast Week"
    _order = "forecast_date desc, currency_id, week_start"
    _rec_name = "week_start"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    forecast_date = fields.Date(
        string="Forecast On", required=True, index=True, readonly=True
    )
    is_latest = fields.Boolean(
        string="Latest Forecast",
        readonly=True,
        index=True,
        help="The newest forecast of the company.",
    )
    week_start = fields.Date(string="Week Of", required=True, readonly=True)
    week = fields.Integer(
        string="Weeks Ahead", readonly=True, help="0: the week of the forecast."
    )
    predicted_by = fields.Selection(
        [("model", "Model"), ("baseline", "Customer Median")],
        readonly=True,
    )
    expected = fields.Monetary(readonly=True)
    low = fields.Monetary(
        readonly=True,
        help="The smallest of the week's amounts when customers pay early, as "
        "expected or late.",
    )
    high = fields.Monetary(
        readonly=True,
        help="The largest of the week's amounts when customers pay early, as "
        "expected or late.",
    )
    is_closed = fields.Boolean(
        string="Week Over",
        readonly=True,
        help="The week has ended; what was collected is known.",
    )
    actual = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Payments received that week on the invoices that were open when "
        "the forecast was made.",
    )
    error = fields.Monetary(
        readonly=True,
        help="Collected minus expected, once the week is over.",
    )
    abs_error = fields.Monetary(string="Absolute Error", readonly=True)
    in_band = fields.Boolean(
        string="Within Low-High",
        readonly=True,
        help="What was collected lies between the low and the high amounts.",
    )

    _sql_constraints = [
        (
            "week_unique",
            "UNIQUE(company_id, currency_id, forecast_date, week_start)",
            "A forecast has one row per currency and week.",
        )
    ]

    # ------------------------------------------------------------------
    # Cron and actions
    # ------------------------------------------------------------------

    @api.model
    def _cron_forecast(self, commit=True):
        """Daily: each company gets its forecast of the week if it has none
        yet (a day missed or crashed is caught up the next day) and the
        weeks that ended get what was collected."""
        for company in self.env["res.company"].search([]):
            today = fields.Date.context_today(self.with_company(company))
            self._close_weeks(company, today)
            monday = today - timedelta(days=today.weekday())
            if not self.search_count(
                [("company_id", "=", company.id), ("forecast_date", ">=", monday)],
                limit=1,
            ):
                self._make(company, today)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def action_forecast_now(self):
        """Forecast again today for the companies of the user (this week's
        forecast, if any, is replaced)."""
        for company in self.env.companies:
            self._make(company, fields.Date.context_today(self.with_company(company)))
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_cash_forecast_action"
        )
        return action

    # ------------------------------------------------------------------
    # Forecasting
    # ------------------------------------------------------------------

    @api.model
    def _make(self, company, today):
        """Write ``company``'s forecast of ``today``, replacing one made
        earlier this week: 13 weeks per currency of its open customer
        invoices, spread by the payment-date prediction. Returns the rows."""
        Prediction = self.env["collection.prediction"]
        invoices = Prediction._invoices(company)
        model = Prediction._current_model(company)
        history = prediction.History(invoices.values())
        self.env.cr.execute(
            SQL(
                """
                SELECT move.id, move.currency_id, move.amount_residual
                  FROM account_move move
                 WHERE move.company_id = %(company)s
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND move.payment_state IN ('not_paid', 'partial')
                   AND move.amount_residual > 0
                """,
                company=company.id,
            )
        )
        by_currency = {}
        for move_id, currency_id, residual in self.env.cr.fetchall():
            invoice = invoices.get(move_id)
            if invoice is not None and invoice.paid_date is None:
                by_currency.setdefault(currency_id, []).append((invoice, residual))
        # one forecast per week, kept against what is collected: forecasting
        # again in the same week replaces the week's forecast
        monday = today - timedelta(days=today.weekday())
        self.search(
            [
                ("company_id", "=", company.id),
                ("forecast_date", ">=", monday),
                ("forecast_date", "<=", today),
            ]
        ).unlink()
        self.search([("company_id", "=", company.id), ("is_latest", "=", True)]).write(
            {"is_latest": False}
        )
        vals_list = []
        for currency_id, rows in sorted(by_currency.items()):
            weeks = prediction.forecast(
                [invoice for invoice, _residual in rows],
                model,
                history,
                today,
                weeks=WEEKS,
                company_currency=company.currency_id.name,
                amounts=[residual for _invoice, residual in rows],
            )
            vals_list += [
                {
                    "company_id": company.id,
                    "currency_id": currency_id,
                    "forecast_date": today,
                    "is_latest": True,
                    "week_start": row["week_start"],
                    "week": index,
                    "predicted_by": "model" if model else "baseline",
                    "expected": row["expected"],
                    "low": row["low"],
                    "high": row["high"],
                }
                for index, row in enumerate(weeks)
            ]
        return self.create(vals_list)

    @api.model
    def _close_weeks(self, company, today):
        """Set what was collected on the weeks of ``company``'s forecasts
        that ended before ``today``."""
        rows = self.search(
            [
                ("company_id", "=", company.id),
                ("is_closed", "=", False),
                ("week_start", "<=", today - timedelta(days=7)),
            ]
        )
        if not rows:
            return
        self.env.flush_all()
        collected = self._collected(company, rows)
        for row in rows:
            actual = collected.get(
                (row.currency_id.id, row.forecast_date, row.week_start), 0.0
            )
            actual = row.currency_id.round(actual)
            error = actual - row.expected
            row.write(
                {
                    "is_closed": True,
                    "actual": actual,
                    "error": error,
                    "abs_error": abs(error),
                    "in_band": row.low - 0.005 <= actual <= row.high + 0.005,
                }
            )

    @api.model
    def _collected(self, company, rows):
        """``{(currency id, forecast date, week start): amount}``: payments
        (not credit notes or write-offs) received in each week on the
        invoices issued by the forecast date, counted from the forecast date
        in its own week, in the invoices' currency."""
        keys = sorted({(row.forecast_date, row.week_start) for row in rows})
        self.env.cr.execute(
            SQL(
                """
                SELECT line.currency_id, weeks.forecast_date, weeks.week_start,
                       SUM(part.debit_amount_currency)
                  FROM (VALUES %(weeks)s) AS weeks (forecast_date, week_start)
                  JOIN account_partial_reconcile part
                    ON part.max_date >= GREATEST(weeks.week_start, weeks.forecast_date)
                   AND part.max_date < weeks.week_start + 7
                  JOIN account_move_line line ON line.id = part.debit_move_id
                  JOIN account_move move ON move.id = line.move_id
                  JOIN account_move_line other ON other.id = part.credit_move_id
                  JOIN account_move other_move ON other_move.id = other.move_id
                 WHERE line.company_id = %(company)s
                   AND line.display_type = 'payment_term'
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND move.invoice_date <= weeks.forecast_date
                   AND (other_move.origin_payment_id IS NOT NULL
                        OR other_move.statement_line_id IS NOT NULL)
                 GROUP BY line.currency_id, weeks.forecast_date, weeks.week_start
                """,
                company=company.id,
                weeks=SQL(", ").join(
                    SQL("(%s::date, %s::date)", forecast_date, week_start)
                    for forecast_date, week_start in keys
                ),
            )
        )
        return {
            (currency_id, forecast_date, week_start): amount
            for currency_id, forecast_date, week_start, amount in self.env.cr.fetchall()
        }


class CollectionCashForecastBand(models.Model):
    """The forecast weeks as one amount per scenario (low, expected, high,
    and collected once the week is over), so that a graph draws the band
    and what came in as lines side by side."""

    _name = "collection.cash.forecast.band"
    _description = "Cash Forecast Band"
    _auto = False
    _order = "forecast_date desc, week_start, scenario"
    _rec_name = "week_start"

    forecast_id = fields.Many2one("collection.cash.forecast", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    forecast_date = fields.Date(string="Forecast On", readonly=True)
    is_latest = fields.Boolean(string="Latest Forecast", readonly=True)
    is_closed = fields.Boolean(string="Week Over", readonly=True)
    week_start = fields.Date(string="Week Of", readonly=True)
    week = fields.Integer(string="Weeks Ahead", readonly=True)
    scenario = fields.Selection(
        [
            ("1_low", "Low"),
            ("2_expected", "Expected"),
            ("3_high", "High"),
            ("4_collected", "Collected"),
        ],
        readonly=True,
    )
    amount = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT forecast.id * 4 + scenario.position AS id,
                   forecast.id AS forecast_id,
                   forecast.company_id,
                   forecast.currency_id,
                   forecast.forecast_date,
                   forecast.is_latest,
                   forecast.is_closed,
                   forecast.week_start,
                   forecast.week,
                   scenario.name AS scenario,
                   CASE scenario.position
                        WHEN 0 THEN forecast.low
                        WHEN 1 THEN forecast.expected
                        WHEN 2 THEN forecast.high
                        ELSE forecast.actual
                   END AS amount
              FROM collection_cash_forecast forecast
             CROSS JOIN (VALUES (0, '1_low'), (1, '2_expected'), (2, '3_high'),
                                (3, '4_collected')) AS scenario (position, name)
             WHERE scenario.position < 3 OR forecast.is_closed
            """
        )
