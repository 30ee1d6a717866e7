from datetime import date, timedelta

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class FrenchMixin:
    """For the test cases of the suite's add-ons (credit_control and
    payment_portal use it too)."""

    @classmethod
    def _load_french(cls, modules):
        """fr_FR active, with the French of ``modules``, as in a French
        database."""
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            modules, ["fr_FR"], overwrite=True
        )


class CollectionsCommon(FrenchMixin, AccountTestInvoicingCommon):
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
    def _customer(cls, name, amount, days_late, collector=None, today=None):
        """A customer (email from its first word) followed by ``collector``,
        with one invoice of ``amount`` that is ``days_late`` days overdue on
        ``today`` (10 March 2026 by default, the suite's usual day)."""
        today = today or date(2026, 3, 10)
        partner = cls.env["res.partner"].create(
            {"name": name, "email": f"{name.split()[0].lower()}@example.com"}
        )
        if collector:
            partner.with_company(cls.company).collector_id = collector
        invoice = cls._invoice(
            amount,
            today - timedelta(days=days_late + 30),
            today - timedelta(days=days_late),
            partner=partner,
        )
        return partner, invoice

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
