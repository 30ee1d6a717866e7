"""The reminder history of a generated database, as daily runs left it.

A benchmark of the daily run needs the state a live database is in: invoices
already reminded at the levels the previous runs sent, so that today's run
sends what is due today and not two years of reminders at once. This module
replays, with the add-on's own level engine, the runs up to a day (``until``)
and stores on each open due line the level and date of its last reminder.
Each line climbs on the days its next level fell due, the way the daily run
climbs it; no communication is created, as if the history had been purged.
"""

import sys
from pathlib import Path

# The add-on's pure engine, importable without Odoo's add-on loader.
sys.path.insert(
    0, str(Path(__file__).resolve().parents[2] / "collections_management" / "engine")
)
from levels import Level, next_step  # noqa: E402

BATCH = 5000


def replay(levels, due_date, until):
    """``(level key, date)`` of the last reminder of a line due on
    ``due_date`` after daily runs up to ``until``, or ``(None, None)``."""
    last, last_date = None, None
    while True:
        step = next_step(levels, due_date, until, last, last_date)
        if step is None or step.planned_date > until:
            return last, last_date
        last, last_date = step.level.key, step.planned_date


def apply(env, until):
    """Set the levels of every open customer due line of every company as
    runs up to ``until`` left them; return the number of lines reminded."""
    cr = env.cr
    count = 0
    for company in env["res.company"].search([]):
        cr.execute(
            """
            SELECT l.id, l.partner_id, COALESCE(l.date_maturity, m.invoice_date_due)
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE l.company_id = %s AND l.display_type = 'payment_term'
               AND l.parent_state = 'posted' AND NOT l.reconciled
               AND l.amount_residual > 0 AND m.move_type = 'out_invoice'
            """,
            (company.id,),
        )
        rows = cr.fetchall()
        partners = env["res.partner"].browse({row[1] for row in rows})
        policy_of = partners.commercial_partner_id.with_company(
            company
        )._collection_policies(company)
        commercial = {p.id: p.commercial_partner_id.id for p in partners}
        ladders = {}
        updates = []
        for line_id, partner_id, due_date in rows:
            policy = policy_of.get(commercial[partner_id])
            if not policy:
                continue
            if policy.id not in ladders:
                ladders[policy.id] = [
                    Level(lv.id, lv.trigger_days, lv.min_days_since_previous)
                    for lv in policy.level_ids
                ]
            level, day = replay(ladders[policy.id], due_date, until)
            if level:
                updates.append((line_id, level, day))
        for start in range(0, len(updates), BATCH):
            chunk = updates[start : start + BATCH]
            cr.execute(
                """
                UPDATE account_move_line l
                   SET collection_level_id = v.level, collection_last_date = v.day
                  FROM unnest(%s::int[], %s::int[], %s::date[]) AS v(id, level, day)
                 WHERE l.id = v.id
                """,
                ([u[0] for u in chunk], [u[1] for u in chunk], [u[2] for u in chunk]),
            )
        count += len(updates)
    # The invoices' stored summary (their highest level and last date), as
    # account.move's _compute_collection_last leaves it.
    cr.execute(
        """
        UPDATE account_move m
           SET collection_last_level_id = s.level, collection_last_date = s.day
          FROM (
                SELECT l.move_id,
                       (array_agg(l.collection_level_id
                                  ORDER BY lv.trigger_days DESC))[1] AS level,
                       MAX(l.collection_last_date) AS day
                  FROM account_move_line l
                  JOIN collection_policy_level lv ON lv.id = l.collection_level_id
                 GROUP BY l.move_id
               ) s
         WHERE m.id = s.move_id
        """
    )
    env.invalidate_all()
    return count
