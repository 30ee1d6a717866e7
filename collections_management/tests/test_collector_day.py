"""The defects a French collector and a collections manager met in their day
(issue 27): each test clicks or calls what the user does, as the user the
role setup gives the demo, and checks what that user then sees."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from .common import CollectionsCommon

TODAY = date(2026, 3, 10)


class CollectorDayCommon(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french(["collections_management"])
        Users = cls.env["res.users"]
        cls.camille = Users._collections_create_role_user(
            "camille", "collector", cls.company, name="Camille Roux", lang="fr_FR"
        )
        cls.jordan = Users._collections_create_role_user(
            "jordan", "collector", cls.company, name="Jordan Miles", lang="en_US"
        )
        cls.manager = Users._collections_create_role_user(
            "gaelle", "collections_manager", cls.company, name="Gaëlle", lang="fr_FR"
        )


@tagged("post_install", "-at_install")
class TestWorklistRefreshButton(CollectorDayCommon, HttpCase):
    def test_refresh_from_the_list_header(self):
        """The list's Refresh button, called as the web client calls a
        header button with nothing selected (it was an 'Oups!')."""
        partner, _invoice = self._customer("Atelier Refresh", 800, 20, self.camille)
        partner.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date.today(),
            user_id=self.camille.id,
        )
        self.authenticate("camille", "camille")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_button/collection.worklist.item/action_refresh",
            {
                "model": "collection.worklist.item",
                "method": "action_refresh",
                "args": [[]],
                "kwargs": {"context": {"lang": "fr_FR"}},
            },
        )
        self.assertEqual(result["tag"], "soft_reload")
        item = self.env["collection.worklist.item"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(item.reason, "call")
        self.assertEqual(item.user_id, self.camille)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestCollectorDay(CollectorDayCommon):
    def _refresh(self):
        return self.env["collection.worklist.item"]._refresh(self.company, TODAY)

    def test_why_and_name_in_the_readers_language(self):
        partner, _invoice = self._customer(
            "Imprimerie Lefèvre", 12000, 45, self.camille
        )
        partner.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=TODAY, user_id=self.camille.id
        )
        item = self._refresh().filtered(lambda i: i.partner_id == partner)
        french = item.with_user(self.camille).with_context(lang="fr_FR")
        # "Montant échu 21,8 + ..." with the French decimal comma
        self.assertRegex(french.score_explanation, r"^Montant échu \d+,\d pts \+ ")
        self.assertNotIn("Amount overdue", french.score_explanation)
        english = item.with_user(self.jordan).with_context(lang="en_US")
        self.assertRegex(english.score_explanation, r"^Amount overdue \d+\.\d pts \+ ")
        # the breadcrumb names the customer and the reason, not the record id
        self.assertEqual(french.display_name, "Imprimerie Lefèvre – Appel à passer")

    def test_a_call_about_a_late_dispute_keeps_it_on_the_list(self):
        partner, invoice = self._customer("Bois Litige", 2000, 40, self.camille)
        reason = self.env.ref("collections_management.dispute_reason_price")
        with freeze_time(TODAY - timedelta(days=20)):
            dispute = (
                self.env["collection.dispute"]
                .with_user(self.camille)
                ._collection_record(partner, invoice, 500, reason)
            )
        self.assertLess(dispute.deadline, TODAY)
        item = self._refresh().filtered(lambda i: i.partner_id == partner)
        self.assertEqual(item.reason, "dispute_late")
        wizard = Form(
            self.env["collection.call.log"]
            .with_user(self.camille)
            .with_context(default_partner_id=partner.id, default_item_id=item.id)
        )
        wizard.outcome = "promise"
        wizard.promise_date = TODAY + timedelta(days=7)
        wizard.amount = 1500
        wizard.save().action_confirm()
        self.assertEqual(partner.collection_promise_ids.amount, 1500)
        # the dispute is still late: the item stays until it is resolved
        self.assertEqual(item.state, "todo")
        self.assertIn(item, self._refresh())

    def test_a_logged_call_closes_the_call_item(self):
        partner, _invoice = self._customer("Forge Appel", 900, 15, self.camille)
        partner.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=TODAY, user_id=self.camille.id
        )
        item = self._refresh().filtered(lambda i: i.partner_id == partner)
        wizard = Form(
            self.env["collection.call.log"]
            .with_user(self.camille)
            .with_context(
                default_partner_id=partner.id,
                default_item_id=item.id,
                default_activity_id=item.activity_id.id,
            )
        )
        wizard.outcome = "reached"
        wizard.save().action_confirm()
        self.assertEqual(item.state, "done")

    def test_collector_sends_now_to_own_customers_only(self):
        mine, my_invoice = self._customer("Client Camille", 700, 20, self.camille)
        theirs, their_invoice = self._customer("Client Jordan", 700, 20, self.jordan)
        action = (
            self.env["account.move"]
            .with_user(self.camille)
            .browse(my_invoice.id)
            .action_collection_send_now()
        )
        sent = self.env["collection.communication"].browse(action["domain"][0][2])
        self.assertEqual(sent.partner_id, mine)
        self.assertEqual(sent.mapped("channel"), ["email"])
        run = self.env["collection.run"].search([], order="id desc", limit=1)
        self.assertEqual(run.user_id, self.camille)
        with self.assertRaisesRegex(AccessError, "Client Jordan is followed by Jordan"):
            self.env["account.move"].with_user(self.camille).browse(
                their_invoice.id
            ).action_collection_send_now()
        self.assertFalse(self._reminders(theirs))
        # the same from the customer's action menu
        other, _other_invoice = self._customer("Autre Camille", 700, 20, self.camille)
        action = (
            self.env["res.partner"]
            .with_user(self.camille)
            .browse(other.id)
            .action_collection_send_now()
        )
        self.assertEqual(action["res_model"], "collection.communication")
        self.assertEqual(self._reminders(other).mapped("state"), ["sent"])

    def test_reminder_waiting_for_validation_shows_its_address(self):
        partner, _invoice = self._customer("Verrerie Attente", 1500, 35, self.camille)
        partner.write({"street": "12 rue des Lilas", "city": "Lyon", "zip": "69003"})
        levels = self.policy.level_ids
        levels.write({"needs_validation": True, "channel_letter": True})
        comms = self._daily_run(TODAY).communication_ids.filtered(
            lambda c: c.partner_id == partner
        )
        self.assertEqual(set(comms.mapped("state")), {"to_validate"})
        email = comms.filtered(lambda c: c.channel == "email")
        letter = comms.filtered(lambda c: c.channel == "letter")
        self.assertEqual(email.recipient_address, "verrerie@example.com")
        self.assertIn("12 rue des Lilas", letter.recipient_address)
        self.assertIn("Lyon", letter.recipient_address)
        # the task asks the French collector in French
        task = email.activity_ids
        self.assertEqual(task.user_id, self.camille)
        self.assertEqual(task.summary, "Valider cette relance")


@tagged("post_install", "-at_install")
class TestPolicyEditing(CollectorDayCommon):
    def test_shipped_policy_says_nothing_in_the_installers_language(self):
        company = (
            self.env["res.company"]
            .with_context(tracking_disable=False, mail_create_nolog=False)
            .create({"name": "Filiale Rennes"})
        )
        policy = self.env["collection.policy"].search([("company_id", "=", company.id)])
        self.assertEqual(len(policy.level_ids), 5)
        # no "Dunning Policy created" (in English) nor five level messages
        self.assertFalse(policy.message_ids)

    def test_levels_follow_their_days_and_changes_are_told(self):
        # as in the web client: tracking and creation messages on (the
        # accounting test case turns them off for speed)
        policy = self.policy.with_user(self.manager).with_context(
            lang="fr_FR",
            tracking_disable=False,
            mail_create_nolog=False,
            mail_notrack=False,
        )
        with Form(policy) as form:
            with form.level_ids.new() as level:
                level.name = "Rappel J+14"
                level.trigger_days = 14
        by_days = policy.level_ids.sorted("trigger_days")
        self.assertEqual(policy.level_ids, by_days)  # listed by their days
        self.assertIn("Rappel J+14", policy.level_ids.mapped("name"))
        self.env.cr.flush()  # the tracking is written on flush, as on commit
        messages = policy.message_ids
        self.assertIn("Rappel J+14", messages[0].body)
        new = policy.level_ids.filtered(lambda lv: lv.name == "Rappel J+14")
        new.trigger_days = 28
        self.env.cr.flush()
        tracked = policy.message_ids[0]
        self.assertIn("Rappel J+14", tracked.body)
        values = tracked.sudo().tracking_value_ids
        self.assertEqual(values.field_id.name, "trigger_days")
        self.assertEqual((values.old_value_integer, values.new_value_integer), (14, 28))
        self.assertEqual(
            values._tracking_value_format()[0]["changedField"],
            "Jours après échéance",
        )
        new.unlink()
        self.assertIn("Rappel J+14", policy.message_ids[0].body)

    def test_level_change_is_told_in_the_companys_language(self):
        """A French company's policy chatter names the level in French even
        when an English session (or script) changes it."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        third = self.levels.filtered(lambda lv: lv.trigger_days == 35)
        third.with_context(lang="fr_FR").name = "Troisième rappel"
        self.assertEqual(third.with_context(lang="en_US").name, "Third reminder")
        # what the tracking of a change calls (see the test above)
        [message] = third.with_context(lang="en_US")._message_log_batch(
            {third.id: "<p>35 → 40</p>"}
        )
        self.assertEqual(message.model, "collection.policy")
        self.assertIn("Troisième rappel", message.body)
        self.assertNotIn("Third reminder", message.body)


