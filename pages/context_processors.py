from .models import Location
from .origin import site_origin

# The footer names a few clinics and links to the finder: its size stays bounded.
FOOTER_LOCATIONS = 8


def site(request):
    """The locations every page lists in its footer (evaluated only when rendered), and
    the address canonical links start with."""
    return {
        "footer_locations": Location.objects.active()[:FOOTER_LOCATIONS],
        "site_origin": site_origin(request),
    }
