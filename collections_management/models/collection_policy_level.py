from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.levels import Level


class CollectionPolicyLevel(models.Model):
    _name = "collection.policy.level"
    _description = "Dunning Level"
    # a level has no chatter of its own: its changes are told on its policy
    # (see _message_log_batch), so that the policy's history shows them all
    _inherit = ["mail.thread"]
    _order = "policy_id, trigger_days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "collection.policy",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True, tracking=True)
    trigger_days = fields.Integer(
        tracking=True,
        string="Days After Due Date",
        required=True,
        help="Days after the due date from which this level is sent. A "
        "negative number sends a courtesy reminder before the due date.",
    )
    min_days_since_previous = fields.Integer(
        tracking=True,
        string="Days Since Previous Reminder",
        default=7,
        help="This level waits at least this many days after the previous "
        "reminder of the same invoice.",
    )
    is_courtesy = fields.Boolean(compute="_compute_is_courtesy")
    currency_id = fields.Many2one(related="company_id.currency_id")

    # Channels: any combination.
    channel_email = fields.Boolean(string="Email", default=True, tracking=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'collection.communication')]",
    )
    channel_sms = fields.Boolean(string="SMS", tracking=True)
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'collection.communication')]",
    )
    channel_letter = fields.Boolean(string="Letter", tracking=True)
    letter_body = fields.Html(
        string="Letter Text",
        translate=True,
        help="Opening paragraphs of the letter, above the table of due invoices.",
    )
    channel_call = fields.Boolean(
        tracking=True,
        string="Phone Call",
        help="Plan a call for the customer's collector, with the due invoices in "
        "its note.",
    )
    needs_validation = fields.Boolean(
        tracking=True,
        help="Reminders of this level wait for a collector's validation before "
        "they go out.",
    )
    cc_salesperson = fields.Boolean(
        string="Copy to Salesperson",
        help="The customer's salesperson receives a copy of the email.",
    )
    # Escalation flags read by other add-ons.
    is_credit_hold = fields.Boolean(
        tracking=True,
        string="Credit Hold",
        help="Reaching this level puts the customer on credit hold (Credit Control).",
    )
    is_agency_handover = fields.Boolean(
        tracking=True,
        string="Hand Over to Agency",
        help="Reaching this level hands the customer over to an external "
        "collection agency.",
    )
    fee_enabled = fields.Boolean(
        tracking=True,
        string="Late Payment Fee",
        help="Mention a fixed recovery fee and the legal interest on this "
        "level's letters and emails.",
    )
    fee_amount = fields.Monetary(
        tracking=True,
        currency_field="currency_id",
        default=40.0,
        help="In France: the fixed recovery indemnity of 40 EUR (Code de "
        "commerce, art. L441-10 and D441-5).",
    )
    legal_text = fields.Html(
        string="Legal Mentions",
        translate=True,
        help="Printed at the foot of the letters of this level.",
    )

    _sql_constraints = [
        (
            "trigger_days_uniq",
            "unique(policy_id, trigger_days)",
            "Two levels of one policy cannot start on the same day.",
        ),
    ]

    def _message_log_batch(self, bodies, **kwargs):
        """Tell the levels' creation and changes on their policy's chatter,
        under each level's name."""
        messages = self.env["mail.message"]
        for level in self:
            policy = level.policy_id
            # stored once: the level's name in the company's language, as
            # the run's chatter notes, whoever (or whatever script) edits it
            lang = policy.company_id.partner_id.lang or self.env.lang
            body = Markup("<p><b>%s</b></p>%s") % (
                level.with_context(lang=lang).name,
                bodies.get(level.id) or "",
            )
            messages |= policy._message_log_batch({policy.id: body}, **kwargs)
        return messages

    def unlink(self):
        for level in self:
            level.policy_id._message_log(
                body=self.env._("Level %(level)s removed.", level=level.name)
            )
        return super().unlink()

    @api.depends("trigger_days")
    def _compute_is_courtesy(self):
        for level in self:
            level.is_courtesy = level.trigger_days < 0

    @api.constrains("channel_email", "channel_sms", "channel_letter", "channel_call")
    def _check_channel(self):
        for level in self:
            if not (
                level.channel_email
                or level.channel_sms
                or level.channel_letter
                or level.channel_call
            ):
                raise ValidationError(
                    self.env._(
                        "Level %(level)s sends nothing: choose at least one "
                        "channel (email, SMS, letter or phone call).",
                        level=level.name,
                    )
                )

    def _channels(self):
        """The channels of this level, in sending order."""
        self.ensure_one()
        return [
            channel
            for channel, enabled in (
                ("email", self.channel_email),
                ("sms", self.channel_sms),
                ("letter", self.channel_letter),
                ("call", self.channel_call),
            )
            if enabled
        ]

    @api.constrains("min_days_since_previous")
    def _check_min_days_since_previous(self):
        for level in self:
            if level.min_days_since_previous < 0:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: the days since the previous reminder "
                        "cannot be negative.",
                        level=level.name,
                    )
                )

    def _engine_level(self):
        """The engine's view of this level."""
        self.ensure_one()
        return Level(
            key=self.id,
            trigger_days=self.trigger_days,
            min_days_since_previous=self.min_days_since_previous,
        )
