from .models import Location


def site(request):
    """The locations every page lists in its footer (evaluated only when rendered)."""
    return {"footer_locations": Location.objects.active()}
