from datetime import timedelta

from odoo import models
from odoo.tools.misc import hash_sign, verify_hash_signed

from ..engine.statement import Line

STATEMENT_SCOPE = "payment_portal.statement"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collection_statement_token(self, days=None):
        """A signed, expiring token that opens this customer's statement
        without a password (the link of reminder emails)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        days = days or self.env.company.collection_portal_link_days
        # sudo: the signing secret is a system parameter
        return hash_sign(
            self.sudo().env,
            STATEMENT_SCOPE,
            {"partner": partner.id},
            expiration=timedelta(days=days),
        )

    def _collection_statement_url(self, days=None):
        self.ensure_one()
        token = self._collection_statement_token(days)
        return f"/my/statement?token={token}"

    def _collection_statement_partner(self, token):
        """The customer whose statement ``token`` opens, or an empty
        recordset when the token was changed, has expired, or names a
        customer that no longer exists."""
        try:
            # sudo: the signing secret is a system parameter
            values = verify_hash_signed(self.sudo().env, STATEMENT_SCOPE, token or "")
        except (ValueError, UnicodeDecodeError, TypeError):
            values = None  # not even a token: tampered
        if not isinstance(values, dict) or not isinstance(values.get("partner"), int):
            return self.browse()
        return self.browse(values["partner"]).exists()

    def _collection_statement_moves(self):
        """This customer's open invoices and credit notes, oldest due first."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, name, id",
        )

    def _collection_statement_lines(self, moves):
        """The engine's view of ``moves``."""
        return [
            Line(
                id=move.id,
                currency=move.currency_id,
                company=move.company_id,
                due_date=move.invoice_date_due or move.invoice_date,
                residual=move.amount_residual,
                is_refund=move.move_type == "out_refund",
            )
            for move in moves
        ]
