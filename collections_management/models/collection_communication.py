import logging
import uuid
from collections import defaultdict
from email.utils import formataddr

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, html2plaintext, plaintext2html
from odoo.tools.pdf import merge_pdf

from ..engine.letter import Letter
from ..engine.letter import render as render_letter
from ..engine.phone import InvalidPhone, to_e164

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("letter", "Letter"),
    ("call", "Phone Call"),
]


class CollectionCommunication(models.Model):
    """One reminder sent (or to send) to one customer on one channel."""

    _name = "collection.communication"
    _description = "Collection Communication"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    _rec_names_search = ["partner_id", "level_id"]

    # computed when read, so that each user reads it in their own language
    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_id = fields.Many2one("collection.run", readonly=True, index="btree_not_null")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        help="The customer (commercial partner) reminded.",
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        related="partner_id.collector_id",
        help="The user who follows up this customer.",
    )
    recipient_id = fields.Many2one(
        "res.partner",
        ondelete="restrict",
        help="The contact the reminder was addressed to.",
    )
    recipient_source = fields.Selection(
        [
            ("collections_contact", "Collections contact"),
            ("collections_email", "Collections email"),
            ("invoice_address", "Invoice address"),
            ("customer", "Customer"),
        ],
        help="Why this contact received the reminder.",
    )
    recipient_address = fields.Char(
        help="The email address, phone number or postal address used.",
    )
    level_id = fields.Many2one(
        "collection.policy.level",
        required=True,
        ondelete="restrict",
        check_company=True,
    )
    policy_id = fields.Many2one(related="level_id.policy_id", store=True)
    channel = fields.Selection(CHANNELS, required=True)
    date = fields.Date(
        required=True,
        index=True,
        default=fields.Date.context_today,
        help="The day of the run that made this reminder.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_validate", "To Validate"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many(
        "collection.communication.line", "communication_id", string="Lines"
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
    )
    amount_due = fields.Monetary(
        string="Net Amount Due",
        currency_field="currency_id",
        help="What the customer owes, credits deducted, in the company's "
        "currency, when the reminder was made.",
    )
    error = fields.Text(readonly=True)
    sms_body = fields.Text(string="SMS Text", readonly=True)
    letter_attachment_id = fields.Many2one("ir.attachment", readonly=True)
    mail_message_id = fields.Many2one("mail.message", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True)
    access_token = fields.Char(copy=False, readonly=True, groups="base.group_system")
    opened_date = fields.Datetime(string="Opened", readonly=True)
    clicked_date = fields.Datetime(string="Clicked", readonly=True)
    is_bounced = fields.Boolean(string="Bounced", readonly=True)
    # 1 or 0, so that the pivot and the dashboards can sum them per level,
    # channel or collector and divide by the count of reminders
    opened_count = fields.Integer(
        string="Reminders Opened", compute="_compute_tracking_counts", store=True
    )
    clicked_count = fields.Integer(
        string="Reminders Clicked", compute="_compute_tracking_counts", store=True
    )
    bounced_count = fields.Integer(
        string="Reminders Bounced", compute="_compute_tracking_counts", store=True
    )

    _sql_constraints = [
        (
            "partner_channel_day_uniq",
            "unique(company_id, partner_id, channel, date)",
            "A customer gets at most one reminder per channel and per day.",
        ),
    ]

    @api.depends("opened_date", "clicked_date", "is_bounced")
    def _compute_tracking_counts(self):
        for comm in self:
            comm.opened_count = int(bool(comm.opened_date))
            comm.clicked_count = int(bool(comm.clicked_date))
            comm.bounced_count = int(comm.is_bounced)

    @api.depends("level_id", "channel", "partner_id")
    def _compute_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for comm in self:
            comm.name = " - ".join(
                filter(
                    None,
                    [
                        comm.level_id.name,
                        labels.get(comm.channel),
                        comm.partner_id.name,
                    ],
                )
            )

    @api.depends("line_ids.move_id", "line_ids.plan_line_id")
    def _compute_move_ids(self):
        for comm in self:
            comm.move_ids = (
                comm.line_ids.move_id | comm.line_ids.plan_line_id.plan_id.move_ids
            )

    # ------------------------------------------------------------------
    # Figures used by the templates
    # ------------------------------------------------------------------

    def _due_lines(self):
        return self.line_ids.filtered(lambda line: line.kind == "due")

    def _credit_lines(self):
        return self.line_ids.filtered(lambda line: line.kind == "credit")

    def _totals(self):
        """[(currency, due, credit, net)] per currency, for the templates."""
        self.ensure_one()
        totals = {}
        for line in self.line_ids:
            due, credit = totals.get(line.currency_id, (0.0, 0.0))
            if line.kind == "due":
                due += line.amount_residual_currency
            else:
                credit += line.amount_residual_currency
            totals[line.currency_id] = (due, credit)
        return [
            (currency, due, credit, due - credit)
            for currency, (due, credit) in sorted(
                totals.items(), key=lambda item: item[0].name
            )
        ]

    def _totals_text(self):
        """ "1,200.00 EUR + 300.00 USD": the net amounts, for an SMS."""
        self.ensure_one()
        return " + ".join(
            format_amount(self.env, net, currency)
            for currency, _due, _credit, net in self._totals()
            if net > 0
        )

    def _portal_url(self):
        """The view-and-pay link of this reminder: counts the click, then
        opens the customer's invoices."""
        self.ensure_one()
        token = self.sudo()._ensure_token()  # sudo: the token is system-only
        base = self.get_base_url()
        return f"{base}/collections/r/{self.id}/{token}"

    def _landing_url(self):
        """Where the view-and-pay link lands: the invoice itself when the
        reminder is about one, else the customer's invoices, with an access
        token so that no password is needed."""
        self.ensure_one()
        moves = self._due_lines().move_id
        if len(moves) == 1:
            return moves.get_portal_url()
        return "/my/invoices"

    def _pixel_url(self):
        self.ensure_one()
        token = self.sudo()._ensure_token()  # sudo: the token is system-only
        return f"{self.get_base_url()}/collections/o/{self.id}/{token}"

    def _ensure_token(self):
        if not self.access_token:
            self.access_token = uuid.uuid4().hex
        return self.access_token

    def _contact_user(self):
        """Who the customer may contact: the collector, else the user
        running the reminders' company's default."""
        self.ensure_one()
        collector = self.partner_id.with_company(self.company_id).collector_id
        return collector or self.env.user

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_validate(self):
        """Send reminders that waited for a collector's validation."""
        waiting = self.filtered(lambda comm: comm.state == "to_validate")
        if not waiting:
            raise UserError(
                self.env._("Only reminders waiting for validation can be validated.")
            )
        # the tasks that asked for this validation are done
        todo = self.env.ref("mail.mail_activity_data_todo")
        waiting.activity_ids.filtered(
            lambda activity: activity.activity_type_id == todo
        ).action_feedback(feedback=self.env._("Validated"))
        waiting._send()
        waiting._advance_levels()
        waiting._log_on_documents()

    def action_cancel(self):
        sent = self.filtered(lambda comm: comm.state == "sent")
        if sent:
            raise UserError(
                self.env._(
                    "%(count)s reminder(s) already went out and cannot be cancelled.",
                    count=len(sent),
                )
            )
        self.state = "cancelled"

    def action_print_letters(self):
        """One PDF with the letters of the selected reminders, to print in
        one batch."""
        letters = self.filtered(
            lambda comm: comm.channel == "letter" and comm.letter_attachment_id
        )
        if not letters:
            raise UserError(self.env._("None of the selected reminders is a letter."))
        pdf = merge_pdf([letter.letter_attachment_id.raw for letter in letters])
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Letters %(date)s.pdf", date=fields.Date.today()),
                "raw": pdf,
                "mimetype": "application/pdf",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

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

    def _email_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.env.ref(
            "collections_management.mail_template_first"
        )

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
        letter = Letter(
            company_lines=[
                company.name,
                *filter(None, [company.street, company.street2]),
                " ".join(filter(None, [company.zip, company.city])),
                " - ".join(filter(None, [company.phone, company.email])),
            ],
            recipient_lines=name_lines
            + [
                line
                for line in recipient._display_address(without_company=True).split("\n")
                if line.strip()
            ],
            place_date=", ".join(
                filter(
                    None,
                    [company.city, format_date(env, self.date, lang_code=lang)],
                )
            ),
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

    def _log_on_documents(self):
        """A note on the customer's and on each invoice's chatter, so the
        history stays on the documents the users open."""
        by_partner, by_move = defaultdict(list), defaultdict(list)
        for comm in self:
            # the note stays on the documents: written in the language of
            # the company whose collectors read them, not the cron's
            comm_l = comm.with_context(
                lang=comm.company_id.partner_id.lang or self.env.lang
            )
            env = comm_l.env
            text = env._(
                "%(level)s (%(channel)s, %(state)s) to %(recipient)s",
                level=comm_l.level_id.name,
                channel=dict(self._fields["channel"]._description_selection(env))[
                    comm.channel
                ],
                state=dict(self._fields["state"]._description_selection(env))[
                    comm.state
                ],
                recipient=comm.recipient_address or comm.recipient_id.display_name,
            )
            link = Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
                self._name,
                comm.id,
                text,
            )
            by_partner[comm.partner_id].append(link)
            for move in comm._due_lines().move_id:
                by_move[move.id].append(link)
        if by_partner:
            self.env["res.partner"].browse(
                [partner.id for partner in by_partner]
            )._message_log_batch(
                bodies={
                    partner.id: Markup("<br/>").join(links)
                    for partner, links in by_partner.items()
                }
            )
        if by_move:
            self.env["account.move"].browse(list(by_move))._message_log_batch(
                bodies={
                    mid: Markup("<br/>").join(links) for mid, links in by_move.items()
                }
            )

    def _expected_address(self):
        """The address the reminder will go to, as known before it is sent
        (shown while it waits for validation); False when there is none,
        which the sending will then report."""
        self.ensure_one()
        contact = self.recipient_id
        if self.channel == "email":
            return self._email_to() or contact.email or False
        if self.channel == "sms":
            country = (contact.country_id or self.partner_id.country_id).code
            try:
                return to_e164(contact.mobile or contact.phone, country)
            except InvalidPhone:
                return False
        if self.channel == "letter":
            address = contact._display_address(without_company=True)
            return address.strip().replace("\n", ", ") or False
        return contact.phone or contact.mobile or False

    def _ask_validation(self):
        """A task for each reminder waiting for its collector's validation,
        the reminder showing where it will go."""
        tasks = []
        for comm in self:
            comm.recipient_address = comm._expected_address()
            user = comm._contact_user()
            env = self.with_context(lang=user.lang or self.env.lang).env
            tasks.append(
                (
                    comm,
                    "mail.mail_activity_data_todo",
                    env._("Validate this reminder"),
                    False,
                    user,
                )
            )
        self._create_tasks(tasks)

    # ------------------------------------------------------------------
    # Replies (shared inbox)
    # ------------------------------------------------------------------

    def _notify_get_reply_to(self, default=None):
        """Reminders are answered to the collections alias, so that the
        mail gateway brings replies back to the customer's history."""
        reply_to = super()._notify_get_reply_to(default=default)
        alias = self.env.ref(
            "collections_management.mail_alias_collections", raise_if_not_found=False
        )
        # sudo: the alias's address is configuration every sender may use
        address = alias and alias.sudo().alias_full_name
        if address and "@" in address:
            for comm in self:
                reply_to[comm.id] = formataddr(
                    (
                        self.env._(
                            "%(company)s Collections", company=comm.company_id.name
                        ),
                        address,
                    )
                )
        return reply_to

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An email to the collections alias that answers no reminder goes
        to the sender's latest reminder, hence to its customer."""
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        comm = partner and self.search(
            [("partner_id", "=", partner.commercial_partner_id.id)],
            order="date desc, id desc",
            limit=1,
        )
        if not comm:
            raise ValueError(
                "collections alias: the sender %s is no customer with reminders"
                % msg_dict.get("email_from")
            )
        return comm

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and self._is_customer_reply(message):
            self._collection_reply_received(message)
        return res

    def _is_customer_reply(self, message):
        author = message.author_id
        return not author or not author.user_ids.filtered(lambda u: not u.share)

    def _collection_reply_received(self, message):
        """Copy a customer's reply onto the customer (its collections view,
        seen by the whole team), tell the collector and put it on the
        collector's worklist."""
        for comm in self:
            partner = comm.partner_id.commercial_partner_id
            # the collector, else the salesperson; else the team sees it
            # unassigned on the worklist
            collector = (
                partner.with_company(comm.company_id).collector_id or partner.user_id
            )
            # sudo: the reply's files go with it onto the customer
            attachments = self.env["ir.attachment"].sudo()
            for attachment in message.attachment_ids.sudo():
                attachments |= attachment.copy(
                    {"res_model": "res.partner", "res_id": partner.id}
                )
            # sudo: the gateway's message goes on the customer, whom the
            # sending user (the customer) may not write on
            partner.sudo().message_post(
                body=message.body,
                subject=message.subject,
                author_id=message.author_id.id,
                email_from=message.email_from,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=collector.partner_id.ids,
                attachment_ids=attachments.ids,
            )
            self.env["collection.worklist.item"].sudo()._add_reply(
                comm, message, collector
            )

    def _message_receive_bounce(self, email, partner):
        """A bounced reminder is a failed one: the collector gets a task."""
        res = super()._message_receive_bounce(email, partner)
        for comm in self.filtered(lambda c: c.channel == "email"):
            comm.is_bounced = True
            comm._fail(self.env._("The email to %(email)s bounced.", email=email))
        return res


class CollectionCommunicationLine(models.Model):
    """A due line or a credit listed in a reminder, as it stood that day."""

    _name = "collection.communication.line"
    _description = "Collection Communication Line"
    _order = "communication_id, kind desc, date_maturity, id"

    communication_id = fields.Many2one(
        "collection.communication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    kind = fields.Selection([("due", "Due"), ("credit", "Credit")], required=True)
    move_line_id = fields.Many2one("account.move.line", ondelete="cascade", index=True)
    move_id = fields.Many2one(related="move_line_id.move_id", store=True)
    plan_line_id = fields.Many2one(
        "collection.payment.plan.line",
        string="Instalment",
        ondelete="cascade",
        index="btree_not_null",
    )
    document_name = fields.Char(
        string="Document",
        compute="_compute_document_name",
        help="The invoice, credit note or payment plan instalment.",
    )
    date_maturity = fields.Date(string="Due Date")
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual_currency = fields.Monetary(
        string="Amount", currency_field="currency_id"
    )
    is_triggered = fields.Boolean(
        help="This line reached the level today; the others are listed for "
        "the customer's information.",
    )
    level_id = fields.Many2one("collection.policy.level")
    days_overdue = fields.Integer(
        string="Days After Due Date",
        help="Negative before the due date (a courtesy reminder).",
    )

    _sql_constraints = [
        (
            "one_document",
            "CHECK((move_line_id IS NULL) != (plan_line_id IS NULL))",
            "A reminder line is about one receivable line or one instalment.",
        ),
    ]

    @api.depends("move_line_id", "plan_line_id")
    def _compute_document_name(self):
        # the names alone: not every column of the invoices and plans
        self.move_id.fetch(["name"])
        self.plan_line_id.fetch(["name"])
        for line in self:
            line.document_name = line.move_id.name or line.plan_line_id.name
