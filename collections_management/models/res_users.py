from odoo import api, fields, models

# What each role of the suite is given: Odoo's internal user plus the groups
# its day needs. ``setup/demo`` and the tests create their users through
# ``_collections_create_role_user`` so that nobody is tested with rights the
# demo (or a real administrator following the README) would not give.
# Other add-ons extend ``_collections_role_groups`` with their own roles.
ROLE_GROUPS = {
    "collector": ["collections_management.group_collections_user"],
    "collections_manager": ["collections_management.group_collections_manager"],
    "portal": ["base.group_portal"],
}


class ResUsers(models.Model):
    _inherit = "res.users"

    collection_team_ids = fields.Many2many(
        "collection.team",
        "collection_team_member_rel",
        "user_id",
        "team_id",
        string="Collections Teams",
    )

    @api.model
    def _collections_role_groups(self):
        """{role: [group xml ids]}; a role's groups imply the rest."""
        return {role: list(groups) for role, groups in ROLE_GROUPS.items()}

    @api.model
    def _collections_create_role_user(
        self, login, role, company, companies=None, **values
    ):
        """Create (or return, when the login exists) the user of ``role``
        in ``company``, allowed in ``companies`` (default: that company
        alone). ``values`` are written as given (name, lang, tz, partner_id,
        password...). Raise ``KeyError`` for an unknown role."""
        groups = self._collections_role_groups()[role]
        user = self.with_context(active_test=False).search([("login", "=", login)])
        if user:
            return user
        base = [] if role == "portal" else [self.env.ref("base.group_user").id]
        allowed = companies or company
        vals = {
            "name": login,
            "login": login,
            "company_id": company.id,
            "company_ids": [(6, 0, allowed.ids)],
            "groups_id": [(6, 0, base + [self.env.ref(x).id for x in groups])],
            **values,
        }
        if "partner_id" not in vals:
            vals.setdefault("email", f"{login}@example.com")
        return self.with_context(no_reset_password=True).create(vals)
