"""Fast row writing for the national data set: PostgreSQL COPY (psycopg 3), or plain
``executemany`` INSERTs elsewhere (SQLite, small scales only).

Rows are tuples of Python values in the order of the given columns (attnames, e.g.
``user_id``). Primary keys are given explicitly (see ``Ids``), so related rows can be
written without reading ids back; ``reset_sequences`` puts PostgreSQL's sequences after them.
Model fields left out get their default (the same value for every row), so a field added to
a model later does not break the generator as long as it has a default."""

import datetime
import json
import time
from contextlib import contextmanager
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CHUNK = 5000
INSERT_CHUNK = 500
PROGRESS_EVERY = 500_000


def _json(value):
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


# COPY's text format, by Python type (datetimes are aware: isoformat keeps the offset).
_FORMATS = {
    int: str,
    str: lambda value: value.translate(_ESCAPES),
    bool: lambda value: "t" if value else "f",
    float: repr,
    Decimal: str,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    datetime.time: datetime.time.isoformat,
    list: _json,
    dict: _json,
}


def _format(value):
    kind = type(value)
    if kind not in _FORMATS:  # a model's choices (TextChoices, IntegerChoices): its base type
        kind = next(base for base in kind.__mro__ if base in _FORMATS)
    return _FORMATS[kind](value)


def copy_text(row):
    return "\t".join([r"\N" if value is None else _format(value) for value in row])


class CopyLine(str):
    """A row already in COPY's text format (built by a hot loop; PostgreSQL only)."""


class Ids:
    """Hands out primary keys after the greatest one already in each table."""

    def __init__(self):
        self._next = {}

    def take(self, model, count=1):
        """The first of ``count`` new consecutive ids."""
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        first = self._next[model]
        self._next[model] += count
        return first

    def models(self):
        return list(self._next)


class Writer:
    def __init__(self, log):
        self.log = log
        self.postgres = connection.vendor == "postgresql"
        self.figures = {}  # table label -> [rows, seconds]

    def write(self, model, columns, rows, label=None):
        """Writes ``rows`` (any iterable of tuples) into ``model``'s table; returns the count."""
        label = label or model._meta.db_table
        fields = [model._meta.get_field(name) for name in columns]
        given = {field.attname for field in fields}
        extra_fields, extra_values = [], []
        for field in model._meta.concrete_fields:
            if field.attname in given:
                continue
            # A unique column may be left out only when it may be NULL (NULLs never clash).
            if field.primary_key or not (field.has_default() or field.null) or (
                    field.unique and not field.null):
                raise ValueError(f"{label}: no value for {field.attname}")
            extra_fields.append(field)
            extra_values.append(field.get_default() if field.has_default() else None)
        fields += extra_fields
        extra = tuple(extra_values)
        started = time.perf_counter()
        if self.postgres:
            count = self._copy(model, fields, rows, extra, label, started)
        else:
            count = self._insert(model, fields, rows, extra, label, started)
        elapsed = time.perf_counter() - started
        figure = self.figures.setdefault(label, [0, 0.0])
        figure[0] += count
        figure[1] += elapsed
        figures = (f"{count:>10,} lignes {elapsed:>8.1f} s "
                   f"{count / elapsed if elapsed else 0:>10,.0f} lignes/s").replace(",", " ")
        self.log(f"  {label:<34} {figures}")
        return count

    @contextmanager
    def without_indexes(self, *models):
        """PostgreSQL: drops the secondary indexes, unique constraints and foreign keys of
        these tables for the time of the load, then puts the same definitions back (which
        checks every row once, in bulk, instead of once per row). Use inside a transaction:
        if anything fails, the definitions come back with the rollback."""
        if not self.postgres:
            yield
            return
        saved = []
        with connection.cursor() as cursor:
            # Foreign keys are checked at commit: run the checks already queued now, or
            # PostgreSQL refuses to alter the tables they are about.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    """SELECT c.conname, pg_get_constraintdef(c.oid), c.contype
                       FROM pg_constraint c
                       WHERE c.conrelid = %s::regclass AND c.contype IN ('f', 'u')
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'
                                         AND f.conindid = c.conindid AND c.contype = 'u')
                       ORDER BY c.contype DESC, c.conname""", [table])
                constraints = cursor.fetchall()
                cursor.execute(
                    """SELECT i.indexname, i.indexdef FROM pg_indexes i
                       WHERE i.schemaname = current_schema() AND i.tablename = %s
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                         WHERE c.conrelid = %s::regclass
                                           AND c.conname = i.indexname)
                       ORDER BY i.indexname""", [table, table])
                indexes = cursor.fetchall()
                quote = connection.ops.quote_name
                for name, _, _ in constraints:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                for name, _ in indexes:
                    cursor.execute(f"DROP INDEX {quote(name)}")
                saved.append((table, constraints, indexes))
        yield
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
            for table, constraints, indexes in saved:
                step = time.perf_counter()
                for _, definition in indexes:
                    cursor.execute(definition)
                for name, definition, _ in constraints:
                    cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} "
                                   f"ADD CONSTRAINT {connection.ops.quote_name(name)} "
                                   f"{definition}")
                self.log(f"  index et contraintes de {table:<20} "
                         f"{time.perf_counter() - step:>8.1f} s")
        self.figures["(index et contraintes)"] = [0, time.perf_counter() - started]

    def _progress(self, label, count, started):
        elapsed = time.perf_counter() - started
        figure = f"{count:,}".replace(",", " ")
        self.log(f"    … {label} : {figure} lignes ({elapsed:.0f} s)")

    def _copy(self, model, fields, rows, extra, label, started):
        quote = connection.ops.quote_name
        sql = (f"COPY {quote(model._meta.db_table)} "
               f"({', '.join(quote(field.column) for field in fields)}) FROM STDIN")
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            chunk = []
            for row in rows:
                if type(row) is CopyLine:
                    if extra:
                        raise ValueError(f"{label}: a COPY line must give every column")
                    chunk.append(row)
                else:
                    chunk.append(copy_text(row + extra if extra else row))
                if len(chunk) == COPY_CHUNK:
                    copy.write("\n".join(chunk) + "\n")
                    count += COPY_CHUNK
                    chunk = []
                    if count % PROGRESS_EVERY == 0:
                        self._progress(label, count, started)
            if chunk:
                copy.write("\n".join(chunk) + "\n")
                count += len(chunk)
        return count

    def _insert(self, model, fields, rows, extra, label, started):
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(model._meta.db_table)} "
               f"({', '.join(quote(field.column) for field in fields)}) "
               f"VALUES ({', '.join(['%s'] * len(fields))})")
        count = 0
        with connection.cursor() as cursor:
            chunk = []
            for row in rows:
                values = row + extra if extra else row
                chunk.append([field.get_db_prep_save(value, connection)
                              for field, value in zip(fields, values, strict=True)])
                if len(chunk) == INSERT_CHUNK:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
        return count


def reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
