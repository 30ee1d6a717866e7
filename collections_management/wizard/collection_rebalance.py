from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import worklist as engine


class CollectionRebalance(models.TransientModel):
    """Spread the customers with open invoices across a team of collectors
    so that each follows about the same open amount; customers stay with
    their collector while that does not unbalance the team."""

    _name = "collection.rebalance"
    _description = "Rebalance Customers across Collectors"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "collection.team",
        domain="[('company_id', '=', company_id)]",
        help="Fills the collectors with the team's members.",
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Collectors",
        required=True,
        domain="[('share', '=', False)]",
        default=lambda self: self._default_team(),
    )
    tolerance = fields.Float(
        string="Tolerance (%)",
        default=10.0,
        help="A customer stays with its collector while that collector's "
        "open amount stays within this share above the team's average.",
    )

    @api.onchange("team_id")
    def _onchange_team_id(self):
        if self.team_id:
            self.user_ids = self.team_id.member_ids

    @api.model
    def _default_team(self):
        return self.env.ref(
            "collections_management.group_collections_user"
        ).users.filtered(
            lambda u: not u.share and self.env.company in u.company_ids
        ) - self.env.ref("base.user_root")

    def action_rebalance(self):
        self.ensure_one()
        if not self.user_ids:
            raise UserError(self.env._("Choose the collectors of the team."))
        if self.tolerance < 0:
            raise UserError(self.env._("The tolerance cannot be negative."))
        company = self.company_id
        Partner = self.env["res.partner"].with_company(company)
        amounts = Partner._collection_open_amounts_where(company)
        partners = Partner.browse(
            [pid for pid, amount in amounts.items() if amount > 0]
        )
        team = set(self.user_ids.ids)
        # only the team's customers and those nobody follows are moved
        partners = partners.filtered(
            lambda p: not p.collector_id or p.collector_id.id in team
        )
        customers = [
            engine.Customer(
                id=partner.id,
                country=None,
                language=None,
                segment=None,
                open_amount=amounts[partner.id],
                collector=partner.collector_id.id or None,
            )
            for partner in partners
        ]
        assignment = engine.rebalance(
            customers, self.user_ids.ids, tolerance=self.tolerance / 100
        )
        moved = 0
        for partner in partners:
            if assignment[partner.id] != partner.collector_id.id:
                partner.collector_id = assignment[partner.id]
                moved += 1
        loads = engine.loads(assignment, customers, self.user_ids.ids)
        users = self.env["res.users"].browse(list(loads))
        summary = ", ".join(
            f"{user.name}: {company.currency_id.format(loads[user.id])}"
            for user in users
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("%(count)s customer(s) moved", count=moved),
                "message": summary,
                "type": "success",
                "sticky": True,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
