from odoo import fields, http
from odoo.http import request
from odoo.tools import format_amount, format_date

from odoo.addons.collections_management.engine import statement as engine
from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..engine import elision
from .common import MAX_MESSAGE, CollectionsPortal


class StatementPortal(CollectionsPortal):
    """The customer's statement of account: home page balance, statement page
    and PDF, messages to the collector."""

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
            "buckets": partner._collection_statement_bucket_labels(),
            "filters": self._filter_labels(),
            "filter": filter_,
            "currencies": currencies,
            "currency_id": currency_id,
            "token": token,
            "allow_partial": company.collection_portal_partial_payment,
            "collector": self._collector(partner, company),
        }

    def _filter_labels(self):
        _ = request.env._
        return [
            ("all", _("All")),
            ("overdue", _("Overdue")),
            ("current", _("Not yet due")),
        ]

    def _read_filters(self, kw):
        filter_ = kw.get("filter") or "all"
        if filter_ not in engine.FILTERS:
            filter_ = "all"
        currency_id = kw.get("currency")
        currency_id = int(currency_id) if str(currency_id or "").isdigit() else None
        return filter_, currency_id

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
        pdf = partner.with_env(env)._collection_statement_pdf()
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
