from datetime import timedelta

from markupsafe import escape

from odoo import fields, models
from odoo.tools import format_amount, format_date
from odoo.tools.misc import hash_sign, verify_hash_signed

from odoo.addons.collections_management.engine import statement as engine
from odoo.addons.collections_management.engine.letter import render as render_pdf
from odoo.addons.collections_management.engine.statement import Line

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
        """This customer's open invoices and credit notes, the oldest open
        instalment first."""
        self.ensure_one()
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, name, id",
        )
        due = {
            line.id: line.due_date for line in self._collection_statement_lines(moves)
        }
        return moves.sorted(lambda m: (due[m.id], m.name or "", m.id))

    @staticmethod
    def _collection_open_instalments(move):
        """((due date, still open), ...) of the receivable lines of ``move``
        not yet paid, oldest first, in the document's currency."""
        sign = -1 if move.move_type == "out_refund" else 1
        parts = sorted(
            (
                line.date_maturity or move.invoice_date_due or move.invoice_date,
                sign * line.amount_residual_currency,
            )
            for line in move.line_ids
            if line.account_type == "asset_receivable" and not line.reconciled
        )
        return tuple(
            (day, amount)
            for day, amount in parts
            if not move.currency_id.is_zero(amount) and amount > 0
        )

    def _collection_statement_lines(self, moves):
        """The engine's view of ``moves``: each invoice with its open
        instalments (the receivable lines' due dates), so that an instalment
        is overdue on its own date, as on the invoice page."""
        lines = []
        for move in moves:
            instalments = self._collection_open_instalments(move)
            lines.append(
                Line(
                    id=move.id,
                    currency=move.currency_id,
                    company=move.company_id,
                    due_date=instalments[0][0]
                    if instalments
                    else move.invoice_date_due or move.invoice_date,
                    residual=move.amount_residual,
                    is_refund=move.move_type == "out_refund",
                    instalments=instalments if len(instalments) > 1 else (),
                )
            )
        return lines

    def _collections_open_balance(self, today):
        """Amounts this customer owes, per currency: ``{currency: (due,
        overdue)}``, credit notes deducted, each instalment aged on its own
        due date as on the statement (the balance card's figures)."""
        self.ensure_one()
        moves = self._collection_statement_moves()
        return {
            row.currency: (
                row.currency.round(row.balance),
                row.currency.round(row.overdue),
            )
            for row in engine.totals(self._collection_statement_lines(moves), today)
        }

    def _collection_statement_bucket_labels(self):
        """[(ageing column, its label)] in the environment's language."""
        _ = self.env._
        return [
            ("current", _("Not yet due")),
            ("1_30", _("1-30 days")),
            ("31_60", _("31-60 days")),
            ("61_90", _("61-90 days")),
            ("over_90", _("Over 90 days")),
        ]

    def _collection_statement_pdf(self):
        """The PDF bytes of this customer's statement of account, in the
        language of the environment: its open documents, their ageing and
        the totals per currency, on the company's letterhead."""
        self.ensure_one()
        partner = self
        env = partner.env
        _ = env._
        moves = partner._collection_statement_moves()
        today = fields.Date.context_today(partner)
        lines = partner._collection_statement_lines(moves)
        company = moves.company_id[:1] or env.company
        lang = env.context.get("lang")

        def amount(value, currency):
            return format_amount(env, value, currency, lang_code=lang)

        rows = []
        for move, line in zip(moves, lines, strict=True):
            rows.append(
                [
                    move.name,
                    format_date(env, move.invoice_date, lang_code=lang),
                    format_date(env, line.due_date, lang_code=lang),
                    str(max(engine.days_overdue(line, today), 0)),
                    amount(line.signed, move.currency_id),
                ]
            )
        totals = []
        labels = dict(partner._collection_statement_bucket_labels())
        for row in engine.totals(lines, today):
            totals.append(
                (
                    _("Balance (%(currency)s)", currency=row.currency.name),
                    amount(row.balance, row.currency),
                )
            )
            totals.append((_("Of which overdue"), amount(row.overdue, row.currency)))
            totals.extend(
                (labels[key], amount(value, row.currency))
                for key, value in row.buckets.items()
                if value
            )
        if not rows:
            paragraphs = [_("Nothing is due on your account. Thank you.")]
        else:
            paragraphs = [
                _(
                    "Below are your open invoices and credit notes on "
                    "%(date)s, with what remains to be paid.",
                    date=format_date(env, today, lang_code=lang),
                )
            ]
        letter = company._collection_letter(
            partner,
            today,
            subject=_("Statement of account"),
            paragraphs=[escape(p) for p in paragraphs],
            columns=[
                _("Document"),
                _("Date"),
                _("Due date"),
                _("Days late"),
                _("Open amount"),
            ],
            rows=rows,
            totals=totals,
        )
        return render_pdf(letter)
