from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cash_match_auto_threshold = fields.Float(
        related="company_id.cash_match_auto_threshold", readonly=False
    )
    cash_match_writeoff_amount = fields.Monetary(
        related="company_id.cash_match_writeoff_amount",
        readonly=False,
        currency_field="currency_id",
    )
    cash_match_writeoff_percent = fields.Float(
        related="company_id.cash_match_writeoff_percent", readonly=False
    )
    cash_match_writeoff_account_id = fields.Many2one(
        related="company_id.cash_match_writeoff_account_id", readonly=False
    )
    cash_match_learning_state = fields.Selection(
        related="company_id.cash_match_learning_state"
    )
    cash_match_learning_date = fields.Datetime(
        related="company_id.cash_match_learning_date"
    )
    cash_match_learning_samples = fields.Integer(
        related="company_id.cash_match_learning_samples"
    )
    cash_match_learning_default_score = fields.Float(
        related="company_id.cash_match_learning_default_score"
    )
    cash_match_learning_learned_score = fields.Float(
        related="company_id.cash_match_learning_learned_score"
    )

    def action_cash_match_learn(self):
        self.ensure_one()
        self.env["cash.match.proposal"]._cash_match_learn(self.company_id)
        return {"type": "ir.actions.client", "tag": "reload"}
