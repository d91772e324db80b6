# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Read-only questions to the current database, for upgrade checks.

Every question runs inside a savepoint that is always rolled back, in a
read-only subtransaction with a statement timeout: a probe can neither change
data nor hold a lock for long, even when it evaluates a module's own SQL
(a CHECK constraint) or a cast. Identifiers are composed with ``SQL.identifier``;
no query is built by string formatting.
"""

import logging
from contextlib import contextmanager

import psycopg2

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

PROBE_TIMEOUT_MS = 15000
# What a failing probe tells: an error of the probed data, not of the validator.
PROBE_ERRORS = (psycopg2.DataError, psycopg2.IntegrityError, psycopg2.ProgrammingError,
                psycopg2.errors.QueryCanceled, psycopg2.InternalError)


class ProbeFailed(Exception):
    """The database rejected a probe; ``str()`` is PostgreSQL's first message line."""


class Database:
    def __init__(self, env):
        self.env = env
        self.cr = env.cr
        self._columns = {}
        self._row_counts = {}

    @contextmanager
    def probe(self):
        """A read-only savepoint rolled back whatever happens; PostgreSQL errors become ProbeFailed."""
        cr = self.cr
        cr.execute(SQL("SAVEPOINT module_validator_probe"))
        try:
            cr.execute(SQL("SET LOCAL transaction_read_only = on"))
            cr.execute(SQL("SET LOCAL statement_timeout = %s", PROBE_TIMEOUT_MS))
            yield cr
        except PROBE_ERRORS as error:
            raise ProbeFailed(str(error).strip().splitlines()[0][:300]) from None
        finally:
            cr.execute(SQL("ROLLBACK TO SAVEPOINT module_validator_probe"))
            cr.execute(SQL("RELEASE SAVEPOINT module_validator_probe"))

    def _fetch(self, query):
        with self.probe() as cr:
            cr.execute(query, log_exceptions=False)
            return cr.fetchall()

    def module_row(self, name):
        """``(demo, latest_version)`` of module ``name`` in ir_module_module, or None."""
        rows = self._fetch(SQL("SELECT demo, latest_version FROM ir_module_module WHERE name = %s",
                               name))
        return rows[0] if rows else None

    def module_states(self):
        """``{name: state}`` of every row of ir_module_module."""
        return dict(self._fetch(SQL("SELECT name, state FROM ir_module_module")))

    def record_values(self, table, record_id, columns):
        """``{column: value}`` of row ``record_id`` of ``table``, None when there is no such row.

        Read with SQL, not the ORM: after new code is loaded and before ``-u``,
        the registry names columns the table does not have yet, and the ORM's
        SELECT of a record names them all. Only ``columns`` that exist are read.
        """
        present = self.columns(table)
        columns = [column for column in dict.fromkeys(columns) if column in present]
        selected = SQL(", ").join(SQL.identifier(column) for column in ["id", *columns])
        rows = self._fetch(SQL("SELECT %s FROM %s WHERE id = %s",
                               selected, SQL.identifier(table), record_id))
        return dict(zip(["id", *columns], rows[0])) if rows else None

    def columns(self, table):
        """``{column: (udt_name, nullable)}`` of ``table``; empty when there is no such table."""
        if table not in self._columns:
            rows = self._fetch(SQL(
                """SELECT column_name, udt_name, is_nullable = 'YES'
                     FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = %s""", table))
            self._columns[table] = {name: (udt, nullable) for name, udt, nullable in rows}
        return self._columns[table]

    def row_count(self, table):
        if table not in self._row_counts:
            self._row_counts[table] = self._fetch(
                SQL("SELECT count(*) FROM %s", SQL.identifier(table)))[0][0]
        return self._row_counts[table]

    def estimated_rows(self, table, exact_below):
        """Row count of ``table``: exact up to ``exact_below`` rows, PostgreSQL's estimate above."""
        (count,) = self._fetch(SQL(
            "SELECT count(*) FROM (SELECT 1 FROM %s LIMIT %s) sample",
            SQL.identifier(table), exact_below))[0]
        if count < exact_below:
            return count
        (estimate,) = self._fetch(SQL(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", table))[0]
        return max(count, estimate or 0)

    def null_count(self, table, column):
        return self._fetch(SQL("SELECT count(*) FROM %s WHERE %s IS NULL",
                               SQL.identifier(table), SQL.identifier(column)))[0][0]

    def value_counts(self, table, column, values):
        """``{value: rows}`` for the given values of ``column`` that rows hold."""
        rows = self._fetch(SQL(
            "SELECT %s, count(*) FROM %s WHERE %s IN %s GROUP BY 1",
            SQL.identifier(column), SQL.identifier(table), SQL.identifier(column), tuple(values)))
        return dict(rows)

    def filled_count(self, table, column):
        return self._fetch(SQL("SELECT count(*) FROM %s WHERE %s IS NOT NULL",
                               SQL.identifier(table), SQL.identifier(column)))[0][0]

    def constraint_definition(self, table, name):
        """The definition Odoo compares with ``_sql_constraints`` (its comment, else PostgreSQL's)."""
        rows = self._fetch(SQL(
            """SELECT COALESCE(d.description, pg_get_constraintdef(c.oid))
                 FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 LEFT JOIN pg_description d ON c.oid = d.objoid
                WHERE t.relname = %s AND c.conname = %s""", table, name))
        return rows[0][0] if rows else None

    def duplicate_groups(self, table, columns):
        """``(groups, rows)`` of rows sharing the same non-NULL values in ``columns``."""
        idents = [SQL.identifier(column) for column in columns]
        not_null = SQL(" AND ").join(SQL("%s IS NOT NULL", ident) for ident in idents)
        return self._fetch(SQL(
            """SELECT count(*), COALESCE(sum(n), 0) FROM (
                   SELECT count(*) AS n FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1
               ) duplicates""",
            SQL.identifier(table), not_null, SQL(", ").join(idents)))[0]

    def check_violations(self, table, expression):
        """Rows for which a CHECK ``expression`` (a module's SQL) is false, read-only."""
        return self._fetch(SQL("SELECT count(*) FROM %s WHERE NOT (%s)",
                               SQL.identifier(table), SQL(expression)))[0][0]

    def cast_failure(self, table, column, sql_type):
        """PostgreSQL's message when some value of ``column`` cannot be cast, else None."""
        try:
            self._fetch(SQL("SELECT count(converted) FROM (SELECT %s::%s AS converted FROM %s) c",
                            SQL.identifier(column), SQL(sql_type), SQL.identifier(table)))
        except ProbeFailed as failure:
            return str(failure)
        return None

    def referencing_rows(self, table, record_ids):
        """``[(table, column, on_delete, rows)]`` of foreign keys pointing at ``record_ids``.

        ``on_delete`` is PostgreSQL's confdeltype: 'r' restrict, 'a' no action,
        'c' cascade, 'n' set null, 'd' set default.
        """
        keys = self._fetch(SQL(
            """SELECT src.relname, att.attname, con.confdeltype
                 FROM pg_constraint con
                 JOIN pg_class src ON src.oid = con.conrelid
                 JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
                WHERE con.contype = 'f' AND con.confrelid = to_regclass(%s)
                  AND array_length(con.conkey, 1) = 1""", table))
        found = []
        for source, column, on_delete in keys:
            (rows,) = self._fetch(SQL("SELECT count(*) FROM %s WHERE %s IN %s",
                                      SQL.identifier(source), SQL.identifier(column),
                                      tuple(record_ids)))[0]
            if rows:
                found.append((source, column, on_delete, rows))
        return found
