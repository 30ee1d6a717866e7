from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context, formatLang


class CashMatchManual(models.TransientModel):
    _name = "cash.match.manual"
    _description = "Match a Bank Transaction by Hand"

    statement_line_id = fields.Many2one(
        "account.bank.statement.line", required=True, readonly=True
    )
    company_id = fields.Many2one(related="statement_line_id.company_id")
    currency_id = fields.Many2one(related="statement_line_id.currency_id")
    amount = fields.Monetary(related="statement_line_id.amount")
    partner_id = fields.Many2one("res.partner", string="Customer")
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Open Items",
        domain="[('company_id', '=', company_id),"
        " ('parent_state', '=', 'posted'),"
        " ('account_id.account_type', '=', 'asset_receivable'),"
        " ('reconciled', '=', False)]"
        " + ([('partner_id', 'child_of', partner_id)] if partner_id else [])",
    )
    write_off = fields.Boolean(
        string="Write Off the Difference",
        help="Close the items even though the payment is a little short "
        "(within the company's write-off tolerance).",
    )
    total_selected = fields.Monetary(compute="_compute_total_selected")

    @api.depends("move_line_ids")
    def _compute_total_selected(self):
        for wizard in self:
            # in the transaction's currency, as the items must be
            wizard.total_selected = sum(
                wizard.move_line_ids.mapped("amount_residual_currency")
            )

    def action_confirm(self):
        self.ensure_one()
        _ = self.env._
        # without the ``default_*`` keys of the action that opened the wizard:
        # they would land on what the reconciliation creates (an exchange
        # difference entry taking this transaction as its own)
        env = self.env(context=clean_context(self.env.context))
        line = self.statement_line_id.with_env(env)
        if not self.move_line_ids:
            raise UserError(_("Select the open items this payment pays."))
        remaining = line.amount
        allocation = {}
        items = self.move_line_ids.sorted(lambda item: (item.date, item.id))
        # credit notes first: they add to what the payment can cover
        for item in items.filtered(
            lambda item: item.amount_residual < 0
        ) + items.filtered(lambda item: item.amount_residual >= 0):
            if item.currency_id != line.currency_id:
                raise UserError(
                    _(
                        "%(document)s is in %(currency)s: match it from the "
                        "proposals, which convert currencies.",
                        document=item.move_id.name,
                        currency=item.currency_id.name,
                    )
                )
            applied = min(item.amount_residual_currency, remaining)
            if item.amount_residual_currency < 0:
                applied = item.amount_residual_currency
            if line.currency_id.compare_amounts(applied, 0) == 0:
                continue
            allocation[item.id] = applied
            remaining -= applied
        shortfall = (
            sum(self.move_line_ids.mapped("amount_residual_currency")) - line.amount
        )
        # overpaid: what is left stays on the suspense account
        kind = (
            "partial" if line.currency_id.compare_amounts(remaining, 0) > 0 else "full"
        )
        difference = 0.0
        if line.currency_id.compare_amounts(shortfall, 0) > 0:
            kind = "partial"
            if self.write_off:
                company = line.company_id
                tolerance = min(
                    # set in the company's currency
                    company.currency_id._convert(
                        company.cash_match_writeoff_amount,
                        line.currency_id,
                        company,
                        line.date,
                    ),
                    line.amount * company.cash_match_writeoff_percent / 100,
                )
                if shortfall > tolerance:
                    raise UserError(
                        _(
                            "The difference of %(difference)s is above the "
                            "write-off tolerance (%(tolerance)s).",
                            difference=line.currency_id.round(shortfall),
                            tolerance=line.currency_id.round(tolerance),
                        )
                    )
                kind, difference = "writeoff", shortfall
                allocation = {
                    item.id: item.amount_residual_currency
                    for item in self.move_line_ids
                }
        customer = self.move_line_ids[:1].partner_id.commercial_partner_id
        proposal = env["cash.match.proposal"].create(
            {
                "statement_line_id": line.id,
                "rank": 0,
                "partner_id": customer.id,
                "move_line_ids": [fields.Command.set(list(allocation))],
                "allocation": {str(key): value for key, value in allocation.items()},
                "confidence": 1.0,
                "kind": kind,
                "difference": difference,
            }
        )
        line.with_context(cash_match_manual=True)._cash_match_apply(proposal, by="user")
        if kind == "partial" and not difference and not line.is_reconciled:
            line.cash_match_message = _(
                "%(amount)s more than the selected items stays on the suspense "
                "account: undo and match again to place it.",
                amount=formatLang(self.env, remaining, currency_obj=line.currency_id),
            )
        return {"type": "ir.actions.act_window_close"}
