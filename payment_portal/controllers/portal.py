import math
import re
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.tools import format_amount, format_date
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import get_lang, hash_sign, verify_hash_signed

from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.collections_management.engine.letter import Letter
from odoo.addons.collections_management.engine.letter import render as render_pdf
from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..engine import elision
from ..engine import statement as engine

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
    # ------------------------------------------------------------------
    # Portal home
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:  # the home page itself, not the badge counters
            values["collections_balance"] = self._collections_balance()
        return values

    def _collections_balance(self):
        """[(currency, due, overdue)] of the logged-in customer, largest
        first."""
        partner = request.env.user.partner_id.commercial_partner_id
        today = fields.Date.context_today(partner)
        # sudo: a portal user may not aggregate journal items; the service
        # reads only this user's own commercial partner's documents.
        balance = partner.sudo()._collections_open_balance(today)
        return sorted(
            (
                (currency, due, overdue)
                for currency, (due, overdue) in balance.items()
                if due or overdue
            ),
            key=lambda row: -row[1],
        )

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

    # ------------------------------------------------------------------
    # Statement
    # ------------------------------------------------------------------

    def _statement_values(self, partner, filter_, currency_id, token):
        moves = partner._collection_statement_moves()
        today = fields.Date.context_today(partner)
        lines = dict(
            zip(moves.ids, partner._collection_statement_lines(moves), strict=True)
        )
        all_totals = engine.totals(lines.values(), today)
        currencies = moves.currency_id
        shown = moves.filtered(
            lambda m: (
                engine.keep(lines[m.id], today, filter_)
                and (not currency_id or m.currency_id.id == currency_id)
            )
        )
        company = moves.company_id[:1] or request.env.company
        commitments = self._commitments(moves)
        env = request.env
        rows = []
        for move in shown:
            line = lines[move.id]
            late = engine.days_overdue(line, today)
            overdue = engine.overdue_amount(line, today)
            url = move.get_portal_url()
            rows.append(
                {
                    "id": move.id,
                    "name": move.name,
                    "url": url,
                    "pdf_url": f"{url}&report_type=pdf&download=true",
                    "is_refund": line.is_refund,
                    "date": format_date(env, move.invoice_date),
                    "due": format_date(env, line.due_date),
                    "late": late if late > 0 and not line.is_refund else 0,
                    "amount": format_amount(env, line.signed, move.currency_id),
                    # an instalment overdue, the rest not yet due
                    "overdue_part": format_amount(env, overdue, move.currency_id)
                    if 0 < overdue < line.residual
                    else "",
                    "badges": commitments.get(move.id, []),
                }
            )
        return {
            "page_name": "collections_statement",
            "partner": partner,
            "statement_title": elision.fill_name(
                env._("Statement of %(customer)s", customer=elision.MARK),
                partner.name or "",
                env.lang,
            ),
            "rows": rows,
            "today": today,
            "totals": [
                row
                for row in all_totals
                if not currency_id or row.currency.id == currency_id
            ],
            "buckets": self._bucket_labels(),
            "filters": self._filter_labels(),
            "filter": filter_,
            "currencies": currencies,
            "currency_id": currency_id,
            "token": token,
            "allow_partial": company.collection_portal_partial_payment,
            "collector": self._collector(partner, company),
        }

    def _bucket_labels(self):
        _ = request.env._
        return [
            ("current", _("Not yet due")),
            ("1_30", _("1-30 days")),
            ("31_60", _("31-60 days")),
            ("61_90", _("61-90 days")),
            ("over_90", _("Over 90 days")),
        ]

    def _filter_labels(self):
        _ = request.env._
        return [
            ("all", _("All")),
            ("overdue", _("Overdue")),
            ("current", _("Not yet due")),
        ]

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

    def _collector(self, partner, company):
        return partner.with_company(company).collector_id

    def _read_filters(self, kw):
        filter_ = kw.get("filter") or "all"
        if filter_ not in engine.FILTERS:
            filter_ = "all"
        currency_id = kw.get("currency")
        currency_id = int(currency_id) if str(currency_id or "").isdigit() else None
        return filter_, currency_id

    @http.route(
        "/my/statement",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        sitemap=False,
    )
    def portal_my_statement(self, token=None, **kw):
        partner = self._statement_partner(token)
        if partner is None:
            return self._link_invalid()
        if not partner:
            return request.redirect("/web/login?redirect=/my/statement")
        filter_, currency_id = self._read_filters(kw)
        values = self._prepare_portal_layout_values()
        values.update(self._statement_values(partner, filter_, currency_id, token))
        values["payment_notice"] = kw.get("paid") and self._payment_notice(partner)
        return request.render("payment_portal.portal_my_statement", values)

    @http.route(
        "/my/statement/pdf",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        sitemap=False,
    )
    def portal_my_statement_pdf(self, token=None, **kw):
        partner = self._statement_partner(token)
        if partner is None:
            return self._link_invalid()
        if not partner:
            return request.redirect("/web/login?redirect=/my/statement")
        lang = self._customer_lang(partner)
        env = partner.with_context(lang=lang).env
        pdf = render_pdf(self._statement_letter(partner.with_env(env)))
        filename = env._(
            "Statement %(date)s.pdf", date=fields.Date.context_today(partner)
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    def _statement_letter(self, partner):
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
        labels = dict(self._bucket_labels())
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
        return Letter(
            company_lines=[
                company.name,
                *filter(None, [company.street, company.street2]),
                " ".join(filter(None, [company.zip, company.city])),
                " - ".join(filter(None, [company.phone, company.email])),
            ],
            recipient_lines=[partner.name or ""]
            + [
                line
                for line in partner._display_address(without_company=True).split("\n")
                if line.strip()
            ],
            place_date=", ".join(
                filter(None, [company.city, format_date(env, today, lang_code=lang)])
            ),
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

    # ------------------------------------------------------------------
    # Paying several invoices at once
    # ------------------------------------------------------------------

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

    def _statement_url(self, token, paid=False):
        """The statement's address; ``paid``: where the payment flow returns,
        to confirm the payment to the customer."""
        params = [f"token={token}"] if token else []
        if paid:
            params.append("paid=1")
        return "/my/statement" + ("?" + "&".join(params) if params else "")

    def _payment_notice(self, partner):
        """``(alert kind, text)`` about the payment this browser just made
        online for ``partner``'s invoices, else None."""
        _ = request.env._
        tx_id = request.session.get(PaymentPostProcessing.MONITORED_TX_ID_KEY)
        # sudo: the transaction this browser just made (the session's); it is
        # shown only when its invoices are this customer's.
        tx = request.env["payment.transaction"].sudo().browse(tx_id or []).exists()
        if not tx.invoice_ids or tx.invoice_ids.commercial_partner_id != partner:
            return None
        amount = format_amount(request.env, tx.amount, tx.currency_id)
        invoices = ", ".join(tx.invoice_ids.sorted("name").mapped("name"))
        if tx.state == "done":
            return (
                "success",
                _(
                    "Thank you: your payment of %(amount)s for %(invoices)s was "
                    "received.",
                    amount=amount,
                    invoices=invoices,
                ),
            )
        if tx.state in ("pending", "authorized"):
            return (
                "info",
                _(
                    "Your payment of %(amount)s for %(invoices)s is being "
                    "processed: the invoices will show as paid once it is "
                    "confirmed.",
                    amount=amount,
                    invoices=invoices,
                ),
            )
        return (
            "warning",
            _(
                "Your payment of %(amount)s was not completed: nothing was "
                "paid. You may try again.",
                amount=amount,
            ),
        )

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

    # ------------------------------------------------------------------
    # Messages to the collector
    # ------------------------------------------------------------------

    @http.route(
        "/my/statement/message",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def portal_my_statement_message(self, token=None, message=None, **kw):
        partner = self._statement_partner(token)
        if partner is None:
            return self._link_invalid()
        if not partner:
            return request.redirect("/web/login?redirect=/my/statement")
        back = self._statement_url(token)
        text = (message or "").strip()
        if not text:
            return self._refused(request.env._("Write a message first."), back=back)
        if len(text) > MAX_MESSAGE:
            return self._refused(
                request.env._(
                    "A message has at most %(count)s characters.", count=MAX_MESSAGE
                ),
                back=back,
            )
        company = partner._collection_statement_moves().company_id[:1]
        collector = self._collector(partner, company or request.env.company)
        author = (
            partner if request.env.user._is_public() else request.env.user.partner_id
        )
        # sudo: a customer may not write on partners; the message goes on
        # its own commercial partner, to its collector.
        partner.message_post(
            body=text,
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=collector.partner_id.ids,
        )
        return self._done(
            request.env._("Message sent"),
            request.env._(
                "Your message was sent to your contact, who will answer you."
            ),
            back,
        )

    # ------------------------------------------------------------------
    # Invoice page: dispute, promise, payment plan
    # ------------------------------------------------------------------

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        if (
            invoice.move_type == "out_invoice"
            and invoice.state == "posted"
            and invoice.payment_state in ("not_paid", "partial")
        ):
            values.update(self._commitment_form_values(invoice))
        return values

    def _commitment_form_values(self, invoice):
        # sudo: the invoice is the customer's own (checked by the caller);
        # the policy's limits and the reasons are configuration.
        invoice = invoice.sudo()
        company = invoice.company_id
        partner = invoice.commercial_partner_id
        policy = partner._collection_policy(company)
        today = fields.Date.context_today(invoice)
        reasons = (
            request.env["collection.dispute.reason"]
            .sudo()
            .search([("company_id", "in", (False, company.id))])
        )
        entry = self._open_commitments(invoice).get(invoice.id, {})
        rest = self._undisputed(invoice, entry)
        return {
            "collections_badges": self._commitment_labels(invoice, entry),
            # Promise, plan and dispute stay offered for what is not in
            # dispute, unless a promise or a plan already covers it.
            "collections_can_act": rest > 0
            and not entry.get("promise")
            and not entry.get("plan"),
            "collections_rest": self._amount_input(rest, invoice.currency_id),
            "collections_dispute": entry.get("dispute"),
            "collections_reasons": reasons,
            "collections_today": today,
            "collections_promise_last": today
            + timedelta(days=policy.promise_max_days or 30),
            "collections_plan_max": policy.plan_max_instalments or 12,
            "collections_plan_first": self._plan_first_date(invoice),
            "collections_upload_mb": company.collection_portal_upload_mb,
        }

    def _plan_first_date(self, invoice):
        """The first instalment's date offered: in a week, time for the
        collector to approve the plan before anything falls due under it."""
        return fields.Date.context_today(invoice) + timedelta(days=PLAN_FIRST_DAYS)

    def _open_invoice(self, invoice_id, access_token):
        """The customer's open invoice (sudo), else None."""
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return None
        if (
            invoice.move_type != "out_invoice"
            or invoice.state != "posted"
            or invoice.payment_state not in ("not_paid", "partial")
        ):
            return None
        return invoice

    def _invoice_back(self, invoice, access_token):
        return invoice.get_portal_url() if access_token else invoice.access_url

    def _record(self, model, invoice, record, *args, **values):
        """Record through collections_management's service; a new record
        tells the collector."""
        # sudo: customers may not create back-office records; the invoice is
        # their own (checked by the caller) and the service applies the
        # policy's limits as for a collector.
        model = request.env[model].sudo()
        partner = invoice.commercial_partner_id
        known = set(model.search([("partner_id", "=", partner.id)]).ids)
        if not partner.with_company(invoice.company_id).collector_id:
            # else the service would make the customer its own collector
            values.setdefault("user_id", invoice._collection_collector().id)
        record = getattr(model, record)(
            partner, invoice, *args, source="portal", **values
        )
        if record.id not in known:
            self._tell_collector(
                record,
                lambda _, rec: _(
                    "%(record)s, from the customer portal.", record=rec.display_name
                ),
                values.get("note") or values.get("description"),
            )
        return record

    def _tell_collector(self, record, summary, text=None):
        """Post on ``record`` (sudo) what the customer did, for its
        collector: ``summary(_, record)`` is written in the collector's
        language, ``text`` is the customer's own words."""
        collector = record.user_id
        reader = record.with_context(
            lang=collector.lang or record.company_id.partner_id.lang
        )
        author = (
            record.partner_id
            if request.env.user._is_public()
            else request.env.user.partner_id
        )
        body = Markup("<p>%s</p>") % summary(reader.env._, reader)
        if text:
            body += Markup("<p>%s</p>") % text
        record.message_post(
            body=body,
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=collector.partner_id.ids,
        )

    def _commitment_route(self, invoice_id, access_token, action):
        invoice = self._open_invoice(invoice_id, access_token)
        if not invoice:
            raise request.not_found() from None
        back = self._invoice_back(invoice, access_token)
        try:
            with request.env.cr.savepoint():
                title, message = action(invoice)
        except BadInput as error:
            return self._refused(str(error), back=back)
        except (UserError, ValidationError) as error:
            return self._refused(error.args[0], back=back)
        return self._done(title, message, back)

    def _parse_date(self, text):
        try:
            value = fields.Date.to_date((text or "").strip() or None)
        except ValueError:
            value = None
        if not value:
            raise BadInput(request.env._("Enter a date."))
        return value

    def _files(self, invoice):
        files = [
            f for f in request.httprequest.files.getlist("attachments") if f.filename
        ]
        limit = invoice.company_id.collection_portal_upload_mb
        if len(files) > MAX_FILES:
            raise BadInput(
                request.env._("Attach at most %(count)s files.", count=MAX_FILES)
            )
        read = []
        for upload in files:
            data = upload.read(limit * 1024 * 1024 + 1)
            if len(data) > limit * 1024 * 1024:
                raise BadInput(
                    request.env._(
                        "%(file)s is larger than %(limit)s MB.",
                        file=upload.filename,
                        limit=limit,
                    )
                )
            mimetype = guess_mimetype(data, default="application/octet-stream")
            if mimetype not in ACCEPTED_TYPES:
                raise BadInput(
                    request.env._(
                        "%(file)s cannot be attached: send a PDF, an image, a "
                        "text, a spreadsheet or a document.",
                        file=upload.filename,
                    )
                )
            read.append((upload.filename, data, mimetype))
        return read

    @http.route(
        "/my/invoices/<int:invoice_id>/dispute",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def portal_invoice_dispute(self, invoice_id, access_token=None, **kw):
        def action(invoice):
            _ = request.env._
            files = self._files(invoice)  # checked before anything is written
            entry = self._open_commitments(invoice).get(invoice.id, {})
            amount = self._rest_amount(invoice, entry, kw.get("amount"))
            reason_id = kw.get("reason_id")
            reason = (
                request.env["collection.dispute.reason"]
                .sudo()
                .browse(int(reason_id) if str(reason_id or "").isdigit() else 0)
                .exists()
            )
            if not reason or reason.company_id not in (
                invoice.company_id,
                request.env["res.company"],
            ):
                raise BadInput(_("Choose the reason of the dispute."))
            values = {
                "description": (kw.get("description") or "").strip()[:MAX_MESSAGE]
            }
            if reason.user_id:  # the reason's owner handles it, as in the back office
                values["user_id"] = reason.user_id.id
            dispute = entry.get("dispute")
            if dispute:
                # An invoice is in one open dispute at most: what the
                # customer now contests is added to it.
                self._add_to_dispute(
                    dispute, invoice, amount, reason, values["description"], kw
                )
            else:
                dispute = self._record(
                    "collection.dispute",
                    invoice,
                    "_collection_record",
                    amount,
                    reason,
                    **values,
                )
            # sudo: customers may not attach files to back-office records;
            # the files were checked above and go on this dispute only.
            attachments = request.env["ir.attachment"].sudo()
            known = {
                (a.name, a.checksum)
                for a in attachments.search(
                    [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)]
                )
            }
            for name, data, mimetype in files:
                if (name, attachments._compute_checksum(data)) in known:
                    continue  # the same form sent twice
                attachments.create(
                    {
                        "name": name,
                        "raw": data,
                        "mimetype": mimetype,
                        "res_model": "collection.dispute",
                        "res_id": dispute.id,
                    }
                )
            return (
                _("Dispute recorded"),
                _(
                    "Your dispute %(ref)s on %(invoice)s was sent to your contact. "
                    "We will not remind you of the disputed amount while we "
                    "look into it.",
                    ref=dispute.name,
                    invoice=invoice.name,
                ),
            )

        return self._commitment_route(invoice_id, access_token, action)

    def _rest_amount(self, invoice, entry, text):
        """The amount typed (else all of it) of what ``invoice`` owes out
        of dispute; ``BadInput`` when more."""
        rest = self._undisputed(invoice, entry)
        amount = self._parse_amount(text)
        if amount is None:
            amount = rest
        if invoice.currency_id.compare_amounts(amount, rest) > 0:
            raise BadInput(
                request.env._(
                    "The amount is more than the %(rest)s of %(invoice)s not in "
                    "dispute.",
                    rest=format_amount(request.env, rest, invoice.currency_id),
                    invoice=invoice.name,
                )
                if entry.get("dispute")
                else request.env._(
                    "The amount is more than the %(rest)s due on %(invoice)s.",
                    rest=format_amount(request.env, rest, invoice.currency_id),
                    invoice=invoice.name,
                )
            )
        return amount

    def _add_to_dispute(self, dispute, invoice, amount, reason, description, kw):
        """Add ``amount`` to the open ``dispute`` of ``invoice``. The form
        carries the amount in dispute it was shown with (0 when none): sent
        twice, it adds once."""
        shown = self._parse_amount(kw.get("disputed"))
        cur = dispute.currency_id
        if shown is None:  # not from the page's form: the same dispute again?
            if (
                dispute.move_ids == invoice
                and dispute.reason_id == reason
                and cur.compare_amounts(dispute.amount, amount) == 0
            ):
                return
        elif cur.compare_amounts(dispute.amount, shown) != 0:
            return  # already added by the same form
        dispute.amount = cur.round(dispute.amount + amount)
        self._tell_collector(
            dispute,
            lambda _, rec: _(
                "%(amount)s more disputed on %(invoice)s from the customer portal "
                "(%(reason)s): %(total)s in dispute.",
                amount=format_amount(rec.env, amount, cur),
                invoice=invoice.name,
                reason=reason.with_env(rec.env).name,
                total=format_amount(rec.env, rec.amount, cur),
            ),
            description,
        )

    @http.route(
        "/my/invoices/<int:invoice_id>/promise",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def portal_invoice_promise(self, invoice_id, access_token=None, **kw):
        def action(invoice):
            _ = request.env._
            promise_date = self._parse_date(kw.get("promise_date"))
            entry = self._open_commitments(invoice).get(invoice.id, {})
            amount = self._rest_amount(invoice, entry, kw.get("amount"))
            promise = self._record(
                "collection.promise",
                invoice,
                "_collection_record",
                amount,
                promise_date,
                note=(kw.get("note") or "").strip()[:MAX_MESSAGE],
            )
            return (
                _("Promise recorded"),
                _(
                    "Thank you: we expect %(amount)s by %(date)s for %(invoice)s, "
                    "and will send no reminder until then.",
                    amount=format_amount(
                        request.env, promise.amount, promise.currency_id
                    ),
                    date=format_date(request.env, promise.promise_date),
                    invoice=invoice.name,
                ),
            )

        return self._commitment_route(invoice_id, access_token, action)

    @http.route(
        "/my/invoices/<int:invoice_id>/plan",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def portal_invoice_plan(self, invoice_id, access_token=None, **kw):
        def action(invoice):
            _ = request.env._
            count = str(kw.get("instalment_count") or "").strip()
            if not count.isdigit():
                raise BadInput(_("Enter the number of instalments."))
            first = kw.get("first_date")
            values = {
                "note": (kw.get("note") or "").strip()[:MAX_MESSAGE],
                "first_date": self._parse_date(first)
                if first
                else self._plan_first_date(invoice),
            }
            entry = self._open_commitments(invoice).get(invoice.id, {})
            if entry.get("dispute"):
                values["amount"] = self._undisputed(invoice, entry)
            plan = self._record(
                "collection.payment.plan",
                invoice,
                "_collection_record",
                int(count),
                **values,
            )
            return (
                _("Payment plan requested"),
                _(
                    "Your request %(ref)s for %(count)s instalments was sent to your "
                    "contact, who will confirm the schedule.",
                    ref=plan.name,
                    count=plan.instalment_count,
                )
                if plan.state == "to_approve"
                else _(
                    "Your payment plan %(ref)s in %(count)s instalments is active; "
                    "the first is due on %(date)s.",
                    ref=plan.name,
                    count=plan.instalment_count,
                    date=format_date(request.env, plan.next_due_date),
                ),
            )

        return self._commitment_route(invoice_id, access_token, action)
