import math
import re
from datetime import timedelta

from odoo.http import request
from odoo.tools import format_amount
from odoo.tools.misc import get_lang

from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.collections_management.engine import statement as engine

PAY_SCOPE = "payment_portal.pay"
PAY_VALIDITY = timedelta(hours=2)
MAX_FILES = 5
PLAN_FIRST_DAYS = 7  # days from today to a plan's first instalment, by default
MAX_MESSAGE = 5000
# What a customer may attach to a dispute, recognised from the content.
ACCEPTED_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
AMOUNT_RE = re.compile(r"^\d{1,12}(\.\d{1,6})?$")


class BadInput(Exception):
    """A form value the customer must correct: answered with HTTP 400."""


class CollectionsPortal(PortalAccount):
    """What every collections page of the portal shares: who is asking, the
    answer to a form, amounts typed by the customer, and what the customer
    already said about its invoices (disputes, promises, plans)."""

    # ------------------------------------------------------------------
    # Who is asking
    # ------------------------------------------------------------------

    def _statement_partner(self, token):
        """The customer (sudo) whose statement is asked: the token's, else
        the logged-in user's commercial partner. None when the token is
        invalid; an empty recordset for an anonymous visitor."""
        # sudo: anonymous token holders read their own customer's documents;
        # every read below filters on this commercial partner.
        partners = request.env["res.partner"].sudo()
        if token:
            partner = partners._collection_statement_partner(token)
            if not partner:
                return None
            if request.env.user._is_public():
                request.update_context(lang=self._customer_lang(partner))
            return partner.commercial_partner_id
        if request.env.user._is_public():
            return partners
        return request.env.user.partner_id.commercial_partner_id.sudo()

    def _customer_lang(self, partner):
        installed = {code for code, _name in request.env["res.lang"].get_installed()}
        lang = partner.lang
        return lang if lang in installed else request.env.context.get("lang")

    def _collector(self, partner, company):
        return partner.with_company(company).collector_id

    def _statement_url(self, token, paid=False):
        """The statement's address; ``paid``: where the payment flow returns,
        to confirm the payment to the customer."""
        params = [f"token={token}"] if token else []
        if paid:
            params.append("paid=1")
        return "/my/statement" + ("?" + "&".join(params) if params else "")

    # ------------------------------------------------------------------
    # Answers to a form
    # ------------------------------------------------------------------

    def _link_invalid(self):
        return request.render("payment_portal.statement_link_invalid", status=403)

    def _refused(self, message, status=400, back=None):
        return request.render(
            "payment_portal.collections_result",
            {
                "title": request.env._("Your request was not recorded"),
                "message": message,
                "back_url": back or "/my/statement",
                "failed": True,
            },
            status=status,
        )

    def _done(self, title, message, back):
        return request.render(
            "payment_portal.collections_result",
            {"title": title, "message": message, "back_url": back, "failed": False},
        )

    def _parse_amount(self, text):
        """A positive decimal typed by the customer ("1 234,50" accepted),
        or None when empty."""
        text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        text = text.replace(",", ".")
        if not AMOUNT_RE.match(text):
            raise BadInput(request.env._("%(text)s is not an amount.", text=text))
        value = float(text)
        if not math.isfinite(value):
            raise BadInput(request.env._("%(text)s is not an amount.", text=text))
        return value

    def _amount_input(self, amount, currency):
        """``amount`` as the reader types it in a form ("880,00" in French):
        no thousands separator, the language's decimal point."""
        text = f"%.{currency.decimal_places}f" % currency.round(amount)
        return text.replace(".", get_lang(request.env).decimal_point)

    # ------------------------------------------------------------------
    # What the customer already said
    # ------------------------------------------------------------------

    def _open_commitments(self, moves):
        """``{invoice id: {"plan": plan, "promise": promise, "dispute":
        dispute, "disputed": amount}}`` of the invoices in a payment plan,
        a promise or a dispute in progress (read as ``moves``, sudo). The
        part of an invoice in dispute is the dispute's amount spread over
        its invoices oldest first, as accepting it would credit them."""
        env = moves.env
        found = {}
        for model, key in (
            ("collection.payment.plan", "plan"),
            ("collection.promise", "promise"),
        ):
            records = env[model].search(
                env[model]._open_domain + [("move_ids", "in", moves.ids)]
            )
            for record in records:
                for move in record.move_ids & moves:
                    found.setdefault(move.id, {})[key] = record
        disputes = env["collection.dispute"].search(
            env["collection.dispute"]._open_domain + [("move_ids", "in", moves.ids)]
        )
        for dispute in disputes:
            ordered = dispute.move_ids.sorted(lambda m: (m.invoice_date, m.id))
            shares = engine.spread(
                dispute.amount,
                [(move.id, move.amount_residual) for move in ordered],
                rounding=dispute.currency_id.decimal_places,
            )
            for move in dispute.move_ids & moves:
                entry = found.setdefault(move.id, {})
                entry["dispute"] = dispute
                entry["disputed"] = entry.get("disputed", 0.0) + shares[move.id]
        return found

    def _undisputed(self, move, entry):
        """What of ``move`` is not in dispute (its currency)."""
        return move.currency_id.round(
            move.amount_residual - (entry or {}).get("disputed", 0.0)
        )

    def _commitment_labels(self, move, entry):
        """The badges beside ``move``: what the customer already said."""
        _ = request.env._
        labels = []
        plan = entry.get("plan")
        if plan:
            labels.append(
                _("In a payment plan")
                if plan.state == "active"
                else _("Payment plan requested")
            )
        if entry.get("promise"):
            labels.append(_("Payment promised"))
        if entry.get("dispute"):
            if self._undisputed(move, entry) > 0:
                labels.append(
                    _(
                        "Disputed: %(amount)s",
                        amount=format_amount(
                            request.env, entry["disputed"], move.currency_id
                        ),
                    )
                )
            else:
                labels.append(_("Disputed"))
        return labels

    def _commitments(self, moves):
        """{invoice id: [badge]} of the invoices in an open dispute, promise
        or payment plan."""
        found = self._open_commitments(moves)
        return {
            move.id: self._commitment_labels(move, found[move.id])
            for move in moves
            if move.id in found
        }
