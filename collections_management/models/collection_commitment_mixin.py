from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

SOURCES = [
    ("collector", "Collector"),
    ("portal", "Customer Portal"),
    ("email", "Email Reply"),
]


class CollectionCommitmentMixin(models.AbstractModel):
    """What a customer says back about its invoices: a promise to pay, a
    dispute, a payment plan. Each covers open invoices of one customer, in
    one currency, in one company, and pauses their reminders while open."""

    _name = "collection.commitment.mixin"
    _description = "Collections: customer commitment on invoices"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True

    # The records still in progress: they pause their invoices, and an
    # invoice is in one of them at most.
    _open_domain = [("state", "=", "open")]

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        required=True,
        readonly=True,
        default=fields.Date.context_today,
        help="The day the customer said it.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The invoices' currency.",
    )
    amount = fields.Monetary(currency_field="currency_id", tracking=True)
    amount_company = fields.Monetary(
        string="Amount in Company Currency",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
    )
    due_amount = fields.Monetary(
        string="Amount Due",
        currency_field="currency_id",
        compute="_compute_due_amount",
        help="What the invoices still owe.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        domain="[('share', '=', False)]",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    source = fields.Selection(SOURCES, default="collector", required=True)
    note = fields.Text()

    @api.depends("move_ids")
    def _compute_currency_id(self):
        for record in self:
            record.currency_id = (
                record.move_ids[:1].currency_id or record.company_id.currency_id
            )

    @api.depends("amount", "currency_id", "company_id", "date")
    def _compute_amount_company(self):
        for record in self:
            record.amount_company = record.currency_id._convert(
                record.amount,
                record.company_currency_id,
                record.company_id,
                record.date or fields.Date.context_today(record),
            )

    @api.depends("move_ids.amount_residual")
    def _compute_due_amount(self):
        for record in self:
            record.due_amount = sum(record.move_ids.mapped("amount_residual"))

    @api.depends("partner_id", "company_id")
    def _compute_user_id(self):
        for record in self:
            collector = record.partner_id.with_company(record.company_id).collector_id
            record.user_id = collector or record.user_id or self.env.user

    @api.onchange("partner_id")
    def _onchange_partner_id_moves(self):
        self.move_ids = self.move_ids.filtered(
            lambda move: move.commercial_partner_id == self.partner_id
        )

    @api.constrains("move_ids", "partner_id")
    def _check_move_ids(self):
        for record in self:
            moves = record.move_ids
            if not moves:
                raise ValidationError(self.env._("Select at least one invoice."))
            wrong = moves.filtered(
                lambda m, r=record: (
                    m.move_type != "out_invoice"
                    or m.state != "posted"
                    or m.commercial_partner_id != r.partner_id.commercial_partner_id
                )
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s: only posted invoices of %(customer)s can be "
                        "covered.",
                        invoices=", ".join(wrong.mapped("display_name")),
                        customer=record.partner_id.display_name,
                    )
                )
            if len(moves.currency_id) > 1:
                raise ValidationError(
                    self.env._(
                        "The invoices are in %(currencies)s: select invoices in "
                        "one currency.",
                        currencies=", ".join(moves.currency_id.mapped("name")),
                    )
                )

    @api.model
    def _default_values(self, partner, invoices):
        """Values to open the form from a customer or from invoices: the
        invoices given, else the customer's open invoices in its company's
        currency."""
        partner = partner.commercial_partner_id
        if not invoices:
            invoices = partner._collection_open_invoices().filtered(
                lambda m: m.company_id == self.env.company
            )
            currency = invoices.currency_id & self.env.company.currency_id
            currency = currency or invoices[:1].currency_id
            invoices = invoices.filtered(lambda m: m.currency_id == currency)
        return {
            "default_partner_id": partner.id,
            "default_move_ids": [(6, 0, invoices.ids)],
            "default_company_id": (invoices.company_id[:1] or self.env.company).id,
        }

    @api.model
    def _record_once(self, partner, invoices, match, **values):
        """The record in progress of ``partner`` on exactly ``invoices`` with
        the ``match`` values (an amount compared in the invoices' currency),
        else a new one: a form sent twice records once. Portal, back office
        and email replies all record through here."""
        partner = partner.commercial_partner_id
        company = invoices.company_id[:1]
        same = self.search(
            self._open_domain
            + [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
            + [(name, "=", value) for name, value in match.items() if name != "amount"]
        ).filtered(
            lambda r: (
                r.move_ids == invoices
                and (
                    "amount" not in match
                    or r.currency_id.compare_amounts(r.amount, match["amount"]) == 0
                )
            )
        )
        if same:
            return same[:1]
        return self.create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "move_ids": [(6, 0, invoices.ids)],
                **match,
                **values,
            }
        )

    def _check_invoices_free(self):
        """Refuse an invoice already in another record in progress."""
        for record in self:
            others = self.search(
                self._open_domain
                + [("id", "!=", record.id), ("move_ids", "in", record.move_ids.ids)]
            )
            if others:
                raise UserError(
                    record._covered_twice_message(
                        others[0], others.move_ids & record.move_ids
                    )
                )

    def _covered_twice_message(self, other, invoices):
        raise NotImplementedError

    @api.model
    def _assign_references(self, vals_list, code):
        """Number new records from the ``code`` sequence of their company."""
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code(code)
                )

    def _open_form(self, context, name):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": name,
            "context": context,
        }

    def _collection_payments(self, since):
        """[(date, amount)] of the payments received on the invoices since
        ``since``, in their currency."""
        self.ensure_one()
        return self.move_ids._collection_payments(since)

    def _replan_invoices(self):
        """The invoices' next reminder after a change of what pauses them."""
        self.move_ids._collection_plan()

    def _task(self, summary, note=None, user=None):
        """A to-do for the collector (or ``user``) on this record.

        ``summary(env)`` writes the summary with ``env`` in the language of
        the user who gets the task (a cron runs in no one's language)."""
        self.ensure_one()
        user = user or self.user_id or self.env.user
        return self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary(self.with_context(lang=user.lang).env),
            note=note,
            user_id=user.id,
        )
