from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPolicy(CollectionsCommon):
    def test_default_policy_shipped(self):
        """A company works out of the box: one default policy, a courtesy
        reminder three days before the due date, then four firmer levels."""
        self.assertEqual(len(self.policy), 1)
        self.assertEqual(self.levels.mapped("trigger_days"), [-3, 7, 21, 35, 50])
        self.assertEqual(
            self.levels.mapped("name"),
            [
                "Courtesy reminder",
                "First reminder",
                "Second reminder",
                "Third reminder",
                "Final notice",
            ],
        )
        self.assertTrue(self.levels[0].is_courtesy)
        self.assertFalse(self.levels[1].is_courtesy)

    def test_new_company_gets_default_policy(self):
        company = self.env["res.company"].create({"name": "Filiale Lyon"})
        policy = self.env["collection.policy"].search(
            [("company_id", "=", company.id), ("is_default", "=", True)]
        )
        self.assertEqual(len(policy), 1)
        self.assertEqual(len(policy.level_ids), 5)

    def test_french_names(self):
        """French users read the shipped policy in French."""
        self.env["res.lang"]._activate_lang("fr_FR")
        company = self.env["res.company"].create({"name": "Filiale Nantes"})
        policy = self.env["collection.policy"].search([("company_id", "=", company.id)])
        french = policy.with_context(lang="fr_FR")
        self.assertEqual(
            french.level_ids.sorted("trigger_days").mapped("name"),
            [
                "Rappel de courtoisie",
                "Premier rappel",
                "Deuxième rappel",
                "Troisième rappel",
                "Mise en demeure",
            ],
        )

    def test_one_default_per_company(self):
        """Making another policy the default takes the flag away from the
        previous one instead of leaving two defaults."""
        other = self.env["collection.policy"].create(
            {"name": "Key accounts", "company_id": self.company.id}
        )
        other.is_default = True
        self.assertFalse(self.policy.is_default)
        self.assertTrue(other.is_default)

    def test_negative_minimum_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.policy.min_amount = -5

    @mute_logger("odoo.sql_db")
    def test_two_levels_same_day_refused(self):
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["collection.policy.level"].create(
                {"policy_id": self.policy.id, "name": "Twin", "trigger_days": 7}
            )

    def test_salesperson_reads_but_cannot_change(self):
        salesperson = self.env["res.users"].create(
            {
                "name": "Sam Sales",
                "login": "sam.sales",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        policy = self.policy.with_user(salesperson)
        self.assertEqual(policy.name, "Standard")
        with self.assertRaises(AccessError):
            policy.min_amount = 100
        with self.assertRaises(AccessError):
            policy.level_ids[0].trigger_days = -10

    def test_other_company_policy_hidden(self):
        other_company = self.env["res.company"].create({"name": "US Branch"})
        collector = self.env["res.users"].create(
            {
                "name": "Claire Collector",
                "login": "claire.collector",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref(
                                "collections_management.group_collections_user"
                            ).id
                        ],
                    )
                ],
            }
        )
        visible = self.env["collection.policy"].with_user(collector).search([])
        self.assertIn(self.policy, visible)
        self.assertTrue(
            self.env["collection.policy"].search(
                [("company_id", "=", other_company.id)]
            )
        )
        self.assertNotIn(other_company, visible.company_id)


@tagged("post_install", "-at_install")
class TestPolicyAssignment(CollectionsCommon):
    """Customers get a policy by rule, without anyone setting it by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["collection.policy"]
        cls.key_tag = cls.env["res.partner.category"].create({"name": "Key account"})
        cls.gentle = Policy.create(
            {"name": "Key accounts", "sequence": 1, "category_ids": cls.key_tag.ids}
        )
        cls.french = Policy.create(
            {
                "name": "France",
                "sequence": 2,
                "country_ids": cls.env.ref("base.fr").ids,
            }
        )
        cls.big = Policy.create(
            {
                "name": "Large customers",
                "sequence": 3,
                "partner_domain": "[('name', 'ilike', 'holding')]",
            }
        )

    def _policy(self, **vals):
        partner = self.env["res.partner"].create({"name": "Client", **vals})
        return partner._collection_policy(self.company)

    def test_rules(self):
        self.assertEqual(self._policy(category_id=self.key_tag.ids), self.gentle)
        self.assertEqual(
            self._policy(country_id=self.env.ref("base.fr").id), self.french
        )
        self.assertEqual(self._policy(name="Durand Holding"), self.big)
        self.assertEqual(self._policy(), self.policy)  # the default

    def test_first_matching_policy_wins(self):
        both = self._policy(
            category_id=self.key_tag.ids, country_id=self.env.ref("base.fr").id
        )
        self.assertEqual(both, self.gentle)

    def test_own_policy_wins(self):
        partner = self.env["res.partner"].create(
            {"name": "Client", "category_id": self.key_tag.ids}
        )
        partner.with_company(self.company).collection_policy_id = self.french
        self.assertEqual(partner._collection_policy(self.company), self.french)

    def test_bad_domain_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            self.big.partner_domain = "[('no_such_field', '=', 1)]"
