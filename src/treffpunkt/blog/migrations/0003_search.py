"""The full-text search index for blog posts, one structure per database.

The index is derived data (blog.indexing fills it from the posts and can rebuild it at any
time), so it is a plain table rather than a model:

- SQLite: an FTS5 table whose rowid is the post id. FTS5 has no German stemmer, so
  blog.indexing stores words already stemmed in Python (snowballstemmer) and the search
  stems the query the same way.
- PostgreSQL: one row per post with a weighted tsvector built with the post's language
  configuration ('german' or 'english'), and a GIN index on it.

No foreign key on purpose: Django's flush (used by transactional tests) truncates the model
tables only, and PostgreSQL refuses to truncate a table that another one references.
Searches join the visible posts, so an entry left behind never shows.
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE VIRTUAL TABLE blog_search_fts USING fts5(
    title, tags, excerpt, body, language UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""

POSTGRES_CREATE = [
    """
    CREATE TABLE blog_search_entry (
        post_id bigint PRIMARY KEY,
        language varchar(8) NOT NULL,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX blog_search_entry_document ON blog_search_entry USING gin (document)",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS blog_search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS blog_search_entry")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_post_summary"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
