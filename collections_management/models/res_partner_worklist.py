from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import behaviour as behaviour_engine
from ..engine import kpis
from ..engine import worklist as engine


class ResPartner(models.Model):
    _inherit = "res.partner"

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
    collection_worklist_item_ids = fields.One2many(
        "collection.worklist.item", "partner_id", string="Worklist"
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
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.call.log",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Log a Call"),
            "context": {"default_partner_id": self.commercial_partner_id.id},
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
        groups = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        return {partner.id: amount for partner, amount in groups}

    def _collection_worklist_risk(self):
        """{partner id: risk from 0 (safe) to 1 (riskiest)}; unknown risks
        are left out. credit_control gives its risk score."""
        return {}

    def action_collection_360(self):
        """The customer's collections view: everything known about it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.commercial_partner_id.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("collections_management.res_partner_view_form_360").id,
                    "form",
                )
            ],
            "name": self.commercial_partner_id.display_name,
            "target": "current",
        }

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
