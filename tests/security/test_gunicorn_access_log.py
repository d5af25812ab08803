"""gunicorn's access log (gunicorn.conf.py) carries no patient-identifying request detail."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_access_log_line_has_path_status_and_request_id_but_no_query_or_address():
    access_log_format = runpy.run_path(str(CONFIG))["access_log_format"]
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/bellevue/consultation/?email=zelda.q%40example.org",
        "PATH_INFO": "/bellevue/consultation/",
        "QUERY_STRING": "email=zelda.q%40example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "198.51.100.23",
        "HTTP_REFERER": "https://www.example.com/bellevue/?name=Zelda",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Zelda's phone)",
    }
    response = SimpleNamespace(
        status="302 Found", sent=0, headers=[("X-Request-ID", "4f1c0a9e2b7d4c55")]
    )
    request = SimpleNamespace(headers=[("USER-AGENT", environ["HTTP_USER_AGENT"])])
    atoms = Logger(Config()).atoms(response, request, environ, timedelta(milliseconds=42))

    line = access_log_format % SafeAtoms(atoms)

    assert '"POST /bellevue/consultation/ HTTP/1.1" 302' in line
    assert line.endswith("42ms 4f1c0a9e2b7d4c55")
    for private in ("zelda", "Zelda", "198.51.100.23", "Mozilla", "?"):
        assert private not in line
