from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    cash_match_auto_threshold = fields.Float(
        string="Automatic Reconciliation Threshold",
        default=0.95,
        help="A bank line is reconciled without review when its best match is "
        "at least this confident (between 0.5 and 1). Lower values reconcile "
        "more lines automatically and make more mistakes.",
    )
    cash_match_writeoff_amount = fields.Monetary(
        string="Write-off Tolerance",
        currency_field="currency_id",
        default=5.0,
        help="Largest difference (in the company's currency) between a payment "
        "and the invoices it pays that is written off when the payment is "
        "matched, for bank fees deducted by the payer.",
    )
    cash_match_writeoff_percent = fields.Float(
        string="Write-off Tolerance (%)",
        default=1.0,
        help="The difference written off is also at most this share of the payment.",
    )
    cash_match_writeoff_account_id = fields.Many2one(
        "account.account",
        string="Write-off Account",
        check_company=True,
        # filled from the chart of accounts (its cash discount loss account)
        # when the add-on is installed or a chart is loaded later
        compute="_compute_cash_match_writeoff_account_id",
        store=True,
        readonly=False,
        # as Odoo's cash discount accounts (a list: the setting inherits it)
        domain=[
            ("deprecated", "=", False),
            ("account_type", "in", ("expense", "income", "income_other")),
        ],
        help="Account of the small differences written off when a payment is "
        "matched. Without it, the cash discount loss account is used.",
    )
    cash_match_weights = fields.Json(
        string="Learned Signal Weights",
        copy=False,
        help="Weights of the matching signals learned from the decisions on "
        "this company's proposals (plain numbers, no executable content).",
    )
    cash_match_learning_date = fields.Datetime(string="Last Learning", copy=False)
    cash_match_learning_samples = fields.Integer(
        string="Decisions Learned From", copy=False
    )
    cash_match_learning_default_score = fields.Float(
        string="Precision Before Learning", copy=False, digits=(16, 4)
    )
    cash_match_learning_learned_score = fields.Float(
        string="Precision After Learning", copy=False, digits=(16, 4)
    )
    cash_match_learning_state = fields.Selection(
        [
            ("none", "Not trained yet"),
            ("too_few", "Too few decisions"),
            ("one_kind", "Decisions all accepted or all rejected: defaults in use"),
            ("not_better", "Learned weights not better: defaults in use"),
            ("used", "Learned weights in use"),
        ],
        string="Learning",
        default="none",
        copy=False,
    )

    @api.depends("account_journal_early_pay_discount_loss_account_id")
    def _compute_cash_match_writeoff_account_id(self):
        # only an empty setting is filled: a chosen account stays
        for company in self:
            if not company.cash_match_writeoff_account_id:
                company.cash_match_writeoff_account_id = (
                    company.account_journal_early_pay_discount_loss_account_id
                )

    @api.constrains("cash_match_auto_threshold")
    def _check_cash_match_auto_threshold(self):
        for company in self:
            if not 0.5 <= company.cash_match_auto_threshold <= 1:
                raise ValidationError(
                    self.env._(
                        "The automatic reconciliation threshold of %(company)s "
                        "must lie between 0.5 and 1 (it is %(value)s).",
                        company=company.name,
                        value=company.cash_match_auto_threshold,
                    )
                )

    @api.constrains("cash_match_writeoff_amount", "cash_match_writeoff_percent")
    def _check_cash_match_writeoff(self):
        for company in self:
            if (
                company.cash_match_writeoff_amount < 0
                or not 0 <= company.cash_match_writeoff_percent <= 10
            ):
                raise ValidationError(
                    self.env._(
                        "The write-off tolerance of %(company)s must be a "
                        "positive amount and a share between 0 and 10 %%.",
                        company=company.name,
                    )
                )

    def _cash_match_writeoff_account(self):
        """The account small differences are written off to."""
        self.ensure_one()
        return (
            self.cash_match_writeoff_account_id
            or self.account_journal_early_pay_discount_loss_account_id
        )
