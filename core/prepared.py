"""Statements PostgreSQL parses and plans once per database connection (PREPARE), then only
executes: for the few statements of a hot path whose planning costs more than their work
(an enrolment's reads and writes plan in about a millisecond and run in a fifth of one).

A statement is written with ``%s`` placeholders and the PostgreSQL type of each, in order.
``execute_sql(connection)`` gives the text to send instead ("EXECUTE name(%s, …)", with the
same parameters), after preparing the statement on that connection if it is new (a
connection opened again, or another thread's). It can follow other statements in the same
message (they then run in one transaction, as before).

PostgreSQL only: the caller keeps its usual way for other databases. Behind a pooler that
hands one client's statements to several server connections (PgBouncer in transaction
mode), prepared statements are not kept: the platform connects to PostgreSQL directly
(docs/deploy.md)."""

import re
import weakref

PLACEHOLDER = re.compile(r"%s")


class PreparedStatement:
    def __init__(self, name, sql, types):
        count = len(PLACEHOLDER.findall(sql))
        if count != len(types):
            raise ValueError(f"{name}: {count} placeholders for {len(types)} types")
        numbers = iter(range(1, count + 1))
        self.name = name
        self.prepare_sql = (f"PREPARE {name} ({', '.join(types)}) AS "
                            + PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql))
        self.call_sql = f"EXECUTE {name}({', '.join(['%s'] * count)})"
        self._prepared_on = weakref.WeakSet()  # the raw connections that know it

    def execute_sql(self, connection):
        """The text that runs the statement on this Django connection (opened if needed)."""
        connection.ensure_connection()
        raw = connection.connection
        if raw not in self._prepared_on:
            with connection.cursor() as cursor:
                cursor.execute(self.prepare_sql)
            self._prepared_on.add(raw)
        return self.call_sql


def placeholders_and_types(typed_values):
    """(", ".join of %s, [types], [values]) from [(value, type), …]."""
    return (", ".join(["%s"] * len(typed_values)), [t for _, t in typed_values],
            [v for v, _ in typed_values])
