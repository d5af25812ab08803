"""gunicorn reads this file when started from the project folder.

Access log lines (turned on with --access-logfile) leave out the query string, referrer,
user agent and client address: an address next to "POST /bellevue/consultation/" already
says who asked for care. The request id links a line to the site's own JSON logs.
"""

access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
