"""A French collector's day reads French: screens, tasks, chatter, mails,
letters and the worklist, with amounts written the French way."""

import io
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from . import french
from .test_collector_day import CollectorDayCommon

TODAY = date(2026, 3, 10)
SCREENS = [
    "collections_management.collection_worklist_item_action",
    "collections_management.account_move_collections_action",
    "collections_management.res_partner_collections_action",
    "collections_management.collection_communication_action",
    "collections_management.collection_promise_action",
    "collections_management.collection_dispute_action",
    "collections_management.collection_payment_plan_action",
    "collections_management.collection_policy_action",
]


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestFrenchReader(CollectorDayCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.phrases = french.english_phrases(["collections_management"])
        # Odoo's own French, as a French database has it
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "web", "mail", "account", "portal", "sms"], ["fr_FR"]
        )
        # the shipped levels in French, as for a company created once French
        # is installed (the test company was created before)
        fr_env = cls.env(context=dict(cls.env.context, lang="fr_FR"))
        for level in cls.policy.level_ids:
            level.update_field_translations("name", {"fr_FR": fr_env._(level.name)})
        # a French company: its chatter notes are written in French
        cls.company.partner_id.lang = "fr_FR"
        cls.company.currency_id = cls.env.ref("base.EUR")
        cls.env.ref("base.EUR").active = True

    def assertFrench(self, texts):
        self.assertTrue(any(texts.values()), "nothing to read")
        self.assertEqual(french.english_in(texts, self.phrases), [])
        self.assertEqual(french.english_amounts_in(texts), [])

    def test_the_check_finds_english(self):
        """The check itself: English phrases and amounts are caught."""
        found = french.english_in(
            {"task": "Reminder failed: no email address"}, self.phrases
        )
        self.assertEqual([where for _piece, where in found], ["task"])
        self.assertEqual(
            french.english_amounts_in({"a": "4,132.36 EUR", "b": "4 132,36 €"}),
            [("4,132.36", "a")],
        )

    def test_screens_in_french(self):
        texts = {}
        for xmlid in SCREENS:
            action = self.env.ref(xmlid)
            views = (
                self.env[action.res_model]
                .with_user(self.camille)
                .with_context(lang="fr_FR")
                .get_views([(False, kind) for kind in ("list", "form", "search")])
            )
            for kind, view in views["views"].items():
                texts[f"{xmlid} {kind}"] = view["arch"]
        self.assertFrench(texts)

    def test_the_day_after_the_run_in_french(self):
        self.policy.level_ids.write({"channel_letter": True, "channel_call": True})
        partners = self.env["res.partner"]
        for name, days in (("Boulangerie Dupont", 10), ("Quincaillerie Roux", 40)):
            partner, invoice = self._customer(name, 4132.36, days, self.camille)
            partners |= partner
        # a letter that cannot go: its task says why, in French
        partners[0].write({"street": "3 rue Neuve", "city": "Nantes", "zip": "44000"})
        # a promise broken, a dispute past its deadline: their tasks
        promised, p_invoice = self._customer("Menuiserie Blanc", 2800, 20, self.camille)
        with freeze_time(TODAY - timedelta(days=15)):
            self.env["collection.promise"].with_user(self.camille)._collection_record(
                promised, p_invoice, 2800, TODAY - timedelta(days=8)
            )
        disputed, d_invoice = self._customer("Scierie Noire", 1500, 30, self.camille)
        (partners | promised | disputed).lang = "fr_FR"
        with freeze_time(TODAY - timedelta(days=20)):
            self.env["collection.dispute"].with_user(self.camille)._collection_record(
                disputed,
                d_invoice,
                1500,
                self.env.ref("collections_management.dispute_reason_price"),
            )
        # the daily cron's steps, without its commits
        self.env["collection.run"]._review_commitments()
        self._daily_run(TODAY)
        self.env["collection.dispute"]._cron_review(today=TODAY)
        comms = self.env["collection.communication"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertTrue(comms)
        texts = {}
        activities = self.env["mail.activity"].search(
            [("user_id", "=", self.camille.id)]
        )
        self.assertGreaterEqual(len(activities), 3)  # calls, promise, dispute
        for activity in activities:
            texts[f"task {activity.id}"] = (
                f"{activity.summary or ''} {activity.note or ''}"
            )
        for partner in partners | promised | disputed:
            for message in partner.message_ids:
                texts[f"chatter {partner.name} {message.id}"] = str(message.body)
        for mail in self.env["mail.mail"].search([("model", "=", comms._name)]):
            texts[f"mail {mail.id}"] = f"{mail.subject} {mail.body_html}"
        for letter in comms.filtered("letter_attachment_id"):
            reader = PdfFileReader(io.BytesIO(letter.letter_attachment_id.raw))
            texts[f"letter {letter.id}"] = " ".join(
                p.extractText() for p in reader.pages
            )
        items = self.env["collection.worklist.item"]._refresh(self.company, TODAY)
        for item in items.with_user(self.camille).with_context(lang="fr_FR"):
            texts[f"worklist {item.id}"] = (
                f"{item.display_name} {item.score_explanation}"
            )
        self.assertFrench(texts)
