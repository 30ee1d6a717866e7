from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import worklist

OUTCOMES = [
    ("reached", "Reached, Nothing Agreed"),
    ("no_answer", "No Answer"),
    ("wrong_number", "Wrong Number"),
    ("promise", "Promise Obtained"),
    ("dispute", "Dispute Raised"),
    ("plan", "Payment Plan Asked"),
    ("paid", "Says Already Paid"),
]


class CollectionCallLog(models.TransientModel):
    """What came of a call, in one form: the call is logged on the
    customer, its activity marked done, and the promise, dispute or plan
    recorded through the same services as from their own forms."""

    _name = "collection.call.log"
    _description = "Log a Collections Call"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    item_id = fields.Many2one("collection.worklist.item", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, default="reached")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial')),"
        " ('company_id', '=', company_id)]",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_amount", store=True, readonly=True
    )
    amount = fields.Monetary(compute="_compute_amount", store=True, readonly=False)
    promise_date = fields.Date(string="Pay By")
    reason_id = fields.Many2one("collection.dispute.reason", string="Dispute Reason")
    instalment_count = fields.Integer(string="Instalments", default=3)
    callback_days = fields.Integer(
        string="Call Again In (days)",
        default=2,
        help="For no answer: a new call is planned this many days from today.",
    )
    note = fields.Text()

    @api.depends("partner_id", "company_id")
    def _compute_move_ids(self):
        for wizard in self:
            wizard.move_ids = wizard.partner_id._collection_open_invoices().filtered(
                lambda m, w=wizard: (
                    m.company_id == w.company_id
                    and m.currency_id == w.company_id.currency_id
                )
            )

    @api.depends("move_ids")
    def _compute_amount(self):
        for wizard in self:
            wizard.currency_id = (
                wizard.move_ids[:1].currency_id or wizard.company_id.currency_id
            )
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual"))

    def action_confirm(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        record = self._record(partner)
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        body = Markup("<p><b>%s</b>: %s</p>") % (self.env._("Call"), outcome)
        if record:
            body += Markup("<p>%s</p>") % record.display_name
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        # sudo: collectors log calls and plan follow-ups on their customers
        # without the right to edit customers; the author stays the user.
        partner = partner.sudo()
        partner.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        if self.activity_id.exists():
            # sudo: as above, the call activity is on the customer
            self.activity_id.sudo().action_feedback(feedback=outcome)
        if self.outcome == "no_answer":
            partner.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=fields.Date.context_today(self)
                + timedelta(days=max(self.callback_days, 0)),
                summary=self.env._("Call again (no answer)"),
                user_id=self.env.user.id,
            )
        elif self.outcome == "wrong_number":
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Find the right phone number"),
                user_id=self.env.user.id,
            )
        elif self.outcome == "paid":
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Look for the payment the customer made"),
                note=self.note,
                user_id=self.env.user.id,
            )
        if self.item_id and worklist.settled_by_a_call(self.item_id.reason):
            self.item_id.state = "done"
        if record:
            return {
                "type": "ir.actions.act_window",
                "res_model": record._name,
                "res_id": record.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "current",
            }
        return {"type": "ir.actions.act_window_close"}

    def _record(self, partner):
        """The promise, dispute or plan of the outcome, recorded by the
        collections services (same rules as their own forms)."""
        if self.outcome not in ("promise", "dispute", "plan"):
            return None
        invoices = self.move_ids
        if not invoices:
            raise UserError(self.env._("Select the invoices the call was about."))
        if self.outcome == "promise":
            if not self.promise_date:
                raise UserError(self.env._("Enter the date the customer will pay by."))
            return self.env["collection.promise"]._collection_record(
                partner, invoices, self.amount, self.promise_date, note=self.note
            )
        if self.outcome == "dispute":
            if not self.reason_id:
                raise UserError(self.env._("Choose the reason of the dispute."))
            return self.env["collection.dispute"]._collection_record(
                partner, invoices, self.amount, self.reason_id, description=self.note
            )
        return self.env["collection.payment.plan"]._collection_record(
            partner, invoices, self.instalment_count, note=self.note
        )
