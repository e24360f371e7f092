"""Hot reads and writes written once in SQL, without the ORM's per-query compilation.

Profiling GET /api/v1/me/documents (docs/benchmarks.md) showed that building the SQL of three
small ORM queries cost more CPU than everything else in the request. A `RawSelect` is a fixed
SELECT over several models joined together: its column lists come from the models' fields (so a
new field is picked up without touching the SQL), each row comes back as model instances with
the database backend's converters applied (dates on SQLite, aware datetimes), and a model whose
columns are all NULL (the far side of a LEFT JOIN) comes back as None.

Public interfaces only: Django's cursor (`connection.cursor()`), the fields' and the backend's
converters (`get_db_converters`), `Model.from_db`, `_meta` and `_state` (both documented);
nothing of psycopg. On PostgreSQL, statements are prepared by psycopg itself: the settings turn
on server-side binding with a `prepare_threshold` (Django's documented OPTIONS), so a statement
run again on a connection is parsed and planned once, these and the ORM's alike (0.35 -> 0.12 ms
per query under pgbench, docs/benchmarks.md). A pooler in front of PostgreSQL must support
protocol-level prepared statements (PgBouncer >= 1.21 with max_prepared_statements > 0) or run
in session mode (docs/deployment.md). core/tests/test_rawsql.py fails if an upgrade changes
what this relies on (the converters, from_db, preparation by psycopg).

Only for a few measured hot paths; everywhere else the ORM is the rule (STYLE.md).
"""

import datetime as dt
import decimal
import json
import re
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

from django.db import connections, models, transaction
from django.db.models import DEFERRED
from django.db.models.signals import post_save, pre_save


@dataclass(frozen=True)
class Part:
    """One model of the select, by its table alias in the SQL."""

    model: type[models.Model]
    alias: str
    only: tuple[str, ...] = ()  # these fields, in this order (for values()); default all

    @cached_property
    def fields(self) -> list[models.Field]:
        if self.only:
            return [self.model._meta.get_field(name) for name in self.only]
        return list(self.model._meta.concrete_fields)

    @cached_property
    def pk_index(self) -> int:
        return self.fields.index(self.model._meta.pk)

    @cached_property
    def deferred_loading(self) -> tuple[list[str], Callable[[tuple], tuple]]:
        """For a part with `only`: the loaded fields' names in the model's order, and a getter
        that turns a chunk of values (followed by DEFERRED) into one value per concrete field,
        DEFERRED for the others: the form `Model.from_db` takes as it is (Django's "Customizing
        model loading"), worked out once instead of per row."""
        position = {field.attname: index for index, field in enumerate(self.fields)}
        concrete = self.model._meta.concrete_fields
        deferred = len(self.fields)  # the DEFERRED appended after the chunk
        order = [position.get(field.attname, deferred) for field in concrete]
        names = [field.attname for field in concrete if field.attname in position]
        if len(order) == 1:  # itemgetter of one index gives the value, not a 1-tuple
            return names, lambda values: (values[order[0]],)
        return names, itemgetter(*order)


def _converted(values: Sequence, converters: list, connection) -> tuple:
    """A row's values with each converted column converted, as the ORM converts them."""
    row = list(values)
    for index, found, column in converters:
        value = row[index]
        for convert in found:
            value = convert(value, column, connection)
        row[index] = value
    return tuple(row)


