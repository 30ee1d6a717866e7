from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionPolicy(models.Model):
    _name = "collection.policy"
    _description = "Dunning Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    is_default = fields.Boolean(
        string="Default Policy",
        tracking=True,
        help="Customers of this company without a policy of their own follow "
        "the default policy.",
    )
    level_ids = fields.One2many(
        "collection.policy.level", "policy_id", string="Levels", copy=True
    )
    level_count = fields.Integer(compute="_compute_level_count")
    min_amount = fields.Monetary(
        string="Minimum Amount",
        currency_field="currency_id",
        tracking=True,
        help="No reminder is sent to a customer whose amount due, in the "
        "company's currency, is below this amount.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.constrains("min_amount")
    def _check_min_amount(self):
        for policy in self:
            if policy.min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum amount of policy %(policy)s cannot be negative.",
                        policy=policy.name,
                    )
                )

    @api.constrains("is_default", "active", "company_id")
    def _check_one_default(self):
        for company in self.filtered("is_default").company_id:
            defaults = self.search(
                [("company_id", "=", company.id), ("is_default", "=", True)]
            )
            if len(defaults) > 1:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s has several default policies "
                        "(%(policies)s). Keep only one.",
                        company=company.name,
                        policies=", ".join(defaults.mapped("name")),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_default"):
                self._unset_defaults(vals.get("company_id") or self.env.company.id)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_default"):
            for company in self.company_id:
                self._unset_defaults(company.id, keep=self)
        return super().write(vals)

    def _unset_defaults(self, company_id, keep=None):
        """Making a policy the default takes the flag from the previous one."""
        previous = self.search(
            [("company_id", "=", company_id), ("is_default", "=", True)]
        )
        if keep:
            previous -= keep
        if previous:
            previous.is_default = False
