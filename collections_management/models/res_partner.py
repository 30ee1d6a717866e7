from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from ..engine import behaviour as behaviour_engine
from ..engine import kpis
from ..engine import worklist as engine
from ..engine.plans import adherence
from ..engine.promises import kept_rate


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "collection.commitment.source"]

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Dunning Policy",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        help="Leave empty to follow the company's default policy.",
    )
    collection_effective_policy_id = fields.Many2one(
        "collection.policy",
        string="Policy Followed",
        compute="_compute_collection_effective_policy",
        help="The customer's own policy, else the first policy whose "
        "conditions match it, else the company's default.",
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
    # whether each figure has anything to measure yet (0 % of no promise
    # judged is not the customer's behaviour)
    has_collection_promise_judged = fields.Boolean(
        compute="_compute_collection_behaviour", store=True
    )
    has_collection_dispute_settled = fields.Boolean(
        compute="_compute_collection_behaviour", store=True
    )
    has_collection_instalment_settled = fields.Boolean(
        compute="_compute_collection_behaviour", store=True
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
            partner.has_collection_promise_judged = rate is not None
            settled = partner.collection_dispute_ids.filtered("settled_date")
            partner.has_collection_dispute_settled = bool(settled)
            partner.collection_dispute_cycle_days = (
                sum((d.settled_date - d.date).days for d in settled) / len(settled)
                if settled
                else 0
            )
            share = adherence(partner.collection_plan_ids.line_ids.mapped("state"))
            partner.collection_plan_adherence = 100 * share if share is not None else 0
            partner.has_collection_instalment_settled = share is not None

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

    def _compute_collection_effective_policy(self):
        policies = self._collection_policies(self.env.company)
        for partner in self:
            partner.collection_effective_policy_id = policies.get(
                partner.commercial_partner_id.id, False
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

    def _collection_commitment_target(self):
        self.ensure_one()
        return self.commercial_partner_id, None

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

    # ------------------------------------------------------------------
    # Worklist, collections view (360°), assignment
    # ------------------------------------------------------------------

    collection_open_amount = fields.Monetary(
        string="Open Amount",
        compute="_compute_collection_open_amount",
        currency_field="collection_currency_id",
        help="What the customer owes the current company, in its currency.",
    )
    collection_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_open_amount"
    )

    # The customer's collections view (360°): computed for the current
    # company, from the documents, so that it outlives archived invoices'
    # lines only as long as the documents do; the history itself (messages,
    # promises, disputes, plans, reminders) is attached to the customer.
    collection_open_move_ids = fields.Many2many(
        "account.move", compute="_compute_collection_360", string="Open Invoices"
    )
    collection_paid_move_ids = fields.Many2many(
        "account.move", compute="_compute_collection_360", string="Recently Paid"
    )
    collection_communication_ids = fields.Many2many(
        "collection.communication",
        compute="_compute_collection_360",
        string="Communications",
    )
    collection_aged_current = fields.Monetary(
        string="Not Yet Due",
        compute="_compute_collection_360",
        currency_field="collection_currency_id",
    )
    collection_aged_1_30 = fields.Monetary(
        string="1-30 Days",
        compute="_compute_collection_360",
        currency_field="collection_currency_id",
    )
    collection_aged_31_60 = fields.Monetary(
        string="31-60 Days",
        compute="_compute_collection_360",
        currency_field="collection_currency_id",
    )
    collection_aged_61_90 = fields.Monetary(
        string="61-90 Days",
        compute="_compute_collection_360",
        currency_field="collection_currency_id",
    )
    collection_aged_over_90 = fields.Monetary(
        string="Over 90 Days",
        compute="_compute_collection_360",
        currency_field="collection_currency_id",
    )
    collection_average_days_late = fields.Float(
        string="Average Days Late", compute="_compute_collection_360", digits=(16, 1)
    )
    collection_on_time_share = fields.Float(
        string="Paid On Time (%)", compute="_compute_collection_360", digits=(16, 1)
    )
    collection_trend = fields.Selection(
        [
            (behaviour_engine.IMPROVING, "Improving"),
            (behaviour_engine.STABLE, "Stable"),
            (behaviour_engine.WORSENING, "Worsening"),
        ],
        string="Trend",
        compute="_compute_collection_360",
    )
    collection_next_reminder_date = fields.Date(
        string="Next Reminder", compute="_compute_collection_360"
    )
    collection_expected_30 = fields.Monetary(
        string="Expected in 30 Days",
        compute="_compute_collection_prediction",
        currency_field="collection_currency_id",
        help="What is left to pay on the open invoices that the payment-date "
        "prediction expects within 30 days.",
    )
    collection_late_chance = fields.Float(
        string="Chance of Late Payment (%)",
        compute="_compute_collection_prediction",
        digits=(16, 1),
        help="The predicted chance of late payment of the open invoices, "
        "weighted by what is left to pay on each.",
    )
    collection_worklist_item_ids = fields.One2many(
        "collection.worklist.item", "partner_id", string="Worklist"
    )

    def _compute_collection_prediction(self):
        """From the predictions stored on the open invoices, in one query
        (the customer's form shows them: not the whole 360° view)."""
        company = self.env.company
        horizon = fields.Date.context_today(self) + timedelta(days=30)
        moves = self.env["account.move"].search_fetch(
            [
                ("commercial_partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("collection_expected_date", "!=", False),
            ],
            [
                "commercial_partner_id",
                "amount_residual_signed",
                "collection_expected_date",
                "collection_late_probability",
            ],
        )
        expected, weighted, open_amount = defaultdict(float), defaultdict(float), {}
        for move in moves:
            key = move.commercial_partner_id.id
            residual = move.amount_residual_signed
            if move.collection_expected_date <= horizon:
                expected[key] += residual
            weighted[key] += residual * move.collection_late_probability
            open_amount[key] = open_amount.get(key, 0.0) + residual
        for partner in self:
            key = partner.commercial_partner_id.id
            partner.collection_expected_30 = expected[key]
            partner.collection_late_chance = (
                weighted[key] / open_amount[key] if open_amount.get(key, 0) > 0 else 0.0
            )

    def _compute_collection_360(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        for partner in self:
            commercial = partner.commercial_partner_id
            base = [
                ("commercial_partner_id", "=", commercial.id),
                ("company_id", "=", company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ]
            open_moves = Move.search(
                base + [("payment_state", "in", ("not_paid", "partial"))],
                order="invoice_date_due, id",
            )
            paid = Move.search(
                base
                + [
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "in", ("paid", "in_payment")),
                ],
                order="invoice_date desc, id desc",
                limit=50,
            )
            partner.collection_open_move_ids = open_moves
            partner.collection_paid_move_ids = paid
            partner.collection_communication_ids = self.env[
                "collection.communication"
            ].search(
                [("partner_id", "=", commercial.id), ("company_id", "=", company.id)],
                order="date desc, id desc",
                limit=100,
            )
            items = [
                kpis.Item(
                    id=move.id,
                    customer=commercial.id,
                    invoice_date=move.invoice_date or today,
                    due_date=move.invoice_date_due or move.invoice_date or today,
                    amount=move.amount_total_signed,
                    residual=move.amount_residual_signed,
                )
                for move in open_moves
            ]
            aged, _ids = kpis.aged_balance(items, today)
            partner.collection_aged_current = aged["current"]
            partner.collection_aged_1_30 = aged["1_30"]
            partner.collection_aged_31_60 = aged["31_60"]
            partner.collection_aged_61_90 = aged["61_90"]
            partner.collection_aged_over_90 = aged["over_90"]
            pairs = sorted(
                (
                    (move.invoice_date_due, max(day for day, _amount in payments))
                    for move in paid
                    if move.invoice_date_due
                    and (payments := move._collection_payments())
                ),
                key=lambda pair: pair[1],
            )
            figures = behaviour_engine.behaviour(pairs)
            partner.collection_average_days_late = figures.average_days_late or 0.0
            partner.collection_on_time_share = figures.on_time_share or 0.0
            partner.collection_trend = figures.trend
            partner.collection_next_reminder_date = min(
                (d for d in open_moves.mapped("collection_next_date") if d),
                default=False,
            )

    def action_collection_log_call(self):
        """Log a call from the customer: the call planned for it (if any)
        and its worklist item are closed with it."""
        self.ensure_one()
        partner = self.commercial_partner_id
        call_type = self.env.ref("mail.mail_activity_data_call")
        call = partner.activity_ids.filtered(
            lambda a: a.activity_type_id == call_type
        ).sorted("date_deadline")[:1]
        item = self.env["collection.worklist.item"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.env.company.id),
                ("reason", "=", "call"),
                ("state", "=", "todo"),
            ],
            limit=1,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.call.log",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Log a Call"),
            "context": {
                "default_partner_id": partner.id,
                "default_activity_id": call.id,
                "default_item_id": item.id,
            },
        }

    def _compute_collection_open_amount(self):
        company = self.env.company
        amounts = self._collection_open_amounts(company)
        for partner in self:
            partner.collection_currency_id = company.currency_id
            partner.collection_open_amount = amounts.get(
                partner.commercial_partner_id.id, 0.0
            )

    def _collection_open_amounts(self, company):
        """{commercial partner id: open receivable, company currency}."""
        partners = self.commercial_partner_id
        if not partners:
            return {}
        return self._collection_open_amounts_where(
            company, [("partner_id.commercial_partner_id", "in", partners.ids)]
        )

    @api.model
    def _collection_open_amounts_where(self, company, domain=()):
        """{commercial partner id: open receivable, company currency} of
        the receivable lines of ``company`` matching ``domain``."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("partner_id", "!=", False),
                *domain,
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        amounts = {}
        for partner, amount in groups:
            commercial = partner.commercial_partner_id.id
            amounts[commercial] = amounts.get(commercial, 0.0) + amount
        return amounts

    def _collection_worklist_risk(self):
        """{partner id: risk from 0 (safe) to 1 (riskiest)}; unknown risks
        are left out. credit_control gives its risk score."""
        return {}

    def action_collection_360(self):
        """The customer's collections view: everything known about it."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.res_partner_action_collection_360"
        )
        partner = self.commercial_partner_id
        action.update(
            res_id=partner.id,
            name=partner.display_name,
            views=[
                (
                    self.env.ref("collections_management.res_partner_view_form_360").id,
                    "form",
                )
            ],
        )
        return action

    def action_collection_assign(self):
        """Give the selected customers the collector of the first matching
        assignment rule (customers no rule matches keep theirs)."""
        company = self.env.company
        rules = self.env["collection.assignment.rule"].search(
            [("company_id", "=", company.id)]
        )
        if not rules:
            raise UserError(
                self.env._(
                    "No assignment rule in %(company)s: add rules in Collections "
                    "> Configuration > Assignment Rules.",
                    company=company.name,
                )
            )
        engine_rules = [rule._engine_rule() for rule in rules]
        segments = set(rules.category_ids.ids)
        customers = self.commercial_partner_id.with_company(company)
        amounts = customers._collection_open_amounts(company)
        facts = [
            engine.Customer(
                id=partner.id,
                country=partner.country_id.id or None,
                language=partner.lang,
                segment=next(
                    (tag for tag in sorted(partner.category_id.ids) if tag in segments),
                    None,
                ),
                open_amount=amounts.get(partner.id, 0.0),
                collector=partner.collector_id.id or None,
            )
            for partner in customers
        ]
        assigned = engine.assign_all(facts, engine_rules)
        changed = 0
        for partner in customers:
            user_id = assigned.get(partner.id)
            if user_id and user_id != partner.collector_id.id:
                partner.collector_id = user_id
                changed += 1
        return self._collection_notify(
            self.env._("%(count)s customer(s) got a new collector.", count=changed)
        )

    def _collection_notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": message, "type": "success", "sticky": False},
        }
