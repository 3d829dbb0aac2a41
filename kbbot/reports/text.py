"""Plain-text rendering of a report, for the command line (`format_value` serves the dashboard too)."""

from ..models import CES_CHOICES


def format_value(value, kind):
    """A figure as people read it: "25.0%", "1.67", "45m 00s", "n/a" for none (the CLI and the dashboard)."""
    if value is None:
        return "n/a"
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind in ("number", "score"):
        return f"{value:.2f}"
    if kind == "nps":
        return f"{value:.1f}"
    if kind == "duration":
        minutes, secs = divmod(round(value), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours}h {minutes:02d}m"
        return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
    if kind == "count":
        return f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return str(value)


def _text_lines(report):
    """The lines of `Report.as_text`: the period, the figures, then one section per list."""
    period = f"{report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC"
    windows = (
        f"deflection window {report.deflection_window_hours:g} h, "
        f"repeat-contact window {report.repeat_contact_days:g} days"
    )
    lines = [f"Report {period} ({windows})", ""]
    rows = _figure_rows(report)
    width = max(len(label) for label, _ in rows) + 2
    lines += [f"{label:<{width}}{value}" for label, value in rows]
    lines += ["", "Handoffs by reason"]
    lines += [f"  {count:>5}  {reason}" for reason, count in report.handoffs_by_reason.items()]
    lines += ["", "Top questions"]
    lines += [f"  {item.count:>5}  {item.question}" for item in report.top_questions] or ["  (none)"]
    lines += ["", "Content gaps"]
    lines += _content_gap_lines(report.content_gaps)
    lines += ["", *_article_lines(report)]
    lines += ["", *_agent_lines(report.agents)]
    return lines


def _figure_rows(report):
    """(label, value as shown) of each figure of `report`."""
    outcomes = report.outcomes
    csat, ces, nps = report.csat, report.ces, report.nps
    resolved = f"{report.resolved_without_repeat} of {report.resolved} resolved had no repeat contact"
    picked = f"{report.suggestions_picked} of {report.suggestions} suggestions with choices"
    nps_counts = f"{nps.promoters} promoters, {nps.passives} passives, {nps.detractors} detractors"
    return [
        ("conversations", report.conversations),
        ("customer questions", report.customer_questions),
        ("deflected, confirmed", outcomes.deflected_confirmed),
        ("deflected, assumed", outcomes.deflected_assumed),
        ("deflection pending", outcomes.deflection_pending),
        ("handed off", outcomes.handed_off),
        ("abandoned", outcomes.abandoned),
        ("deflection rate", format_value(report.deflection_rate, "rate")),
        ("handoff rate", format_value(report.handoff_rate, "rate")),
        (
            "answer rate",
            f"{format_value(report.answer_rate, 'rate')} ({report.answers} of {report.bot_replies} replies)",
        ),
        ("suggestion pick rate", f"{format_value(report.pick_rate, 'rate')} ({picked})"),
        (
            "helpful rate",
            f"{format_value(report.helpful_rate, 'rate')} ({report.helpful} of {report.feedback} votes)",
        ),
        (
            "repeat-contact rate",
            f"{format_value(report.repeat_contact_rate, 'rate')} ({report.repeat_contacts})",
        ),
        ("first-contact resolution", f"{format_value(report.first_contact_resolution, 'rate')} ({resolved})"),
        ("help-center sessions", report.help_center_sessions),
        ("self-service score", format_value(report.self_service_score, "number")),
        ("median first agent reply", format_value(report.median_first_reply_seconds, "duration")),
        (
            "  in business hours",
            format_value(report.sla.median_first_reply_business_seconds, "duration"),
        ),
        (
            "first replies within SLA",
            _met(report.sla.first_reply_met_rate, report.sla.first_reply_met, report.sla.first_reply_targets),
        ),
        (
            "next replies within SLA",
            _met(report.sla.next_reply_met_rate, report.sla.next_reply_met, report.sla.next_reply_targets),
        ),
        ("CSAT average", f"{format_value(csat.average, 'number')} ({csat.responses} responses)"),
        ("CSAT (4-5)", format_value(csat.satisfied_rate, "rate")),
        ("CES easy/neither/difficult", "/".join(str(ces.distribution[choice]) for choice in CES_CHOICES)),
        ("NPS", f"{format_value(nps.score, 'nps')} ({nps_counts})"),
    ]


def _met(rate, met, targets):
    return f"{format_value(rate, 'rate')} ({met} of {targets} targets)"


def _content_gap_lines(topics):
    """A line per content-gap topic, with its examples and the article answering it now if any."""
    lines = []
    for topic in topics:
        also = f"  (also: {'; '.join(topic.examples)})" if topic.examples else ""
        now = f"  [answered now by {topic.answered_now_by[0]}]" if topic.answered_now_by else ""
        lines.append(f"  {topic.count:>5}  {topic.label}{also}{now}")
    return lines or ["  (none)"]


def _article_lines(report):
    """The article-performance section: its title, the column heads and a line per article."""
    lines = [
        f"Article performance (contacted a person within {report.contact_window_minutes:g} min after)",
        (
            f"  {'contacted':>9}  {'reached':>7}  {'views':>5}  {'cited':>5}  {'suggested':>9}"
            f"  {'article votes':>13}  {'answer votes':>12}  {'resolved':>8}  article"
        ),
    ]
    for row in report.articles:
        lines.append(
            f"  {row.contacted:>9}  {row.reached:>7}  {row.views:>5}  {row.cited:>5}  {row.suggested:>9}"
            f"  {f'{row.article_helpful}/{row.article_votes} helpful':>13}"
            f"  {f'{row.answer_helpful}/{row.answer_votes} helpful':>12}  {row.resolved:>8}  {row.slug}"
        )
    if not report.articles:
        lines.append("  (none)")
    return lines


def _agent_lines(agents):
    """The per-agent section: its title, the column heads and a line per agent."""
    lines = [
        "Agents (median first reply: wall clock / business hours)",
        f"  {'handled':>7}  {'first reply':>17}  {'CSAT':>12}  {'within SLA':>18}  agent",
    ]
    for row in agents:
        first = "/".join(
            format_value(value, "duration")
            for value in (row.median_first_reply_seconds, row.median_first_reply_business_seconds)
        )
        csat = f"{format_value(row.csat_average, 'number')} ({row.csat_responses})"
        sla = _met(row.sla_met_rate, row.sla_met, row.sla_targets)
        lines.append(f"  {row.handled:>7}  {first:>17}  {csat:>12}  {sla:>18}  {row.name}")
    return lines if agents else [*lines, "  (none)"]
