"""Presence on the staff side: the online/away toggle in every staff page's header, and the heartbeat
its script sends (kbbot/support/presence.py, assignment.py, notifications.py).

The toggle is a form, so it works without JavaScript. With it, static/staff-presence.js posts a
heartbeat every 20 s (every 4 s on the queue and a handoff's page, and at once when the agent starts or stops
typing) with the page's CSRF token in X-CSRFToken; the answer carries what the page shows live: the
team's presence, the handoffs that concern the agent (the title's count and browser notifications)
and, on a handoff's page, the other agents on it and whether the customer is typing. Each heartbeat
also runs round-robin's sweep (assignment.sweep), so an absent agent's handoffs are reassigned
within a heartbeat of any agent's page.
"""

from datetime import datetime, timezone

from flask import Blueprint, current_app, flash, jsonify, redirect, request
from flask_login import current_user

from ...errors import InvalidInput
from ...models import MAX_ID, PRESENCE_CHOICES, AgentPresence
from ...support import assignment, notifications, presence
from ..session import get_session
from .access import role_required
from .views import _safe_next

bp = Blueprint("presence", __name__, url_prefix="/presence")

STATE_LABELS = {"online": "Online", "away": "Away", "offline": "Offline"}


@bp.app_template_global()
def my_presence():
    """The signed-in agent's presence choice, for the header's toggle ("online" until they set one)."""
    row = get_session().get(AgentPresence, current_user.id)
    return row.choice if row is not None else "online"


@bp.app_template_global()
def team_presence():
    """[(agent, "online" | "away" | "offline")] of every agent, for the queue's team list."""
    return presence.team(get_session(), _now())


@bp.app_context_processor
def _labels():
    return {"presence_labels": STATE_LABELS}


@bp.post("/")
@role_required("agent")
def choose():
    """Set yourself online or away (the header's form); back to the page it was sent from."""
    choice = request.form.get("choice")
    if choice not in PRESENCE_CHOICES:
        flash("Choose online or away.", "error")
    else:
        presence.choose(get_session(), current_user._get_current_object(), choice, _now())
        flash(
            "You are online: new handoffs may be assigned to you." if choice == "online" else "You are away.",
            "info",
        )
    return redirect(_safe_next(request.form.get("next")))


def _now():
    return datetime.now(timezone.utc)


def _beat_fields(body):
    """(handoff id or None, has a draft, typed) of a heartbeat's JSON body; InvalidInput names a bad field."""
    if not isinstance(body, dict):
        raise InvalidInput("body", "must be a JSON object")
    handoff_id = body.get("handoff_id")
    if handoff_id is not None and (type(handoff_id) is not int or not 1 <= handoff_id <= MAX_ID):
        raise InvalidInput("handoff_id", "must be a handoff's id or null")
    for name in ("draft", "typed"):
        if type(body.get(name, False)) is not bool:
            raise InvalidInput(name, "must be true or false")
    return handoff_id, body.get("draft", False), body.get("typed", False)


@bp.post("/heartbeat")
@role_required("agent")
def heartbeat():
    """The staff page is open (on a handoff's page, with or without a draft, typing or not)."""
    try:
        handoff_id, draft, typed = _beat_fields(request.get_json(silent=True))
    except InvalidInput as e:
        return jsonify(error=f"{e.field} {e.message}"), 422
    session, agent, now = get_session(), current_user._get_current_object(), _now()
    mine = presence.beat(session, agent, now, handoff_id, has_draft=draft, typed=typed)
    assignment.sweep(session, current_app.config["AGENT_CAPACITY"], now)
    return jsonify(_pulse(session, agent, mine, now))


def _pulse(session, agent, mine, now):
    """What the staff page shows live, as the heartbeat answers it."""
    handoff = None
    if mine.handoff_id is not None:
        others = presence.on_handoff(session, mine.handoff_id, now, excluding_id=agent.id)
        handoff = {
            "id": mine.handoff_id,
            "others": [{"name": name, "activity": doing} for name, doing in others],
            "customer_typing": presence.customer_typing(session, mine.handoff_id, now),
        }
    return {
        "me": {"choice": mine.choice, "state": presence.state(mine, now)},
        "team": [
            {"id": member.id, "name": member.name or member.email, "state": state}
            for member, state in presence.team(session, now)
        ],
        "count": notifications.count(session, agent.id),
        "alerts": [vars(alert) for alert in notifications.alerts(session, agent.id)],
        "handoff": handoff,
    }
