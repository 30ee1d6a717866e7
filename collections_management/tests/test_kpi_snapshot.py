import json
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..tools.dashboard_sources import dashboard_data, data_sources, read_source
from .common import CollectionsCommon

DAY = date(2026, 6, 30)  # the snapshot's day; its 90-day period starts on 2 April


@tagged("post_install", "-at_install")
class TestKpiSnapshot(CollectionsCommon):
    """The receivables figures of a day on a small book whose every figure
    is worked out by hand below."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(
            cls.env,
            login="alice",
            name="Alice Collector",
            groups="collections_management.group_collections_user",
            company_id=cls.company.id,
        )
        cls.bob = new_test_user(
            cls.env,
            login="bob",
            name="Bob Collector",
            groups="collections_management.group_collections_user",
            company_id=cls.company.id,
        )
        cls.a = cls.customer  # followed by Alice
        cls.b = cls.env["res.partner"].create({"name": "Quincaillerie Bernard"})
        cls.a.with_company(cls.company).collector_id = cls.alice
        cls.b.with_company(cls.company).collector_id = cls.bob
        receivable = cls.company_data["default_account_receivable"]

        # A0: paid long before the countback horizon (July 2025): not counted
        a0 = cls._invoice(700, "2025-03-01", "2025-03-31")
        cls._pay(a0, 700, "2025-03-20")
        # A1: before the period, unpaid, disputed; 141 days overdue
        cls.a1 = cls._invoice(1000, "2026-01-10", "2026-02-09")
        cls.env["collection.dispute"].create(
            {
                "partner_id": cls.a.id,
                "move_ids": [Command.set(cls.a1.ids)],
                "amount": 1000,
                "reason_id": cls.env.ref(
                    "collections_management.dispute_reason_price"
                ).id,
            }
        )
        # A2: in the period, paid on time
        a2 = cls._invoice(600, "2026-05-01", "2026-05-31")
        cls._pay(a2, 600, "2026-05-20")
        # A3: in the period, not yet due
        cls.a3 = cls._invoice(400, "2026-06-15", "2026-07-15")

        # B1: before the period, 300 paid before it, 200 in it; 91 days overdue
        cls.b1 = b1 = cls._invoice(900, "2026-03-01", "2026-03-31", cls.b)
        cls._pay(b1, 300, "2026-03-20")
        cls._pay(b1, 200, "2026-05-10")
        # B2: in the period, paid late
        cls.b2 = b2 = cls._invoice(500, "2026-04-20", "2026-05-20", cls.b)
        cls._pay(b2, 500, "2026-06-10")
        # B3: due on the snapshot's day: not overdue yet
        cls.b3 = cls._invoice(800, "2026-06-01", "2026-06-30", cls.b)
        # B4: paid after the snapshot's day: open on it, 16 days overdue
        cls.b4 = b4 = cls._invoice(300, "2026-05-15", "2026-06-14", cls.b)
        cls._pay(b4, 300, "2026-07-05")
        # B5: written off in the period
        b5 = cls._invoice(200, "2026-04-10", "2026-05-10", cls.b)
        write_off = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-06-05",
                "journal_id": cls.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": cls.b.id,
                            "credit": 200.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": cls.company_data[
                                "default_account_expense"
                            ].id,
                            "debit": 200.0,
                        }
                    ),
                ],
            }
        )
        write_off.action_post()
        (write_off.line_ids + b5.line_ids).filtered(
            lambda line: line.account_id == receivable
        ).reconcile()

    def _figures(self, snapshots, level, user=None):
        row = snapshots.filtered(
            lambda s: s.level == level and (user is None or s.user_id == user)
        )
        self.assertEqual(len(row), 1)
        return row

    def assertFigures(self, row, **expected):
        for name, value in expected.items():
            self.assertAlmostEqual(row[name], value, delta=0.006, msg=name)

    def test_figures_per_collector_and_company(self):
        snapshots = self.env["collection.kpi.snapshot"]._snapshot(self.company, DAY)
        self.assertEqual(
            sorted(snapshots.mapped("level")),
            ["collector", "collector", "company", "customer", "customer"],
        )
        # Alice (customer A): sales S = 600 + 400 = 1000 (A2, A3); at start
        # B = 1000 (A1); at the end E = 1000 + 400 = 1400, of which current
        # C = 400 (A3).
        self.assertFigures(
            self._figures(snapshots, "collector", self.alice),
            credit_sales=1000,
            opening_amount=1000,
            open_amount=1400,
            current_amount=400,
            overdue_amount=1000,
            aged_current=400,
            aged_1_30=0,
            aged_over_90=1000,  # A1: 30 June - 9 February = 141 days
            disputed_amount=1000,
            collected=600,  # B + S - E = 1000 + 1000 - 1400
            dso=126.0,  # E / S x 90 = 1400 / 1000 x 90
            best_dso=36.0,  # C / S x 90 = 400 / 1000 x 90
            add=90.0,  # 126 - 36
            cei=37.5,  # (B + S - E) / (B + S - C) x 100 = 600 / 1600 x 100
            turnover=0.83,  # S / ((B + E) / 2) = 1000 / 1200
            on_time_share=100.0,  # A2 paid by its due date: 1 / 1
            # countback: June sales 400 (30 days), May 600 (31), April and
            # March and February none (30 + 31 + 28), January the 400 left of
            # 1000 (400 / 1000 x 31 = 12.4): 30 + 31 + 30 + 31 + 28 + 12.4
            countback_dso=162.4,
            open_count=2,
            overdue_count=1,
            paid_count=1,
            paid_on_time_count=1,
        )
        # Bob (customer B): S = 500 + 800 + 300 + 200 = 1800 (B2-B5);
        # B = 900 - 300 = 600 (B1); E = 400 + 800 + 300 = 1500 (B1, B3, B4);
        # C = 800 (B3, due on the day); written off W = 200 (B5).
        self.assertFigures(
            self._figures(snapshots, "collector", self.bob),
            credit_sales=1800,
            opening_amount=600,
            open_amount=1500,
            current_amount=800,
            overdue_amount=700,
            aged_current=800,
            aged_1_30=300,  # B4: 16 days (its payment on 5 July is later)
            aged_61_90=0,
            aged_over_90=400,  # B1: 30 June - 31 March = 91 days
            written_off=200,
            collected=700,  # B + S - E - W = 600 + 1800 - 1500 - 200
            dso=75.0,  # 1500 / 1800 x 90
            best_dso=40.0,  # 800 / 1800 x 90
            add=35.0,
            cei=56.25,  # (600 + 1800 - 1500) / (600 + 1800 - 800) x 100
            turnover=1.71,  # 1800 / ((600 + 1500) / 2)
            on_time_share=0.0,  # B2 paid late; B5 written off, not paid
            bad_debt_ratio=11.11,  # W / S x 100 = 200 / 1800 x 100
            # countback: June 800 (30 days), May 300 (31), April the 400
            # left of 700 (400 / 700 x 30 = 17.14)
            countback_dso=78.14,
            paid_count=1,
            paid_on_time_count=0,
        )
        # The company: the sums of both. S = 2800, B = 1600, E = 2900,
        # C = 1200, W = 200.
        self.assertFigures(
            self._figures(snapshots, "company"),
            credit_sales=2800,
            opening_amount=1600,
            open_amount=2900,
            current_amount=1200,
            aged_1_30=300,
            aged_over_90=1400,
            collected=1300,  # 1600 + 2800 - 2900 - 200
            dso=93.21,  # 2900 / 2800 x 90
            best_dso=38.57,  # 1200 / 2800 x 90
            add=54.64,  # 1700 / 2800 x 90
            cei=46.88,  # 1500 / 3200 x 100 = 46.875
            turnover=1.24,  # 2800 / 2250
            on_time_share=50.0,  # 1 of 2 paid on time
            bad_debt_ratio=7.14,  # 200 / 2800 x 100
        )
        customer = self._figures(snapshots, "customer", self.bob)
        self.assertEqual(customer.partner_id, self.b)
        self.assertEqual(customer.open_amount, 1500)

    def test_cron_replaces_the_days_figures(self):
        Snapshot = self.env["collection.kpi.snapshot"]
        with freeze_time(DAY):
            Snapshot._cron_snapshot(commit=False)
            first = Snapshot.search([("date", "=", DAY)])
            # a payment later that day: the run of the day again replaces
            # its figures, no duplicate
            self._pay(self.a1, 1000, DAY)
            Snapshot._cron_snapshot(commit=False)
        again = Snapshot.search([("date", "=", DAY)])
        self.assertEqual(len(again), len(first))
        self.assertFalse(first.exists())
        alice = self._figures(again, "collector", self.alice)
        self.assertEqual(alice.open_amount, 400)  # only A3 left

    def test_collectors_see_their_own_portfolio(self):
        self.env["collection.kpi.snapshot"]._snapshot(self.company, DAY)
        seen = self.env["collection.kpi.snapshot"].with_user(self.alice).search([])
        self.assertEqual(set(seen.mapped("user_id")), {self.alice})
        self.assertEqual(set(seen.mapped("level")), {"collector", "customer"})
        self.assertNotIn(self.b, seen.partner_id)
        everything = self.env["collection.kpi.snapshot"].search([])
        self.assertIn(self.b, everything.partner_id)
        self.assertIn("company", everything.mapped("level"))

    def test_scheduled_report_email(self):
        """A weekly report due today is emailed once, with the key figures
        in the email and every figure in the spreadsheet."""
        import io  # noqa: PLC0415 - only this test reads spreadsheets

        from openpyxl import load_workbook  # noqa: PLC0415

        manager = self.env["res.partner"].create(
            {"name": "Directrice Financière", "email": "daf@suite.example"}
        )
        Schedule = self.env["collection.report.schedule"]
        schedule = Schedule.create(
            {
                "name": "Management weekly",
                "frequency": "weekly",
                "next_date": DAY,
                "recipient_ids": [Command.set(manager.ids)],
                "lang": "en_US",
            }
        )
        with freeze_time(DAY):
            Schedule._cron_send(DAY, commit=False)
            Schedule._cron_send(DAY, commit=False)  # the same day again
        messages = schedule.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(len(messages), 1)  # sent once
        self.assertEqual(messages.partner_ids, manager)
        self.assertIn("Management weekly: receivables on 06/30/2026", messages.subject)
        # company: E = 1400 (A) + 1500 (B) = 2900 open, DSO read from the
        # snapshot of the day
        company_row = self.env["collection.kpi.snapshot"].search(
            [("date", "=", DAY), ("level", "=", "company")]
        )
        self.assertIn("2,900.00", messages.body)
        self.assertIn(f"{company_row.dso:.1f}", messages.body)
        attachment = messages.attachment_ids
        self.assertEqual(
            attachment.name, f"Receivables {self.company.name} 2026-06-30.xlsx"
        )
        book = load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(book.sheetnames, ["Company", "Collectors", "Customers"])
        header = [cell.value for cell in book["Company"][1]]
        receivables = header.index("Receivables")
        self.assertEqual(book["Company"].cell(2, receivables + 1).value, 2900)
        customers = [row[0].value for row in book["Customers"].iter_rows(min_row=2)]
        self.assertEqual(set(customers), {self.a.display_name, self.b.display_name})
        self.assertEqual(schedule.next_date, date(2026, 7, 7))
        self.assertEqual(schedule.last_sent_date, DAY)
        # collectors do not see the schedules
        with self.assertRaises(AccessError):
            Schedule.with_user(self.alice).search([])

    def _reminder(self, partner, channel, day, **values):
        comm = self.env["collection.communication"].create(
            {
                "partner_id": partner.id,
                "channel": channel,
                "date": day,
                "level_id": self.levels[0].id,
            }
        )
        comm.write({"state": "sent", **values})
        return comm

    def _done_task(self, record, day):
        with freeze_time(day):
            record.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.env.uid
            ).action_feedback("done")

    def test_activity_per_collector_team_and_company(self):
        """What the collectors did in the period (2 April - 30 June)."""
        team = self.env["collection.team"].create(
            {"name": "Équipe Nord", "member_ids": [Command.set(self.alice.ids)]}
        )
        opened = "2026-06-02 09:00:00"
        # Alice's customer: two emails (one opened and clicked, one
        # bounced) and an SMS in the period; an email before it
        self._reminder(
            self.a, "email", "2026-06-01", opened_date=opened, clicked_date=opened
        )
        self._reminder(self.a, "email", "2026-06-10", state="failed", is_bounced=True)
        self._reminder(self.a, "sms", "2026-06-10")
        self._reminder(self.a, "email", "2026-03-01", opened_date=opened)
        # Bob's customer: one email, opened
        self._reminder(self.b, "email", "2026-05-05", opened_date=opened)
        # Bob's promises: one kept and one broken in the period, one broken
        # before it
        for state, judged in (
            ("kept", "2026-06-20"),
            ("broken", "2026-06-25"),
            ("broken", "2026-03-15"),
        ):
            promise = self.env["collection.promise"].create(
                {
                    "partner_id": self.b.id,
                    "move_ids": [Command.set(self.b3.ids)],
                    "amount": 800,
                    "promise_date": fields.Date.today() + timedelta(days=5),
                }
            )
            promise.write({"state": state, "judged_date": judged})
        # disputes: Alice's (A1, 1000) opened on 1 May and still open; Bob's
        # on B1 opened on 10 April and settled 10 days later; another of
        # Bob's settled in January
        self.a1.collection_dispute_ids.write({"date": "2026-05-01"})
        reason = self.env.ref("collections_management.dispute_reason_price")
        for opened_on, settled_on in (
            ("2026-04-10", "2026-04-20"),
            ("2026-01-05", "2026-01-15"),
        ):
            dispute = self.env["collection.dispute"].create(
                {
                    "partner_id": self.b.id,
                    "move_ids": [Command.set(self.b1.ids)],
                    "amount": 100,
                    "reason_id": reason.id,
                }
            )
            dispute.write(
                {"state": "rejected", "date": opened_on, "settled_date": settled_on}
            )
        # tasks done: one on Alice's customer, one on Bob's invoice, one
        # after the snapshot's day
        self._done_task(self.a, "2026-06-15 10:00:00")
        self._done_task(self.b1, "2026-06-16 10:00:00")
        self._done_task(self.b1, "2026-07-05 10:00:00")

        snapshots = self.env["collection.kpi.snapshot"]._snapshot(self.company, DAY)
        alice = self._figures(snapshots, "collector", self.alice)
        self.assertFigures(
            alice,
            reminders_sent=3,  # the bounced email was sent
            emails_sent=2,
            reminders_opened=1,
            reminders_clicked=1,
            reminders_bounced=1,
            open_rate=100.0,  # opened / (emails - bounced) = 1 / (2 - 1)
            click_rate=100.0,
            bounce_rate=50.0,  # 1 / 2
            promises_judged=0,
            disputes_opened=1,
            disputes_opened_amount=1000,
            disputes_resolved=0,
            tasks_done=1,
        )
        self.assertFalse(alice.promise_kept_rate)  # none judged: no rate
        self.assertFigures(
            self._figures(snapshots, "collector", self.bob),
            reminders_sent=1,
            emails_sent=1,
            reminders_opened=1,
            open_rate=100.0,
            click_rate=0.0,
            bounce_rate=0.0,
            promises_judged=2,  # the one of March is before the period
            promises_kept=1,
            promise_kept_rate=50.0,
            disputes_opened=1,  # 10 April
            disputes_opened_amount=100,
            disputes_resolved=1,
            dispute_cycle_days=10.0,  # 20 April - 10 April
            tasks_done=1,  # the one of 5 July is after the day
        )
        # the company: both collectors
        self.assertFigures(
            self._figures(snapshots, "company"),
            reminders_sent=4,
            emails_sent=3,
            reminders_opened=2,
            reminders_clicked=1,
            reminders_bounced=1,
            open_rate=100.0,  # 2 / (3 - 1)
            click_rate=50.0,  # 1 / 2
            bounce_rate=33.33,  # 1 / 3
            promises_judged=2,
            promises_kept=1,
            promise_kept_rate=50.0,
            disputes_opened=2,
            disputes_opened_amount=1100,
            disputes_resolved=1,
            dispute_cycle_days=10.0,
            tasks_done=2,
        )
        # the team: Alice's portfolio and activity
        team_row = snapshots.filtered(lambda s: s.team_id == team)
        self.assertEqual(team_row.level, "team")
        self.assertFigures(
            team_row,
            open_amount=1400,
            overdue_amount=1000,
            dso=126.0,  # 1400 / 1000 x 90, as Alice's
            reminders_sent=3,
            open_rate=100.0,
            disputes_opened=1,
            tasks_done=1,
        )
        # a customer's row: the customer's own
        self.assertFigures(
            snapshots.filtered(
                lambda s: s.level == "customer" and s.partner_id == self.b
            ),
            promises_judged=2,
            tasks_done=1,
        )

    def test_cash_forecast_and_its_accuracy(self):
        """Expected in the next 30 days on 31 May, against what came in by
        30 June."""
        for invoice, expected in (
            (self.a1, "2026-07-15"),
            (self.a3, "2026-07-20"),
            (self.b1, "2026-08-01"),
            (self.b2, "2026-06-05"),
            (self.b4, "2026-06-20"),
        ):
            invoice.collection_expected_date = expected
        Snapshot = self.env["collection.kpi.snapshot"]
        before = Snapshot._snapshot(self.company, date(2026, 5, 31))
        # 31 May: B2 (500, open then) and B4 (300) expected by 30 June;
        # A1, A3 (not yet invoiced) and B1 later
        self.assertFigures(self._figures(before, "company"), expected_30=800)
        self.assertFigures(
            self._figures(before, "collector", self.bob), expected_30=800
        )
        self.assertFigures(
            self._figures(before, "collector", self.alice), expected_30=0
        )
        self.assertFalse(self._figures(before, "company").forecast_accuracy)

        after = Snapshot._snapshot(self.company, DAY)
        # collected from 1 to 30 June: B2's 500 on 10 June; B4 is paid on
        # 5 July, after the day; B5's write-off is not collected
        company = self._figures(after, "company")
        self.assertFigures(
            company,
            collected_30=500,
            forecast_accuracy=40.0,  # (1 - |800 - 500| / 500) x 100
            expected_30=1400,  # A1 (15 July) and A3 (20 July)
        )
        self.assertFigures(
            self._figures(after, "collector", self.bob),
            collected_30=500,
            forecast_accuracy=40.0,
            expected_30=0,  # B4 was expected on 20 June: not in the window
        )
        alice = self._figures(after, "collector", self.alice)
        self.assertFigures(alice, collected_30=0, expected_30=1400)
        self.assertFalse(alice.forecast_accuracy)  # nothing collected: no ratio

    def test_aged_balance_drills_down_to_its_invoices(self):
        """Each bucket of the dashboards' aged balance opens the invoices it
        sums: the invoices' age filter, on the day."""
        day = date(2026, 7, 10)  # every payment of the book is made by then
        with freeze_time(day):
            snapshots = self.env["collection.kpi.snapshot"]._snapshot(self.company, day)
            company = self._figures(snapshots, "company")
            self.assertFigures(
                company,
                aged_current=400,  # A3, due 15 July
                aged_1_30=800,  # B3, due 30 June
                aged_31_60=0,
                aged_61_90=0,
                aged_over_90=1400,  # A1 (1000) and B1 (400)
            )
            arch = self.env["account.move"].get_views([(False, "search")])["views"][
                "search"
            ]["arch"]
            filters = {
                node.get("name"): node.get("domain")
                for node in etree.fromstring(arch).iter("filter")
            }
            data = dashboard_data(
                self.env.ref("collections_management.spreadsheet_dashboard_management")
            )
            links = [
                json.loads(cell["content"].split("odoo://view/", 1)[1][:-1])
                for sheet in data["sheets"]
                for cell in sheet["cells"].values()
                if "search_default_collection_age_" in cell["content"]
            ]
            self.assertEqual(len(links), 5)
            for link in links:
                action = link["action"]
                [name] = [
                    key.removeprefix("search_default_") for key in action["context"]
                ]
                domain = action["domain"] + safe_eval(
                    filters[name],
                    {"context_today": lambda: day, "relativedelta": relativedelta},
                )
                invoices = self.env["account.move"].search(
                    [*domain, ("company_id", "=", self.company.id)]
                )
                bucket = "aged_" + name.removeprefix("collection_age_")
                self.assertAlmostEqual(
                    sum(invoices.mapped("amount_residual")), company[bucket], msg=name
                )

    # ------------------------------------------------------------------
    # The latest day and the dashboards
    # ------------------------------------------------------------------

    def _latest_dates(self):
        return set(
            self.env["collection.kpi.snapshot"]
            .search([("company_id", "=", self.company.id), ("is_latest", "=", True)])
            .mapped("date")
        )

    def test_latest_day(self):
        Snapshot = self.env["collection.kpi.snapshot"]
        Snapshot._snapshot(self.company, DAY)
        day_rows = Snapshot.search(
            [("company_id", "=", self.company.id), ("date", "=", DAY)]
        )
        self.assertTrue(all(day_rows.mapped("is_latest")))
        # a past day filled in afterwards is not the latest
        Snapshot._snapshot(self.company, DAY - timedelta(days=7))
        self.assertEqual(self._latest_dates(), {DAY})
        # the next night's figures are
        Snapshot._snapshot(self.company, DAY + timedelta(days=1))
        self.assertEqual(self._latest_dates(), {DAY + timedelta(days=1)})
        self.assertFalse(any(day_rows.mapped("is_latest")))

    def _source(self, dashboard, name):
        data = dashboard_data(dashboard)
        source = next(s for s in data_sources(data) if s[1] == name)
        return data, source

    def test_dashboards_show_the_figures_to_their_groups(self):
        """The three dashboards: who sees which, and the figures they read,
        the same as the snapshot's (worked out in the first test)."""
        self.env["collection.kpi.snapshot"]._snapshot(self.company, DAY)
        manager = new_test_user(
            self.env,
            login="carla",
            name="Carla Manager",
            groups="collections_management.group_collections_manager",
            company_id=self.company.id,
        )
        operational = self.env.ref(
            "collections_management.spreadsheet_dashboard_operational"
        )
        team = self.env.ref("collections_management.spreadsheet_dashboard_team")
        management = self.env.ref(
            "collections_management.spreadsheet_dashboard_management"
        )
        ours = operational | team | management

        def visible(user):
            return (
                self.env["spreadsheet.dashboard"]
                .with_user(user)
                .search([("id", "in", ours.ids)])
            )

        self.assertEqual(visible(self.alice), operational)
        self.assertEqual(visible(manager), ours)

        # every data source reads, as a user of its dashboard, with every
        # filter field it matches
        for dashboard, user in (
            (operational, self.alice),
            (team, manager),
            (management, manager),
        ):
            data = dashboard_data(dashboard)
            sources = list(data_sources(data))
            self.assertTrue(sources)
            for source in sources:
                with self.subTest(dashboard=dashboard.name, source=source[1]):
                    read_source(self.env(user=user), data, source)
                    for field in source[4].values():
                        self.env[source[2]].with_user(user).search_count(
                            [(field["chain"], "!=", False)]
                        )

        # Alice's day: her portfolio, by default and with the filter emptied
        # (she cannot read Bob's figures)
        data, source = self._source(operational, "My Portfolio Today")
        for values in ({}, {"Collector": []}):
            [row] = read_source(self.env(user=self.alice), data, source, values)
            self.assertEqual(row["open_amount"], 1400)  # A1 + A3
            self.assertEqual(row["overdue_amount"], 1000)  # A1
            self.assertEqual(row["aged_current"], 400)  # A3
            self.assertEqual(row["aged_over_90"], 1000)  # A1, 141 days
            self.assertEqual(row["collected"], 600)  # B + S - E = 1000 + 1000 - 1400
            self.assertEqual(row["dso"], 126.0)  # 1400 / 1000 x 90
        # the manager's own portfolio is empty; choosing Bob shows his
        [row] = read_source(self.env(user=manager), data, source)
        self.assertEqual(row["__count"], 0)
        [row] = read_source(
            self.env(user=manager), data, source, {"Collector": self.bob.ids}
        )
        self.assertEqual((row["open_amount"], row["overdue_amount"]), (1500, 700))

        # the team: one line per collector
        data, source = self._source(team, "Portfolios Today")
        rows = read_source(self.env(user=manager), data, source)
        by_user = {
            row["user_id"][0]: (row["open_amount"], row["overdue_amount"])
            for row in rows
        }
        self.assertEqual(
            by_user, {self.alice.id: (1400, 1000), self.bob.id: (1500, 700)}
        )

        # management: the company's figures and aged balance
        data, source = self._source(management, "Company Today")
        [row] = read_source(self.env(user=manager), data, source)
        self.assertEqual(row["open_amount"], 2900)
        self.assertEqual(row["aged_over_90"], 1400)  # A1 1000 + B1 400
        self.assertEqual(row["dso"], 93.21)  # 2900 / 2800 x 90


