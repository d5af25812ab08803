"""`{{ value|isolate }}`: text staff typed (a clinic's name, a coordinator's name) inside
<bdi>, so a right-to-left name, or a stray direction mark pasted with it, cannot reorder
the sentence around it. For page content only: never in <title>, meta tags or attributes,
where markup is not read. A builtin (settings.TEMPLATES), so templates need no {% load %}."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def isolate(value):
    return format_html("<bdi>{}</bdi>", value) if value not in (None, "") else ""
