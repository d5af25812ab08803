from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Encrypted backups of the whole database, restores, restore drills and the move from
    SQLite to PostgreSQL (docs/backups.md). Works on whole databases through Django's
    connections and the apps registry; imports no patient app."""

    name = "backups"
    verbose_name = "Backups"
