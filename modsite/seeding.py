"""What the fake-data commands (seed_locations, seed_requests) share: making rows in
batches with a progress bar, and telling PostgreSQL's planner how big the tables are now.

Benchmarks seed tens of thousands of rows and measure straight away. On a live database
PostgreSQL's autovacuum analyses a table within a minute or so of such growth; until it
does, the planner still plans for the empty table (it guessed 17 clinics and read all
100,000 requests by sequential scan, which doubled the dashboard's time). Seeding ends by
doing what autovacuum would, so what is measured is what a live site runs.
"""

from django.db import connection, transaction

BAR_WIDTH = 30


def in_batches(command, count, batch_size, make_batch, first=1):
    """Call `make_batch(numbers)` for rows numbered `first` to `first + count - 1`,
    `batch_size` at a time, each batch in its own transaction, with a progress bar on the
    command's stdout. Returns how many were made."""
    made = 0
    while made < count:
        numbers = range(first + made, first + made + min(batch_size, count - made))
        with transaction.atomic():
            make_batch(numbers)
        made += len(numbers)
        filled = BAR_WIDTH * made // count
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        command.stdout.write(f"[{bar}] {made}/{count}", ending="\n" if made == count else "\r")
        command.stdout.flush()
    return made


def refresh_planner_statistics(*models):
    """VACUUM ANALYZE the models' tables on PostgreSQL, as autovacuum would soon after a
    bulk load (inside a transaction, as in tests, only ANALYZE can run). SQLite keeps no
    statistics unless asked, on a live site too, so it is left as it is."""
    if connection.vendor != "postgresql":
        return
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{statement} {connection.ops.quote_name(model._meta.db_table)}")
