from odoo import fields, models


class CollectionTeam(models.Model):
    """Collectors who work together: the worklist filters by team, and a
    team's customers are rebalanced between its members."""

    _name = "collection.team"
    _description = "Collections Team"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    leader_id = fields.Many2one(
        "res.users", string="Team Leader", domain="[('share', '=', False)]"
    )
    member_ids = fields.Many2many(
        "res.users",
        "collection_team_member_rel",
        "team_id",
        "user_id",
        string="Collectors",
        domain="[('share', '=', False)]",
    )
