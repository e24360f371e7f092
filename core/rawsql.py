"""Hot reads written once in SQL, without the ORM's per-query compilation.

Profiling GET /api/v1/me/documents (docs/benchmarks.md) showed that building the SQL of three
small ORM queries cost more CPU than everything else in the request. A `RawSelect` is a fixed
SELECT over several models joined together: its column lists come from the models' fields (so a
new field is picked up without touching the SQL), each row comes back as model instances with
the database backend's converters applied (dates on SQLite, aware datetimes), and a model whose
columns are all NULL (the far side of a LEFT JOIN) comes back as None.

Only for a few measured hot paths; everywhere else the ORM is the rule (STYLE.md).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db import connections, models
from django.db.models.sql import Query


@dataclass(frozen=True)
class Part:
    """One model of the select, by its table alias in the SQL."""

    model: type[models.Model]
    alias: str

    @cached_property
    def fields(self) -> list[models.Field]:
        return list(self.model._meta.concrete_fields)

    @cached_property
    def pk_index(self) -> int:
        return self.fields.index(self.model._meta.pk)


class RawSelect:
    """`SELECT <the columns of each part> <rest>`: `rest` is the FROM ... WHERE ... with %s
    parameters, naming each part's table by its alias."""

    def __init__(self, parts: Sequence[Part], rest: str, *, using: str = "default") -> None:
        self.parts = tuple(parts)
        self.rest = rest
        self.using = using
        self._prepared: tuple | None = None

    def _prepare(self):
        connection = connections[self.using]
        quote = connection.ops.quote_name
        columns, expressions = [], []
        for part in self.parts:
            for field in part.fields:
                columns.append(f"{part.alias}.{quote(field.column)}")
                expressions.append(field.get_col(part.alias))
        compiler = connection.ops.compiler("SQLCompiler")(Query(None), connection, self.using)
        converters = compiler.get_converters(expressions)
        sql = f"SELECT {', '.join(columns)} {self.rest}"
        self._prepared = (connection.vendor, sql, compiler, converters)
        return self._prepared

    def rows(self, params: Iterable) -> list[tuple[models.Model | None, ...]]:
        """Each row as one instance (or None) per part, in the order of the parts."""
        connection = connections[self.using]
        prepared = self._prepared
        if prepared is None or prepared[0] != connection.vendor:
            prepared = self._prepare()
        _vendor, sql, compiler, converters = prepared
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            raw = cursor.fetchall()
        if converters:
            raw = compiler.apply_converters(raw, converters)
        out = []
        for values in raw:
            values = tuple(values)
            row, start = [], 0
            for part in self.parts:
                end = start + len(part.fields)
                chunk = values[start:end]
                start = end
                if (
                    chunk[part.pk_index] is None
                ):  # the primary key: no row on this side of a LEFT JOIN
                    row.append(None)
                    continue
                row.append(part.model.from_db(self.using, None, chunk))
            out.append(tuple(row))
        return out
