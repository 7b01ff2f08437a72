"""Statements PostgreSQL parses and plans once per database connection (PREPARE), then only
executes: for the few statements of a hot path whose planning costs more than their work
(an enrolment's reads and writes plan in about a millisecond and run in a fifth of one).

A statement is written with ``%s`` placeholders; each is given, in order, either a
``Param`` (a named value of each call, with its PostgreSQL type; a name used twice is one
parameter) or a constant (any other value: a status, a column's default), written into the
statement once when it is prepared, so that each call sends and quotes only what changes.

``execute_sql(connection)`` gives the text to send ("EXECUTE name(%s, …)") after preparing
the statement on that connection if it is new to it (a connection opened again, or another
thread's); ``params(**values)`` its parameters. The text can follow other statements in one
message (they then run in one transaction, as before).

PostgreSQL only: callers keep their usual way for other databases. Behind a pooler that
hands one client's statements to several server connections (PgBouncer in transaction
mode), prepared statements are not kept: the platform connects to PostgreSQL directly
(docs/deploy.md)."""

import re
import weakref
from typing import NamedTuple

PLACEHOLDER = re.compile(r"%s")


class Param(NamedTuple):
    name: str
    type: str


class PreparedStatement:
    def __init__(self, name, sql, slots):
        slots = list(slots)
        count = len(PLACEHOLDER.findall(sql))
        if count != len(slots):
            raise ValueError(f"{name}: {count} placeholders for {len(slots)} values")
        numbers, types, self.constants = {}, {}, []
        filled = iter(slots)

        def fill(_match):
            slot = next(filled)
            if isinstance(slot, Param):
                number = numbers.setdefault(slot.name, len(numbers) + 1)
                if types.setdefault(number, slot.type) != slot.type:
                    raise ValueError(f"{name}: {slot.name} given two types")
                return f"${number}"
            self.constants.append(slot)
            return "%s"  # quoted once, when the statement is prepared

        body = PLACEHOLDER.sub(fill, sql)
        self.name = name
        self.names = list(numbers)  # in the order of their numbers
        self.prepare_sql = (f"PREPARE {name} ({', '.join(types[n] for n in sorted(types))}) "
                            f"AS {body}")
        self.call_sql = f"EXECUTE {name}({', '.join(['%s'] * len(self.names))})"
        self._prepared_on = weakref.WeakSet()  # the raw connections that know it

    def execute_sql(self, connection):
        """The text that runs the statement on this Django connection (opened if needed)."""
        connection.ensure_connection()
        raw = connection.connection
        if raw not in self._prepared_on:
            with connection.cursor() as cursor:
                cursor.execute(self.prepare_sql, self.constants or None)
            self._prepared_on.add(raw)
        return self.call_sql

    def params(self, **values):
        """The parameters of one call, from the named values."""
        return [values[name] for name in self.names]
