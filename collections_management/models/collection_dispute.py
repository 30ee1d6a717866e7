from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

OPEN_STATES = ("new", "investigation")


class CollectionDispute(models.Model):
    """A customer contests (part of) invoices. While open, the disputed
    amount is not reminded; accepting it credits the customer through
    Odoo's reversal, rejecting it explains why and resumes the reminders."""

    _name = "collection.dispute"
    _description = "Invoice Dispute"
    _inherit = ["collection.commitment.mixin"]
    _order = "id desc"
    _open_domain = [("state", "in", OPEN_STATES)]

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    amount = fields.Monetary(
        string="Disputed Amount",
        required=True,
        help="All or part of what the invoices still owe.",
    )
    reason_id = fields.Many2one(
        "collection.dispute.reason", required=True, tracking=True, check_company=True
    )
    date = fields.Date(string="Opened On")
    description = fields.Text(help="What the customer says.")
    user_id = fields.Many2one(string="Owner")
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        store=True,
        help="Informed of the dispute (follower).",
    )
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        readonly=False,
        tracking=True,
        help="The date by which the dispute should be settled (the reason's "
        "deadline from its opening).",
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("investigation", "Under Investigation"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
    )
    is_open = fields.Boolean(compute="_compute_is_open", search="_search_is_open")
    resolution = fields.Text(
        help="The decision, sent to the customer when the dispute is rejected."
    )
    credit_note_ids = fields.Many2many(
        "account.move",
        "collection_dispute_credit_note_rel",
        "dispute_id",
        "move_id",
        string="Credit Notes",
        readonly=True,
        copy=False,
    )
    settled_date = fields.Date(readonly=True, copy=False)
    overdue_task_date = fields.Date(readonly=True, copy=False)

    @api.depends("move_ids")
    def _compute_salesperson_id(self):
        for dispute in self:
            dispute.salesperson_id = dispute.move_ids.invoice_user_id[:1]

    @api.depends("reason_id", "date")
    def _compute_deadline(self):
        for dispute in self:
            start = dispute.date or fields.Date.context_today(dispute)
            dispute.deadline = start + timedelta(days=dispute.reason_id.sla_days or 10)

    @api.depends("partner_id", "company_id", "reason_id")
    def _compute_user_id(self):
        for dispute in self:
            collector = dispute.partner_id.with_company(dispute.company_id).collector_id
            dispute.user_id = (
                dispute.reason_id.user_id
                or collector
                or dispute.user_id
                or self.env.user
            )

    @api.depends("state")
    def _compute_is_open(self):
        for dispute in self:
            dispute.is_open = dispute.state in OPEN_STATES

    def _search_is_open(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on open disputes."))
        positive = (operator == "=") == value
        return [("state", "in" if positive else "not in", OPEN_STATES)]

    @api.constrains("amount", "move_ids")
    def _check_amount(self):
        for dispute in self.filtered(lambda d: d.state in OPEN_STATES):
            cur = dispute.currency_id
            if cur.compare_amounts(dispute.amount, 0) <= 0:
                raise ValidationError(
                    self.env._("The disputed amount must be positive.")
                )
            if cur.compare_amounts(dispute.amount, dispute.due_amount) > 0:
                raise ValidationError(
                    self.env._(
                        "The disputed amount %(amount)s is more than the %(due)s "
                        "still due on these invoices.",
                        amount=format_amount(self.env, dispute.amount, cur),
                        due=format_amount(self.env, dispute.due_amount, cur),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._assign_references(vals_list, "collection.dispute")
        # a refused dispute leaves nothing behind, whoever catches the error
        with self.env.cr.savepoint():
            disputes = super().create(vals_list)
            disputes._check_invoices_free()
        for dispute in disputes:
            followers = (dispute.user_id | dispute.salesperson_id).partner_id
            dispute.message_subscribe(partner_ids=followers.ids)
        disputes._replan_invoices()
        return disputes

    def _covered_twice_message(self, other, invoices):
        return self.env._(
            "%(invoices)s already in the open dispute %(dispute)s: add to that one "
            "instead.",
            invoices=", ".join(invoices.mapped("name")),
            dispute=other.name,
        )

    @api.model
    def _collection_record(self, partner, invoices, amount, reason, **values):
        """Open a dispute (or return the identical open one, so that a form
        sent twice opens it once)."""
        return self._record_once(
            partner, invoices, {"amount": amount, "reason_id": reason.id}, **values
        )

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "state" in init_values and self.state in ("accepted", "rejected"):
            return self.env.ref("collections_management.mt_dispute_settled")
        return super()._track_subtype(init_values)

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def _ensure_open(self):
        closed = self.filtered(lambda d: d.state not in OPEN_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "%(disputes)s already settled.",
                    disputes=", ".join(closed.mapped("name")),
                )
            )

    def action_investigate(self):
        self._ensure_open()
        self.state = "investigation"

    def action_accept(self):
        """Credit the disputed amount (a credit note per invoice, through
        Odoo's reversal, posted and reconciled) and close the dispute."""
        self._ensure_open()
        for dispute in self:
            credit_notes = dispute._create_credit_notes()
            dispute.write(
                {
                    "state": "accepted",
                    "settled_date": fields.Date.context_today(dispute),
                    "credit_note_ids": [(6, 0, credit_notes.ids)],
                }
            )
        self._replan_invoices()

    def action_reject(self):
        """Send the customer the explanation and resume the reminders."""
        self._ensure_open()
        missing = self.filtered(lambda d: not (d.resolution or "").strip())
        if missing:
            raise UserError(
                self.env._(
                    "Write in Resolution why the dispute is rejected: the customer "
                    "receives that explanation."
                )
            )
        template = self.env.ref("collections_management.mail_template_dispute_rejected")
        for dispute in self:
            dispute.write(
                {
                    "state": "rejected",
                    "settled_date": fields.Date.context_today(dispute),
                }
            )
            dispute.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        self._replan_invoices()

    def action_cancel(self):
        self._ensure_open()
        self.write({"state": "cancelled"})
        self._replan_invoices()

    def _create_credit_notes(self):
        """Credit notes for the disputed amount, spread over the invoices
        oldest first; an invoice credited in full is reversed as it is, a
        part by a reversal whose lines are scaled to that part."""
        self.ensure_one()
        left = self.amount
        credit_notes = self.env["account.move"]
        for move in self.move_ids.sorted(lambda m: (m.invoice_date, m.id)):
            cur = move.currency_id
            share = min(left, move.amount_residual)
            if cur.compare_amounts(share, 0) <= 0:
                break
            left -= share
            reverse_vals = {
                "ref": self.env._(
                    "Dispute %(dispute)s on %(invoice)s",
                    dispute=self.name,
                    invoice=move.name,
                ),
                "date": fields.Date.context_today(self),
                "invoice_date": fields.Date.context_today(self),
            }
            refund = move._reverse_moves([reverse_vals])
            if cur.compare_amounts(share, move.amount_total) != 0:
                refund._collection_scale_to(share)
            refund.action_post()
            (refund | move).line_ids.filtered(
                lambda line: (
                    line.account_type == "asset_receivable" and not line.reconciled
                )
            ).reconcile()
            credit_notes |= refund
        return credit_notes

    def action_view_credit_notes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.credit_note_ids.ids)],
            "name": self.env._("Credit Notes"),
            "context": {"create": False},
        }

    @api.model
    def _cron_review(self, today=None):
        """A task for the owner of each open dispute past its deadline."""
        today = today or fields.Date.context_today(self)
        overdue = self.search(
            [
                ("is_open", "=", True),
                ("deadline", "<", today),
                ("overdue_task_date", "=", False),
            ]
        )
        for dispute in overdue:
            dispute._task(
                lambda env, d=dispute: env._(
                    "Dispute %(dispute)s past its deadline (%(deadline)s)",
                    dispute=d.name,
                    deadline=format_date(env, d.deadline),
                )
            )
        overdue.overdue_task_date = today
