from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon

TODAY = date(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestWorklist(CollectionsCommon):
    """The collector's day: what is on the list, in which order, why; and
    the call outcomes, assignment and rebalancing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="nadia",
            name="Nadia Collector",
            groups="account.group_account_invoice,"
            "collections_management.group_collections_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.other_collector = new_test_user(
            cls.env,
            login="yann",
            name="Yann Collector",
            groups="account.group_account_invoice,"
            "collections_management.group_collections_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.reason = cls.env["collection.dispute.reason"].search(
            [("company_id", "in", (False, cls.company.id))], limit=1
        )

    def _items(self):
        return self.env["collection.worklist.item"].search(
            [("company_id", "=", self.company.id), ("state", "=", "todo")]
        )

    @freeze_time("2026-03-10")
    def test_every_reason_ordered_by_score(self):
        big, big_inv = self._customer("Atelier Grand", 25000, 75, self.collector)
        big.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=TODAY,
            user_id=self.collector.id,
        )
        small, _inv = self._customer("Boutique Petite", 300, 5)
        self.env["collection.communication"].create(
            {
                "company_id": self.company.id,
                "partner_id": small.id,
                "channel": "email",
                "state": "to_validate",
                "level_id": self.levels[-1].id,
            }
        )
        promising, p_inv = self._customer("Cave Promesse", 2000, 20)
        promise = self.env["collection.promise"]._collection_record(
            promising, p_inv, 2000, TODAY
        )
        broken, b_inv = self._customer("Droguerie Rompue", 4000, 40)
        broken_promise = self.env["collection.promise"]._collection_record(
            broken, b_inv, 4000, TODAY
        )
        broken_promise.write({"state": "broken", "judged_date": TODAY - timedelta(1)})
        disputing, d_inv = self._customer("Épicerie Litige", 1500, 30)
        dispute = self.env["collection.dispute"]._collection_record(
            disputing, d_inv, 500, self.reason
        )
        dispute.deadline = TODAY - timedelta(days=2)
        planned, pl_inv = self._customer("Fonderie Plan", 6000, 50)
        plan = self.env["collection.payment.plan"]._collection_record(
            planned, pl_inv, 2, first_date=TODAY
        )
        self.assertEqual(plan.state, "active")  # approved by its manager
        plan.line_ids[:1].write({"state": "missed"})
        bounced, _inv = self._customer("Garage Rebond", 800, 12)
        self.env["collection.communication"].create(
            {
                "company_id": self.company.id,
                "partner_id": bounced.id,
                "channel": "email",
                "state": "failed",
                "is_bounced": True,
                "level_id": self.levels[0].id,
            }
        )
        quiet, _inv = self._customer("Huilerie Calme", 900, 10)  # nothing to do

        items = self.env["collection.worklist.item"]._refresh(self.company, TODAY)

        self.assertEqual(
            {(item.partner_id.name, item.reason) for item in items},
            {
                ("Atelier Grand", "call"),
                ("Boutique Petite", "validate"),
                ("Cave Promesse", "promise_due"),
                ("Droguerie Rompue", "promise_broken"),
                ("Épicerie Litige", "dispute_late"),
                ("Fonderie Plan", "instalment_missed"),
                ("Garage Rebond", "bounced"),
            },
        )
        self.assertNotIn(quiet, items.partner_id)
        ordered = items.sorted(lambda i: (-i.score, -i.amount_overdue, i.id))
        self.assertEqual(ordered, items)  # the list opens sorted by score
        self.assertEqual(items[0].partner_id, big)  # 25,000 overdue 75 days
        self.assertEqual(items[-1].partner_id, small)  # 300 overdue 5 days
        call = items.filtered(lambda i: i.reason == "call")
        self.assertEqual(call.amount_overdue, 25000)
        self.assertEqual(call.days_overdue, 75)
        self.assertEqual(call.user_id, self.collector)
        self.assertTrue(call.score_explanation.startswith("Amount overdue "))
        self.assertIn("Days overdue", call.score_explanation)
        self.assertEqual(
            items.filtered(lambda i: i.reason == "promise_broken").source_ref,
            broken_promise,
        )
        self.assertEqual(
            items.filtered(lambda i: i.reason == "promise_due").source_ref, promise
        )

        # a second refresh adds nothing; a done item stays done; what was
        # dealt with elsewhere leaves the list
        call.action_done()
        dispute.action_cancel()
        again = self.env["collection.worklist.item"]._refresh(self.company, TODAY)
        self.assertEqual(len(again), 5)
        self.assertNotIn("dispute_late", again.mapped("reason"))
        self.assertEqual(call.state, "done")
        self.assertEqual(
            self.env["collection.worklist.item"].search_count(
                [("company_id", "=", self.company.id), ("reason", "=", "call")]
            ),
            1,
        )

    @freeze_time("2026-03-10")
    def test_weights_change_the_order(self):
        old, _inv = self._customer("Ancienne Dette", 1000, 120)
        new, _inv = self._customer("Nouvelle Dette", 30000, 3)
        for partner in old | new:
            partner.activity_schedule(
                "mail.mail_activity_data_call", date_deadline=TODAY
            )
        items = self.env["collection.worklist.item"]._refresh(self.company, TODAY)
        self.assertEqual(items[0].partner_id, new)  # default: money first
        self.company.write(
            {"collection_weight_amount": 0, "collection_weight_days": 100}
        )
        items = self.env["collection.worklist.item"]._refresh(self.company, TODAY)
        self.assertEqual(items[0].partner_id, old)
        self.assertTrue(items[0].score_explanation.startswith("Days overdue "))
        with self.assertRaises(ValidationError):
            self.company.write(
                {
                    "collection_weight_amount": 0,
                    "collection_weight_days": 0,
                    "collection_weight_risk": 0,
                    "collection_weight_broken": 0,
                    "collection_weight_late": 0,
                }
            )

    @freeze_time("2026-03-10")
    def test_call_outcomes_record_through_the_services(self):
        partner, invoice = self._customer("Imprimerie Appel", 3000, 25, self.collector)
        Log = self.env["collection.call.log"].with_user(self.collector)

        def log(outcome, **values):
            activity = partner.activity_schedule(
                "mail.mail_activity_data_call", date_deadline=TODAY
            )
            wizard = Log.create(
                {
                    "partner_id": partner.id,
                    "activity_id": activity.id,
                    "outcome": outcome,
                    **values,
                }
            )
            self.assertEqual(wizard.move_ids, invoice)
            self.assertEqual(wizard.amount, values.get("amount", 3000))
            wizard.action_confirm()
            self.assertFalse(activity.exists())  # the call is done
            return wizard

        log("promise", promise_date=TODAY + timedelta(days=7), amount=3000)
        promise = partner.collection_promise_ids
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount, 3000)
        self.assertEqual(promise.source, "collector")
        self.assertEqual(invoice.collection_commitment_state, "promise")
        promise.action_cancel()

        log("dispute", reason_id=self.reason.id, amount=1200, note="Wrong price")
        dispute = partner.collection_dispute_ids
        self.assertEqual(dispute.amount, 1200)
        self.assertEqual(dispute.description, "Wrong price")
        dispute.action_cancel()

        log("plan", instalment_count=4)
        plan = partner.collection_plan_ids
        self.assertEqual(plan.instalment_count, 4)
        self.assertIn(plan.state, ("to_approve", "active"))

        log("no_answer", callback_days=3)
        callback = partner.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(callback.date_deadline, TODAY + timedelta(days=3))

        log("wrong_number")
        self.assertIn(
            "Find the right phone number", partner.activity_ids.mapped("summary")
        )
        calls = partner.message_ids.filtered(lambda m: "<b>Call</b>" in (m.body or ""))
        self.assertEqual(len(calls), 5)  # every call is in the history

    @freeze_time("2026-03-10")
    def test_assignment_rules(self):
        france = self.env.ref("base.fr")
        french, french_invoice = self._customer("Scierie Lyon", 2000, 10)
        french.country_id = france
        big, _inv = self._customer("Big Buyer Inc", 50000, 10)
        nobody, _inv = self._customer("Small Shop", 100, 10, self.other_collector)
        Rule = self.env["collection.assignment.rule"]
        Rule.create(
            {"sequence": 1, "user_id": self.collector.id, "country_ids": france.ids}
        )
        Rule.create(
            {
                "sequence": 2,
                "user_id": self.other_collector.id,
                "min_amount": 10000,
            }
        )
        Rule.create({"sequence": 3, "user_id": self.collector.id, "max_amount": 10000})
        (french | big | nobody).action_collection_assign()
        collector = lambda p: p.with_company(self.company).collector_id  # noqa: E731
        self.assertEqual(collector(french), self.collector)
        self.assertEqual(collector(big), self.other_collector)
        self.assertEqual(collector(nobody), self.collector)  # under 10,000
        # the collector shows on the customer's invoices too
        self.assertEqual(
            french_invoice.with_company(self.company).collection_collector_id,
            self.collector,
        )
        with self.assertRaises(ValidationError):
            Rule.create(
                {"user_id": self.collector.id, "min_amount": 10, "max_amount": 5}
            )

    @freeze_time("2026-03-10")
    def test_team_filter(self):
        outsider = new_test_user(
            self.env,
            login="zoe",
            groups="collections_management.group_collections_user",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        team = self.env["collection.team"].create(
            {
                "name": "France",
                "member_ids": [(6, 0, (self.collector | self.other_collector).ids)],
            }
        )
        for name, user in (
            ("Un", self.collector),
            ("Deux", self.other_collector),
            ("Trois", outsider),
        ):
            partner, _inv = self._customer(f"Client {name}", 1000, 10, user)
            partner.activity_schedule(
                "mail.mail_activity_data_call", date_deadline=TODAY, user_id=user.id
            )
        Items = self.env["collection.worklist.item"]
        Items._refresh(self.company, TODAY)
        in_team = Items.search([("team_ids", "in", team.ids)])
        self.assertEqual(in_team.user_id, self.collector | self.other_collector)
        mine = Items.with_user(self.collector).search(
            [("user_id.collection_team_ids.member_ids", "in", [self.collector.id])]
        )
        self.assertEqual(mine, in_team)  # the "My Teams" filter
        wizard = self.env["collection.rebalance"].new({"team_id": team.id})
        wizard._onchange_team_id()
        self.assertEqual(wizard.user_ids._origin, self.collector | self.other_collector)

    @freeze_time("2026-03-10")
    def test_rebalance_spreads_the_open_amount(self):
        a, _inv = self._customer("Alpha", 6000, 10, self.collector)
        b, _inv = self._customer("Beta", 3000, 10, self.collector)
        c, _inv = self._customer("Gamma", 3000, 10, self.collector)
        untouched, _inv = self._customer("Outside", 9000, 10, self.env.user)
        wizard = self.env["collection.rebalance"].create(
            {
                "user_ids": [(6, 0, (self.collector | self.other_collector).ids)],
                "tolerance": 10,
            }
        )
        wizard.action_rebalance()
        loads = {}
        for partner in a | b | c:
            user = partner.with_company(self.company).collector_id
            loads[user] = loads.get(user, 0) + partner.collection_open_amount
        self.assertEqual(loads, {self.collector: 6000, self.other_collector: 6000})
        self.assertEqual(a.with_company(self.company).collector_id, self.collector)
        self.assertEqual(
            untouched.with_company(self.company).collector_id, self.env.user
        )

    @freeze_time("2026-03-10")
    def test_customer_360(self):
        partner, invoice = self._customer("Tannerie Vue", 1000, 45, self.collector)
        late_paid = self._invoice(500, date(2026, 1, 1), date(2026, 1, 31), partner)
        self._pay(late_paid, 500, date(2026, 2, 10))  # 10 days late
        partner.invalidate_recordset()
        self.assertEqual(partner.collection_open_move_ids, invoice)
        self.assertEqual(partner.collection_paid_move_ids, late_paid)
        self.assertEqual(partner.collection_aged_31_60, 1000)
        self.assertEqual(partner.collection_aged_current, 0)
        self.assertEqual(partner.collection_average_days_late, 10.0)
        self.assertEqual(partner.collection_on_time_share, 0.0)
        action = partner.action_collection_360()
        self.assertEqual(action["res_id"], partner.id)
        self.assertEqual(
            action["views"][0][0],
            self.env.ref("collections_management.res_partner_view_form_360").id,
        )


@tagged("post_install", "-at_install")
class TestSharedInbox(CollectionsCommon):
    """Replies to reminders come back through Odoo's mail gateway to the
    customer's history, its collector and the collector's worklist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        domain = cls.env["mail.alias.domain"].create({"name": "suite.example"})
        cls.company.alias_domain_id = domain
        cls.alias = cls.env.ref("collections_management.mail_alias_collections")
        cls.alias.alias_domain_id = domain
        cls.collector = new_test_user(
            cls.env,
            login="odile",
            name="Odile Collector",
            email="odile@suite.example",
            groups="account.group_account_invoice,"
            "collections_management.group_collections_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector
        cls.invoice = cls._invoice(1800, date(2026, 1, 10), date(2026, 1, 24))

    def _reminder(self):
        with freeze_time("2026-03-10"):
            self._daily_run(TODAY)
        comm = self._reminders().filtered(lambda c: c.channel == "email")
        self.assertEqual(len(comm), 1)
        self.assertTrue(comm.mail_message_id)
        return comm

    def _feed(self, headers, body):
        raw = "\r\n".join(
            [
                "From: Boulangerie Martin <compta@martin.example>",
                "To: collections@suite.example",
                "Subject: Re: your reminder",
                "Message-Id: <reply-%s@martin.example>" % abs(hash(body)),
                "Content-Type: text/plain; charset=utf-8",
                *headers,
                "",
                body,
            ]
        )
        return self.env["mail.thread"].message_process(None, raw)

    def test_reminders_answer_to_the_alias(self):
        comm = self._reminder()
        self.assertIn("collections@suite.example", comm.mail_message_id.reply_to)

    def test_reply_lands_on_the_customer_and_the_collector(self):
        comm = self._reminder()
        reply_to = comm.mail_message_id.message_id
        with freeze_time("2026-03-11"):
            self._feed(
                [f"In-Reply-To: {reply_to}", f"References: {reply_to}"],
                "We will pay on Friday, sorry for the delay.",
            )
        item = self.env["collection.worklist.item"].search(
            [("reason", "=", "reply"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(item), 1)
        self.assertEqual(item.user_id, self.collector)
        self.assertEqual(item.source_ref, comm)
        self.assertEqual(item.amount_overdue, 1800)
        note = self.customer.message_ids.filtered(
            lambda m: "pay on Friday" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.customer)
        self.assertIn(self.collector.partner_id, note.partner_ids)  # notified
        # the reply stays on the worklist through refreshes, once
        with freeze_time("2026-03-11"):
            self.env["collection.worklist.item"]._refresh(
                self.company, date(2026, 3, 11)
            )
        self.assertTrue(item.exists())
        self.assertEqual(item.state, "todo")
        # quick action: record a promise from the reply
        action = item.with_user(self.collector).action_record_promise()
        self.assertEqual(action["res_model"], "collection.promise")
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(item.state, "done")

    def test_new_email_to_the_alias_finds_the_customer(self):
        comm = self._reminder()
        with freeze_time("2026-03-12"):
            self._feed([], "Can I pay in three times?")
        self.assertIn(
            "Can I pay in three times?", "".join(comm.message_ids.mapped("body"))
        )
        item = self.env["collection.worklist.item"].search(
            [("reason", "=", "reply"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(item.user_id, self.collector)
