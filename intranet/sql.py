"""Raw SQL for the few hot reads where Django compiling a queryset costs
more than the query (connects, syncs, rechecks: thousands at once).

Only table names are formatted into statements (from a model, quoted by
the backend); every value is a bound parameter.
"""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(values: list) -> str:
    """One bound parameter per value, for an `IN (…)`."""
    return ", ".join(["%s"] * len(values))
