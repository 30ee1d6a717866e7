"""Score and time the cash matching end to end in Odoo.

    python3 -m suite.bench_matching DB [--lines N] [--seed S] [--oca ADDONS_DIR]

Run by ``setup/bench matching`` in a process of its own, on a copy of a
generated database. For each company it reads the open receivable items
the way the matching does (``_cash_match_book``), draws bank lines paying
them with known truth in the fixed mix of ``matching_feed.DEFAULT_MIX``,
creates them as bank statement lines (not timed), then times the matching
run over all of them (``_cash_match_run``: proposals stored, lines above the
threshold reconciled in Odoo's accounting) and scores what it did. Prints
one JSON line with ``auto_precision``, ``auto_share``, ``top3_recall`` and
``lines_per_s``. ``reconcile_s`` is the part of ``run_s`` spent in Odoo's
accounting reconciling the automatic lines (``_cash_match_apply_together``,
with the chatter it writes), ``match_s`` the rest: the engine, the proposals
stored, the lines' states.

With ``--oca`` (OCA's ``account_reconcile_model_oca`` installed in DB), the
same lines are then given to its invoice-matching rules (Odoo's shipped
*Invoices/Bills Perfect Match* models, as a new database has them): the line
also carries ``oca_auto_precision``, ``oca_auto_share``, ``oca_top1_recall``
(it proposes one set of items per line) and ``oca_lines_per_s``. Those rules
only propose (their reconciliation is the work of a user, or of
``account_reconcile_oca``), so their time is that of matching alone.
"""

import argparse
import json
import random
import sys
import time

from . import generator, odoo_env, runtime


class _Stopwatch:
    """Time spent in ``method`` of the registry class of ``model`` while in
    the ``with`` block; a recursive call counts once."""

    def __init__(self, model, method):
        self.cls, self.name = type(model), method
        self.seconds, self._depth = 0.0, 0
        self._original = getattr(self.cls, method)

    def __enter__(self):
        original, watch = self._original, self

        def timed(record, *args, **kwargs):
            watch._depth += 1
            started = time.monotonic()
            try:
                return original(record, *args, **kwargs)
            finally:
                watch._depth -= 1
                if not watch._depth:
                    watch.seconds += time.monotonic() - started

        setattr(self.cls, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self.cls, self.name, self._original)


def _create_lines(env, company, feed):
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    currencies = {
        c.name: c
        for c in env["res.currency"].with_context(active_test=False).search([])
    }
    journal_currency = journal.currency_id or company.currency_id
    vals = []
    for line, _truth in feed:
        values = {
            "journal_id": journal.id,
            "date": line.date,
            "payment_ref": line.communication or "/",
            "partner_name": line.payer_name,
            "account_number": line.payer_iban,
            "ref": line.structured_ref or False,
        }
        if line.currency == journal_currency.name:
            values["amount"] = line.amount
        else:
            rate = env["res.currency"]._get_conversion_rate(
                currencies[line.currency], journal_currency, company, line.date
            )
            values |= {
                "amount": journal_currency.round(line.amount * rate),
                "foreign_currency_id": currencies[line.currency].id,
                "amount_currency": line.amount,
            }
        vals.append(values)
    statement_lines = env["account.bank.statement.line"]
    with generator.statement_line_indexes(env):
        for start in range(0, len(vals), 200):
            statement_lines |= (
                env["account.bank.statement.line"]
                .with_company(company)
                .create(vals[start : start + 200])
            )
    return statement_lines


