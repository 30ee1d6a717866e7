from odoo import api, fields, models


class CollectionCommunicationLine(models.Model):
    """A due line or a credit listed in a reminder, as it stood that day."""

    _name = "collection.communication.line"
    _description = "Collection Communication Line"
    _order = "communication_id, kind desc, date_maturity, id"

    communication_id = fields.Many2one(
        "collection.communication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    kind = fields.Selection([("due", "Due"), ("credit", "Credit")], required=True)
    move_line_id = fields.Many2one("account.move.line", ondelete="cascade", index=True)
    move_id = fields.Many2one(related="move_line_id.move_id", store=True)
    plan_line_id = fields.Many2one(
        "collection.payment.plan.line",
        string="Instalment",
        ondelete="cascade",
        index="btree_not_null",
    )
    document_name = fields.Char(
        string="Document",
        compute="_compute_document_name",
        help="The invoice, credit note or payment plan instalment.",
    )
    date_maturity = fields.Date(string="Due Date")
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual_currency = fields.Monetary(
        string="Amount", currency_field="currency_id"
    )
    is_triggered = fields.Boolean(
        help="This line reached the level today; the others are listed for "
        "the customer's information.",
    )
    level_id = fields.Many2one("collection.policy.level")
    days_overdue = fields.Integer(
        string="Days After Due Date",
        help="Negative before the due date (a courtesy reminder).",
    )

    _sql_constraints = [
        (
            "one_document",
            "CHECK((move_line_id IS NULL) != (plan_line_id IS NULL))",
            "A reminder line is about one receivable line or one instalment.",
        ),
    ]

    @api.depends("move_line_id", "plan_line_id")
    def _compute_document_name(self):
        # the names alone: not every column of the invoices and plans
        self.move_id.fetch(["name"])
        self.plan_line_id.fetch(["name"])
        for line in self:
            line.document_name = line.move_id.name or line.plan_line_id.name
