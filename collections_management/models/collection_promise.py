from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..engine import promises as engine

STATES = [
    ("open", "Open"),
    ("kept", "Kept"),
    ("partial", "Partially Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]


class CollectionPromise(models.Model):
    """A customer's promise to pay an amount by a date. While open, the
    covered invoices get no reminder; once its date plus the grace period
    has passed, it is judged on what was paid since it was made."""

    _name = "collection.promise"
    _description = "Promise to Pay"
    _inherit = ["collection.commitment.mixin"]
    _order = "promise_date desc, id desc"

    name = fields.Char(compute="_compute_name")
    date = fields.Date(
        string="Promised On",
        help="The day the customer made the promise: payments count from it.",
    )
    promise_date = fields.Date(string="Pay By", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", required=True)
    state = fields.Selection(
        STATES, default="open", required=True, readonly=True, tracking=True
    )
    paid_amount = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        help="What the customer paid on the invoices between the promise and "
        "its judgement.",
    )
    judged_date = fields.Date(readonly=True)

    @api.depends("amount", "currency_id", "promise_date", "partner_id")
    def _compute_name(self):
        for promise in self:
            promise.name = self.env._(
                "%(amount)s by %(date)s",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.promise_date),
            )

    # ------------------------------------------------------------------
    # Recording a promise: every path (form, portal, email) comes here
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # a refused promise leaves nothing behind, whoever catches the error
        with self.env.cr.savepoint():
            promises = super().create(vals_list)
            promises._check_acceptable()
        promises._replan_invoices()
        return promises

    def write(self, vals):
        res = super().write(vals)
        if {"promise_date", "amount", "move_ids"} & set(vals):
            self.filtered(lambda p: p.state == "open")._check_acceptable()
        return res

    @api.model
    def _collection_record(self, partner, invoices, amount, promise_date, **values):
        """Record a promise (or return the identical open one, so that a
        form sent twice records it once). Raises ``UserError`` with every
        reason when the promise is outside the policy's limits."""
        return self._record_once(
            partner,
            invoices,
            {"amount": amount, "promise_date": promise_date},
            **values,
        )

    def _covered_twice_message(self, other, invoices):
        return self.env._(
            "%(invoices)s already covered by the open promise %(promise)s: change "
            "or cancel that one instead.",
            invoices=", ".join(invoices.mapped("name")),
            promise=other.name,
        )

    def _check_acceptable(self):
        self._check_invoices_free()
        for promise in self:
            company = promise.company_id
            policy = promise.partner_id._collection_policy(company)
            broken = self.search_count(
                [
                    ("partner_id", "=", promise.partner_id.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                ]
            )
            today = fields.Date.context_today(promise)
            due = promise.due_amount
            codes = engine.refusals(
                today,
                promise.promise_date,
                promise.amount,
                due,
                max_days=policy.promise_max_days,
                min_share=policy.promise_min_share / 100,
                broken_count=broken,
                max_broken=company.collection_max_broken_promises,
                rounding=promise.currency_id.decimal_places,
            )
            if codes:
                raise UserError(
                    "\n".join(promise._refusal_message(code, due) for code in codes)
                )

    def _refusal_message(self, code, due):
        self.ensure_one()
        policy = self.partner_id._collection_policy(self.company_id)
        texts = {
            engine.TOO_MANY_BROKEN: lambda: self.env._(
                "%(customer)s broke %(count)s promises: no new promise can be "
                "accepted; ask for a payment or propose a payment plan.",
                customer=self.partner_id.display_name,
                count=self.company_id.collection_max_broken_promises,
            ),
            engine.DATE_PAST: lambda: self.env._(
                "The promised date %(date)s is in the past.",
                date=format_date(self.env, self.promise_date),
            ),
            engine.DATE_TOO_FAR: lambda: self.env._(
                "The promised date may be at most %(days)s days from today.",
                days=policy.promise_max_days,
            ),
            engine.AMOUNT_NOT_POSITIVE: lambda: self.env._(
                "The promised amount must be positive."
            ),
            engine.AMOUNT_TOO_HIGH: lambda: self.env._(
                "The promised amount is more than the %(due)s due on these invoices.",
                due=format_amount(self.env, due, self.currency_id),
            ),
            engine.AMOUNT_TOO_LOW: lambda: self.env._(
                "A promise must cover at least %(share)s%% of the %(due)s due, "
                "that is %(minimum)s.",
                share=round(policy.promise_min_share),
                due=format_amount(self.env, due, self.currency_id),
                minimum=format_amount(
                    self.env, due * policy.promise_min_share / 100, self.currency_id
                ),
            ),
        }
        return texts[code]()

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def action_cancel(self):
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.state = "cancelled"
        self._replan_invoices()

    def _judge(self, today, final):
        """Judge the open promises on what was paid since each was made:
        ``final`` at the end of the grace period (kept, partially kept or
        broken), else only kept ones are closed (paid early)."""
        judged = self.browse()
        for promise in self:
            paid = sum(
                amount for _day, amount in promise._collection_payments(promise.date)
            )
            state = engine.outcome(
                promise.amount, paid, promise.currency_id.decimal_places
            )
            if state != engine.KEPT and not final:
                continue
            promise.write({"state": state, "paid_amount": paid, "judged_date": today})
            judged |= promise
            if state == engine.BROKEN:
                promise._task(
                    lambda env, p=promise: env._(
                        "Broken promise: nothing paid of %(amount)s",
                        amount=format_amount(env, p.amount, p.currency_id),
                    )
                )
            elif state == engine.PARTIAL:
                promise._task(
                    lambda env, p=promise, paid=paid: env._(
                        "Promise partially kept: %(paid)s paid of %(amount)s",
                        paid=format_amount(env, paid, p.currency_id),
                        amount=format_amount(env, p.amount, p.currency_id),
                    )
                )
        judged._replan_invoices()
        return judged

    @api.model
    def _cron_review(self, today=None):
        """Judge the open promises whose date plus the grace period passed."""
        for company in self.env["res.company"].search([]):
            day = today or fields.Date.context_today(self.with_company(company))
            grace = company.collection_promise_grace_days
            promises = self.search(
                [("company_id", "=", company.id), ("state", "=", "open")]
            )
            promises.filtered(
                lambda p, d=day, g=grace: engine.is_due_for_review(p.promise_date, d, g)
            )._judge(day, final=True)
