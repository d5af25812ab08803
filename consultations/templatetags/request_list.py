"""The request list's row classes (templates/admin/consultations/consultationrequest/)."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from ..admin import is_overdue

register = template.Library()


@register.simple_tag
def row_class(changelist, index):
    """' class="overdue-row"' for the index-th request on the page when it is overdue.
    Django builds the rows from `changelist.result_list` in order, so the index matches."""
    try:
        obj = changelist.result_list[index]
    except (IndexError, TypeError):
        return ""
    if is_overdue(obj, timezone.now()):
        return format_html(' class="{}"', "overdue-row")
    return ""
