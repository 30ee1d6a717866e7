from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_promise_grace_days = fields.Integer(
        related="company_id.collection_promise_grace_days", readonly=False
    )
    collection_max_broken_promises = fields.Integer(
        related="company_id.collection_max_broken_promises", readonly=False
    )
    collection_remind_undisputed = fields.Boolean(
        related="company_id.collection_remind_undisputed", readonly=False
    )
    collection_plan_approval_limit = fields.Monetary(
        related="company_id.collection_plan_approval_limit", readonly=False
    )
    collection_plan_grace_days = fields.Integer(
        related="company_id.collection_plan_grace_days", readonly=False
    )
    collection_prediction_min_history = fields.Integer(
        related="company_id.collection_prediction_min_history", readonly=False
    )
    collection_prediction_id = fields.Many2one(
        related="company_id.collection_prediction_id"
    )
    collection_prediction_state = fields.Selection(
        related="collection_prediction_id.state"
    )
    collection_prediction_reason = fields.Selection(
        related="collection_prediction_id.reason"
    )
    collection_prediction_date = fields.Datetime(
        related="collection_prediction_id.date"
    )
    collection_prediction_model_mae = fields.Float(
        related="collection_prediction_id.model_mae_days"
    )
    collection_prediction_median_mae = fields.Float(
        related="collection_prediction_id.median_baseline_mae_days"
    )
    collection_prediction_due_mae = fields.Float(
        related="collection_prediction_id.due_date_baseline_mae_days"
    )
    collection_prediction_late_accuracy = fields.Float(
        related="collection_prediction_id.late_accuracy"
    )

    def action_collection_prediction_train(self):
        """Learn the company's payment-date model now and show its figures."""
        self.ensure_one()
        self.env["collection.prediction"]._train(self.company_id)
        return {"type": "ir.actions.client", "tag": "reload"}

    collection_weight_amount = fields.Float(
        related="company_id.collection_weight_amount", readonly=False
    )
    collection_weight_days = fields.Float(
        related="company_id.collection_weight_days", readonly=False
    )
    collection_weight_risk = fields.Float(
        related="company_id.collection_weight_risk", readonly=False
    )
    collection_weight_broken = fields.Float(
        related="company_id.collection_weight_broken", readonly=False
    )
    collection_weight_late = fields.Float(
        related="company_id.collection_weight_late", readonly=False
    )
    collection_weight_amount_scale = fields.Monetary(
        related="company_id.collection_weight_amount_scale", readonly=False
    )
