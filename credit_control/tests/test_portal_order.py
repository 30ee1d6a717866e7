import xmlrpc.client

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestPortalOrder(CreditCommon, HttpCase):
    def test_customer_sees_the_order_waiting_for_credit_approval(self):
        # the credit managers' tasks are notified by email, from OdooBot
        self.env.ref("base.partner_root").email = "odoobot@suite.example"
        self._set_limit(self.customer, 100)
        new_test_user(
            self.env,
            login="leroy.portal",
            password="leroy.portal",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        order = self._order(500)
        order.action_quotation_sent()
        order.with_user(self.env.ref("base.public_user")).sudo().action_confirm()
        self.assertEqual(order.credit_state, "waiting")
        self.authenticate("leroy.portal", "leroy.portal")
        page = self.url_open(f"/my/orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("waiting for our credit approval", page.text)

    def test_every_back_office_path_refuses(self):
        """XML-RPC and a server action confirm through the same check."""
        self._set_limit(self.customer, 100)
        order = self._order(500)
        with self.assertRaisesRegex(xmlrpc.client.Fault, "cannot be confirmed"):
            self.xmlrpc_object.execute(
                self.env.cr.dbname,
                self.salesperson.id,
                "sallyxxx",  # new_test_user pads the login to 8
                "sale.order",
                "action_confirm",
                [order.id],
            )
        action = self.env["ir.actions.server"].create(
            {
                "name": "Confirm quotations",
                "model_id": self.env.ref("sale.model_sale_order").id,
                "state": "code",
                "code": "records.action_confirm()",
            }
        )
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            action.with_user(self.salesperson).with_context(
                active_model="sale.order", active_ids=order.ids
            ).run()
        self.assertEqual(order.state, "draft")
