"""Mail needing triage: customers' emails kbbot did not add to a conversation by itself.

An agent reads each one (its text escaped like any customer text: mail is hostile input), and
attaches it to a handoff's conversation or discards it. The ignored auto-replies and bounces are
listed too, with their reason, so that nothing read from the mailbox is out of sight
(kbbot/support/inbound_mail.py).
"""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange

from ...errors import Conflict, NotFound
from ...models import MAX_ID
from ...support import handoffs, inbound_mail
from ..session import get_session
from .access import role_required
from .forms import StaffForm

bp = Blueprint("mail", __name__, url_prefix="/mail")


class AttachForm(StaffForm):
    handoff_id = IntegerField(
        "Handoff number",
        validators=[DataRequired("Give the handoff's number."), NumberRange(1, MAX_ID, "No such handoff.")],
    )


@bp.get("/")
@role_required("agent")
def index():
    return render_template("staff/mail/index.html", emails=inbound_mail.triage(get_session()))


def _render_email(inbound_id, attach_form=None, status=200):
    session = get_session()
    inbound = inbound_mail.get(session, inbound_id)
    page = render_template(
        "staff/mail/email.html",
        email=inbound,
        candidates=inbound_mail.candidate_handoffs(session, inbound),
        attach_form=attach_form or AttachForm(formdata=None),
        reason_labels=handoffs.REASON_LABELS,
    )
    return page, status


@bp.get("/<id:inbound_id>")
@role_required("agent")
def email(inbound_id):
    return _render_email(inbound_id)


@bp.post("/<id:inbound_id>/attach")
@role_required("agent")
def attach(inbound_id):
    form = AttachForm()
    if not form.validate():
        return _render_email(inbound_id, attach_form=form, status=422)
    session = get_session()
    inbound = inbound_mail.get(session, inbound_id)
    try:
        handoff = handoffs.get(session, form.handoff_id.data)
        inbound_mail.attach(session, inbound, handoff, current_app.extensions["kbbot.sla"])
    except (Conflict, NotFound) as e:
        flash(f"Not attached: {e}.", "error")
        return redirect(url_for(".email", inbound_id=inbound_id))
    flash("The email was added to the conversation as the customer's message.", "info")
    return redirect(url_for("staff.console.handoff", handoff_id=handoff.id))


@bp.post("/<id:inbound_id>/discard")
@role_required("agent")
def discard(inbound_id):
    session = get_session()
    try:
        inbound_mail.discard(session, inbound_mail.get(session, inbound_id))
    except Conflict as e:
        flash(f"Not discarded: {e}.", "error")
        return redirect(url_for(".email", inbound_id=inbound_id))
    flash("Discarded: the email is kept but no longer listed.", "info")
    return redirect(url_for(".index"))
