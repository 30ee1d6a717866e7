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