class RawSelect:
    """`SELECT <the columns of each part> <rest> [ORDER BY <order_by>]`: `rest` is the FROM ...
    WHERE ... with %s parameters, naming each part's table by its alias."""

    def __init__(
        self, parts: Sequence[Part], rest: str, *, order_by: str = "", using: str = "default"
    ) -> None:
        self.parts = tuple(parts)
        self.rest = rest
        # Given apart from `rest` (rather than in it) for a select that is also a RawUnion's
        # branch: the union orders each branch's rows by it.
        self.order_by = order_by
        self.using = using
        # Per connection (each thread has its own): the SQL, and the converters, which are
        # bound to that connection.
        self._prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _prepare(self, connection) -> tuple:
        quote = connection.ops.quote_name
        columns, converters = [], []
        for part in self.parts:
            for field in part.fields:
                index = len(columns)
                columns.append(f"{part.alias}.{quote(field.column)}")
                # What the ORM applies to a column it selects: the backend's, then the field's.
                column = field.get_col(part.alias)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    converters.append((index, found, column))
        sql = f"SELECT {', '.join(columns)} {self.rest}"
        if self.order_by:
            sql += f" ORDER BY {self.order_by}"
        prepared = self._prepared[connection] = (sql, converters)
        return prepared

    def _prepared_for(self, connection) -> tuple:
        return self._prepared.get(connection) or self._prepare(connection)

    def values(self, params: Iterable) -> list[tuple]:
        """Each row as the values of the parts' fields, converted as the ORM converts them."""
        connection = connections[self.using]
        sql, converters = self._prepared_for(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            raw = cursor.fetchall()
        if not converters:
            return raw
        return [_converted(values, converters, connection) for values in raw]

    def rows(
        self, params: Iterable, *, deferred: bool = False
    ) -> list[tuple[models.Model | None, ...]]:
        """Each row as one instance (or None) per part, in the order of the parts.

        A part with `only` is refused unless `deferred` is set: then it comes back as the ORM's
        `.only()` does, its other fields deferred (reading one of them costs a query)."""
        self._refuse_partial(deferred)
        return [self.instances(values, deferred=deferred) for values in self.values(params)]

    def _refuse_partial(self, deferred: bool) -> None:
        if not deferred and any(part.only for part in self.parts):
            raise TypeError("rows() makes whole instances: use values() for parts with `only`")

    def instances(
        self, values: tuple, *, deferred: bool = False
    ) -> tuple[models.Model | None, ...]:
        """One row of values() as one instance (or None) per part, in the order of the parts."""
        self._refuse_partial(deferred)
        row, start = [], 0
        for part in self.parts:
            end = start + len(part.fields)
            chunk = values[start:end]
            start = end
            if chunk[part.pk_index] is None:  # no row on this side of a LEFT JOIN
                row.append(None)
            elif part.only:
                names, in_model_order = part.deferred_loading
                values_of_model = in_model_order((*chunk, DEFERRED))
                row.append(part.model.from_db(self.using, names, values_of_model))
            else:
                row.append(part.model.from_db(self.using, None, chunk))
        return tuple(row)

    def index(self, part_index: int, field_name: str) -> int:
        """Where a field of a part is in a row of values()."""
        offset = sum(len(part.fields) for part in self.parts[:part_index])
        part = self.parts[part_index]
        field = part.model._meta.get_field(field_name)
        return offset + part.fields.index(field)


@dataclass(frozen=True)
class Subquery:
    """A parameter of a RawUnion whose value the database works out in the same statement: a
    scalar subquery (`sql`, with its own %s `params`) put in place of that parameter's %s. For
    a value that would otherwise cost a round trip of its own before the statement, such as the
    person of the caller's bearer token (accounts.auth.PendingToken)."""

    sql: str
    params: tuple = ()


_PLACEHOLDER = re.compile(r"%%|%s")


def _inline(sql: str, params: Sequence) -> str:
    """`sql` with each Subquery parameter's SQL in place of its %s."""
    pieces, index, start = [], 0, 0
    for found in _PLACEHOLDER.finditer(sql):
        if found.group() != "%s":
            continue
        if index >= len(params):
            raise TypeError(f"{len(params)} parameters for more placeholders")
        value = params[index]
        index += 1
        if type(value) is Subquery:
            pieces += [sql[start : found.start()], f"({value.sql})"]
            start = found.end()
    if index != len(params):
        raise TypeError(f"{len(params)} parameters for {index} placeholders")
    return "".join(pieces) + sql[start:]


def _slot_type(db_type: str | None) -> str:
    """The type a RawUnion slot is cast to: the column's type without its length or precision
    (varchar(16) and varchar(64) share a slot; the values are the same either way)."""
    return (db_type or "text").split("(", 1)[0].strip()


def _getter(positions: list[int]) -> Callable[[tuple], tuple]:
    """A row's values at these positions, as a tuple (itemgetter of one gives a bare value)."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    return itemgetter(*positions)


class RawUnion:
    """Several fixed selects in one round trip: a page that needs a few small reads (a person's
    documents, their endorsements, a page of their crossings) pays one statement's overhead
    instead of one per read (docs/benchmarks.md "Crossings").

    Each branch is a RawSelect with its `order_by` apart from its `rest` (FROM ... WHERE), and
    an optional tail after the ORDER BY (a LIMIT with its parameter). The branches are joined by
    UNION ALL, each with its own columns (in slots shared by type with the other branches'
    columns, typed NULLs where a branch has nothing), its parameters and its order: `values`
    gives each branch's rows as that RawSelect's `values` would, and its `instances` makes them
    model instances.
    """

    def __init__(
        self, branches: Sequence[tuple[RawSelect, str]], *, using: str = "default"
    ) -> None:
        if not all(select.order_by for select, _tail in branches):
            raise TypeError("a RawUnion branch needs its order_by")
        self.branches = tuple(branches)  # (select, tail)
        self.using = using
        self._prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        # The SQL with Subquery parameters inlined, per connection and per their places.
        self._inlined: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _prepare(self, connection) -> tuple:
        quote = connection.ops.quote_name
        # Each branch's columns go to shared slots: the n-th column of a type in a branch takes
        # the n-th slot of that type, so a row is as wide as the widest branch per type, not the
        # sum of all branches (My applications: 131 columns before, most of them NULL, which
        # PostgreSQL sent, psycopg loaded and the statement's text carried every time).
        slot_types: list[str] = []  # the type of each slot, in the row's order
        branches = []  # per branch: (select expression by slot, positions, converters)
        for select, _tail in self.branches:
            by_slot: dict[int, str] = {}
            positions = []
            taken: dict[str, int] = {}  # slots of each type this branch has used
            for part in select.parts:
                for field in part.fields:
                    kind = _slot_type(field.db_type(connection))
                    nth = taken.get(kind, 0)
                    taken[kind] = nth + 1
                    same = [n for n, t in enumerate(slot_types) if t == kind]
                    if nth < len(same):
                        slot = same[nth]
                    else:
                        slot = len(slot_types)
                        slot_types.append(kind)
                    by_slot[slot] = f"{part.alias}.{quote(field.column)}"
                    positions.append(1 + slot)  # after u_branch
            branches.append((by_slot, positions, select._prepared_for(connection)[1]))
        sql_branches = []
        for index, (select, tail) in enumerate(self.branches):
            order = select.order_by
            by_slot = branches[index][0]
            # Named u0, u1...: the same name in every branch (UNION takes the first's).
            named = [f"{index} AS u_branch"] + [
                f"{by_slot.get(n) or f'CAST(NULL AS {kind})'} AS u{n}"
                for n, kind in enumerate(slot_types)
            ]
            named.append(f"row_number() OVER (ORDER BY {order}) AS u_n")
            # Names from the models' metadata and the code's fixed SQL; values are parameters.
            sql_branches.append(
                f"SELECT * FROM (SELECT {', '.join(named)} {select.rest}"  # noqa: S608
                f" ORDER BY {order}{' ' + tail if tail else ''}) b{index}"
            )
        sql = " UNION ALL ".join(sql_branches) + " ORDER BY u_branch, u_n"
        layout = [(_getter(positions), converters) for _by_slot, positions, converters in branches]
        prepared = self._prepared[connection] = (sql, layout)
        return prepared

    def values(self, params_by_branch: Sequence[Iterable]) -> list[list[tuple]]:
        """The rows of each branch, in the branches' order, each row as the values of that
        branch's RawSelect (converted as the ORM converts them)."""
        connection = connections[self.using]
        sql, layout = self._prepared.get(connection) or self._prepare(connection)
        params = [value for branch in params_by_branch for value in branch]
        if any(type(value) is Subquery for value in params):
            sql, params = self._with_subqueries(connection, sql, params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
        found: list[list[tuple]] = [[] for _ in self.branches]
        for values in raw:
            branch = values[0]
            columns, converters = layout[branch]
            found[branch].append(_converted(columns(values), converters, connection))
        return found

    def _with_subqueries(self, connection, sql: str, params: list) -> tuple[str, list]:
        places = tuple(
            (index, value.sql) for index, value in enumerate(params) if type(value) is Subquery
        )
        inlined = self._inlined.setdefault(connection, {})
        if places not in inlined:
            inlined[places] = _inline(sql, params)
        flat: list = []
        for value in params:
            if type(value) is Subquery:
                flat += value.params
            else:
                flat.append(value)
        return inlined[places], flat


class RawStatement:
    """A fixed INSERT, UPDATE or DELETE with %s parameters, prepared on PostgreSQL like the
    selects; `execute` returns how many rows it changed."""

    def __init__(self, sql: str, *, using: str = "default") -> None:
        self.sql = sql
        self.using = using

    def execute(self, params: Iterable) -> int:
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, list(params))
            return cursor.rowcount


class RawInsert:
    """`INSERT` of one new instance of a model, its columns from the model's fields, the values
    prepared as Model.save() prepares them (auto_now_add, JSON, aware datetimes); prepared on
    PostgreSQL. Sets the instance's primary key and state as save() does.

    No pre_save/post_save signal is sent: a model that any receiver listens to (history,
    invalidation) is refused at save time, so such a receiver is never skipped in silence.
    """

    def __init__(self, model: type[models.Model], *, using: str = "default") -> None:
        self.model = model
        self.using = using
        self._prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _prepare(self, connection) -> tuple:
        meta = self.model._meta
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
        returning = connection.features.can_return_columns_from_insert
        # Names from the model's metadata, quoted; every value is a parameter.
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        if returning:
            sql += f" RETURNING {quote(meta.pk.column)}"
        prepared = self._prepared[connection] = (sql, fields, returning)
        return prepared

    def save(self, obj: models.Model) -> models.Model:
        if pre_save.has_listeners(self.model) or post_save.has_listeners(self.model):
            raise TypeError(f"{self.model.__name__} has save signals: use the ORM")
        connection = connections[self.using]
        sql, fields, returning = self._prepared.get(connection) or self._prepare(connection)
        values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            pk = cursor.fetchone()[0] if returning else cursor.lastrowid
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = self.using
        return obj


# Field classes whose save() writes a value of these types as it is: pre_save() is the
# attribute, and get_db_prep_save() hands a str, int or bool of the field's own type back
# unchanged. Only these exact classes, and only for a value of exactly that type (or None),
# skip the two calls (profiled: 7% of an endorsement application's CPU, 68 fields a request);
# anything else (subclasses, auto_now, an int for a CharField, a lazy text) goes through them.
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.BooleanField: (bool,),
}


