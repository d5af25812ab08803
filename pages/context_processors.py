from .models import Location
from .origin import site_origin


def site(request):
    """The locations every page lists in its footer (evaluated only when rendered), and
    the address canonical links start with."""
    return {"footer_locations": Location.objects.active(), "site_origin": site_origin(request)}
