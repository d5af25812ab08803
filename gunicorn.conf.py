"""gunicorn reads this file when started from the project folder.

Access log lines (turned on with --access-logfile) leave out the query string, referrer,
user agent and client address: an address next to "POST /bellevue/consultation/" already
says who asked for care. The request id links a line to the site's own JSON logs.

Whether a request came over HTTPS is decided by the site alone: the proxy's
X-Forwarded-Proto, believed only from TRUSTED_PROXIES (modsite.middleware.
ProxySchemeMiddleware). gunicorn would otherwise decide it too, from its own list
(forwarded_allow_ips, 127.0.0.1 by default) and more headers (X-Forwarded-Ssl,
X-Forwarded-Protocol), and a caller on that list could skip the redirect to https. So
gunicorn reads no scheme header, and the other headers it takes from a proxy only (the
WSGI SCRIPT_NAME and PATH_INFO) it believes from TRUSTED_PROXIES as well.
"""

import sys
from pathlib import Path

# gunicorn has usually put the project folder on the path already; `gunicorn -c` from
# elsewhere has not.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from modsite.settings.env import DEFAULT_TRUSTED_PROXIES, env_networks

access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

secure_scheme_headers = {}
# Read as modsite/settings/base.py reads it: a typo stops start-up.
forwarded_allow_ips = ",".join(env_networks("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES))
