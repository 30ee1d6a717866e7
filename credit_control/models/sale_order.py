from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import holds


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_warning = fields.Text(
        compute="_compute_credit_warning",
        help="Why the customer's credit stops this order, shown before it is "
        "confirmed.",
    )
    credit_state = fields.Selection(
        [
            ("waiting", "Credit Hold: Waiting for Credit Approval"),
            ("approved", "Credit Released"),
            ("rejected", "Credit Release Refused"),
        ],
        string="Credit Status",
        copy=False,
        readonly=True,
        tracking=True,
        index="btree_not_null",
    )
    credit_release_ids = fields.One2many(
        "credit.release", "order_id", string="Credit Releases"
    )

    @api.depends(
        "partner_id", "amount_total", "currency_id", "company_id", "state", "date_order"
    )
    @api.depends_context("lang")
    def _compute_credit_warning(self):
        for order in self:
            order.credit_warning = (
                order._credit_problems()[1]
                if order.partner_id and order.state in ("draft", "sent")
                else False
            )

    def _credit_problems(self):
        """``(causes, text)``: why the customer's credit stops this order
        (empty when nothing does, or when a release lets it through)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.env["credit.release"].sudo()._active_for(self, today):
            return [], False
        partner = self.partner_id.commercial_partner_id
        company = self.company_id
        # sudo: a salesperson must see why an order is stopped, from the
        # customer's receivables that it may not read itself
        situation = partner.sudo()._credit_situations(company, order=self)[partner.id]
        causes = holds.reasons(situation, company.currency_id.decimal_places)
        if not causes:
            return [], False
        return causes, partner.sudo()._credit_causes_text(causes, situation, company)

    def action_confirm(self):
        """Refuse to confirm an order whose customer's credit stops it.

        In the back office (and through XML-RPC) the user is told why, with
        the amounts. When the customer confirms it itself (portal signature,
        online payment), the order is not left looking like an ordinary
        quotation: it waits for credit approval, the credit managers are
        asked at once, and confirming it is theirs to do."""
        blocked = self.filtered(lambda o: o.state in ("draft", "sent")).filtered(
            lambda o: o._credit_problems()[0]
        )
        # an order that waited and goes through now (its cause is gone)
        # loses its credit status, and its request is no longer to decide
        passing = (self - blocked).filtered(
            lambda o: o.credit_state in ("waiting", "rejected")
        )
        passing.credit_state = False
        # sudo: the salesperson closes the request it may only read
        requests = passing.credit_release_ids.sudo().filtered(
            lambda r: r.state == "requested"
        )
        requests.activity_unlink(["mail.mail_activity_data_todo"])
        requests.state = "cancelled"
        if not blocked:
            return super().action_confirm()
        interactive = self.env.user._is_internal() and not self.env.context.get(
            "credit_hold_on_refusal"
        )
        if interactive:
            order = blocked[0]
            raise UserError(
                self.env._(
                    "%(order)s cannot be confirmed: %(causes)s. Ask a credit "
                    "manager to release it (button Request Credit Release).",
                    order=order.name,
                    causes=order._credit_problems()[1],
                )
            )
        for order in blocked:
            # written for the credit managers, in the company's language
            company_env = order.with_context(
                lang=order.company_id.partner_id.lang or self.env.lang
            ).env
            self.env["credit.release"].sudo()._request(
                order,
                company_env._("Confirmed by the customer online."),
                source_user=self.env.ref("base.user_root"),
            )
        rest = self - blocked
        return super(SaleOrder, rest).action_confirm() if rest else True

    def action_credit_request_release(self):
        """The form where the salesperson says why the order should go."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.release.request.wizard",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Request Credit Release"),
            "context": {"default_order_id": self.id},
        }

    def action_view_credit_releases(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.release",
            "view_mode": "list,form",
            "domain": [("order_id", "=", self.id)],
            "name": self.env._("Credit Releases"),
        }
