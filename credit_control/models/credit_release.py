import dataclasses
import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..engine import holds


class CreditRelease(models.Model):
    """A salesperson's request to confirm an order of a customer on credit
    hold, and the credit manager's decision: for this order, or for the
    customer during some days."""

    _name = "credit.release"
    _description = "Credit Release"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    order_id = fields.Many2one(
        "sale.order", readonly=True, index=True, check_company=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    requested_by_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    reason = fields.Text(required=True, help="Why the order should go ahead.")
    causes = fields.Text(
        string="Hold",
        compute="_compute_causes",
        help="Why the customer was on hold when the release was requested.",
    )
    # the facts of the hold at the request, so that each reader reads why in
    # its own language and number format
    hold_codes = fields.Char(readonly=True)
    hold_facts = fields.Text(readonly=True)
    order_amount = fields.Monetary(readonly=True)
    exposure = fields.Monetary(readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        default="requested",
        required=True,
        readonly=True,
        tracking=True,
    )
    scope = fields.Selection(
        [("order", "This Order"), ("customer", "The Customer, for Some Days")],
        default="order",
        required=True,
        tracking=True,
    )
    days = fields.Integer(default=30, help="How long a customer release lasts.")
    date_until = fields.Date(string="Valid Until", readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_note = fields.Text()

    @api.depends("order_id", "partner_id")
    def _compute_name(self):
        for release in self:
            release.name = self.env._(
                "Release of %(document)s",
                document=release.order_id.name or release.partner_id.display_name,
            )

    @api.depends("hold_codes", "hold_facts", "partner_id", "company_id")
    @api.depends_context("lang")
    def _compute_causes(self):
        for release in self:
            if not release.hold_codes:
                release.causes = False
                continue
            facts = json.loads(release.hold_facts or "{}")
            manual_reason = facts.pop("manual_reason", None)
            # sudo: who may read the release reads why its customer was on
            # hold (the text is made of the facts stored on the release)
            release.causes = release.partner_id.sudo()._credit_causes_text(
                release.hold_codes.split(","),
                holds.Situation(**facts),
                release.company_id,
                manual_reason=manual_reason,
            )

    def _company_lang(self):
        """The language of what is written for everyone (chatter notes)."""
        return self.company_id.partner_id.lang or self.env.lang

    @api.model
    def _request(self, order, reason, source_user=None):
        """Ask the credit managers to release ``order`` (or return the
        open request of that order); they get a task with the amounts."""
        existing = self.search(
            [("order_id", "=", order.id), ("state", "=", "requested")], limit=1
        )
        if existing:
            return existing
        company = order.company_id
        partner = order.partner_id.commercial_partner_id
        situation = partner._credit_situations(company, order=order)[partner.id]
        codes = holds.reasons(situation, company.currency_id.decimal_places)
        facts = dataclasses.asdict(situation)
        if holds.MANUAL in codes:
            facts["manual_reason"] = partner.with_company(company).credit_hold_reason
        release = self.create(
            {
                "order_id": order.id,
                "partner_id": partner.id,
                "company_id": company.id,
                "reason": reason,
                "requested_by_id": (source_user or self.env.user).id,
                "hold_codes": ",".join(codes),
                "hold_facts": json.dumps(facts),
                "order_amount": situation.order_amount,
                "exposure": situation.exposure,
                "credit_limit": situation.limit or 0.0,
            }
        )
        order.credit_state = "waiting"
        managers = self.env.ref("credit_control.group_credit_manager").users.filtered(
            lambda u: company in u.company_ids and not u.share
        ) - self.env.ref("base.user_root")
        # a customer confirming online is no user to write from: OdooBot is
        author = self.env.user
        if not author._is_internal():
            author = self.env.ref("base.user_root")
        # sudo: the requester writes the managers' tasks on a release and a
        # note on an order it may only read, as itself (the notifications'
        # author)
        release = release.with_user(author).sudo()
        order = order.with_user(author).sudo()
        for manager in managers:
            # each manager reads its task in its own language
            as_manager = release.with_context(lang=manager.lang or self.env.lang)
            as_manager.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=as_manager.env._(
                    "Credit release of %(order)s: %(amount)s",
                    order=order.name,
                    amount=format_amount(
                        as_manager.env, order.amount_total, order.currency_id
                    ),
                ),
                note=as_manager.causes,
                user_id=manager.id,
            )
        logged = release.with_context(lang=release._company_lang())
        order.message_post(
            body=logged.env._(
                "Credit hold, waiting for credit approval: %(causes)s",
                causes=logged.causes,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return release.with_env(self.env)

    def _check_approver(self):
        user = self.env.user
        if not user.has_group("credit_control.group_credit_manager"):
            raise UserError(
                self.env._("Only a credit manager can decide on a release.")
            )
        for release in self:
            if release.requested_by_id == user:
                raise UserError(
                    self.env._(
                        "You requested this release: another credit manager must "
                        "decide on it."
                    )
                )
            if release.state != "requested":
                raise UserError(self.env._("This release was already decided."))

    def action_approve(self):
        """Release the order (or the customer for some days) and confirm the
        order."""
        self._check_approver()
        today = fields.Date.context_today(self)
        for release in self:
            # the release may be of another of the manager's companies than
            # the one it works in: its order is confirmed in its company
            release = release.with_company(release.company_id)
            if release.scope == "customer" and release.days < 1:
                raise UserError(
                    self.env._("A customer release lasts at least one day.")
                )
            release.write(
                {
                    "state": "approved",
                    "decided_by_id": self.env.user.id,
                    "date_until": today + timedelta(days=release.days - 1)
                    if release.scope == "customer"
                    else False,
                }
            )
            release.activity_unlink(["mail.mail_activity_data_todo"])
            order = release.order_id
            if order and order.state in ("draft", "sent"):
                order.credit_state = "approved"
                # sudo: the credit manager may not be allowed to confirm
                # orders; the release is the approval the order waited for
                order.sudo().action_confirm()
            release._notify_requester(
                lambda env: env._(
                    "Credit release approved by %(user)s.", user=env.user.name
                )
            )

    def action_reject(self):
        """Refuse the release, telling the requester why (the decision is
        required)."""
        self._check_approver()
        for release in self:
            release = release.with_company(release.company_id)
            if not (release.decision_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write in Decision why the release is refused: the "
                        "salesperson is told."
                    )
                )
            release.write({"state": "rejected", "decided_by_id": self.env.user.id})
            release.activity_unlink(["mail.mail_activity_data_todo"])
            if release.order_id:
                release.order_id.credit_state = "rejected"
            release._notify_requester(
                lambda env, release=release: env._(
                    "Credit release refused by %(user)s: %(note)s",
                    user=env.user.name,
                    note=release.decision_note,
                )
            )

    def _notify_requester(self, make_body):
        """Post to the requester ``make_body(env)``, written in the
        requester's language."""
        self.ensure_one()
        requester = self.requested_by_id
        target = (self.order_id or self).with_context(
            lang=requester.lang or self._company_lang()
        )
        target.message_post(
            body=make_body(target.env),
            partner_ids=requester.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )

    @api.model
    def _active_for(self, order, today=None):
        """The approved release that lets ``order`` be confirmed, if any."""
        today = today or fields.Date.context_today(self)
        partner = order.partner_id.commercial_partner_id
        return self.search(
            [
                ("state", "=", "approved"),
                ("company_id", "=", order.company_id.id),
                "|",
                ("order_id", "=", order._origin.id or 0),
                "&",
                "&",
                ("scope", "=", "customer"),
                ("partner_id", "=", partner.id),
                ("date_until", ">=", today),
            ],
            limit=1,
        )