def _oca_figures(env, lines, truths):
    """OCA's invoice-matching rules on the same (unreconciled) lines."""
    from . import matching_feed  # noqa: PLC0415 - imported once the add-on is

    env.invalidate_all()
    rules = env["account.reconcile.model"].search(
        [("rule_type", "!=", "writeoff_button")]
    )
    outcomes = auto = errors = paying = found = 0
    started = time.monotonic()
    for st_line in lines:
        models = rules.filtered(lambda m, c=st_line.company_id: m.company_id == c)
        result = models._apply_rules(st_line, st_line._retrieve_partner())
        proposed = frozenset(result.get("amls", env["account.move.line"]).ids)
        truth = frozenset(truths[st_line.id])
        outcomes += 1
        if truth:
            paying += 1
            found += proposed == truth
        if proposed and result.get("auto_reconcile"):
            auto += 1
            errors += proposed != truth
    elapsed = time.monotonic() - started
    figures = matching_feed.figures_of(outcomes, auto, errors, paying, found, elapsed)
    return {
        "oca_auto_precision": figures["auto_precision"],
        "oca_auto_share": figures["auto_share"],
        "oca_top1_recall": figures["top3_recall"],
        "oca_lines_per_s": figures["lines_per_s"],
    }


def main(argv):
    import odoo  # noqa: PLC0415 - found by runtime.find_odoo()

    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--oca", help="folder of OCA's add-ons installed in DB")
    args = parser.parse_args(argv)
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_matching: Odoo 18 is needed: {reason}", file=sys.stderr)
        return 2
    pg = runtime.ensure_postgres()
    rng = random.Random(args.seed)
    path = f"{odoo_rt.addons_path},{args.oca}" if args.oca else None
    with odoo_env.environment(odoo_rt, pg, args.db, addons_path=path) as env:
        # the feed imports the engine as ``cash_matching.engine``: the
        # add-on loaded by Odoo, under that name
        import odoo.addons.cash_matching as addon  # noqa: PLC0415

        sys.modules.setdefault("cash_matching", addon)
        from . import matching_feed  # noqa: PLC0415

        lines_model = env["account.bank.statement.line"]
        companies = env["res.company"].search([], order="id")
        # in a fixed order: the book's query has none, and the feed draws
        # from it, so that the same seed gives the same lines on every copy
        books = {
            c: tuple(
                sorted(part, key=lambda record: record.id)
                for part in lines_model._cash_match_book(c)
            )
            for c in companies
        }
        open_items = sum(len(items) for items, _p in books.values())
        truths = {}
        created = lines_model
        for company, (items, partners) in books.items():
            if not items:
                continue
            count = round(args.lines * len(items) / open_items)
            feed = matching_feed.make_feed(
                items,
                partners,
                count,
                rng,
                company_currency=company.currency_id.name,
                rate=lines_model._cash_match_rate_function(company),
            )
            # the lines reach the bank the day after the newest item
            statement_lines = _create_lines(env, company, feed)
            for st_line, (_line, truth) in zip(statement_lines, feed, strict=True):
                truths[st_line.id] = truth
            created |= statement_lines
        env.cr.commit()
        queries = odoo.sql_db.sql_counter
        started = time.monotonic()
        with _Stopwatch(lines_model, "_cash_match_apply_together") as reconciling:
            created._cash_match_run(created)
            env.flush_all()
        elapsed = time.monotonic() - started
        queries = odoo.sql_db.sql_counter - queries
        outcomes = auto = errors = paying = found = 0
        for st_line in created:
            truth = frozenset(truths[st_line.id])
            outcomes += 1
            proposals = st_line.cash_match_proposal_ids.sorted("rank")
            sets = [frozenset(p.move_line_ids.ids) for p in proposals if p.rank]
            if truth:
                paying += 1
                found += truth in sets[:3]
            if st_line.cash_match_state == "auto":
                auto += 1
                accepted = proposals.filtered(lambda p: p.state == "accepted")
                errors += frozenset(accepted.move_line_ids.ids) != truth
        env.cr.rollback()
        oca = _oca_figures(env, created, truths) if args.oca else {}
    figures = (
        matching_feed.figures_of(outcomes, auto, errors, paying, found, elapsed) | oca
    ) | {
        "open_items": open_items,
        "run_s": round(elapsed, 1),
        "match_s": round(elapsed - reconciling.seconds, 1),
        "reconcile_s": round(reconciling.seconds, 1),
        "queries": queries,
        "peak_rss_mb": round(odoo_env.peak_rss_mb()),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