@tagged("post_install", "-at_install")
class TestDashboardTour(CollectionsCommon, HttpCase):
    def test_manager_opens_the_three_dashboards(self):
        """In the browser: each dashboard loads its figures without error."""
        self.env["res.users"]._collections_create_role_user(
            "tour.manager", "collections_manager", self.company
        )
        self._invoice(1000, "2026-01-10", "2026-02-09")
        Snapshot = self.env["collection.kpi.snapshot"]
        snapshots = Snapshot._snapshot(self.company, fields.Date.today())
        # the customer has no collector: the company's unassigned portfolio
        unassigned = snapshots.filtered(lambda s: s.level == "collector")
        self.assertFalse(unassigned.user_id)
        self.assertEqual(unassigned.open_amount, 1000)
        self.start_tour(
            "/odoo/action-collections_management.action_collections_dashboards",
            "collections_dashboards",
            login="tour.manager",
        )

    def test_french_manager_reads_french_figures_on_the_charts(self):
        """The charts' value axes are written the reader's way: a French
        manager reads 250 000 where Chart.js alone writes 250,000."""
        self._load_french(["collections_management"])
        self.env["res.users"]._collections_create_role_user(
            "tour.manager.fr", "collections_manager", self.company, lang="fr_FR"
        )
        self._invoice(250000, "2026-01-10", "2026-02-09")
        self.env["collection.kpi.snapshot"]._snapshot(self.company, fields.Date.today())
        self.start_tour(
            "/odoo/action-collections_management.action_collections_dashboards",
            "collections_dashboards_fr",
            login="tour.manager.fr",
        )
