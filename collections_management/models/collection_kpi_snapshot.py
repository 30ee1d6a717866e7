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
    ("team", "Team"),
    ("collector", "Collector"),
    ("customer", "Customer"),
]
# the level of a figures key: (company,), (company, collector),
# (company, collector, customer); teams are keyed apart
KEY_LEVELS = {1: "company", 2: "collector", 3: "customer"}
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
ACTIVITY_COUNTS = kpis.ACTIVITY_COUNTS
ACTIVITY_AMOUNTS = ("disputes_opened_amount", "expected_30", "collected_30")
ACTIVITY_RATIOS = (
    "open_rate",
    "click_rate",
    "bounce_rate",
    "promise_kept_rate",
    "dispute_cycle_days",
)
FORECAST_DAYS = 30
SNAPSHOT_COLUMNS = (
    "date",
    "company_id",
    "level",
    "team_id",
    "user_id",
    "partner_id",
    "period_days",
    *AMOUNTS,
    *RATIOS,
    *COUNTS,
    *ACTIVITY_COUNTS,
    *ACTIVITY_AMOUNTS,
    *ACTIVITY_RATIOS,
    "forecast_accuracy",
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
    team_id = fields.Many2one(
        "collection.team",
        string="Collections Team",
        index="btree_not_null",
        readonly=True,
        help="On a team's row: the portfolios of its collectors.",
    )
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
    # the collectors' activity over the period, on the customers of the row
    reminders_sent = fields.Integer(help="Reminders sent in the period, any channel.")
    emails_sent = fields.Integer(string="Reminder Emails Sent")
    reminders_opened = fields.Integer(string="Reminder Emails Opened")
    reminders_clicked = fields.Integer(string="Reminder Emails Clicked")
    reminders_bounced = fields.Integer(string="Reminder Emails Bounced")
    open_rate = fields.Float(
        string="Opened (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Reminder emails opened / delivered (sent - bounced) x 100.",
    )
    click_rate = fields.Float(
        string="Clicked (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Reminder emails clicked / delivered (sent - bounced) x 100.",
    )
    bounce_rate = fields.Float(
        string="Bounced (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Reminder emails bounced / sent x 100.",
    )
    promises_judged = fields.Integer(
        help="Promises whose date came in the period: kept, partly kept or broken."
    )
    promises_kept = fields.Integer()
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        digits=(16, 2),
        aggregator="avg",
        help="Promises kept / promises judged x 100; a partly kept promise "
        "is not kept.",
    )
    disputes_opened = fields.Integer(help="Disputes opened in the period.")
    disputes_opened_amount = fields.Monetary(string="Amount Disputed")
    disputes_resolved = fields.Integer(help="Disputes settled in the period.")
    dispute_cycle_days = fields.Float(
        string="Dispute Cycle (days)",
        digits=(16, 2),
        aggregator="avg",
        help="Days from opening to settlement of the disputes settled in the "
        "period, on average.",
    )
    expected_30 = fields.Monetary(
        string="Expected in 30 Days",
        help="Open on the day and expected to be paid in the next 30 days, by "
        "each invoice's expected payment date.",
    )
    collected_30 = fields.Monetary(
        string="Collected in 30 Days",
        help="Paid on the invoices in the 30 days up to the day (write-offs left out).",
    )
    forecast_accuracy = fields.Float(
        string="Forecast Accuracy (%)",
        digits=(16, 2),
        aggregator="avg",
        help="How close the figures of 30 days before came: (1 - |expected "
        "in 30 days then - collected in 30 days now| / collected) x 100. "
        "Empty when nothing was collected or there are no figures 30 days "
        "before.",
    )
    tasks_done = fields.Integer(
        help="Activities marked done in the period on the customers and their invoices."
    )

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
        items, cash = self._snapshot_items(company, day)
        accumulator = kpis.Accumulator(
            day, period_days=PERIOD_DAYS, countback_months=COUNTBACK_MONTHS
        )
        for keys, item in items:
            accumulator.add(item, keys)
        figures = {
            (KEY_LEVELS[len(keys)], None, *keys[1:]): numbers
            for keys, numbers in accumulator.figures().items()
        }
        by_customer = self._snapshot_activity(company, day)
        for keys, values in cash.items():
            by_customer.setdefault(keys, {}).update(values)
        activity = kpis.roll_up(by_customer)
        # a customer with activity but no invoice to count still has its row
        for keys in activity:
            figures.setdefault((KEY_LEVELS[len(keys)], None, *keys[1:]), {})
        # teams: the portfolios of their collectors
        teams = self.env["collection.team"].search([("company_id", "=", company.id)])
        members = {team.id: set(team.member_ids.ids) for team in teams}
        team_accumulator = kpis.Accumulator(
            day, period_days=PERIOD_DAYS, countback_months=COUNTBACK_MONTHS
        )
        for keys, item in items:
            for team_id, users in members.items():
                if keys[1] in users:
                    team_accumulator.add(item, (team_id,))
        team_figures = team_accumulator.figures()
        team_activity = kpis.roll_up(
            {
                (team_id, keys[1]): values
                for keys, values in activity.items()
                for team_id, users in members.items()
                if len(keys) == 2 and keys[1] in users
            },
            levels={1},
        )
        for team in teams:
            figures[("team", team.id)] = team_figures.get((team.id,), {})
            activity[("team", team.id)] = team_activity.get((team.id,), {})
        # what the figures of 30 days before expected, to compare with what
        # came in since
        self.env.cr.execute(
            SQL(
                "SELECT level, team_id, user_id, partner_id, expected_30"
                " FROM collection_kpi_snapshot WHERE company_id = %s AND date = %s",
                company.id,
                day - timedelta(days=FORECAST_DAYS),
            )
        )
        expected_before = {
            (level, team_id, user_id, partner_id): expected or 0.0
            for level, team_id, user_id, partner_id, expected in self.env.cr.fetchall()
        }
        digits = company.currency_id.decimal_places
        now = fields.Datetime.now()
        rows = []
        for key, numbers in figures.items():
            level = key[0]
            if level == "team":
                team_id, user_id, partner_id = key[1], None, None
                done = activity.get(key, {})
            else:
                # customers no collector follows: a row with no collector
                team_id = None
                user_id = (key[2] or None) if len(key) > 2 else None
                partner_id = key[3] if len(key) > 3 else None
                done = activity.get((company.id, *key[2:]), {})
            rates = kpis.activity_figures(done)
            before = expected_before.get((level, team_id, user_id, partner_id))
            accuracy = (
                None
                if before is None
                else kpis.forecast_accuracy(before, done.get("collected_30", 0.0))
            )
            rows.append(
                (
                    day,
                    company.id,
                    level,
                    team_id,
                    user_id,
                    partner_id,
                    numbers.get("period_days", PERIOD_DAYS),
                    *(round(numbers.get(name) or 0.0, digits) for name in AMOUNTS),
                    # None, a ratio without denominator, stays NULL: shown
                    # empty, and left out of the pivot's averages
                    *(numbers.get(name) for name in RATIOS),
                    *(numbers.get(name) or 0 for name in COUNTS),
                    *(done.get(name, 0) for name in ACTIVITY_COUNTS),
                    *(round(done.get(name, 0.0), digits) for name in ACTIVITY_AMOUNTS),
                    *(rates[name] for name in ACTIVITY_RATIOS),
                    accuracy,
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
        count). Also ``{keys: {"expected_30", "collected_30"}}``: the
        invoices' open amounts expected in the next 30 days and what they
        were paid in the last 30."""
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
                       MAX(max_date) AS last_date,
                       SUM(amount) FILTER (
                           WHERE write_off IS NOT TRUE AND max_date > %(forecast_start)s
                       ) AS last_30
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
                   move.collection_expected_date,
                   COALESCE(paid.last_30, 0),
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
            forecast_start=day - timedelta(days=FORECAST_DAYS),
        )
        self.env.flush_all()
        # PostgreSQL's JIT compiles this query for 2.5 s of its 3 s at
        # 200,000 invoices: off for this transaction (the cron commits after
        # each company)
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        self.env.cr.execute(query)
        rows = []
        cash = {}
        forecast_end = day + timedelta(days=FORECAST_DAYS)
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
            expected_date,
            paid_30,
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
            keys = (company.id, collector_id or False, partner_id)
            rows.append((keys, item))
            if amount > 0:  # invoices: what was expected and collected
                into = cash.setdefault(keys, {"expected_30": 0.0, "collected_30": 0.0})
                into["collected_30"] += paid_30
                if expected_date and day < expected_date <= forecast_end:
                    into["expected_30"] += residual
        return rows, cash

    @api.model
    def _snapshot_activity(self, company, day):
        """``{(company, collector, customer): counts}`` of what was done on
        ``company``'s customers over the period ending on ``day``: reminders
        sent (and their emails opened, clicked, bounced), promises judged and
        kept, disputes opened and settled (with the days they lasted) and
        activities marked done on the customer or its invoices. The
        collector is the customer's, as on the receivables rows."""
        start = day - timedelta(days=PERIOD_DAYS - 1)
        params = {
            "company": company.id,
            "company_key": str(company.id),
            "start": start,
            "day": day,
        }
        queries = {
            "reminders": """
                SELECT comm.partner_id,
                       COUNT(*),
                       COUNT(*) FILTER (WHERE comm.channel = 'email'),
                       COALESCE(SUM(comm.opened_count), 0),
                       COALESCE(SUM(comm.clicked_count), 0),
                       COALESCE(SUM(comm.bounced_count), 0)
                  FROM collection_communication comm
                 WHERE comm.company_id = %(company)s
                   AND comm.date BETWEEN %(start)s AND %(day)s
                   AND (comm.state = 'sent' OR comm.is_bounced)
                 GROUP BY comm.partner_id
            """,
            "promises": """
                SELECT promise.partner_id,
                       COUNT(*),
                       COUNT(*) FILTER (WHERE promise.state = 'kept')
                  FROM collection_promise promise
                 WHERE promise.company_id = %(company)s
                   AND promise.state IN ('kept', 'partial', 'broken')
                   AND promise.judged_date BETWEEN %(start)s AND %(day)s
                 GROUP BY promise.partner_id
            """,
            "disputes": """
                SELECT dispute.partner_id,
                       COUNT(*) FILTER (
                           WHERE dispute.date BETWEEN %(start)s AND %(day)s
                       ),
                       COALESCE(SUM(dispute.amount) FILTER (
                           WHERE dispute.date BETWEEN %(start)s AND %(day)s
                       ), 0),
                       COUNT(*) FILTER (
                           WHERE dispute.settled_date BETWEEN %(start)s AND %(day)s
                       ),
                       COALESCE(SUM(dispute.settled_date - dispute.date) FILTER (
                           WHERE dispute.settled_date BETWEEN %(start)s AND %(day)s
                       ), 0)
                  FROM collection_dispute dispute
                 WHERE dispute.company_id = %(company)s
                   AND (dispute.date BETWEEN %(start)s AND %(day)s
                        OR dispute.settled_date BETWEEN %(start)s AND %(day)s)
                 GROUP BY dispute.partner_id
            """,
            # an activity marked done leaves a message of its type on the
            # record (mail.activity._action_done)
            "tasks": """
                SELECT COALESCE(move.commercial_partner_id,
                                partner.commercial_partner_id),
                       COUNT(*)
                  FROM mail_message message
                  LEFT JOIN account_move move
                    ON message.model = 'account.move' AND move.id = message.res_id
                  LEFT JOIN res_partner partner
                    ON message.model = 'res.partner' AND partner.id = message.res_id
                 WHERE message.mail_activity_type_id IS NOT NULL
                   AND message.date >= %(start)s
                   AND message.date < %(day)s::date + 1
                   AND (move.company_id = %(company)s
                        OR (partner.id IS NOT NULL AND EXISTS (
                            SELECT 1 FROM account_move invoice
                             WHERE invoice.commercial_partner_id
                                   = partner.commercial_partner_id
                               AND invoice.company_id = %(company)s
                               AND invoice.move_type IN ('out_invoice', 'out_refund')
                               AND invoice.state = 'posted')))
                 GROUP BY 1
            """,
        }
        names = {
            "reminders": (
                "reminders_sent",
                "emails_sent",
                "reminders_opened",
                "reminders_clicked",
                "reminders_bounced",
            ),
            "promises": ("promises_judged", "promises_kept"),
            "disputes": (
                "disputes_opened",
                "disputes_opened_amount",
                "disputes_resolved",
                "dispute_days",
            ),
            "tasks": ("tasks_done",),
        }
        by_partner = {}
        for kind, query in queries.items():
            self.env.cr.execute(query, params)
            for partner_id, *values in self.env.cr.fetchall():
                into = by_partner.setdefault(partner_id, {})
                for name, value in zip(names[kind], values, strict=True):
                    into[name] = float(value) if name.endswith("amount") else value
        if not by_partner:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, (collector_id ->> %s)::int FROM res_partner"
                " WHERE id = ANY(%s)",
                str(company.id),
                list(by_partner),
            )
        )
        collectors = dict(self.env.cr.fetchall())
        return {
            (company.id, collectors.get(partner_id) or False, partner_id): values
            for partner_id, values in by_partner.items()
        }
