import os

import pytest

# The load and fault tests drive the same helpers as `make loadtest`.
from benchmarks import loadtest


@pytest.fixture
def scratch_database_url():
    """A new, empty database of the kind the suite runs on (SQLite file or PostgreSQL),
    for a gunicorn in another process; dropped afterwards."""
    with loadtest.scratch_database(os.environ.get("DATABASE_URL")) as url:
        yield url
