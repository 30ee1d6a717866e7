from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CollectionsCommon(AccountTestInvoicingCommon):
    """A company with its chart of accounts, a customer and the shipped
    default dunning policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref(
            "collections_management.group_collections_manager"
        )
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.levels = cls.policy.level_ids.sorted("trigger_days")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Boulangerie Martin", "email": "compta@martin.example"}
        )

    @classmethod
    def _invoice(cls, amount, invoice_date, due_date, partner=None):
        invoice = cls.init_invoice(
            "out_invoice",
            partner=partner or cls.customer,
            invoice_date=invoice_date,
            amounts=[amount],
            taxes=[],
        )
        invoice.invoice_date_due = due_date
        invoice.action_post()
        return invoice

    @classmethod
    def _pay(cls, invoices, amount, day):
        """A customer payment of ``amount`` on ``day``, reconciled with the
        invoices (the rest stays open)."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "payment_date": day,
                    "amount": amount,
                    "group_payment": True,
                    "payment_difference_handling": "open",
                }
            )
            ._create_payments()
        )

    def _daily_run(self, today, **kwargs):
        return self.env["collection.run"]._run_company(
            self.company, today=today, **kwargs
        )

    def _reminders(self, partner=None):
        return self.env["collection.communication"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "=", (partner or self.customer).id),
            ]
        )
