from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from ..engine.plans import adherence
from ..engine.promises import kept_rate


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to follow the company's default policy.",
    )
    collector_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="The user who follows up this customer's invoices.",
    )
    collection_excluded = fields.Boolean(
        string="Excluded from Follow-up",
        company_dependent=True,
        help="No automatic reminder is planned for this customer.",
    )

    collection_email = fields.Char(
        string="Collections Email",
        help="A dedicated address for payment reminders (accounts payable, "
        "for instance). Used unless a contact is marked for collections.",
    )
    is_collections_contact = fields.Boolean(
        string="Collections Contact",
        help="Reminders of the company go to this contact.",
    )

    collection_promise_ids = fields.One2many(
        "collection.promise", "partner_id", string="Promises to Pay"
    )
    collection_dispute_ids = fields.One2many(
        "collection.dispute", "partner_id", string="Disputes"
    )
    collection_plan_ids = fields.One2many(
        "collection.payment.plan", "partner_id", string="Payment Plans"
    )
    collection_promise_count = fields.Integer(
        compute="_compute_collection_counts",
        groups="collections_management.group_collections_user",
    )
    collection_dispute_count = fields.Integer(
        compute="_compute_collection_counts",
        groups="collections_management.group_collections_user",
    )
    collection_plan_count = fields.Integer(
        compute="_compute_collection_counts",
        groups="collections_management.group_collections_user",
    )
    # Behaviour figures, stored for the dashboards (every company).
    collection_promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_collection_behaviour",
        store=True,
        help="Share of the judged promises that were kept in full.",
    )
    collection_dispute_cycle_days = fields.Float(
        string="Dispute Cycle (days)",
        compute="_compute_collection_behaviour",
        store=True,
        help="Average days from the opening of a dispute to its settlement.",
    )
    collection_plan_adherence = fields.Float(
        string="Plan Adherence (%)",
        compute="_compute_collection_behaviour",
        store=True,
        help="Share of the settled instalments of payment plans that were paid "
        "on time.",
    )

    def _compute_collection_counts(self):
        for field, model in (
            ("collection_promise_count", "collection.promise"),
            ("collection_dispute_count", "collection.dispute"),
            ("collection_plan_count", "collection.payment.plan"),
        ):
            counts = dict(
                self.env[model]._read_group(
                    [("partner_id", "in", self.commercial_partner_id.ids)],
                    ["partner_id"],
                    ["__count"],
                )
            )
            for partner in self:
                partner[field] = counts.get(partner.commercial_partner_id, 0)

    @api.depends(
        "collection_promise_ids.state",
        "collection_dispute_ids.settled_date",
        "collection_plan_ids.line_ids.state",
    )
    def _compute_collection_behaviour(self):
        for partner in self:
            rate = kept_rate(partner.collection_promise_ids.mapped("state"))
            partner.collection_promise_kept_rate = 100 * rate if rate is not None else 0
            settled = partner.collection_dispute_ids.filtered("settled_date")
            partner.collection_dispute_cycle_days = (
                sum((d.settled_date - d.date).days for d in settled) / len(settled)
                if settled
                else 0
            )
            share = adherence(partner.collection_plan_ids.line_ids.mapped("state"))
            partner.collection_plan_adherence = 100 * share if share is not None else 0

    @api.constrains("collection_email")
    def _check_collection_email(self):
        for partner in self.filtered("collection_email"):
            if not email_normalize(partner.collection_email):
                raise ValidationError(
                    self.env._(
                        "%(email)s is not a valid email address.",
                        email=partner.collection_email,
                    )
                )

    def _collection_policy(self, company):
        """The policy that applies to this customer in ``company``."""
        self.ensure_one()
        return self._collection_policies(company).get(
            self.commercial_partner_id.id, self.env["collection.policy"]
        )

    def _collection_policies(self, company):
        """{commercial partner id: policy} in ``company``: the customer's own
        policy, else the first policy whose assignment rules match it, else
        the company's default."""
        policies = self.env["collection.policy"].search(
            [("company_id", "=", company.id)]
        )
        default = policies.filtered("is_default")[:1]
        partners = self.commercial_partner_id.with_company(company)
        result = {
            partner.id: partner.collection_policy_id
            for partner in partners
            if partner.collection_policy_id
        }
        todo = partners.filtered(lambda p: p.id not in result)
        for policy in policies.filtered("has_rules"):  # by sequence
            if not todo:
                break
            matched = todo.filtered_domain(policy._rule_domain())
            result.update(dict.fromkeys(matched.ids, policy))
            todo -= matched
        result.update(dict.fromkeys(todo.ids, default))
        return result

    def _collection_recipient(self):
        """``(contact, reason)``: who receives this customer's reminders. A
        contact marked for collections, else the customer with its dedicated
        collections email, else the invoice address, else the customer
        itself."""
        self.ensure_one()
        customer = self.commercial_partner_id
        contacts = customer.child_ids.filtered("active")
        for contact in contacts:
            if contact.is_collections_contact:
                return contact, "collections_contact"
        if customer.collection_email:
            return customer, "collections_email"
        for contact in contacts:
            if contact.type == "invoice":
                return contact, "invoice_address"
        return customer, "customer"

    def _collections_open_balance(self, today):
        """Amounts this customer owes, per currency: ``{currency: (due,
        overdue)}``, credit notes deducted, from posted documents of every
        company the caller may read."""
        self.ensure_one()
        groups = self.env["account.move"]._read_group(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["currency_id", "move_type", "invoice_date_due:day"],
            ["amount_residual:sum"],
        )
        balance = {}
        for currency, move_type, due_day, residual in groups:
            sign = -1 if move_type == "out_refund" else 1
            due, overdue = balance.get(currency, (0.0, 0.0))
            due += sign * residual
            if move_type == "out_invoice" and due_day and due_day < today:
                overdue += residual
            balance[currency] = (due, overdue)
        return {
            currency: (currency.round(due), currency.round(overdue))
            for currency, (due, overdue) in balance.items()
        }

    def _collection_open_invoices(self):
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("company_id", "in", self.env.companies.ids),
            ]
        )

    def _collection_open(self, model, name):
        records = self.env[model]
        context = records._default_values(self.commercial_partner_id, None)
        return records._open_form(context, name)

    def action_collection_promise(self):
        return self._collection_open("collection.promise", self.env._("Promise to Pay"))

    def action_collection_dispute(self):
        return self._collection_open("collection.dispute", self.env._("Open a Dispute"))

    def action_collection_plan(self):
        return self._collection_open(
            "collection.payment.plan", self.env._("Propose a Payment Plan")
        )

    def _collection_view(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("partner_id", "=", self.commercial_partner_id.id)],
            "context": {"default_partner_id": self.commercial_partner_id.id},
            "name": name,
        }

    def action_view_collection_promises(self):
        return self._collection_view(
            "collection.promise", self.env._("Promises to Pay")
        )

    def action_view_collection_disputes(self):
        return self._collection_view("collection.dispute", self.env._("Disputes"))

    def action_view_collection_plans(self):
        return self._collection_view(
            "collection.payment.plan", self.env._("Payment Plans")
        )

    def action_collection_send_now(self):
        return self._collection_open_invoices().action_collection_send_now()

    def action_collection_exclude(self):
        self.commercial_partner_id.collection_excluded = True
        self._collection_open_invoices()._collection_plan()

    def action_collection_include(self):
        self.commercial_partner_id.collection_excluded = False
        self._collection_open_invoices()._collection_plan()

    def action_collection_reset(self):
        self._collection_open_invoices().action_collection_reset()
