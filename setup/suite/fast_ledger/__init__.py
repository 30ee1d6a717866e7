"""Write the bulk of the ledger with SQL, exactly as the ORM writer would.

At 20,000 customers the ORM writer spends well over an hour creating,
posting and reconciling 200,000 invoices and their payments. This writer
produces the same rows in minutes with PostgreSQL's COPY:

* customer invoices, their credit notes (reconciled with them), payments
  (``account.payment`` with their journal entries), the early payments of
  discount terms as Odoo's payment wizard makes them (with the discount's
  lines and its tax) and the exchange difference entries of foreign
  currencies;
* their reconciliation: ``account.partial.reconcile``,
  ``account.full.reconcile``, ``matching_number``, residual amounts,
  ``payment_state``; the documents' followers and the customers'
  ``customer_rank``.

How: exemplars. For each shape of document (company, currency, payment
term; payment; exchange difference), two documents are made through the ORM,
the way the ORM writer makes them, inside a savepoint; their rows are read
and the savepoint is rolled back. Every document of the plan is a copy of
its exemplar's rows in which the values that depend on the document (ids,
names and sequence numbers, partner, dates, currency rate, amounts, residuals,
reconciliation) are computed as Odoo 18.0 computes them: the tax,
payment-term and reconciliation code of this package mirrors ``account``'s
for the cases the plan produces, and refuses other cases (``Unsupported``). A
column that differs between the two exemplars of a shape and that this
package does not compute stops the writer, so that a stored field added by
an add-on or an Odoo update is never copied with a stale value.

Documents are batched, numbered and reconciled in the ORM writer's order, so
that both writers give the same names and reconciliations: ``ledger_check``
compares the two databases row by row.

A module per concept. The writer is one object, ``writer.Writer``, made of
the mixins of the document and reconciliation modules: they share the state
its ``__init__`` sets up (the documents in memory, the templates, the id
blocks and the queued rows).

* ``rows``: rows queued as COPY text, ids reserved by blocks, an exemplar's
  row as a template (shared with ``suite.fast_bank``); ``Unsupported``;
* ``columns``: which columns of each row a document gives, the tables
  written and those an exemplar may write;
* ``documents``: moves, journal items and partials in memory until written;
* ``amounts``: currency rounding and conversion, taxes and payment terms;
* ``exemplars``: the exemplar documents, made through the ORM;
* ``shapes``: their rows read back as templates, and the column checks;
* ``invoices``: invoices and credit notes;
* ``payments``: the payments of the plan's payment groups;
* ``early_payments``: invoices paid early with their term's discount;
* ``reconcile``: partials, full reconciles and matching numbers;
* ``exchange``: exchange difference entries;
* ``flush``: the final write: the rows that waited, then COPY;
* ``writer``: preparation, numbering, the run, and ``write``.

The ORM calls the exemplars share with the ORM writer are in
:mod:`suite.ledger_orm`: this package does not import :mod:`suite.generator`.
"""

from .rows import RowWriter, Unsupported, _Template
from .writer import Writer, write

__all__ = ["RowWriter", "Unsupported", "Writer", "_Template", "write"]
