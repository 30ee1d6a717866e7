from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression


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

    skip_probability = fields.Float(
        string="No Action Needed From (%)",
        default=0.0,
        tracking=True,
        help="A level is not sent for an invoice whose predicted chance of "
        "being paid before the next level is at least this share; the invoice "
        "moves on to the next level, and the skip is logged with the chance. "
        "0 turns the rule off: every level is sent. The last level is always "
        "sent.",
    )

    # What a customer may commit to (promises, payment plans).
    promise_max_days = fields.Integer(
        string="Promise At Most (days)",
        default=30,
        tracking=True,
        help="How far from today a promise to pay may be; 0 for no limit.",
    )
    promise_min_share = fields.Float(
        string="Promise Covers At Least (%)",
        default=50.0,
        tracking=True,
        help="The smallest share of the amount due that a promise must cover.",
    )
    plan_max_instalments = fields.Integer(
        string="Payment Plan At Most (instalments)",
        default=12,
        tracking=True,
        help="The largest number of instalments of a payment plan; 0 for no limit.",
    )

    # Assignment rules: a customer without a policy of its own follows the
    # first policy (by sequence) whose rules all match it, else the default.
    category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Customers with any of these tags (a segment, for instance).",
    )
    country_ids = fields.Many2many("res.country", string="Countries")
    lang_ids = fields.Many2many("res.lang", string="Languages")
    partner_domain = fields.Char(
        string="Other Conditions",
        help="Any further condition on the customer, as a domain.",
    )
    has_rules = fields.Boolean(compute="_compute_has_rules", store=True)

    @api.depends("category_ids", "country_ids", "lang_ids", "partner_domain")
    def _compute_has_rules(self):
        for policy in self:
            policy.has_rules = bool(
                policy.category_ids
                or policy.country_ids
                or policy.lang_ids
                or (policy.partner_domain and policy.partner_domain != "[]")
            )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for policy in self.filtered("partner_domain"):
            try:
                self.env["res.partner"].search_count(policy._rule_domain(), limit=1)
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "The conditions of policy %(policy)s are not a valid "
                        "domain: %(error)s",
                        policy=policy.name,
                        error=exc,
                    )
                ) from exc

    def _rule_domain(self):
        """The customers this policy's rules select, as a domain."""
        self.ensure_one()
        parts = []
        if self.category_ids:
            parts.append([("category_id", "in", self.category_ids.ids)])
        if self.country_ids:
            parts.append([("country_id", "in", self.country_ids.ids)])
        if self.lang_ids:
            parts.append([("lang", "in", self.lang_ids.mapped("code"))])
        if self.partner_domain:
            parts.append(literal_eval(self.partner_domain))
        return expression.AND(parts) if parts else []

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

    @api.constrains("skip_probability")
    def _check_skip_probability(self):
        for policy in self:
            if not 0 <= policy.skip_probability <= 100:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the chance from which no action is "
                        "needed is a share from 0 to 100%% (0: every level is "
                        "sent).",
                        policy=policy.name,
                    )
                )

    @api.constrains("promise_max_days", "promise_min_share", "plan_max_instalments")
    def _check_commitment_limits(self):
        for policy in self:
            if (
                policy.promise_max_days < 0
                or policy.plan_max_instalments < 0
                or not 0 <= policy.promise_min_share <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: the limits of promises and plans are "
                        "days and instalments of 0 or more, and a share from 0 to "
                        "100%%.",
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
