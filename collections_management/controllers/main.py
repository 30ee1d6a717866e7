import base64
import hmac

from odoo import fields, http
from odoo.http import request

# A transparent 1x1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class CollectionsTracking(http.Controller):
    """Opens and clicks of reminder emails, recorded on the communication."""

    def _communication(self, comm_id, token):
        # sudo: the visitor is anonymous; the token proves the link came from
        # this communication's email and is compared in constant time.
        comm = request.env["collection.communication"].sudo().browse(comm_id).exists()
        if not comm or not comm.access_token or not token:
            return None
        if not hmac.compare_digest(comm.access_token, token):
            return None
        return comm

    @http.route(
        "/collections/o/<int:comm_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def opened(self, comm_id, token, **kwargs):
        comm = self._communication(comm_id, token)
        if comm and not comm.opened_date:
            comm.opened_date = fields.Datetime.now()
        return request.make_response(
            PIXEL,
            headers=[("Content-Type", "image/gif"), ("Cache-Control", "no-store")],
        )

    @http.route(
        "/collections/r/<int:comm_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def clicked(self, comm_id, token, **kwargs):
        comm = self._communication(comm_id, token)
        if not comm:
            return request.render("collections_management.link_invalid", status=404)
        now = fields.Datetime.now()
        comm.write(
            {
                "clicked_date": comm.clicked_date or now,
                "opened_date": comm.opened_date or now,
            }
        )
        return request.redirect(comm._landing_url(), local=False)
