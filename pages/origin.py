from django.conf import settings


def site_origin(request):
    """The site's address for links others keep (canonical, sitemap, structured data):
    SITE_URL when set, so search engines see one address whatever host was asked for;
    otherwise the address of the request itself."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"
