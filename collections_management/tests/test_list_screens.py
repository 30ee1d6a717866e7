"""Lists as a collector opens them from the menu: the action's domain and
default filters as the web client applies them, the list's totals and the
text shown when nothing is listed."""

from datetime import date, timedelta

from lxml import etree

from odoo import fields
from odoo.osv import expression
from odoo.tests import tagged
from odoo.tools.safe_eval import datetime, safe_eval, time

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestListScreens(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.env["res.users"]._collections_create_role_user(
            "list.collector", "collector", cls.company
        )

    def _opened(self, xmlid):
        """(records listed, action) when the collector clicks the menu of
        ``xmlid``: its domain AND its default filters."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        Model = self.env[action["res_model"]].with_user(self.collector)
        today = fields.Date.context_today(Model)
        values = {
            "uid": self.collector.id,
            "time": time,
            "datetime": datetime,
            "context_today": lambda: today,
        }
        context = safe_eval(action.get("context") or "{}", values)
        search_view = action.get("search_view_id")
        arch = Model.get_view(search_view and search_view[0], "search")["arch"]
        filters = etree.fromstring(arch)
        domain = safe_eval(action.get("domain") or "[]", values)
        for key, value in context.items():
            if key.startswith("search_default_") and value:
                name = key.removeprefix("search_default_")
                node = filters.find(f".//filter[@name='{name}']")
                self.assertIsNotNone(node, f"default filter {name} not in the view")
                domain = expression.AND([domain, safe_eval(node.get("domain"), values)])
        return Model.search(domain), action

    def test_invoices_to_follow_open_on_the_overdue_invoices(self):
        """After the morning run has sent today's reminders, the list still
        opens on the overdue invoices (it opened empty on 'reminder due
        today'); an invoice not yet due waits under another filter."""
        today = date.today()
        partner, late = self._customer(
            "Imprimerie Moreau", 1200, 20, collector=self.collector, today=today
        )
        not_due = self._invoice(
            300, today - timedelta(days=5), today + timedelta(days=25), partner=partner
        )
        self._daily_run(today)
        self.assertTrue(self._reminders(partner), "the run reminded the customer")
        listed, action = self._opened(
            "collections_management.account_move_collections_action"
        )
        self.assertIn(late, listed)
        self.assertNotIn(not_due, listed)
        self.assertIn("filters", action["help"])

    def test_reminder_list_totals_no_debt_twice(self):
        """A debt reminded by email and by letter is one debt: the reminders
        list sums no amount (it summed one per channel)."""
        arch = etree.fromstring(
            self.env["collection.communication"]
            .with_user(self.collector)
            .get_view(view_type="list")["arch"]
        )
        amount = arch.find(".//field[@name='amount_due']")
        self.assertIsNotNone(amount)
        self.assertIsNone(amount.get("sum"))
        _listed, action = self._opened(
            "collections_management.collection_communication_action"
        )
        # empty under "To validate" does not mean no reminder at all
        self.assertIn("filters", action["help"])
