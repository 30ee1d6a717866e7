"""Benchmarks run by ``setup/bench NAME``; each ends with a key=value line.

A benchmark gets a database built by the generator. A generated database is
kept as a PostgreSQL template named after its size and seed, so that the next
run starts from a copy in seconds instead of a new generation.
"""

import time
from dataclasses import dataclass

from . import build, odoo_env


@dataclass
class Context:
    odoo: object
    pg: object
    customers: int
    seed: int
    keep: bool
    fresh: bool


def template_name(customers, seed):
    return f"cs_tpl_{customers}_{seed}"


def database_from_template(ctx, name, log=print):
    """A new database ``name`` copied from the generated template of this size
    (generating the template first when there is none)."""
    template = template_name(ctx.customers, ctx.seed)
    if ctx.fresh and template in ctx.pg.databases():
        odoo_env.drop_database(ctx.pg, template)
    if template not in ctx.pg.databases() or not odoo_env.is_generated(
        ctx.pg, template
    ):
        odoo_env.drop_database(ctx.pg, template)
        log(f"no template {template} yet: generating it (kept for next runs)")
        build.install(ctx.odoo, ctx.pg, template, log=log)
        build.populate(ctx.odoo, ctx.pg, template, ctx.customers, ctx.seed, log=log)
    odoo_env.drop_database(ctx.pg, name)
    started = time.monotonic()
    odoo_env.copy_database(ctx.pg, template, name)
    log(f"copied {template} to {name} in {time.monotonic() - started:.1f} s")
    return name


def bench_generate(ctx):
    """Build a database and generate the data set; keep it as the template."""
    db = template_name(ctx.customers, ctx.seed)
    odoo_env.drop_database(ctx.pg, db)
    started = time.monotonic()
    build.install(ctx.odoo, ctx.pg, db)
    install_s = time.monotonic() - started
    counts, timings = build.populate(ctx.odoo, ctx.pg, db, ctx.customers, ctx.seed)
    figures = {
        "wall_s": round(time.monotonic() - started, 1),
        "install_s": round(install_s, 1),
        **{key: round(value, 1) for key, value in timings.items()},
        "peak_rss_mb": round(odoo_env.peak_rss_mb()),
        **{k: v for k, v in counts.items() if isinstance(v, int)},
    }
    return figures


BENCHMARKS = {
    "generate": (
        bench_generate,
        "generate the demo data set (default 300 customers; --customers 20000 "
        "for the large size) and keep it as the benchmarks' template",
    ),
}