@tagged("post_install", "-at_install")
class TestCollectorDayTour(CollectorDayCommon, HttpCase):
    """The collector's morning in a browser, in French and in English."""

    def _walk(self, user, tour):
        today = date.today()
        self.policy.level_ids.write(
            {
                "needs_validation": True,
                "channel_letter": True,
                "channel_email": False,
                "channel_sms": False,
                "channel_call": False,
            }
        )
        waiting, _invoice = self._customer("Verrerie Valide", 1500, 0, user, today)
        waiting.write({"street": "12 rue des Lilas", "zip": "69003", "city": "Lyon"})
        self._invoice(
            1500, today - timedelta(days=65), today - timedelta(days=35), waiting
        )
        letter = self._daily_run(today).communication_ids
        self.assertEqual(letter.mapped("state"), ["to_validate"])
        # the customer to call gets its invoice after the run: one item
        caller = self.env["res.partner"].create(
            {"name": "Atelier Tour", "email": "tour@atelier.example"}
        )
        caller.with_company(self.company).collector_id = user
        self._invoice(
            5000, today - timedelta(days=70), today - timedelta(days=40), caller
        )
        caller.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=today, user_id=user.id
        )
        self.start_tour(
            "/odoo/action-collections_management.collection_worklist_item_action",
            tour,
            login=user.login,
        )
        promise = caller.collection_promise_ids
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.move_ids.collection_commitment_state, "promise")
        # no reminder meanwhile
        self.assertTrue(promise.move_ids.collection_pause_reason)
        self.assertEqual(promise.amount, 5000)
        self.assertEqual(promise.promise_date, today + timedelta(days=7))
        self.assertEqual(promise.user_id, user)
        call_item = self.env["collection.worklist.item"].search(
            [("partner_id", "=", caller.id), ("reason", "=", "call")]
        )
        self.assertEqual(call_item.state, "done")
        self.assertFalse(caller.activity_ids)  # the call is done
        self.assertEqual(letter.state, "sent")
        self.assertTrue(letter.letter_attachment_id)
        printed = self.env["ir.attachment"].search(
            [
                ("name", "=like", "%.pdf"),
                ("create_uid", "=", user.id),
                ("res_id", "=", 0),
            ]
        )
        self.assertEqual(len(printed), 1)

    def test_french_collector_day(self):
        self._walk(self.camille, "collections_collector_day_fr")

    def test_us_collector_day(self):
        self._walk(self.jordan, "collections_collector_day_en")


