from odoo import http
from odoo.exceptions import MissingError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import format_amount
from odoo.tools.misc import hash_sign, verify_hash_signed

from odoo.addons.collections_management.engine import statement as engine

from .common import PAY_SCOPE, PAY_VALIDITY, BadInput, CollectionsPortal


class StatementPayment(CollectionsPortal):
    """Paying several invoices of the statement at once, through Odoo's payment
    providers: the payment page, signed, and its transaction route."""

    def _parse_ids(self, values):
        try:
            return sorted({int(value) for value in values if value})
        except ValueError as error:
            raise BadInput(request.env._("Select invoices from the list.")) from error

    def _refusal_text(self, code, currency, total):
        _ = request.env._
        return {
            engine.NOTHING_SELECTED: lambda: _("Select at least one invoice to pay."),
            engine.MIXED_CURRENCIES: lambda: _(
                "The invoices selected are in several currencies: pay each "
                "currency separately."
            ),
            engine.MIXED_COMPANIES: lambda: _(
                "The invoices selected were issued by several companies: pay "
                "each company separately."
            ),
            engine.AMOUNT_NOT_POSITIVE: lambda: _("The amount must be positive."),
            engine.AMOUNT_TOO_HIGH: lambda: _(
                "The amount is more than the %(total)s due on the invoices selected.",
                total=format_amount(request.env, total, currency),
            ),
            engine.PARTIAL_NOT_ALLOWED: lambda: _(
                "Partial payments are not accepted online: pay the %(total)s due "
                "on the invoices selected.",
                total=format_amount(request.env, total, currency),
            ),
        }[code]()

    def _payment_request(self, partner, invoice_ids, amount):
        """(invoices, currency, amount) of a valid payment request, else
        raise ``BadInput``; ``MissingError`` when an invoice is not an open
        invoice of this customer (answered 404, nothing said about it)."""
        moves = partner._collection_statement_moves()
        lines = partner._collection_statement_lines(moves)
        company = moves.company_id[:1] or request.env.company
        codes = engine.payment_refusals(
            lines,
            invoice_ids,
            amount,
            allow_partial=company.collection_portal_partial_payment,
            rounding=(moves[:1].currency_id or company.currency_id).decimal_places,
        )
        if engine.NOT_PAYABLE in codes:
            raise MissingError(request.env._("This invoice is not open."))
        invoices = moves.filtered(lambda m: m.id in invoice_ids)
        currency = invoices.currency_id[:1]
        total = sum(invoices.mapped("amount_residual"))
        if codes:
            raise BadInput(
                "\n".join(self._refusal_text(code, currency, total) for code in codes)
            )
        charged = engine.payment_amount(
            lines, invoice_ids, amount, rounding=currency.decimal_places
        )
        return invoices, currency, charged

    @http.route(
        "/my/statement/pay",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        sitemap=False,
    )
    def portal_my_statement_pay(self, token=None, amount=None, **kw):
        partner = self._statement_partner(token)
        if partner is None:
            return self._link_invalid()
        if not partner:
            return request.redirect("/web/login?redirect=/my/statement")
        back = self._statement_url(token)
        try:
            invoice_ids = self._parse_ids(
                request.httprequest.args.getlist("invoice_ids")
            )
            invoices, currency, charged = self._payment_request(
                partner, invoice_ids, self._parse_amount(amount)
            )
        except MissingError:
            raise request.not_found() from None
        except BadInput as error:
            return self._refused(str(error), back=back)
        signed = hash_sign(
            # sudo: the signing secret is a system parameter
            request.env(su=True),
            PAY_SCOPE,
            {
                "partner": partner.id,
                "invoices": invoices.ids,
                "amount": charged,
                "token": token or "",
            },
            expiration=PAY_VALIDITY,
        )
        company = invoices.company_id
        values = self._prepare_portal_layout_values()
        values.update(
            self._get_common_page_view_values(
                invoices_data={
                    "partner": partner,
                    "company": company,
                    "total_amount": charged,
                    "currency": currency,
                    "amount_residual": charged,
                    "landing_route": back,
                    "transaction_route": "/my/statement/transaction",
                },
                access_token=signed,
            )
        )
        values.update(
            {
                "page_name": "collections_statement_pay",
                "pay_company": company,
                "invoices": invoices,
                "amount": charged,
                "total_due": sum(invoices.mapped("amount_residual")),
                "back_url": back,
                "token": token,
            }
        )
        return request.render("payment_portal.portal_my_statement_pay", values)

    @http.route("/my/statement/transaction", type="json", auth="public")
    def portal_my_statement_transaction(self, access_token=None, **kwargs):
        """Create the transaction of a statement payment. The invoices and
        the amount come from the signed page, never from the request."""
        _ = request.env._
        try:
            # sudo: the signing secret is a system parameter
            signed = verify_hash_signed(
                request.env(su=True), PAY_SCOPE, access_token or ""
            )
        except (ValueError, UnicodeDecodeError, TypeError):
            signed = None
        if not isinstance(signed, dict):
            raise ValidationError(
                _("This payment page has expired: open it again from your statement.")
            )
        # sudo: anonymous token holders pay their own customer's invoices;
        # the customer comes from the signed page.
        partner = request.env["res.partner"].sudo().browse(signed["partner"]).exists()
        logged_in = not request.env.user._is_public()
        if not partner or (
            logged_in
            and not signed["token"]
            and request.env.user.partner_id.commercial_partner_id != partner
        ):
            raise ValidationError(_("This payment page is not yours."))
        try:
            invoices, currency, charged = self._payment_request(
                partner, signed["invoices"], signed["amount"]
            )
        except (MissingError, BadInput) as error:
            raise ValidationError(
                _(
                    "The invoices changed since the payment page was opened "
                    "(%(reason)s): open it again from your statement.",
                    reason=str(error),
                )
            ) from error
        self._validate_transaction_kwargs(kwargs)
        kwargs.pop("amount", None)  # the signed amount is charged, not this
        kwargs["landing_route"] = self._statement_url(signed["token"], paid=True)
        payer = request.env.user.partner_id if logged_in else partner
        tx_sudo = self._create_transaction(
            amount=charged,
            currency_id=currency.id,
            partner_id=payer.id,
            custom_create_values={"invoice_ids": [Command.set(invoices.ids)]},
            **kwargs,
        )
        return tx_sudo._get_processing_values()
