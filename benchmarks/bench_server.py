"""Start the site as production runs it (gunicorn, production settings, whitenoise with
hashed and compressed static files) on 127.0.0.1, for `make bench`, `make audit`,
`make loadtest` and the load and fault tests.

Everything it writes goes to a temporary folder (SQLite database, media, gunicorn's log)
or to the git-ignored staticfiles/; the server is stopped when the `with` block ends.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A Redis database of its own, so benchmarks never touch the development cache.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_answers(url):
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(workdir):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="modsite.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # No TLS proxy on the loopback; production otherwise redirects to https.
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        PAGE_CACHE_SECONDS="600",
        SITE_URL="https://www.example.invalid",  # required in production; links only
        LOG_LEVEL="WARNING",
    )
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    if redis_answers(redis_url):
        env["REDIS_URL"] = redis_url
    else:
        print(f"Redis is not answering at {redis_url}: using the database cache instead.")
        env["REDIS_URL"] = ""
    return env


def manage(env, *args, timeout=120):
    """Run manage.py with `env`; return its stdout."""
    return subprocess.run(  # noqa: S603 our own arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    ).stdout


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def log(self):
        return self.log_path.read_text(errors="replace")

    def worker_pids(self):
        """Worker processes: the gunicorn master's children (Linux /proc)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(stat.parent.name))
        return pids


def wait_for_http(url, process, timeout=60):
    """Return once the server answers `url` with any HTTP status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting; see its log.")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 loopback only
                return
        except urllib.error.HTTPError:  # answering, just not 200 (a database outage)
            return
        except OSError:  # not listening yet
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s.")


@contextlib.contextmanager
def gunicorn(env, workers=4, threads=4, worker_class="gthread", log_dir=None):
    """Yield a Server for gunicorn on a free loopback port; stopped when the block ends.
    Its output (the site's JSON logs) goes to gunicorn.log in `log_dir` (default: a
    temporary folder, removed afterwards)."""
    with contextlib.ExitStack() as stack:
        folder = Path(log_dir or stack.enter_context(tempfile.TemporaryDirectory()))
        log_path = folder / "gunicorn.log"
        log = stack.enter_context(log_path.open("wb"))
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 fixed program, our own arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "modsite.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                worker_class,
                "--threads",
                str(threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            server = Server(f"http://127.0.0.1:{port}", process, log_path)
            wait_for_http(f"{server.base_url}/healthz", process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def production_server(workers=2, threads=4, locations=0, env_overrides=None, after_stop=None):
    """Yield (base_url, env) for a gunicorn serving the site on a free loopback port,
    with `locations` fake clinics added (manage.py seed_locations). `env_overrides` are
    added to its environment; `after_stop(env)` is called once gunicorn has stopped,
    while its database still exists."""
    workdir = Path(tempfile.mkdtemp(prefix="modsite-bench-"))
    env = server_env(workdir)
    env.update(env_overrides or {})
    try:
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        manage(env, "migrate", "--noinput", "--verbosity", "0")  # and the cache table
        if locations:
            manage(env, "seed_locations", str(locations), timeout=600)
        with gunicorn(env, workers=workers, threads=threads, log_dir=workdir) as server:
            yield server.base_url, env
        if after_stop:
            after_stop(env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if env["REDIS_URL"]:
            forget_cache_keys(env["REDIS_URL"], env["CACHE_KEY_PREFIX"])


def forget_cache_keys(url, prefix):
    """Delete this run's keys (the page generation never expires on its own)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def hashed_static_path(name):
    """The hashed URL path collectstatic gave a static file, e.g. css/site.3f2a….css."""
    import json

    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"][name]
