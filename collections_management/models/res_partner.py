from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize


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
