"""A small weekly chart, drawn on the server as SVG by our own code: no script, no
third-party host, and nothing the Content-Security-Policy would block (colours come from
classes in static/css/admin.css, not inline styles). The template draws the shapes; this
module only works out where they go."""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 76, 16, 40


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Tick:
    y: float
    label: str


def nice_ceiling(value):
    """The smallest 1, 2 or 4 times 10^n at or above `value` (at least 2), for axis tops:
    halfway is then a whole number too."""
    if value <= 2:
        return 2
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def weekly_chart(weeks, format_minutes):
    """Bars for requests per week (left axis), a line with dots for the median business
    minutes to first contact (right axis; gaps where a week had no contact)."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / max(len(weeks), 1)
    top_requests = nice_ceiling(max((w.requests for w in weeks), default=0))
    medians = [w.median_minutes for w in weeks if w.median_minutes is not None]
    top_minutes = nice_ceiling(max(medians, default=0))

    bars, segments, current, dots = [], [], [], []
    for index, week in enumerate(weeks):
        left = LEFT + index * slot
        height = plot_height * week.requests / top_requests
        bars.append(
            Bar(
                x=round(left + slot * 0.15, 1),
                y=round(baseline - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=f"{week.start:%b} {week.start.day}",
            )
        )
        if week.median_minutes is None:
            if current:
                segments.append(current)
            current = []
            continue
        point = Point(
            round(left + slot / 2, 1),
            round(baseline - plot_height * week.median_minutes / top_minutes, 1),
        )
        current.append(point)
        dots.append(point)
    if current:
        segments.append(current)

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "baseline": baseline,
        "label_y": baseline + 18,
        "bars": bars,
        "lines": [" ".join(f"{p.x},{p.y}" for p in segment) for segment in segments],
        "dots": dots,
        "request_ticks": _ticks(top_requests, baseline, plot_height, lambda v: f"{v:g}"),
        "minute_ticks": _ticks(top_minutes, baseline, plot_height, format_minutes),
    }


def _ticks(top, baseline, plot_height, label):
    return [
        Tick(round(baseline - plot_height * fraction, 1), label(top * fraction))
        for fraction in (0, 0.5, 1)
    ]
