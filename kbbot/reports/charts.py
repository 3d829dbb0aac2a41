"""Server-side SVG charts for the staff dashboard: line, bar and stacked-bar charts as markup.

Pure functions from values to an `<svg>` string: no script and no style
attribute (the staff pages' Content-Security-Policy allows neither), so every
colour and line width comes from classes styled in static/staff.css. Each
chart is an image with an accessible name (`<title>`) and a summary
(`<desc>`); the page shows the same values in a table beside it.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
# Room for the y-axis labels on the left and the x-axis labels below.
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 20, 40
MAX_X_LABELS = 6
SERIES_CLASSES = 3  # staff.css colours series 0..2 (series-0, series-1, series-2)


@dataclass(frozen=True)
class Scale:
    """A linear map from the value domain [low, high] onto the plot's pixel rows (SVG y grows downwards)."""

    low: float
    high: float

    def y(self, value):
        share = (value - self.low) / (self.high - self.low)
        return round(TOP + (1 - share) * (HEIGHT - TOP - BOTTOM), 2)


def nice_ticks(low, high, count=4):
    """About `count` round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def x_positions(count):
    """The x pixel of each of `count` evenly spaced buckets (centres of equal slots)."""
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return [round(LEFT + slot * (i + 0.5), 2) for i in range(count)]


def line_chart(chart_id, title, labels, values, fmt=str, domain=None):
    """A line with one point per bucket; `None` values leave a gap.

    `labels`: the buckets' names, `values`: one number or None each; `fmt`
    formats a value for labels and tooltips; `domain`: the y range (low,
    high), else from 0 (or the lowest value, when negative) to the highest.
    """
    known = [value for value in values if value is not None]
    scale = _scale(known, domain)
    xs = x_positions(len(values))
    path, pen_down = [], False
    points = []
    for x, label, value in zip(xs, labels, values, strict=True):
        if value is None:
            pen_down = False
            continue
        y = scale.y(value)
        path.append(f"{'L' if pen_down else 'M'}{x},{y}")
        pen_down = True
        points.append(
            f'<circle class="point" cx="{x}" cy="{y}" r="3.5" data-value="{value!r}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
        )
    body = [f'<path class="line" d="{" ".join(path)}"/>' if path else "", *points]
    return _svg(chart_id, "line", title, _describe(labels, values, fmt), scale, fmt, labels, body)


def bar_chart(chart_id, title, labels, values, fmt=str):
    """One bar per label, its value written above it."""
    scale = _scale(values, None)
    xs = x_positions(len(values))
    width = _bar_width(len(values))
    body = []
    for x, label, value in zip(xs, labels, values, strict=True):
        y, base = scale.y(value), scale.y(0)
        body.append(
            f'<rect class="bar" x="{round(x - width / 2, 2)}" y="{y}" width="{width}" '
            f'height="{round(base - y, 2)}" data-value="{value!r}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
            f'<text class="bar-value" x="{x}" y="{y - 4}">{escape(fmt(value))}</text>'
        )
    description = "; ".join(f"{label}: {fmt(value)}" for label, value in zip(labels, values, strict=True))
    return _svg(chart_id, "bar", title, description + ".", scale, fmt, labels, body)


def stacked_bar_chart(chart_id, title, labels, series, fmt=str):
    """Per bucket a bar of `series` ({name: values}, at most three) stacked in order, with a legend."""
    names = list(series)[:SERIES_CLASSES]
    totals = [sum(series[name][i] for name in names) for i in range(len(labels))]
    scale = _scale(totals, None)
    xs = x_positions(len(labels))
    width = _bar_width(len(labels))
    body = []
    for i, (x, label) in enumerate(zip(xs, labels, strict=True)):
        base = 0
        for k, name in enumerate(names):
            value = series[name][i]
            if value:
                top, bottom = scale.y(base + value), scale.y(base)
                body.append(
                    f'<rect class="segment series-{k}" x="{round(x - width / 2, 2)}" y="{top}" width="{width}" '
                    f'height="{round(bottom - top, 2)}" data-value="{value!r}">'
                    f"<title>{escape(label)}, {escape(name)}: {escape(fmt(value))}</title></rect>"
                )
            base += value
    for k, name in enumerate(names):
        x = LEFT + k * 120
        body.append(
            f'<g class="legend"><rect class="series-{k}" x="{x}" y="2" width="12" height="12"/>'
            f'<text x="{x + 16}" y="13">{escape(name)}</text></g>'
        )
    description = "Totals per bucket: " + "; ".join(
        f"{label}: {fmt(total)}" for label, total in zip(labels, totals, strict=True)
    )
    return _svg(chart_id, "stacked", title, description + ".", scale, fmt, labels, body)


def _scale(values, domain):
    if domain is not None:
        return Scale(*domain)
    low = min([0, *values])
    high = max([0, *values])
    ticks = nice_ticks(low, high if high > low else low + 4)  # no data: whole-number ticks
    return Scale(ticks[0], ticks[-1])


def _bar_width(count):
    return round(min(48, (WIDTH - LEFT - RIGHT) / max(count, 1) * 0.7), 2)


def _describe(labels, values, fmt):
    """A sentence a screen reader can use instead of the picture: range, extremes, latest value."""
    known = [(label, value) for label, value in zip(labels, values, strict=True) if value is not None]
    if not labels:
        return "No data."
    span = f"{len(labels)} points from {labels[0]} to {labels[-1]}"
    if not known:
        return f"{span}; no values."
    low = min(known, key=lambda item: item[1])
    high = max(known, key=lambda item: item[1])
    return (
        f"{span}. Lowest {fmt(low[1])} ({low[0]}), highest {fmt(high[1])} ({high[0]}), "
        f"last {fmt(known[-1][1])} ({known[-1][0]})."
    )


def _svg(chart_id, kind, title, description, scale, fmt, labels, body):
    ticks = [tick for tick in nice_ticks(scale.low, scale.high) if scale.low <= tick <= scale.high]
    grid = [
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{scale.y(tick)}" y2="{scale.y(tick)}"/>'
        f'<text class="tick y" x="{LEFT - 6}" y="{scale.y(tick) + 4}">{escape(fmt(tick))}</text>'
        for tick in ticks
    ]
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    xs = x_positions(len(labels))
    axis = [
        f'<text class="tick x" x="{x}" y="{HEIGHT - BOTTOM + 18}">{escape(label)}</text>'
        for i, (x, label) in enumerate(zip(xs, labels, strict=True))
        if i % every == 0
    ]
    chart_id = escape(chart_id)
    return Markup(
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-chart="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f'<g class="grid-lines">{"".join(grid)}</g><g class="x-axis">{"".join(axis)}</g>'
        f'<g class="data">{"".join(body)}</g></svg>'
    )
