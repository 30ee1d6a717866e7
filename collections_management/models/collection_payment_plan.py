from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..engine import plans as engine

FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
]


class CollectionPaymentPlan(models.Model):
    """Invoices paid by instalments. While active, the invoices are not
    reminded on their own due dates: the instalments are, through the
    policy. Payments on the invoices pay the instalments, oldest first."""

    _name = "collection.payment.plan"
    _description = "Payment Plan"
    _inherit = ["collection.commitment.mixin"]
    _order = "id desc"
    _open_domain = [("state", "in", ("draft", "to_approve", "active"))]

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    amount = fields.Monetary(
        string="Total",
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    down_payment = fields.Monetary(currency_field="currency_id")
    instalment_count = fields.Integer(string="Instalments", default=3, required=True)
    frequency = fields.Selection(FREQUENCIES, default="monthly", required=True)
    first_date = fields.Date(
        string="First Due Date",
        required=True,
        default=fields.Date.context_today,
    )
    line_ids = fields.One2many(
        "collection.payment.plan.line", "plan_id", string="Schedule", readonly=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("breached", "Breached"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    start_date = fields.Date(
        readonly=True,
        copy=False,
        help="The day the plan became active: payments count from it.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    paid_amount = fields.Monetary(
        currency_field="currency_id", compute="_compute_paid", store=True
    )
    remaining_amount = fields.Monetary(
        currency_field="currency_id", compute="_compute_paid", store=True
    )
    next_due_date = fields.Date(compute="_compute_paid", store=True)

    @api.depends("move_ids")
    def _compute_amount(self):
        for plan in self:
            if plan.state == "draft":
                plan.amount = sum(plan.move_ids.mapped("amount_residual"))
            else:
                plan.amount = plan.amount  # the terms of a submitted plan stay

    @api.depends("line_ids.amount", "line_ids.paid_amount", "line_ids.state")
    def _compute_paid(self):
        for plan in self:
            plan.paid_amount = sum(plan.line_ids.mapped("paid_amount"))
            plan.remaining_amount = plan.amount - plan.paid_amount
            unpaid = plan.line_ids.filtered(
                lambda line: line.state in ("pending", "missed")
            )
            plan.next_due_date = min(unpaid.mapped("due_date"), default=False)

    @api.constrains(
        "amount", "down_payment", "instalment_count", "move_ids", "first_date"
    )
    def _check_terms(self):
        for plan in self.filtered(lambda p: p.state in ("draft", "to_approve")):
            cur = plan.currency_id
            policy = plan.partner_id._collection_policy(plan.company_id)
            if plan.first_date < fields.Date.context_today(plan):
                raise ValidationError(
                    self.env._("The first due date of a plan cannot be in the past.")
                )
            if cur.compare_amounts(plan.amount, 0) <= 0:
                raise ValidationError(
                    self.env._("A payment plan needs a positive total.")
                )
            if cur.compare_amounts(plan.amount, plan.due_amount) > 0:
                raise ValidationError(
                    self.env._(
                        "The plan's total %(total)s is more than the %(due)s still "
                        "due on its invoices.",
                        total=format_amount(self.env, plan.amount, cur),
                        due=format_amount(self.env, plan.due_amount, cur),
                    )
                )
            if (
                plan.down_payment < 0
                or cur.compare_amounts(plan.down_payment, plan.amount) >= 0
            ):
                raise ValidationError(
                    self.env._("The down payment must be less than the total.")
                )
            if plan.instalment_count < 1 or (
                policy.plan_max_instalments
                and plan.instalment_count > policy.plan_max_instalments
            ):
                raise ValidationError(
                    self.env._(
                        "A payment plan has from 1 to %(max)s instalments.",
                        max=policy.plan_max_instalments,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._assign_references(vals_list, "collection.payment.plan")
        # a refused plan leaves nothing behind, whoever catches the error
        with self.env.cr.savepoint():
            plans = super().create(vals_list)
            plans._check_invoices_free()
            plans._generate_schedule()
        return plans

    def _covered_twice_message(self, other, invoices):
        return self.env._(
            "%(invoices)s already in the payment plan %(plan)s.",
            invoices=", ".join(invoices.mapped("name")),
            plan=other.name,
        )

    def write(self, vals):
        res = super().write(vals)
        terms = {
            "amount",
            "down_payment",
            "instalment_count",
            "frequency",
            "first_date",
        }
        if terms & set(vals):
            if self.filtered(lambda p: p.state not in ("draft", "to_approve")):
                raise UserError(
                    self.env._("The terms of an active plan cannot be changed.")
                )
            self._generate_schedule()
        return res

    @api.model
    def _collection_record(self, partner, invoices, instalment_count, **values):
        """Propose a plan for these invoices and submit it (or return the
        identical proposal, so that a form sent twice records it once)."""
        plan = self._record_once(
            partner, invoices, {"instalment_count": instalment_count}, **values
        )
        if plan.state == "draft":
            plan.action_submit()
        return plan

    def _generate_schedule(self):
        for plan in self:
            rows = engine.schedule(
                plan.amount,
                plan.instalment_count,
                plan.frequency,
                plan.first_date,
                down_payment=plan.down_payment,
                rounding=plan.currency_id.decimal_places,
            )
            plan.line_ids = [(5, 0, 0)] + [
                (
                    0,
                    0,
                    {
                        "sequence": row.sequence,
                        "due_date": row.due_date,
                        "amount": row.amount,
                    },
                )
                for row in rows
            ]

    # ------------------------------------------------------------------
    # Approval
    # ------------------------------------------------------------------

    def _can_approve(self, user=None):
        """A collections manager approves any plan; a collector, plans up to
        the company's approval limit."""
        self.ensure_one()
        user = user or self.env.user
        if user.has_group("collections_management.group_collections_manager"):
            return True
        return (
            user.has_group("collections_management.group_collections_user")
            and self.company_currency_id.compare_amounts(
                self.amount_company, self.company_id.collection_plan_approval_limit
            )
            <= 0
        )

    def action_submit(self):
        """Activate the plan when the user may approve it, else ask a
        manager for approval."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only draft plans can be submitted."))
            if plan._can_approve():
                plan._activate()
            else:
                plan.state = "to_approve"
                managers = self.env.ref(
                    "collections_management.group_collections_manager"
                ).users.filtered(
                    lambda u, p=plan: p.company_id in u.company_ids and not u.share
                )
                # every manager of the company sees it in their activities
                for manager in managers - self.env.ref("base.user_root"):
                    plan._task(
                        lambda env, p=plan: env._(
                            "Approve the payment plan of %(total)s",
                            total=format_amount(env, p.amount, p.currency_id),
                        ),
                        user=manager,
                    )

    def action_approve(self):
        for plan in self:
            if plan.state != "to_approve":
                raise UserError(
                    self.env._("Only plans waiting for approval can be approved.")
                )
            if not plan._can_approve():
                raise UserError(
                    self.env._(
                        "A plan of %(total)s needs a collections manager's approval "
                        "(collectors approve up to %(limit)s).",
                        total=format_amount(
                            self.env, plan.amount_company, plan.company_currency_id
                        ),
                        limit=format_amount(
                            self.env,
                            plan.company_id.collection_plan_approval_limit,
                            plan.company_currency_id,
                        ),
                    )
                )
            plan._activate()
        self.activity_feedback(["mail.mail_activity_data_todo"])

    def _activate(self):
        self.write(
            {
                "state": "active",
                "start_date": fields.Date.context_today(self),
                "approved_by_id": self.env.user.id,
            }
        )
        self._replan_invoices()
        self._collection_allocate()

    def action_cancel(self):
        if self.filtered(lambda p: p.state not in ("draft", "to_approve", "active")):
            raise UserError(self.env._("Only plans in progress can be cancelled."))
        self.state = "cancelled"
        self._replan_invoices()

    def action_draft(self):
        if self.filtered(lambda p: p.state not in ("to_approve", "cancelled")):
            raise UserError(
                self.env._("Only plans waiting or cancelled go back to draft.")
            )
        self.state = "draft"

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------

    def _collection_allocate(self, today=None):
        """Allocate the payments received since the plan started to its
        instalments, oldest first; complete the plan when all are paid,
        breach it when one is missed beyond the grace period."""
        for plan in self.filtered(lambda p: p.state == "active"):
            day = today or fields.Date.context_today(plan)
            result = engine.allocate(
                [(line.id, line.due_date, line.amount) for line in plan.line_ids],
                plan._collection_payments(plan.start_date),
                day,
                grace_days=plan.company_id.collection_plan_grace_days,
                rounding=plan.currency_id.decimal_places,
            )
            for line in plan.line_ids:
                alloc = result[line.id]
                values = {
                    "paid_amount": alloc.paid,
                    "paid_date": alloc.paid_date,
                    "state": alloc.state,
                }
                if any(line[key] != value for key, value in values.items()):
                    line.write(values)
            states = set(plan.line_ids.mapped("state"))
            if states <= {engine.PAID, engine.LATE} or not plan.move_ids.filtered(
                lambda m: m.payment_state in ("not_paid", "partial")
            ):
                plan.state = "completed"
                plan._replan_invoices()
            elif engine.MISSED in states:
                missed = plan.line_ids.filtered(
                    lambda line: line.state == engine.MISSED
                )[:1]
                plan.state = "breached"
                plan._task(
                    lambda env, p=plan, m=missed: env._(
                        "Payment plan breached: the instalment of %(amount)s due on "
                        "%(date)s was not paid",
                        amount=format_amount(env, m.amount, p.currency_id),
                        date=format_date(env, m.due_date),
                    )
                )
                plan._replan_invoices()

    @api.model
    def _cron_review(self, today=None):
        self.search([("state", "=", "active")])._collection_allocate(today)


class CollectionPaymentPlanLine(models.Model):
    _name = "collection.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, due_date, sequence, id"

    plan_id = fields.Many2one(
        "collection.payment.plan", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    name = fields.Char(compute="_compute_name")
    sequence = fields.Integer(help="0 for the down payment.")
    due_date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    paid_amount = fields.Monetary(readonly=True)
    paid_date = fields.Date(readonly=True)
    state = fields.Selection(
        [
            ("pending", "To Pay"),
            ("paid", "Paid"),
            ("late", "Paid Late"),
            ("missed", "Missed"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    # reminders follow each instalment like an invoice's due line
    collection_level_id = fields.Many2one(
        "collection.policy.level", string="Reminder Level", readonly=True
    )
    collection_last_date = fields.Date(string="Last Reminder", readonly=True)

    @api.depends("plan_id.name", "sequence", "plan_id.instalment_count")
    def _compute_name(self):
        for line in self:
            if line.sequence:
                line.name = self.env._(
                    "%(plan)s instalment %(number)s/%(count)s",
                    plan=line.plan_id.name,
                    number=line.sequence,
                    count=line.plan_id.instalment_count,
                )
            else:
                line.name = self.env._("%(plan)s down payment", plan=line.plan_id.name)
