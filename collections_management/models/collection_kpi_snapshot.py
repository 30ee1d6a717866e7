import logging
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..engine import kpis

_logger = logging.getLogger(__name__)

# Days of the period the flow figures (sales, DSO, CEI...) cover.
PERIOD_DAYS = 90
# Calendar months countback DSO may walk back through.
COUNTBACK_MONTHS = 12
LEVELS = [
    ("company", "Company"),
    ("collector", "Collector"),
    ("customer", "Customer"),
]
AMOUNTS = (
    "credit_sales",
    "opening_amount",
    "open_amount",
    "current_amount",
    "overdue_amount",
    "disputed_amount",
    "written_off",
    "collected",
    "aged_current",
    "aged_1_30",
    "aged_31_60",
    "aged_61_90",
    "aged_over_90",
)
RATIOS = (
    "dso",
    "countback_dso",
    "best_dso",
    "add",
    "cei",
    "turnover",
    "on_time_share",
    "bad_debt_ratio",
)
COUNTS = ("open_count", "overdue_count", "paid_count", "paid_on_time_count")
SNAPSHOT_COLUMNS = (
    "date",
    "company_id",
    "level",
    "user_id",
    "partner_id",
    "period_days",
    *AMOUNTS,
    *RATIOS,
    *COUNTS,
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
)


