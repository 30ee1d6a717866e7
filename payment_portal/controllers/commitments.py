from datetime import timedelta

from markupsafe import Markup

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import format_amount, format_date
from odoo.tools.mimetypes import guess_mimetype

from .common import (
    ACCEPTED_TYPES,
    MAX_FILES,
    MAX_MESSAGE,
    PLAN_FIRST_DAYS,
    BadInput,
    CollectionsPortal,
)


class InvoiceCommitments(CollectionsPortal):
    """On the invoice page: the customer disputes it, promises to pay it or asks
    for a payment plan; one route records all three."""

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

    @http.route(
        "/my/invoices/<int:invoice_id>/<any(dispute,promise,plan):kind>",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
        sitemap=False,
    )
    def portal_invoice_commitment(self, invoice_id, kind, access_token=None, **kw):
        """What the customer says about an open invoice of theirs: a dispute,
        a promise or a payment plan request, recorded by ``_commit_<kind>``
        (which returns the title and text of the answer, or raises
        ``BadInput``) through collections_management's services. Nothing is
        written when the form is refused."""
        invoice = self._open_invoice(invoice_id, access_token)
        if not invoice:
            raise request.not_found() from None
        back = self._invoice_back(invoice, access_token)
        try:
            with request.env.cr.savepoint():
                title, message = getattr(self, f"_commit_{kind}")(invoice, kw)
        except BadInput as error:
            return self._refused(str(error), back=back)
        except (UserError, ValidationError) as error:
            return self._refused(error.args[0], back=back)
        return self._done(title, message, back)

    # ------------------------------------------------------------------
    # Recording through collections_management's services
    # ------------------------------------------------------------------

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

    def _commit_dispute(self, invoice, kw):
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
        values = {"description": (kw.get("description") or "").strip()[:MAX_MESSAGE]}
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

    def _commit_promise(self, invoice, kw):
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
                amount=format_amount(request.env, promise.amount, promise.currency_id),
                date=format_date(request.env, promise.promise_date),
                invoice=invoice.name,
            ),
        )

    def _commit_plan(self, invoice, kw):
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
