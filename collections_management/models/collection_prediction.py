import logging
import time

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..engine import prediction

_logger = logging.getLogger(__name__)


class CollectionPrediction(models.Model):
    """One training of a company's payment-date model: its figures on the
    newest paid invoices beside the two baselines, and the model itself
    (JSON numbers with their checksum, never a pickle). The newest training
    of a company is the one in use."""

    _name = "collection.prediction"
    _description = "Payment-Date Model"
    _order = "date desc, id desc"
    _rec_name = "date"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    date = fields.Datetime(string="Trained On", required=True, readonly=True)
    state = fields.Selection(
        [("model", "Model"), ("baseline", "Customer Median")],
        string="Predictions By",
        required=True,
        readonly=True,
        help="The model is used only when it beats the customer's median "
        "delay on the newest paid invoices.",
    )
    reason = fields.Selection(
        [
            (prediction.MODEL, "The model beats the customer median"),
            (prediction.BASELINE_BETTER, "The customer median does as well"),
            (prediction.TOO_LITTLE_HISTORY, "Too little history"),
        ],
        required=True,
        readonly=True,
    )
    train_count = fields.Integer(string="Trained On (invoices)", readonly=True)
    holdout_count = fields.Integer(string="Measured On (invoices)", readonly=True)
    model_mae_days = fields.Float(
        string="Model Error (days)",
        digits=(16, 2),
        readonly=True,
        help="Mean absolute error of the predicted payment date on the newest "
        "paid invoices, not used for training.",
    )
    median_baseline_mae_days = fields.Float(
        string="Customer Median Error (days)",
        digits=(16, 2),
        readonly=True,
        help="The same error when each invoice is expected the customer's "
        "median delay after its due date.",
    )
    due_date_baseline_mae_days = fields.Float(
        string="Due Date Error (days)",
        digits=(16, 2),
        readonly=True,
        help="The same error when each invoice is expected on its due date.",
    )
    late_accuracy = fields.Float(
        string="Late/On Time Accuracy (%)",
        digits=(16, 2),
        readonly=True,
        help="Share of the newest paid invoices rightly predicted paid late or "
        "on time.",
    )
    duration = fields.Float(string="Training Time (s)", digits=(16, 1), readonly=True)
    payload = fields.Text(
        string="Stored Model",
        readonly=True,
        groups="base.group_system",
        help="The model's numbers and their checksum, verified before use.",
    )

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------

    @api.model
    def _cron_train(self, commit=True):
        for company in self.env["res.company"].search([]):
            self._train(company)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_predict(self, commit=True):
        """Daily: the open invoices of every company get their predictions
        from the model in use (learning is weekly)."""
        for company in self.env["res.company"].search([]):
            self._refresh(company)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _refresh(self, company):
        """Predict the open invoices of ``company`` with its model in use."""
        self._predict(company, self._invoices(company), self._current_model(company))

    @api.model
    def _train(self, company):
        """Learn ``company``'s model on its invoices, measure it, keep the
        training and predict its open invoices. Returns the training."""
        started = time.monotonic()
        invoices = self._invoices(company)
        model, figures, reason = prediction.train_and_evaluate(
            invoices.values(),
            company.currency_id.name,
            min_history=company.collection_prediction_min_history,
        )
        # sudo: the stored model is readable by administrators only; the
        # training is the system's, whoever asked for it
        training = (
            self.sudo()
            .create(
                {
                    "company_id": company.id,
                    "date": fields.Datetime.now(),
                    "state": "model" if model else "baseline",
                    "reason": reason,
                    "train_count": figures["train_count"],
                    "holdout_count": figures["holdout_count"],
                    "model_mae_days": figures["model_mae_days"] or 0.0,
                    "median_baseline_mae_days": figures["median_baseline_mae_days"]
                    or 0.0,
                    "due_date_baseline_mae_days": figures["due_date_baseline_mae_days"]
                    or 0.0,
                    "late_accuracy": (figures["late_accuracy"] or 0.0) * 100,
                    "duration": time.monotonic() - started,
                    "payload": model.to_json() if model else False,
                }
            )
            .sudo(False)
        )
        self._predict(company, invoices, model)
        return training

    @api.model
    def _current_model(self, company):
        """The model in use for ``company`` (None: the customer median),
        its checksum verified."""
        # sudo: reading the stored model is the system's (administrators
        # only may see it on screen)
        training = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not training.payload:
            return None
        try:
            return prediction.Model.from_json(training.payload)
        except ValueError as error:
            _logger.warning(
                "payment-date model %s of %s refused (%s): the customer median is used",
                training.id,
                company.name,
                error,
            )
            return None

    @api.model
    def _invoices(self, company):
        """``{move id: prediction.Invoice}``: the posted customer invoices of
        ``company`` (amounts in its currency), paid on the day the last
        payment settled them; with the customer's promises judged broken
        before each invoice's date, and how the customer is reached (portal
        user, email, else letters)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH settled AS (
                    SELECT line.move_id, MAX(part.max_date) AS paid_date
                      FROM account_move_line line
                      JOIN account_partial_reconcile part
                        ON part.debit_move_id = line.id
                     WHERE line.company_id = %(company)s
                       AND line.display_type = 'payment_term'
                     GROUP BY line.move_id
                ), reminded AS (
                    SELECT move_id, COUNT(*) AS reminders
                      FROM collection_communication_line
                     WHERE move_id IS NOT NULL
                     GROUP BY move_id
                ), broken AS (
                    SELECT partner_id, judged_date
                      FROM collection_promise
                     WHERE company_id = %(company)s
                       AND state = 'broken'
                       AND judged_date IS NOT NULL
                ), portal AS (
                    SELECT DISTINCT contact.commercial_partner_id AS partner_id
                      FROM res_users users
                      JOIN res_partner contact ON contact.id = users.partner_id
                     WHERE users.share AND users.active
                )
                SELECT move.id,
                       move.commercial_partner_id,
                       move.invoice_date,
                       COALESCE(move.invoice_date_due, move.invoice_date),
                       move.amount_total_signed,
                       currency.name,
                       CASE WHEN move.payment_state IN ('paid', 'in_payment')
                            THEN settled.paid_date END,
                       EXISTS (
                           SELECT 1 FROM account_move_collection_dispute_rel rel
                            WHERE rel.account_move_id = move.id
                       ),
                       COALESCE(reminded.reminders, 0),
                       (SELECT COUNT(*) FROM broken
                         WHERE broken.partner_id = move.commercial_partner_id
                           AND broken.judged_date < move.invoice_date),
                       CASE WHEN portal.partner_id IS NOT NULL THEN 'portal'
                            WHEN COALESCE(customer.email, '') != '' THEN 'email'
                            ELSE 'letter' END
                  FROM account_move move
                  JOIN res_currency currency ON currency.id = move.currency_id
                  JOIN res_partner customer ON customer.id = move.commercial_partner_id
                  LEFT JOIN settled ON settled.move_id = move.id
                  LEFT JOIN reminded ON reminded.move_id = move.id
                  LEFT JOIN portal ON portal.partner_id = move.commercial_partner_id
                 WHERE move.company_id = %(company)s
                   AND move.move_type = 'out_invoice'
                   AND move.state = 'posted'
                   AND move.invoice_date IS NOT NULL
                   AND move.payment_state IN ('not_paid', 'partial', 'paid',
                                              'in_payment')
                """,
                company=company.id,
            )
        )
        return {
            row[0]: prediction.Invoice(
                id=row[0],
                customer=row[1],
                invoice_date=row[2],
                due_date=row[3],
                amount=row[4],
                currency=row[5],
                paid_date=row[6],
                disputed=row[7],
                reminders=row[8],
                broken_promises_before=row[9],
                channel=row[10],
            )
            for row in self.env.cr.fetchall()
        }

    @api.model
    def _prediction_context(self, company):
        """``(predictor, {move id: prediction.Invoice}, history)`` of
        ``company``, for predictions outside a training."""
        invoices = self._invoices(company)
        predictor = self._current_model(company) or prediction.MedianBaseline()
        return predictor, invoices, prediction.History(invoices.values())

    @api.model
    def _predict(self, company, invoices, model):
        """Store on each open invoice of ``company`` its expected payment
        date, its probability of being paid late and, for each level of its
        dunning policy, its probability of being still unpaid on that
        level's day (as of today)."""
        history = prediction.History(invoices.values())
        predictor = model or prediction.MedianBaseline()
        open_invoices = [inv for inv in invoices.values() if inv.paid_date is None]
        self._predict_levels(company, open_invoices, predictor, history)
        if not open_invoices:
            return
        predicted = predictor.predict_many(open_invoices, history)
        today = fields.Date.context_today(self.with_company(company))
        rows = []
        for invoice, days, p_late in zip(
            open_invoices, predicted["days"], predicted["p_late"], strict=True
        ):
            expected, p_late = prediction.open_expectation(invoice, days, p_late, today)
            rows.append((invoice.id, expected, round(p_late * 100, 2)))
        # Plain SQL: two stored fields of ours, on up to 100,000 open
        # invoices, that nothing depends on; account.move's write would run
        # its accounting checks and tracking on each one.
        for batch in split_every(1000, rows):
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE account_move move
                       SET collection_expected_date = predicted.expected,
                           collection_late_probability = predicted.p_late
                      FROM (VALUES %s) AS predicted (id, expected, p_late)
                     WHERE move.id = predicted.id
                    """,
                    SQL(", ").join(
                        SQL("(%s, %s::date, %s::numeric)", *row) for row in batch
                    ),
                )
            )
        self.env["account.move"].invalidate_model(
            ["collection_expected_date", "collection_late_probability"]
        )

    @api.model
    def _predict_levels(self, company, open_invoices, predictor, history):
        """Rewrite the per-level probabilities of ``company``'s open
        invoices."""
        today = fields.Date.context_today(self.with_company(company))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM collection_level_probability WHERE company_id = %s",
                company.id,
            )
        )
        self.env["collection.level.probability"].invalidate_model()
        if not open_invoices:
            return
        partners = self.env["res.partner"].browse(
            sorted({inv.customer for inv in open_invoices})
        )
        policy_of = partners._collection_policies(company)
        by_policy = {}
        for invoice in open_invoices:
            policy = policy_of.get(invoice.customer)
            if policy and policy.level_ids:
                by_policy.setdefault(policy, []).append(invoice)
        rows = []
        for policy, invoices in by_policy.items():
            levels = policy.level_ids.sorted(lambda lv: (lv.trigger_days, lv.id))
            # unpaid on the level's day: paid more than (trigger - 1) days
            # after the due date
            days = [[level.trigger_days - 1 for level in levels]] * len(invoices)
            chances = predictor.probabilities_after(invoices, history, days, today)
            for invoice, row in zip(invoices, chances, strict=True):
                rows += [
                    (invoice.id, level.id, level.trigger_days, round(float(p) * 100, 2))
                    for level, p in zip(levels, row, strict=True)
                ]
        # Plain SQL: up to 100,000 open invoices times their levels, rows of
        # ours that nothing computes from; the ORM's create would take minutes.
        for batch in split_every(5000, rows):
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO collection_level_probability
                           (move_id, company_id, level_id, days_after_due,
                            probability, predicted_on, create_uid, create_date,
                            write_uid, write_date)
                    SELECT chance.move_id, %(company)s, chance.level_id,
                           chance.days, chance.probability, %(today)s,
                           %(uid)s, NOW() AT TIME ZONE 'UTC',
                           %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM (VALUES %(values)s)
                           AS chance (move_id, level_id, days, probability)
                    """,
                    company=company.id,
                    today=today,
                    uid=self.env.uid,
                    values=SQL(", ").join(
                        SQL("(%s, %s, %s, %s::numeric)", *row) for row in batch
                    ),
                )
            )
