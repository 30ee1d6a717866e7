from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to follow the company's default policy.",
    )
    collector_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="The user who follows up this customer's invoices.",
    )
    collection_excluded = fields.Boolean(
        string="Excluded from Follow-up",
        company_dependent=True,
        help="No automatic reminder is planned for this customer.",
    )

    def _collection_policy(self, company):
        """The policy that applies to this customer in ``company``."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)
        return partner.collection_policy_id or self.env["collection.policy"].search(
            [("company_id", "=", company.id), ("is_default", "=", True)],
            limit=1,
        )

    def _collections_open_balance(self, today):
        """Amounts this customer owes, per currency: ``{currency: (due,
        overdue)}``, credit notes deducted, from posted documents of every
        company the caller may read."""
        self.ensure_one()
        groups = self.env["account.move"]._read_group(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["currency_id", "move_type", "invoice_date_due:day"],
            ["amount_residual:sum"],
        )
        balance = {}
        for currency, move_type, due_day, residual in groups:
            sign = -1 if move_type == "out_refund" else 1
            due, overdue = balance.get(currency, (0.0, 0.0))
            due += sign * residual
            if move_type == "out_invoice" and due_day and due_day < today:
                overdue += residual
            balance[currency] = (due, overdue)
        return {
            currency: (currency.round(due), currency.round(overdue))
            for currency, (due, overdue) in balance.items()
        }