class CollectionKpiSnapshot(models.Model):
    """The receivables figures of one day, per company, collector and
    customer, stored so that trends are cheap and do not move when old
    invoices change. The formulas are those of ``engine/kpis.py``."""

    _name = "collection.kpi.snapshot"
    _description = "Receivables Figures of a Day"
    _order = "date desc, level, id"
    _rec_name = "date"
    _check_company_auto = True

    date = fields.Date(required=True, index=True, readonly=True)
    is_latest = fields.Boolean(
        string="Latest Day",
        index=True,
        readonly=True,
        help="The figures of the company's latest snapshot day, the ones the "
        "dashboards show as today's.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level = fields.Selection(LEVELS, required=True, index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        index=True,
        readonly=True,
        help="Empty on a collector's row: the customers no collector follows.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        readonly=True,
        check_company=True,
    )
    period_days = fields.Integer(
        string="Period (days)",
        readonly=True,
        aggregator="max",
        help="The days, up to the snapshot's, that sales and collections "
        "are counted over.",
    )
    credit_sales = fields.Monetary(help="Invoiced in the period, less credit notes.")
    opening_amount = fields.Monetary(
        string="Receivables at Start", help="Open at the start of the period."
    )
    open_amount = fields.Monetary(string="Receivables")
    current_amount = fields.Monetary(string="Not Yet Due")
    overdue_amount = fields.Monetary(string="Overdue")
    disputed_amount = fields.Monetary(
        string="In Dispute", help="Open on invoices with an open dispute."
    )
    written_off = fields.Monetary(
        help="Receivables settled in the period by an entry that is neither a "
        "payment, a bank transaction, a credit note nor an exchange difference.",
    )
    collected = fields.Monetary(
        help="Receivables at start + credit sales - receivables - written off."
    )
    aged_current = fields.Monetary(string="Current")
    aged_1_30 = fields.Monetary(string="1-30 Days")
    aged_31_60 = fields.Monetary(string="31-60 Days")
    aged_61_90 = fields.Monetary(string="61-90 Days")
    aged_over_90 = fields.Monetary(string="Over 90 Days")
    dso = fields.Float(
        string="DSO",
        digits=(16, 2),
        aggregator="avg",
        help="Days sales outstanding: receivables / credit sales x days of the period.",
    )
    countback_dso = fields.Float(
        string="Countback DSO",
        digits=(16, 2),
        aggregator="avg",
        help="The days of sales, newest month first, that the receivables amount to.",
    )
    best_dso = fields.Float(
        string="Best Possible DSO",
        digits=(16, 2),
        aggregator="avg",
        help="Not yet due receivables / credit sales x days of the period.",
    )
    add = fields.Float(
        string="Average Days Delinquent",
        digits=(16, 2),
        aggregator="avg",
        help="DSO - best possible DSO.",
    )
    cei = fields.Float(
        string="CEI (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Collection effectiveness index: (receivables at start + credit "
        "sales - receivables) / (receivables at start + credit sales - not yet "
        "due receivables) x 100.",
    )
    turnover = fields.Float(
        string="Receivables Turnover",
        digits=(16, 2),
        aggregator="avg",
        help="Credit sales / average receivables, over the period.",
    )
    on_time_share = fields.Float(
        string="Paid on Time (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Invoices paid in the period by their due date / invoices paid in "
        "the period x 100.",
    )
    bad_debt_ratio = fields.Float(
        string="Bad Debt (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Written off / credit sales x 100.",
    )
    open_count = fields.Integer(string="Open Invoices")
    overdue_count = fields.Integer(string="Overdue Invoices")
    paid_count = fields.Integer(string="Invoices Paid")
    paid_on_time_count = fields.Integer(string="Invoices Paid on Time")

    # ------------------------------------------------------------------
    # The daily snapshot
    # ------------------------------------------------------------------

    @api.model
    def _cron_snapshot(self, commit=True):
        """Today's figures of every company; a company's figures of the day
        are replaced when it runs again, so that a crash leaves no
        duplicate and the next run no gap."""
        for company in self.env["res.company"].search([]):
            day = fields.Date.context_today(self.with_company(company))
            self._snapshot(company, day)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _snapshot(self, company, day):
        """Store the figures of ``company`` on ``day`` (replacing any) and
        return them."""
        rows = self._snapshot_items(company, day)
        accumulator = kpis.Accumulator(
            day, period_days=PERIOD_DAYS, countback_months=COUNTBACK_MONTHS
        )
        for keys, item in rows:
            accumulator.add(item, keys)
        figures = accumulator.figures()
        digits = company.currency_id.decimal_places
        now = fields.Datetime.now()
        rows = []
        for keys, numbers in figures.items():
            rows.append(
                (
                    day,
                    company.id,
                    LEVELS[len(keys) - 1][0],
                    # customers no collector follows: a row with no collector
                    (keys[1] or None) if len(keys) > 1 else None,
                    keys[2] if len(keys) > 2 else None,
                    numbers["period_days"],
                    *(round(numbers[name] or 0.0, digits) for name in AMOUNTS),
                    # None, a ratio without denominator, stays NULL: shown
                    # empty, and left out of the pivot's averages
                    *(numbers[name] for name in RATIOS),
                    *(numbers[name] for name in COUNTS),
                    self.env.uid,
                    now,
                    self.env.uid,
                    now,
                )
            )
        # Plain SQL: 20,000 rows a night at 20,000 customers, which the ORM
        # takes 25 s to create (a currency read per amount and row) for a
        # model with nothing to compute, no inverse and no chatter. No group
        # may write the figures (they are history): the system replaces a
        # company's figures of the day, whoever triggered it.
        self.env.cr.execute(
            SQL(
                "DELETE FROM collection_kpi_snapshot"
                " WHERE company_id = %s AND date = %s",
                company.id,
                day,
            )
        )
        columns = SQL(", ").join(SQL.identifier(name) for name in SNAPSHOT_COLUMNS)
        ids = []
        for batch in split_every(1000, rows):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO collection_kpi_snapshot (%s) VALUES %s RETURNING id",
                    columns,
                    SQL(", ").join(SQL("%s", row) for row in batch),
                )
            )
            ids += [row_id for (row_id,) in self.env.cr.fetchall()]
        # the company's latest day may be this one or a later one (when
        # past days are filled in): only its rows are the latest
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_kpi_snapshot
                   SET is_latest = (date = (
                           SELECT MAX(date) FROM collection_kpi_snapshot
                            WHERE company_id = %(company)s))
                 WHERE company_id = %(company)s
                   AND (is_latest OR date = %(day)s)
                """,
                company=company.id,
                day=day,
            )
        )
        self.invalidate_model()
        return self.browse(ids)

    @api.model
    def _snapshot_items(self, company, day):
        """``(keys, kpis.Item)`` of the customer invoices and credit notes of
        ``company`` that count on ``day``: open then or at the start of the
        period, or dated in the countback horizon. Amounts in the company's
        currency, residuals as of ``day`` (payments dated later do not
        count)."""
        start = day - timedelta(days=PERIOD_DAYS - 1)
        months_back = day.year * 12 + day.month - 1 - (COUNTBACK_MONTHS - 1)
        horizon = date(months_back // 12, months_back % 12 + 1, 1)
        exchange_journal = company.currency_exchange_journal_id.id or 0
        query = SQL(
            """
            WITH settled AS (
                SELECT line.move_id,
                       part.amount,
                       part.max_date,
                       other_move.move_type = 'entry'
                           AND other_move.origin_payment_id IS NULL
                           AND other_move.statement_line_id IS NULL
                           AND other_move.journal_id != %(exchange)s AS write_off
                  FROM account_move_line line
                  JOIN account_partial_reconcile part
                    ON part.debit_move_id = line.id OR part.credit_move_id = line.id
                  JOIN account_move_line other
                    ON other.id = CASE WHEN part.debit_move_id = line.id
                                       THEN part.credit_move_id
                                       ELSE part.debit_move_id END
                  JOIN account_move other_move ON other_move.id = other.move_id
                 WHERE line.company_id = %(company)s
                   AND line.display_type = 'payment_term'
                   AND line.parent_state = 'posted'
                   AND part.max_date <= %(day)s
            ), paid AS (
                SELECT move_id,
                       SUM(amount) AS by_day,
                       SUM(amount) FILTER (WHERE max_date < %(start)s) AS before_start,
                       SUM(amount) FILTER (
                           WHERE write_off AND max_date >= %(start)s
                       ) AS written_off,
                       MAX(max_date) AS last_date
                  FROM settled
                 GROUP BY move_id
            )
            SELECT move.id,
                   move.commercial_partner_id,
                   (partner.collector_id ->> %(company_key)s)::int,
                   move.invoice_date,
                   move.invoice_date_due,
                   move.amount_total_signed,
                   COALESCE(paid.by_day, 0),
                   COALESCE(paid.before_start, 0),
                   COALESCE(paid.written_off, 0),
                   paid.last_date,
                   EXISTS (
                       SELECT 1
                         FROM account_move_collection_dispute_rel rel
                         JOIN collection_dispute dispute
                           ON dispute.id = rel.collection_dispute_id
                        WHERE rel.account_move_id = move.id
                          AND dispute.state IN ('new', 'investigation')
                   )
              FROM account_move move
              JOIN res_partner partner ON partner.id = move.commercial_partner_id
              LEFT JOIN paid ON paid.move_id = move.id
             WHERE move.company_id = %(company)s
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.state = 'posted'
               AND move.invoice_date <= %(day)s
               AND (
                   move.invoice_date >= %(horizon)s
                   OR ABS(move.amount_total_signed)
                      - COALESCE(paid.before_start, 0) > 0.005
               )
            """,
            company=company.id,
            company_key=str(company.id),
            exchange=exchange_journal,
            day=day,
            start=start,
            horizon=horizon,
        )
        self.env.flush_all()
        # PostgreSQL's JIT compiles this query for 2.5 s of its 3 s at
        # 200,000 invoices: off for this transaction (the cron commits after
        # each company)
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        self.env.cr.execute(query)
        rows = []
        for (
            move_id,
            partner_id,
            collector_id,
            invoice_date,
            due_date,
            amount,
            paid_by_day,
            paid_before_start,
            written_off,
            last_date,
            disputed,
        ) in self.env.cr.fetchall():
            sign = 1.0 if amount >= 0 else -1.0
            residual = round(amount - sign * paid_by_day, 2)
            item = kpis.Item(
                id=move_id,
                customer=partner_id,
                invoice_date=invoice_date,
                due_date=due_date or invoice_date,
                amount=amount,
                residual=residual,
                # settled, and not by a write-off: paid
                paid_date=last_date if not residual and not written_off else None,
                disputed=disputed,
                written_off=written_off,
                opening_residual=(
                    round(amount - sign * paid_before_start, 2)
                    if invoice_date < start
                    else None
                ),
            )
            rows.append(((company.id, collector_id or False, partner_id), item))
        return rows
