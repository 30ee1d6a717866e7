from markupsafe import escape

from odoo import models
from odoo.tools import format_amount, format_date, html2plaintext

from ..engine.letter import render as render_letter


class CollectionCommunication(models.Model):
    """The reminder letter: a PDF on the company's letterhead, in the
    customer's language, sent by post through the letter channel."""

    # a concern of its own, kept apart from collection_communication.py
    _inherit = "collection.communication"  # pylint: disable=consider-merging-classes-inherited

    def _letter_pdf(self):
        """The letter of this reminder, in the customer's language."""
        self.ensure_one()
        lang = self.recipient_id.lang or self.partner_id.lang or "en_US"
        comm = self.with_context(lang=lang)
        env, company, recipient = comm.env, self.company_id, self.recipient_id
        level = self.level_id.with_context(lang=lang)

        def amount(value, currency):
            return format_amount(env, value, currency, lang_code=lang)

        name_lines = [recipient.name or ""]
        if recipient != self.partner_id:
            name_lines.insert(0, self.partner_id.name)
        rows = [
            [
                line.document_name,
                format_date(env, line.date_maturity, lang_code=lang),
                str(max(line.days_overdue, 0)),
                amount(line.amount_residual_currency, line.currency_id),
            ]
            for line in self._due_lines()
        ] + [
            [
                line.document_name,
                "",
                "",
                "-" + amount(line.amount_residual_currency, line.currency_id),
            ]
            for line in self._credit_lines()
        ]
        totals = [
            (
                env._("Total due (%(currency)s)", currency=currency.name),
                amount(net, currency),
            )
            for currency, _due, _credit, net in self._totals()
        ]
        bank = company.partner_id.bank_ids[:1]
        payment_lines = [
            env._("Pay online: %(url)s", url=self._portal_url()),
        ]
        if bank:
            payment_lines.insert(
                0,
                env._(
                    "By transfer to %(account)s, quoting the invoice numbers.",
                    account=bank.acc_number,
                ),
            )
        legal = []
        if level.fee_enabled:
            legal.append(
                env._(
                    "Fixed indemnity for recovery costs: %(fee)s per invoice paid "
                    "late, in addition to late-payment interest.",
                    fee=amount(level.fee_amount, company.currency_id),
                )
            )
        if level.legal_text:
            legal.append(html2plaintext(level.legal_text))
        if level.is_courtesy:
            default_body = env._(
                "As a courtesy, we remind you that the invoices below fall due "
                "soon. If you have already arranged their payment, please "
                "disregard this letter."
            )
        else:
            default_body = env._(
                "Unless we are mistaken, the invoices below remain unpaid. Please "
                "settle them at your earliest convenience, or contact us if you "
                "believe this is an error."
            )
        body = html2plaintext(level.letter_body or "") or default_body
        contact = self._contact_user()
        letter = company.with_env(env)._collection_letter(
            recipient,
            self.date,
            name_lines=name_lines,
            subject=level.name,
            paragraphs=[escape(p) for p in body.split("\n") if p.strip()],
            columns=[
                env._("Invoice"),
                env._("Due date"),
                env._("Days late"),
                env._("Amount"),
            ],
            rows=rows,
            totals=totals,
            payment_lines=[escape(line) for line in payment_lines],
            closing=[
                escape(
                    env._(
                        "Your contact: %(name)s %(email)s",
                        name=contact.name,
                        email=contact.email or "",
                    )
                )
            ],
            legal=[escape(line) for line in legal],
        )
        return render_letter(letter)
