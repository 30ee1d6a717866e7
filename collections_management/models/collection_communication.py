import uuid
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount
from odoo.tools.pdf import merge_pdf

from ..engine.phone import InvalidPhone, to_e164

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
