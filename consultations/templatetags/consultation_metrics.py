"""Filters for the staff dashboard's numbers (see consultations.metrics)."""

from django import template

from .. import metrics

register = template.Library()


@register.filter
def minutes_text(value):
    """Minutes as "45 min", "2 h 5 min", or "—" for none."""
    return metrics.describe_minutes(value)


@register.filter
def age_text(value):
    """A timedelta, the same way."""
    return metrics.describe_minutes(None if value is None else value.total_seconds() / 60)


@register.filter
def percent(value):
    """A share from 0 to 1 as a whole percentage ("85%")."""
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def hours(value):
    """2 → "2 hours", 1.5 → "1.5 hours", 1 → "1 hour"."""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else f"{value:g}"
    return f"{text} hour" if text == "1" else f"{text} hours"
