from django import template

register = template.Library()


@register.filter
def minutes(value):
    """A timedelta as whole minutes, for plain-language messages ("30 minutes")."""
    return int(value.total_seconds() // 60)
