import logging
from collections import defaultdict
from datetime import datetime

import pytz

from odoo import api, fields, models

from ..engine.reminders import (
    Credit,
    DueLine,
    plan_reminders,
    skip_unneeded_levels,
)

_logger = logging.getLogger(__name__)

# Namespace of the PostgreSQL advisory lock that keeps two runs of one
# company from overlapping (the second key is the company id).
RUN_LOCK = 74_311


class CollectionRun(models.Model):
    """A day's reminder run for one company: what it did, for the record."""

    _name = "collection.run"
    _description = "Collections Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, index=True)
    user_id = fields.Many2one("res.users", string="Started By", readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
    )
    reminder_count = fields.Integer(string="Reminders")
    skipped_count = fields.Integer(
        string="Skipped Customers",
        help="Customers with a level due but nothing to send (net balance not "
        "positive, or below the policy's minimum amount).",
    )
    failed_count = fields.Integer(string="Failed")
    communication_ids = fields.One2many(
        "collection.communication", "run_id", string="Communications"
    )
    level_skip_ids = fields.One2many(
        "collection.level.skip", "run_id", string="Skipped Levels"
    )
    level_skip_count = fields.Integer(
        string="Levels Skipped",
        help="Levels not sent because the invoice was expected to be paid "
        "before the next level (no action needed).",
    )
    log = fields.Text(readonly=True)

    def _compute_name(self):
        for run in self:
            run.name = f"{run.company_id.name} {run.date}"

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_daily(self):
        """The daily cron: first what customers committed to (promises
        judged, plan payments allocated, overdue disputes tasked), so that
        the reminders see what pauses them today; then every company,
        committing after each batch so that a crash loses no finished batch
        (the run is idempotent)."""
        self._review_commitments()
        self.env.cr.commit()  # pylint: disable=invalid-commit
        for company in self.env["res.company"].search([]):
            self._run_company(company, commit=True)
        self.env["account.move"]._cron_collections_plan()

    @api.model
    def action_run_now(self):
        """ "Run now" for the companies selected in the user's switcher."""
        self._review_commitments()
        runs = self.browse()
        for company in self.env.companies:
            runs |= self._run_company(company)
        self.env["account.move"]._collections_plan_companies(self.env.companies)
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.run",
            "view_mode": "list,form",
            "domain": [("id", "in", runs.ids)],
            "name": self.env._("Collections Runs"),
        }

    @api.model
    def _review_commitments(self):
        """Judge the promises, allocate the plans' payments and task the
        overdue disputes (each idempotent: a second review finds nothing)."""
        self.env["collection.promise"]._cron_review()
        self.env["collection.payment.plan"]._cron_review()
        self.env["collection.dispute"]._cron_review()

    @api.model
    def _company_today(self, company):
        """Today in the company's time zone (the day its customers live)."""
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        return datetime.now(tz).date()

    @api.model
    def _run_company(
        self,
        company,
        today=None,
        commit=False,
        batch_size=200,
        partners=None,
        force_lines=None,
    ):
        """Send the reminders due today in ``company``; return the run, or
        nothing when another run of the company is in progress.

        ``partners`` limits the run to these customers; ``force_lines``
        (receivable lines) take their next level today even before its day.

        What the run writes for the company's collectors (failure reasons,
        tasks, notes) is in the company's language; what it sends a
        customer is in the customer's.
        """
        self = self.with_company(company).with_context(
            lang=company.partner_id.lang or self.env.lang
        )
        today = today or self._company_today(company)
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", (RUN_LOCK, company.id))
        if not cr.fetchone()[0]:
            _logger.info("collections run of %s already in progress", company.name)
            return self.browse()
        try:
            run = self.create(
                {"company_id": company.id, "date": today, "user_id": self.env.uid}
            )
            if commit:
                # the cron keeps the run's record even if a batch fails later
                cr.commit()  # pylint: disable=invalid-commit
            run._execute(today, commit, batch_size, partners, force_lines)
            return run
        finally:
            cr.execute("SELECT pg_advisory_unlock(%s, %s)", (RUN_LOCK, company.id))

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    def _execute(self, today, commit, batch_size, partners=None, force_lines=None):
        self.ensure_one()
        company = self.company_id
        decisions, skipped, level_skips = self._plan(today, partners, force_lines)
        if level_skips:
            self._skip_levels(level_skips, today)
            if commit:
                # the skipped lines are at their new level: a new run does
                # not skip them again
                self.env.cr.commit()  # pylint: disable=invalid-commit
        done = self.env["collection.communication"].search_fetch(
            [("company_id", "=", company.id), ("date", "=", today)], ["partner_id"]
        )
        already = set(done.partner_id.ids)
        waiting = set(
            self.env["collection.communication"]
            .search([("company_id", "=", company.id), ("state", "=", "to_validate")])
            .partner_id.ids
        )
        todo = [
            (reminder, policy)
            for reminder, policy in decisions
            if reminder.partner not in already and reminder.partner not in waiting
        ]
        created = self.env["collection.communication"]
        for start in range(0, len(todo), batch_size):
            with self.env.cr.savepoint():
                created |= self._process(todo[start : start + batch_size], today)
            if commit:
                # a crash must not lose finished batches: each batch is whole
                # (its reminders, their sending and the levels they set) and a
                # new run skips what was sent today, so committing is safe
                self.env.cr.commit()  # pylint: disable=invalid-commit
        self.write(
            {
                "state": "done",
                "reminder_count": len(created),
                "skipped_count": len(skipped),
                "failed_count": len(created.filtered(lambda c: c.state == "failed")),
                "level_skip_count": len(level_skips),
                "log": "\n".join(
                    f"{self.env['res.partner'].browse(p).display_name}: {reason}"
                    for p, reason in sorted(skipped.items())
                )
                or False,
            }
        )
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _plan(self, today, partners=None, force_lines=None):
        """[(engine reminder, policy)] due today, {partner: why not}, and
        [(engine level skip, policy)], the levels not needed."""
        company = self.company_id
        aml = self.env["account.move.line"].with_company(company)
        only = (
            [("partner_id", "child_of", partners.commercial_partner_id.ids)]
            if partners
            else []
        )
        lines = aml.search_fetch(
            only
            + [
                ("company_id", "=", company.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
                ("partner_id", "!=", False),
            ],
            [
                "partner_id",
                "move_id",
                "date_maturity",
                "currency_id",
                "amount_residual",
                "amount_residual_currency",
                "collection_level_id",
                "collection_last_date",
            ],
        )
        moves = lines.move_id
        # read what the run needs of all the invoices at once, not by
        # prefetch batches of a thousand scanning every open invoice
        moves.fetch(
            ["move_type", "invoice_date_due", "company_id", "commercial_partner_id"]
            + ["collection_paused"]
        )
        paused = moves._collection_pause_reasons()
        disputed = moves._collection_disputed_amounts()
        instalments = self._plan_instalments(only)
        partners = (
            lines.partner_id.commercial_partner_id | instalments.partner_id
        ).with_company(company)
        policy_of = partners._collection_policies(company)
        by_policy = defaultdict(lambda: ([], []))
        # the undisputed part of an invoice is reminded: its latest due
        # lines carry the disputed amount first
        for line in lines.sorted(
            lambda line: line.date_maturity or line.date, reverse=True
        ):
            partner = line.partner_id.commercial_partner_id
            policy = policy_of.get(partner.id)
            if not policy or not policy.level_ids:
                continue
            due, credits = by_policy[policy]
            currency = line.currency_id.name
            if line.amount_residual > 0 and line.move_id.move_type == "out_invoice":
                residual = line.amount_residual_currency
                residual_company = line.amount_residual
                if disputed.get(line.move_id.id):
                    held = min(disputed[line.move_id.id], residual)
                    disputed[line.move_id.id] -= held
                    residual_company *= (residual - held) / residual
                    residual -= held
                    if line.currency_id.is_zero(residual):
                        continue
                due.append(
                    DueLine(
                        key=line.id,
                        partner=partner.id,
                        due_date=line.date_maturity or line.move_id.invoice_date_due,
                        currency=currency,
                        residual=residual,
                        residual_company=residual_company,
                        last_level=line.collection_level_id.id or None,
                        last_date=line.collection_last_date or None,
                        paused=paused.get(line.move_id.id),
                    )
                )
            elif line.amount_residual < 0:
                credits.append(
                    Credit(
                        key=line.id,
                        partner=partner.id,
                        currency=currency,
                        amount=-line.amount_residual_currency,
                        amount_company=-line.amount_residual,
                    )
                )
        for instalment in instalments:
            partner = instalment.partner_id
            policy = policy_of.get(partner.id)
            if not policy or not policy.level_ids:
                continue
            plan = instalment.plan_id
            left = instalment.amount - instalment.paid_amount
            by_policy[policy][0].append(
                DueLine(
                    # instalments are keyed by their negated id, apart from
                    # the receivable lines' ids
                    key=-instalment.id,
                    partner=partner.id,
                    due_date=instalment.due_date,
                    currency=plan.currency_id.name,
                    residual=left,
                    residual_company=plan.currency_id._convert(
                        left, company.currency_id, company, today
                    ),
                    last_level=instalment.collection_level_id.id or None,
                    last_date=instalment.collection_last_date or None,
                )
            )
        decisions, skipped, level_skips = [], {}, []
        force = frozenset(force_lines.ids if force_lines else ())
        paid_before = self._paid_before(
            {line.id: line.move_id.id for line in lines}, today
        )
        for policy, (due, credits) in by_policy.items():
            levels = [level._engine_level() for level in policy.level_ids]
            due, skips = skip_unneeded_levels(
                due,
                levels,
                today,
                policy.skip_probability / 100.0,
                paid_before,
                force=force,
            )
            level_skips += [(skip, policy) for skip in skips]
            reminders, policy_skipped = plan_reminders(
                due,
                credits,
                levels,
                today,
                min_amount=policy.min_amount,
                rounding=company.currency_id.decimal_places,
                force=force,
            )
            decisions += [(reminder, policy) for reminder in reminders]
            skipped.update(policy_skipped)
        return decisions, skipped, level_skips

    def _paid_before(self, move_of, today):
        """The engine's ``paid_before`` for the "no action needed" rule: the
        predicted chance that a due line's invoice is paid before a number
        of days after the line's due date, as known today. The company's
        history is read on the first call only (the rule is off by
        default). Instalments of payment plans are not predicted (None)."""
        loaded = []

        def paid_before(candidates):
            if not loaded:
                loaded.append(
                    self.env["collection.prediction"]._prediction_context(
                        self.company_id
                    )
                )
            predictor, invoices, history = loaded[0]
            chances = [None] * len(candidates)
            known, days = [], []
            for index, (line, after) in enumerate(candidates):
                invoice = invoices.get(move_of.get(line.key))
                if invoice is None or invoice.paid_date is not None:
                    continue
                known.append((index, invoice))
                # the next level's day counted from the invoice's due date;
                # paid before it: not paid more than a day before it
                days.append([(line.due_date - invoice.due_date).days + after - 1])
            if known:
                after = predictor.probabilities_after(
                    [invoice for _index, invoice in known], history, days, today
                )
                for (index, _invoice), unpaid in zip(known, after[:, 0], strict=True):
                    chances[index] = 1.0 - float(unpaid)
            return chances

        return paid_before

    def _skip_levels(self, level_skips, today):
        """Move the skipped lines to the level they skipped and log each
        skip with its chance."""
        lines = self.env["account.move.line"].browse(
            [skip.key for skip, _policy in level_skips]
        )
        by_level = defaultdict(lambda: self.env["account.move.line"])
        for (skip, _policy), line in zip(level_skips, lines, strict=True):
            by_level[skip.level] |= line
        for level_id, records in by_level.items():
            records.write({"collection_level_id": level_id})
        self.env["collection.level.skip"].create(
            [
                {
                    "run_id": self.id,
                    "company_id": self.company_id.id,
                    "date": today,
                    "partner_id": skip.partner,
                    "move_id": line.move_id.id,
                    "move_line_id": line.id,
                    "date_maturity": line.date_maturity,
                    "level_id": skip.level,
                    "next_level_id": skip.next_level,
                    "probability": round(skip.probability * 100, 1),
                    "threshold": policy.skip_probability,
                }
                for (skip, policy), line in zip(level_skips, lines, strict=True)
            ]
        )
        lines.move_id._collection_plan(today)

    def _plan_instalments(self, only):
        """The unpaid instalments of the company's active payment plans."""
        return self.env["collection.payment.plan.line"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("plan_id.state", "=", "active"),
                ("state", "in", ("pending", "missed")),
            ]
            + only
        )

    def _process(self, batch, today):
        """Create, send and log the communications of a batch of partners."""
        # the run's reminders are made and sent at once: no "created" note
        # and no "Draft > Sent" tracking on each; what went out is on their
        # chatter, and on the customer's and the invoices'
        Comm = self.env["collection.communication"].with_context(tracking_disable=True)
        Partner = self.env["res.partner"]
        Level = self.env["collection.policy.level"]
        currency_ids = {
            currency.name: currency.id
            for currency in self.env["res.currency"]
            .with_context(active_test=False)
            .search([])
        }
        # browse the batch at once, so that reads are prefetched together
        partners = Partner.browse([reminder.partner for reminder, _p in batch])
        levels = Level.browse([reminder.level for reminder, _p in batch])
        vals_list = []
        for (reminder, _policy), partner, level in zip(
            batch, partners, levels, strict=True
        ):
            recipient, source = partner._collection_recipient()
            lines = [
                (
                    0,
                    0,
                    {
                        "kind": "due",
                        "move_line_id": line.key if line.key > 0 else False,
                        "plan_line_id": -line.key if line.key < 0 else False,
                        "date_maturity": line.due_date,
                        "currency_id": currency_ids[line.currency],
                        "amount_residual_currency": line.residual,
                        "is_triggered": line.key in reminder.triggered,
                        "level_id": reminder.triggered.get(line.key),
                        "days_overdue": (today - line.due_date).days,
                    },
                )
                for line in reminder.lines
            ] + [
                (
                    0,
                    0,
                    {
                        "kind": "credit",
                        "move_line_id": credit.key,
                        "currency_id": currency_ids[credit.currency],
                        "amount_residual_currency": credit.amount,
                    },
                )
                for credit in reminder.credits
            ]
            for channel in level._channels():
                vals_list.append(
                    {
                        "run_id": self.id,
                        "company_id": self.company_id.id,
                        "partner_id": partner.id,
                        "recipient_id": recipient.id,
                        "recipient_source": source,
                        "level_id": level.id,
                        "channel": channel,
                        "date": today,
                        "state": "to_validate" if level.needs_validation else "draft",
                        "amount_due": reminder.net_company,
                        "line_ids": lines,
                    }
                )
        comms = Comm.create(vals_list)
        to_send = comms.filtered(lambda comm: comm.state == "draft")
        to_send._send()
        to_send._advance_levels()
        to_send._log_on_documents()
        comms.filtered(lambda comm: comm.state == "to_validate")._ask_validation()
        return comms
