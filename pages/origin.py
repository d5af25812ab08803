from django.conf import settings

DEFAULT_PORTS = {"http": "80", "https": "443"}


def site_origin(request):
    """The site's address for links others keep (canonical, sitemap, structured data):
    SITE_URL when set, so search engines see one address whatever host was asked for;
    otherwise the address of the request itself."""
    return settings.SITE_URL or request_origin(request)


def request_origin(request):
    """scheme://host of the request (get_host(): refused outside ALLOWED_HOSTS)."""
    return canonical_origin(request.scheme, request.get_host())


def canonical_origin(scheme, host):
    """scheme://host without the scheme's default port (`example.com:443` is
    `example.com`), so the page cache and the pages' own links agree on one address."""
    name, _, port = host.rpartition(":")
    if name and port == DEFAULT_PORTS.get(scheme):
        host = name
    return f"{scheme}://{host}"
