from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.levels import Level


class CollectionPolicyLevel(models.Model):
    _name = "collection.policy.level"
    _description = "Dunning Level"
    _order = "policy_id, trigger_days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "collection.policy",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    trigger_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="Days after the due date from which this level is sent. A "
        "negative number sends a courtesy reminder before the due date.",
    )
    min_days_since_previous = fields.Integer(
        string="Days Since Previous Reminder",
        default=7,
        help="This level waits at least this many days after the previous "
        "reminder of the same invoice.",
    )
    is_courtesy = fields.Boolean(compute="_compute_is_courtesy")

    _sql_constraints = [
        (
            "trigger_days_uniq",
            "unique(policy_id, trigger_days)",
            "Two levels of one policy cannot start on the same day.",
        ),
    ]

    @api.depends("trigger_days")
    def _compute_is_courtesy(self):
        for level in self:
            level.is_courtesy = level.trigger_days < 0

    @api.constrains("min_days_since_previous")
    def _check_min_days_since_previous(self):
        for level in self:
            if level.min_days_since_previous < 0:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: the days since the previous reminder "
                        "cannot be negative.",
                        level=level.name,
                    )
                )

    def _engine_level(self):
        """The engine's view of this level."""
        self.ensure_one()
        return Level(
            key=self.id,
            trigger_days=self.trigger_days,
            min_days_since_previous=self.min_days_since_previous,
        )
