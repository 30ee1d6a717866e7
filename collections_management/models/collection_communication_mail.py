from email.utils import formataddr

from odoo import api, models


class CollectionCommunication(models.Model):
    """The customer's answers: replies land in the collectors' shared inbox
    and on the reminder, bounces mark the reminder as failed."""

    # a concern of its own, kept apart from collection_communication.py
    _inherit = "collection.communication"  # pylint: disable=consider-merging-classes-inherited

    def _notify_get_reply_to(self, default=None):
        """Reminders are answered to the collections alias, so that the
        mail gateway brings replies back to the customer's history."""
        reply_to = super()._notify_get_reply_to(default=default)
        alias = self.env.ref(
            "collections_management.mail_alias_collections", raise_if_not_found=False
        )
        # sudo: the alias's address is configuration every sender may use
        address = alias and alias.sudo().alias_full_name
        if address and "@" in address:
            for comm in self:
                reply_to[comm.id] = formataddr(
                    (
                        self.env._(
                            "%(company)s Collections", company=comm.company_id.name
                        ),
                        address,
                    )
                )
        return reply_to

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An email to the collections alias that answers no reminder goes
        to the sender's latest reminder, hence to its customer."""
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        comm = partner and self.search(
            [("partner_id", "=", partner.commercial_partner_id.id)],
            order="date desc, id desc",
            limit=1,
        )
        if not comm:
            raise ValueError(
                "collections alias: the sender %s is no customer with reminders"
                % msg_dict.get("email_from")
            )
        return comm

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and self._is_customer_reply(message):
            self._collection_reply_received(message)
        return res

    def _is_customer_reply(self, message):
        author = message.author_id
        return not author or not author.user_ids.filtered(lambda u: not u.share)

    def _collection_reply_received(self, message):
        """Copy a customer's reply onto the customer (its collections view,
        seen by the whole team), tell the collector and put it on the
        collector's worklist."""
        for comm in self:
            partner = comm.partner_id.commercial_partner_id
            # the collector, else the salesperson; else the team sees it
            # unassigned on the worklist
            collector = (
                partner.with_company(comm.company_id).collector_id or partner.user_id
            )
            # sudo: the reply's files go with it onto the customer
            attachments = self.env["ir.attachment"].sudo()
            for attachment in message.attachment_ids.sudo():
                attachments |= attachment.copy(
                    {"res_model": "res.partner", "res_id": partner.id}
                )
            # sudo: the gateway's message goes on the customer, whom the
            # sending user (the customer) may not write on
            partner.sudo().message_post(
                body=message.body,
                subject=message.subject,
                author_id=message.author_id.id,
                email_from=message.email_from,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=collector.partner_id.ids,
                attachment_ids=attachments.ids,
            )
            self.env["collection.worklist.item"].sudo()._add_reply(
                comm, message, collector
            )

    def _message_receive_bounce(self, email, partner):
        """A bounced reminder is a failed one: the collector gets a task."""
        res = super()._message_receive_bounce(email, partner)
        for comm in self.filtered(lambda c: c.channel == "email"):
            comm.is_bounced = True
            comm._fail(self.env._("The email to %(email)s bounced.", email=email))
        return res
