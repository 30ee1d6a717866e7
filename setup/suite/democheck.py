"""Check a demo database as its users would: every printed login works and
the main screens open without error."""

import ast
import re

from . import server


def _domain(value):
    """An action's domain: the web client evaluates the text; ours are
    literals."""
    return ast.literal_eval(value) if isinstance(value, str) else value or []


def _open_action(client, xmlid):
    """Load a window action and its first page of records, as the web client
    does when the menu is clicked."""
    action = client.rpc("/web/action/load", {"action_id": xmlid})
    model = action["res_model"]
    views = client.call(
        model,
        "get_views",
        [[False, view] for view in ("list", "form", "search")],
        options={"load_filters": True},
    )
    arch = views["views"]["list"]["arch"]
    known = views["models"][model]["fields"]
    fields = [
        name for name in re.findall(r'<field name="(\w+)"', arch) if name in known
    ]
    page = client.call(
        model,
        "web_search_read",
        _domain(action.get("domain")),
        specification={name: {} for name in fields if name != "id"},
        limit=80,
    )
    return model, page["length"]


def check(odoo_rt, pg, db, logins, say=print):
    """Return the number of failed checks."""
    failures = 0
    with server.serving(odoo_rt, pg, db) as base:
        for role, login, password in logins:
            try:
                client = server.Client(base, db, login, password)
                if login == "portal":
                    status, page = client.get("/my")
                    assert status == 200, f"/my answered {status}"
                    assert "o_collections_balance" in page, "no balance card on /my"
                    invoices = client.get("/my/invoices")[0]
                    assert invoices == 200, f"/my/invoices answered {invoices}"
                    english = client.get("/en/my/statement")
                    assert english[0] == 200 and "Statement of" in english[1], (
                        f"/en/my/statement answered {english[0]}, not in English"
                    )
                    say(
                        f"ok   {role} ({login}): portal home with balance, "
                        "invoices, statement in English too"
                    )
                    continue
                menus = client.call("ir.ui.menu", "load_menus", False)
                names = {menu["name"] for menu in menus.values() if "name" in menu}
                opened = []
                if login != "sales":
                    assert "Collections" in names or "Recouvrement" in names, (
                        "no Collections menu"
                    )
                    model, count = _open_action(
                        client,
                        "collections_management.account_move_collections_action",
                    )
                    opened.append(f"Collections ({count} invoices to follow)")
                if login.startswith("collector."):
                    # no mail server in the demo: what the customers did on
                    # the portal must wait in the collector's Odoo inbox
                    inbox = client.call(
                        "mail.message", "search_count", [("needaction", "=", True)]
                    )
                    assert inbox, "nothing in the collector's Odoo inbox"
                    opened.append(f"{inbox} messages in the inbox")
                if login in ("sales", "admin", "credit"):
                    orders = client.call(
                        "sale.order", "search_read", [], ["name"], limit=1
                    )
                    assert orders, "no sale order visible"
                    client.call(
                        "sale.order",
                        "web_read",
                        [orders[0]["id"]],
                        specification={"name": {}, "amount_total": {}, "state": {}},
                    )
                    opened.append(f"sale order {orders[0]['name']}")
                say(f"ok   {role} ({login}): " + ", ".join(opened))
            except Exception as exc:  # report every login, then fail
                failures += 1
                say(f"FAIL {role} ({login}): {exc}")
    return failures
