"""Minutes and figures as staff and the JSON report read them."""


def describe_minutes(minutes):
    """Minutes in words staff read at a glance: "45 min", "2 h 5 min", "3 d 4 h"."""
    if minutes is None:
        return "—"
    minutes = round(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours_, rest = divmod(minutes, 60)
    if hours_ < 24:
        return f"{hours_} h {rest} min" if rest else f"{hours_} h"
    days, hours_ = divmod(hours_, 24)
    return f"{days} d {hours_} h" if hours_ else f"{days} d"


def whole_minutes(delta):
    return None if delta is None else round(delta.total_seconds() / 60)


def rounded(value, digits=1):
    return None if value is None else round(value, digits)
