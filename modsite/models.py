"""No models. The module exists so that Django sends post_migrate for this app, which
creates the database cache's table (modsite.cache.create_cache_tables)."""