def _as_is_types(field: models.Field) -> tuple[type, ...]:
    """The value types `field` writes unchanged (see _AS_IS); a foreign key, its target's."""
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field  # type: ignore[attr-defined]
        if type(field) in (models.AutoField, models.BigAutoField, models.SmallAutoField):
            return (int,)
    return _AS_IS.get(type(field), ())


def _json_value(
    field: models.Field, obj: models.Model, connection, is_json: bool, as_is: tuple[type, ...]
):
    """A field's value as save() would write it, for the row's JSON object."""
    if as_is:
        value = getattr(obj, field.attname)
        if value is None or type(value) in as_is:
            return value
    value = field.pre_save(obj, True)
    if is_json:  # the document itself, through the field's encoder, not psycopg's wrapper
        if value is None:
            return None
        return json.loads(json.dumps(value, cls=field.encoder))  # type: ignore[attr-defined]
    return field.get_db_prep_save(value, connection)


def _json_default(value):
    """What json.dumps cannot write itself, in the text each PostgreSQL type reads exactly."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # microseconds and offset kept
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} has no JSON form for RawGuardedInsert")


class RawGuardedInsert:
    """New rows written only if a guard (an UPDATE) changes a row: on PostgreSQL one
    statement, the guard and every INSERT in data-modifying CTEs; elsewhere the same in a
    transaction, one statement after the other. Each row may take the new key of an earlier
    one (`links`: {(row index, foreign key field name): index of the row it points to}).
    Without a guard (`guard_sql` None) the rows are always written, still in one statement.

    `save(guard_params, objs)` returns False, writing nothing, when the guard changed no row;
    else sets each instance's primary key and state as save() does. A broken constraint
    raises IntegrityError with nothing written, the guard's change included. As with
    RawInsert, models with save signals are refused. The order in which PostgreSQL runs the
    CTEs is not defined: rows told apart by their serial key only must not rely on it.
    """

    def __init__(
        self,
        guard_sql: str | None,
        models_: Sequence[type[models.Model]],
        *,
        links: dict[tuple[int, str], int] | None = None,
        using: str = "default",
    ) -> None:
        self.guard = None if guard_sql is None else RawStatement(guard_sql, using=using)
        self.inserts = [RawInsert(model, using=using) for model in models_]
        self.models = list(models_)
        self.links = dict(links or {})
        self.using = using
        self._prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        for (index, name), target in self.links.items():
            field = self.models[index]._meta.get_field(name)
            if not field.many_to_one or field.related_model is not self.models[target]:
                raise TypeError(f"{name} of row {index} does not point to row {target}")
            if target >= index:
                raise TypeError("a row can point only to an earlier one")

    def _fields(self, index: int) -> list[models.Field]:
        meta = self.models[index]._meta
        return [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]

    def _prepare(self, connection) -> tuple:
        quote = connection.ops.quote_name
        parts = [] if self.guard is None else [f"g AS ({self.guard.sql} RETURNING 1)"]
        plan = []  # per row: its fields, and for each field None (a value) or the row it takes
        for index, model in enumerate(self.models):
            fields = self._fields(index)
            sources, select = [], []
            for field in fields:
                target = self.links.get((index, field.name))
                sources.append(target)
                if target is None:
                    select.append(f"r.{quote(field.column)}")
                else:
                    select.append(f"i{target}.{quote(self.models[target]._meta.pk.column)}")
            # The row's values are one JSON object, read into the table's own row type: the
            # statement keeps a few short parameters whatever the number of columns (psycopg
            # caches the conversion of such a statement; with one parameter a column it parsed
            # it again each time), and each value is read by its column's type input, which
            # refuses a string too long for a varchar(n) rather than cutting it.
            table = quote(model._meta.db_table)
            linked = [f"i{t}" for t in sorted({t for t in sources if t is not None})]
            if not linked and self.guard is not None:
                linked = ["g"]
            from_ = ", ".join([f"json_populate_record(NULL::{table}, %s::json) r", *linked])
            columns = ", ".join(quote(f.column) for f in fields)
            parts.append(
                f"i{index} AS (INSERT INTO {table} ({columns})"  # noqa: S608
                f" SELECT {', '.join(select)} FROM {from_}"
                f" RETURNING {quote(model._meta.pk.column)})"
            )
            plan.append(
                [
                    (f.column, f, isinstance(f, models.JSONField), _as_is_types(f))
                    for f, t in zip(fields, sources, strict=True)
                    if t is None
                ]
            )
        aliases = [f"i{i}" for i in range(len(self.models))]
        sql = (
            f"WITH {', '.join(parts)} SELECT {', '.join(f'{a}.*' for a in aliases)}"  # noqa: S608
            f" FROM {', '.join(aliases)}"
        )
        prepared = self._prepared[connection] = (sql, plan)
        return prepared

    def save(self, guard_params: Iterable, objs: Sequence[models.Model]) -> bool:
        if len(objs) != len(self.models):
            raise TypeError(f"{len(self.models)} instances expected")
        for model in self.models:
            if pre_save.has_listeners(model) or post_save.has_listeners(model):
                raise TypeError(f"{model.__name__} has save signals: use the ORM")
        connection = connections[self.using]
        if connection.vendor != "postgresql":
            return self._one_by_one(guard_params, objs)
        sql, plan = self._prepared.get(connection) or self._prepare(connection)
        params = list(guard_params)
        for obj, columns in zip(objs, plan, strict=True):
            params.append(
                json.dumps(
                    {
                        column: _json_value(field, obj, connection, is_json, as_is)
                        for column, field, is_json, as_is in columns
                    },
                    default=_json_default,
                )
            )
        # One statement is atomic by itself; inside a caller's transaction it gets a savepoint,
        # so that a broken constraint leaves that transaction usable (to look up the winner).
        savepoint = connection.in_atomic_block
        with (
            transaction.atomic(using=self.using) if savepoint else nullcontext(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return False
        for obj, pk in zip(objs, row, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.using
        for (index, name), target in self.links.items():
            setattr(objs[index], name, objs[target])
        return True

    def _one_by_one(self, guard_params: Iterable, objs: Sequence[models.Model]) -> bool:
        with transaction.atomic(using=self.using):
            if self.guard is not None and not self.guard.execute(guard_params):
                return False
            for index, (insert, obj) in enumerate(zip(self.inserts, objs, strict=True)):
                for (linked, name), target in self.links.items():
                    if linked == index:
                        setattr(obj, name, objs[target])
                insert.save(obj)
        return True
