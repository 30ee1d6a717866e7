import base64
import io
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import prediction


class CollectionPredictionBacktest(models.TransientModel):
    """Try the payment-date model on a history of one's own before going
    live: the CSV file is read in memory, learnt and measured as the weekly
    training would, and nothing of it is stored (a sandbox)."""

    _name = "collection.prediction.backtest"
    _description = "Backtest the Payment-Date Model on a History"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    history_file = fields.Binary(string="History (CSV)", required=True)
    history_filename = fields.Char()
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")
    invoice_count = fields.Integer(string="Invoices Read", readonly=True)
    paid_count = fields.Integer(string="Paid Invoices", readonly=True)
    train_count = fields.Integer(string="Learnt On", readonly=True)
    holdout_count = fields.Integer(string="Measured On", readonly=True)
    result = fields.Selection(
        [
            (prediction.MODEL, "The model beats the customer median"),
            (prediction.BASELINE_BETTER, "The customer median does as well"),
            (prediction.TOO_LITTLE_HISTORY, "Too little history"),
        ],
        readonly=True,
    )
    model_mae_days = fields.Float(
        string="Model Error (days)", digits=(16, 2), readonly=True
    )
    median_baseline_mae_days = fields.Float(
        string="Customer Median Error (days)", digits=(16, 2), readonly=True
    )
    due_date_baseline_mae_days = fields.Float(
        string="Due Date Error (days)", digits=(16, 2), readonly=True
    )
    improvement = fields.Float(
        string="Model Better Than Median By (%)", digits=(16, 1), readonly=True
    )
    late_accuracy = fields.Float(
        string="Late/On Time Accuracy (%)", digits=(16, 1), readonly=True
    )
    duration = fields.Float(string="Learning Time (s)", digits=(16, 1), readonly=True)
    summary = fields.Text(readonly=True)

    @api.model
    def _history_error(self, error):
        """``error`` (a prediction.HistoryError) in the user's language."""
        _ = self.env._
        templates = {
            "date": _(
                "Line %(line)s: %(column)s %(value)r is not a date; write it "
                "YYYY-MM-DD or M/D/YYYY."
            ),
            "empty_cell": _("Line %(line)s: %(column)s is empty; fill it in."),
            "amount": _(
                "Line %(line)s: amount %(value)r is not a positive number; write "
                "it like 1234.56."
            ),
            "disputed": _(
                "Line %(line)s: disputed %(value)r is not yes or no; write yes, "
                "no, true, false, 1 or 0."
            ),
            "date_order": _(
                "Line %(line)s: due_date %(due)s is before invoice_date "
                "%(issued)s; check the order of the columns."
            ),
            "encoding": _(
                "The file is not UTF-8 text (byte %(position)s); save it as CSV UTF-8."
            ),
            "empty": _("The file is empty; it needs a header line and invoices."),
            "header": _(
                "Line 1: the header lacks %(missing)s; it must name %(columns)s."
            ),
            "row_length": _(
                "Line %(line)s: %(count)s values where the header names "
                "%(expected)s; check the separators (commas) and quotes."
            ),
            "duplicate": _(
                "Line %(line)s: invoice %(invoice)s is already on line "
                "%(first)s; keep one line per invoice."
            ),
        }
        template = templates.get(error.code)
        return template % error.params if template else str(error)

    def action_run(self):
        self.ensure_one()
        raw = base64.b64decode(self.history_file or b"")
        try:
            invoices = prediction.read_history_csv(
                io.BytesIO(raw), self.company_id.currency_id.name
            )
        except prediction.HistoryError as error:
            raise UserError(self._history_error(error)) from None
        if not invoices:
            raise UserError(self.env._("The file holds no invoice."))
        started = time.monotonic()
        _model, figures, reason = prediction.train_and_evaluate(
            invoices,
            self.company_id.currency_id.name,
            min_history=self.company_id.collection_prediction_min_history,
        )
        model_mae = figures["model_mae_days"] or 0.0
        median_mae = figures["median_baseline_mae_days"] or 0.0
        values = {
            "state": "done",
            "invoice_count": len(invoices),
            "paid_count": sum(1 for inv in invoices if inv.paid_date is not None),
            "train_count": figures["train_count"],
            "holdout_count": figures["holdout_count"],
            "result": reason,
            "model_mae_days": model_mae,
            "median_baseline_mae_days": median_mae,
            "due_date_baseline_mae_days": figures["due_date_baseline_mae_days"] or 0.0,
            "improvement": (1 - model_mae / median_mae) * 100
            if reason != prediction.TOO_LITTLE_HISTORY and median_mae
            else 0.0,
            "late_accuracy": (figures["late_accuracy"] or 0.0) * 100,
            "duration": time.monotonic() - started,
        }
        values["summary"] = self._summary(values)
        self.write(values)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _summary(self, values):
        if values["result"] == prediction.TOO_LITTLE_HISTORY:
            return self.env._(
                "%(paid)s paid invoices: too few to learn from (at least "
                "%(minimum)s are needed). Predictions would use each customer's "
                "median delay.",
                paid=values["paid_count"],
                minimum=max(
                    self.company_id.collection_prediction_min_history,
                    prediction.MIN_TRAIN,
                ),
            )
        if values["result"] == prediction.BASELINE_BETTER:
            return self.env._(
                "On the newest %(holdout)s paid invoices, the model misses the "
                "payment date by %(model).1f days on average and the customer's "
                "median delay by %(median).1f days: the median would be used.",
                holdout=values["holdout_count"],
                model=values["model_mae_days"],
                median=values["median_baseline_mae_days"],
            )
        return self.env._(
            "On the newest %(holdout)s paid invoices, the model misses the "
            "payment date by %(model).1f days on average, %(better).0f%% less "
            "than the customer's median delay (%(median).1f days) and the due "
            "date (%(due).1f days): the model would be used.",
            holdout=values["holdout_count"],
            model=values["model_mae_days"],
            better=values["improvement"],
            median=values["median_baseline_mae_days"],
            due=values["due_date_baseline_mae_days"],
        )
