import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import format_amount, plaintext2html

from ..engine.phone import InvalidPhone, to_e164
from .collection_communication import CHANNELS

_logger = logging.getLogger(__name__)


class CollectionCommunication(models.Model):
    """Sending reminders: the run hands a batch to ``_send``, which sends it
    channel by channel (email, SMS, letter, call task), records what failed
    and why, and moves the invoices to the level reached."""

    # a concern of its own, kept apart from collection_communication.py
    _inherit = "collection.communication"  # pylint: disable=consider-merging-classes-inherited

    def _send(self):
        """Send each reminder on its channel, each channel in one batch. A
        failure (no email address, invalid phone number, no postal address)
        marks the reminder failed with its reason and gives the collector a
        task; it never stops the others. A batch that fails as a whole (a
        template that cannot be rendered, say) is sent again one reminder at
        a time, so that only the reminders at fault fail."""
        failed = {}
        for channel, _label in CHANNELS:
            comms = self.filtered(lambda comm, channel=channel: comm.channel == channel)
            if not comms:
                continue
            try:
                with self.env.cr.savepoint():
                    failed.update(comms._send_channel())
            except Exception:  # noqa: BLE001 - each is then sent on its own
                _logger.warning(
                    "batch of %s reminders (%s) failed; sending them one by one",
                    len(comms),
                    channel,
                    exc_info=True,
                )
                for comm in comms:
                    try:
                        with self.env.cr.savepoint():
                            failed.update(comm._send_channel())
                    except Exception as exc:  # noqa: BLE001 - it fails, not the run
                        failed[comm.id] = str(exc)
        (self - self.browse(list(failed))).state = "sent"
        self._fail_all(failed)

    def _send_channel(self):
        """Send reminders of one channel; return ``{id: why it failed}``."""
        channel = self[:1].channel
        return getattr(self, f"_send_{channel}_batch")()

    def _fail(self, reason):
        self.ensure_one()
        self._fail_all({self.id: reason})

    def _fail_all(self, reasons):
        """Mark reminders failed (``{id: reason}``) and give each one's
        collector a task saying why."""
        comms = self.browse(list(reasons))
        for comm in comms:
            comm.write({"state": "failed", "error": reasons[comm.id]})
        tasks = []
        for comm in comms:
            user = comm._contact_user()
            # the summary in the language of the collector who reads it
            env = self.with_context(lang=user.lang or self.env.lang).env
            summary = env._("Reminder failed: %(reason)s", reason=reasons[comm.id])
            tasks.append((comm, "mail.mail_activity_data_todo", summary, False, user))
        self._create_tasks(tasks)

    @api.model
    def _create_tasks(self, tasks):
        """Schedule activities in one go: ``tasks`` is a list of ``(record,
        activity type xml id, summary, note, user)``; return them in that
        order. The run makes many a day: each user finds theirs in the
        activities menu and on the worklist, without an email for each
        (``mail_activity_quick_update``)."""
        if not tasks:
            return self.env["mail.activity"]
        today = fields.Date.context_today(self)
        return (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "activity_type_id": self.env.ref(xmlid).id,
                        "summary": summary,
                        "note": note,
                        "automated": True,
                        "date_deadline": today,
                        "res_model_id": self.env["ir.model"]._get_id(record._name),
                        "res_id": record.id,
                        "user_id": user.id,
                    }
                    for record, xmlid, summary, note, user in tasks
                ]
            )
        )

    def _advance_levels(self):
        """The reminded due lines climb to their level, as of the reminder's
        day."""
        move_lines = defaultdict(lambda: self.env["account.move.line"])
        instalments = defaultdict(lambda: self.env["collection.payment.plan.line"])
        for comm in self:
            for line in comm.line_ids.filtered("is_triggered"):
                key = (line.level_id.id, comm.date)
                move_lines[key] |= line.move_line_id
                instalments[key] |= line.plan_line_id
        for groups in (move_lines, instalments):
            for (level_id, day), records in groups.items():
                if records:
                    records.with_context(
                        # only the lines' reminder fields change: nothing to
                        # balance, synchronise or track on their entries
                        check_move_validity=False,
                        skip_invoice_sync=True,
                        skip_invoice_line_sync=True,
                        skip_account_move_synchronization=True,
                        tracking_disable=True,
                    ).write(
                        {"collection_level_id": level_id, "collection_last_date": day}
                    )

    # ------------------------------------------------------------------
    # Channels: each sends a batch of reminders and returns {id: why not}
    # ------------------------------------------------------------------

    def _send_email_batch(self):
        """Render the emails together (per template and language) and queue
        them in Odoo's mail queue, each with its message on the reminder's
        chatter (where replies and bounces come back). The message is the
        template's own: the reminder says who writes and how to answer, so no
        notification layout ("Your Collection Communication") wraps it."""
        failed, by_template = {}, defaultdict(lambda: self.browse())
        for comm in self:
            address = comm._email_to() or comm.recipient_id.email
            if not address:
                failed[comm.id] = self.env._(
                    "%(contact)s has no email address.",
                    contact=comm.recipient_id.display_name,
                )
                continue
            comm.recipient_address = address
            by_template[comm._email_template()] |= comm
        for template, comms in by_template.items():
            files = template.attachment_ids or template.report_template_ids
            rendered = template._generate_template(
                comms.ids,
                ["subject", "body_html", "email_from", "email_to", "email_cc"]
                + ["partner_to", "scheduled_date"]
                + (["attachment_ids", "report_template_ids"] if files else []),
                # the dedicated collections address becomes a contact, so
                # that its bounces and replies are known
                find_or_create_partners=True,
            )
            attachments = comms._email_attachments(template, rendered) if files else {}
            messages = comms._post_messages(
                {
                    comm.id: {
                        "message_type": "comment",
                        "subtype_id": self.env.ref("mail.mt_comment").id,
                        "email_from": rendered[comm.id]["email_from"],
                        "subject": rendered[comm.id]["subject"],
                        "body": rendered[comm.id]["body_html"],
                        "partner_ids": rendered[comm.id].get("partner_ids", []),
                        "attachment_ids": attachments.get(comm.id, []),
                        "mail_server_id": template.mail_server_id.id,
                    }
                    for comm in comms
                }
            )
            # sudo: outgoing mails and their notifications are technical
            # records that Odoo's own notification process creates in sudo
            mails = (
                self.env["mail.mail"]
                .sudo()
                .create(
                    [
                        comm._notify_by_email_get_base_mail_values(
                            message,
                            {
                                "body_html": message.body,
                                "recipient_ids": [
                                    Command.link(pid) for pid in message.partner_ids.ids
                                ],
                                "auto_delete": template.auto_delete,
                                "is_notification": True,
                                "state": "outgoing",
                                "scheduled_date": rendered[comm.id].get(
                                    "scheduled_date"
                                ),
                            },
                        )
                        for comm, message in zip(comms, messages, strict=True)
                    ]
                )
            )
            self.env["mail.notification"].sudo().create(
                [
                    {
                        "author_id": message.author_id.id,
                        "mail_message_id": message.id,
                        "mail_mail_id": mail.id,
                        "res_partner_id": partner.id,
                        "notification_type": "email",
                        "notification_status": "ready",
                        "is_read": True,
                    }
                    for message, mail in zip(messages, mails, strict=True)
                    for partner in message.partner_ids
                ]
            )
        return failed

    def _email_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.env.ref(
            "collections_management.mail_template_first"
        )

    def _email_attachments(self, template, rendered):
        """{id: attachment commands} of each reminder's email: its own copy
        of the template's files, and the template's reports rendered for it
        (as Odoo's composer attaches them)."""
        commands = {}
        for comm in self:
            files = template.attachment_ids.copy(
                {"res_model": self._name, "res_id": comm.id}
            ) | self.env["ir.attachment"].create(
                [
                    {
                        "name": name,
                        "datas": content,
                        "res_model": self._name,
                        "res_id": comm.id,
                    }
                    for name, content in rendered[comm.id].get("attachments", [])
                ]
            )
            commands[comm.id] = [Command.set(files.ids)]
        return commands

    def _post_messages(self, values):
        """One message on each reminder's chatter (``{id: values}``), in one
        go, kept as the reminder's message; return them in the order of
        ``self``. The values complete those Odoo's ``message_post`` sets
        itself: author, reply-to, company."""
        author = self.env.user.partner_id
        companies = self._mail_get_companies(default=self.env.company)
        # sudo: the alias domain is configuration, as in message_post
        domains = self.sudo()._mail_get_alias_domains(default_company=self.env.company)
        reply_to = self._notify_get_reply_to(default=False)
        messages = self._message_create(
            [
                {
                    "model": self._name,
                    "res_id": comm.id,
                    "author_id": author.id,
                    "email_from": author.email_formatted,
                    "record_name": comm.display_name,
                    "record_company_id": companies[comm.id].id,
                    "record_alias_domain_id": domains[comm.id].id,
                    "reply_to": reply_to[comm.id]
                    or values[comm.id].get("email_from")
                    or author.email_formatted,
                    **values[comm.id],
                }
                for comm in self
            ]
        )
        for comm, message in zip(self, messages, strict=True):
            comm.mail_message_id = message
        return messages

    def _email_recipient_ids(self):
        """Comma-separated ids of the email's recipients (for the template):
        the recipient, and the salesperson when the level asks for a copy."""
        self.ensure_one()
        partners = self.recipient_id
        if self._email_to():
            partners = self.env["res.partner"]
        salesperson = self.partner_id.user_id.partner_id
        if self.level_id.cc_salesperson and salesperson.email:
            partners |= salesperson
        return ",".join(str(pid) for pid in partners.ids)

    def _email_to(self):
        """The customer's dedicated collections email, when it receives the
        reminder (for the template's ``email_to``), else ``""``."""
        self.ensure_one()
        if self.recipient_source == "collections_email":
            return self.partner_id.collection_email or ""
        return ""

    def _send_sms_batch(self):
        """Render the SMS together and queue them for Odoo's SMS queue, each
        with its message on the reminder's chatter. A missing or invalid
        number fails the reminder."""
        failed, by_template = {}, defaultdict(lambda: self.browse())
        for comm in self:
            number = comm.recipient_id.mobile or comm.recipient_id.phone
            country = (comm.recipient_id.country_id or comm.partner_id.country_id).code
            try:
                comm.recipient_address = to_e164(number, country)
            except InvalidPhone as exc:
                failed[comm.id] = self.env._(
                    "No SMS to %(contact)s: %(reason)s.",
                    contact=comm.recipient_id.display_name,
                    reason=str(exc),
                )
                continue
            template = comm.level_id.sms_template_id or self.env.ref(
                "collections_management.sms_template_first"
            )
            by_template[template] |= comm
        for template, comms in by_template.items():
            bodies = template._render_field("body", comms.ids, compute_lang=True)
            for comm in comms:
                comm.sms_body = bodies[comm.id]
            messages = comms._post_messages(
                {
                    comm.id: {
                        "message_type": "sms",
                        "subtype_id": self.env.ref("mail.mt_note").id,
                        "body": plaintext2html(bodies[comm.id]),
                    }
                    for comm in comms
                }
            )
            # sudo: as Odoo's SMS notification process, SMS and their
            # notifications are technical records created in sudo
            sms = (
                self.env["sms.sms"]
                .sudo()
                .create(
                    [
                        {
                            "body": comm.sms_body,
                            "number": comm.recipient_address,
                            "partner_id": comm.recipient_id.id,
                            "mail_message_id": message.id,
                            "state": "outgoing",
                        }
                        for comm, message in zip(comms, messages, strict=True)
                    ]
                )
            )
            self.env["mail.notification"].sudo().create(
                [
                    {
                        "author_id": message.author_id.id,
                        "mail_message_id": message.id,
                        "res_partner_id": one.partner_id.id,
                        "sms_number": one.number,
                        "notification_type": "sms",
                        "sms_id_int": one.id,
                        "sms_tracker_ids": [Command.create({"sms_uuid": one.uuid})],
                        "notification_status": "ready",
                        "is_read": True,
                    }
                    for message, one in zip(messages, sms, strict=True)
                ]
            )
        return failed

    def _send_letter_batch(self):
        """The PDF letter of each reminder, attached to it, ready to print
        with the day's others. A recipient with no postal address fails."""
        failed, letters, attachments = {}, self.browse(), []
        for comm in self:
            if not (comm.recipient_id.street or comm.recipient_id.city):
                failed[comm.id] = self.env._(
                    "%(contact)s has no postal address.",
                    contact=comm.recipient_id.display_name,
                )
                continue
            letters |= comm
            attachments.append(
                {
                    "name": f"{comm.name}.pdf",
                    "raw": comm._letter_pdf(),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": comm.id,
                }
            )
        attachments = self.env["ir.attachment"].create(attachments)
        for comm, attachment in zip(letters, attachments, strict=True):
            address = comm.recipient_id._display_address(without_company=True)
            comm.write(
                {
                    "letter_attachment_id": attachment.id,
                    "recipient_address": address.strip().replace("\n", ", "),
                }
            )
        return failed

    def _send_call_batch(self):
        """A call task for each customer's collector, with the due invoices
        in its note."""
        tasks = []
        for comm in self:
            comm.recipient_address = comm.recipient_id.phone or comm.recipient_id.mobile
            rows = Markup("").join(
                Markup("<li>%s: %s (%s)</li>")
                % (
                    line.document_name,
                    format_amount(
                        self.env, line.amount_residual_currency, line.currency_id
                    ),
                    self.env._("%(days)s days late", days=line.days_overdue)
                    if line.days_overdue >= 0
                    else self.env._("due in %(days)s days", days=-line.days_overdue),
                )
                for line in comm._due_lines()
            )
            tasks.append(
                (
                    comm.partner_id.with_company(comm.company_id),
                    "mail.mail_activity_data_call",
                    self.env._(
                        "Call about %(level)s (%(amount)s due)",
                        level=comm.level_id.name,
                        amount=format_amount(
                            self.env, comm.amount_due, comm.currency_id
                        ),
                    ),
                    Markup("<ul>%s</ul>") % rows,
                    comm._contact_user(),
                )
            )
        for comm, activity in zip(self, self._create_tasks(tasks), strict=True):
            comm.activity_id = activity
        return {}
