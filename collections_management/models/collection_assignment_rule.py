from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import worklist as engine


class CollectionAssignmentRule(models.Model):
    """Which collector follows which customers: the first rule (by
    sequence) whose criteria the customer meets gives its collector."""

    _name = "collection.assignment.rule"
    _description = "Collector Assignment Rule"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        domain="[('share', '=', False)]",
    )
    country_ids = fields.Many2many("res.country", string="Countries")
    lang_ids = fields.Many2many("res.lang", string="Languages")
    category_ids = fields.Many2many(
        "res.partner.category", string="Segments", help="Customer tags."
    )
    min_amount = fields.Monetary(
        string="Open Amount From",
        currency_field="currency_id",
        help="Included; company currency.",
    )
    max_amount = fields.Monetary(
        string="Open Amount Below", currency_field="currency_id", help="0: no bound."
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.constrains("min_amount", "max_amount")
    def _check_band(self):
        for rule in self:
            if rule.max_amount and rule.max_amount <= rule.min_amount:
                raise ValidationError(
                    self.env._(
                        "The open-amount band of a rule must end above its start."
                    )
                )

    def _engine_rule(self):
        self.ensure_one()
        return engine.Rule(
            sequence=self.sequence,
            collector=self.user_id.id,
            countries=frozenset(self.country_ids.ids) or None,
            languages=frozenset(self.lang_ids.mapped("code")) or None,
            segments=frozenset(self.category_ids.ids) or None,
            min_amount=self.min_amount or None,
            max_amount=self.max_amount or None,
        )