@tagged("post_install", "-at_install")
class TestManagerTour(CollectorDayCommon, HttpCase):
    def test_settings_offered_to_who_may_open_them(self):
        Menu = self.env["ir.ui.menu"]
        settings = self.env.ref("collections_management.menu_collections_settings")
        policies = self.env.ref("collections_management.menu_collections_policies")
        visible = Menu.with_user(self.manager)._visible_menu_ids()
        self.assertIn(policies.id, visible)
        self.assertNotIn(settings.id, visible)  # Odoo's settings would refuse them
        admin = self.env.ref("base.user_admin")
        self.assertIn(settings.id, Menu.with_user(admin)._visible_menu_ids())

    def test_administrator_changes_a_setting(self):
        self.env.ref("base.user_admin").company_ids |= self.company
        self.env.ref("base.user_admin").company_id = self.company
        # with sale installed beside us, Odoo's settings warn on opening when
        # pricelists exist without the pricelist feature (the test data has
        # some): the feature on, as in a database that uses pricelists
        pricelists = self.env.ref("product.group_product_pricelist", False)
        if pricelists:
            self.env.ref("base.group_user").implied_ids |= pricelists
        self.start_tour(
            "/odoo/action-collections_management.res_config_settings_action",
            "collections_admin_settings",
            login="admin",
        )
        self.assertEqual(self.company.collection_promise_grace_days, 5)

    def test_manager_edits_the_policy_in_french(self):
        self.start_tour(
            "/odoo/action-collections_management.collection_policy_action",
            "collections_manager_policy_fr",
            login="gaelle",
        )
        levels = self.policy.level_ids
        self.assertEqual(levels, levels.sorted("trigger_days"))
        new = levels.filtered(lambda level: level.name == "Rappel J+14")
        self.assertEqual(new.trigger_days, 28)
        values = self.policy.message_ids.sudo().tracking_value_ids.filtered(
            lambda v: v.field_id.name == "trigger_days"
        )
        self.assertEqual((values.old_value_integer, values.new_value_integer), (14, 28))
