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
