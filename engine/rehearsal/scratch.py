# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Scratch and template databases on the PostgreSQL server.

Every identifier goes through ``psycopg2.sql.Identifier``; nothing is built by
string formatting. The live database is only ever *read* (``pg_dump``), so its
clients keep working: it is never used as a template, and its connections are
never terminated.
"""

import dataclasses
import os
import secrets
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql

SCRATCH_PREFIX = "mv_scratch_"
TEMPLATE_PREFIX = "mv_tpl_"
BUILD_PREFIX = "mv_tplbuild_"


class DatabaseError(Exception):
    """A database operation the rehearsal needs is impossible; the message says why."""


@dataclass(frozen=True)
class DatabaseServer:
    """Connection parameters, as Odoo's config holds them (False = libpq default)."""

    host: str | None = None
    port: str | None = None
    user: str | None = None
    password: str | None = None
    data_dir: str = ""
    # The role that owns the rehearsal databases (the sandbox role), if not ``user``.
    owner: str | None = None

    @classmethod
    def from_odoo_config(cls, config):
        def value(key):
            return config.get(key) or None

        return cls(value("db_host"), value("db_port") and str(config["db_port"]),
                   value("db_user"), value("db_password"), config["data_dir"])

    @classmethod
    def scratch_from_odoo_config(cls, config):
        """The server that holds rehearsal databases: Odoo's own, unless the
        configuration file's ``validator_scratch_db_host``, ``_port``, ``_user``
        and ``_password`` options name another PostgreSQL (one for rehearsals,
        so that their ``createdb -T`` and installs do not load the live one).
        Unset options keep Odoo's values."""
        live = cls.from_odoo_config(config)
        overrides = {}
        for field in ("host", "port", "user", "password"):
            value = config.get(f"validator_scratch_db_{field}")
            if value not in (None, False, ""):
                overrides[field] = str(value)
        return dataclasses.replace(live, **overrides)

    def connect(self, dbname="postgres"):
        params = {k: v for k, v in (("host", self.host), ("port", self.port),
                                    ("user", self.user), ("password", self.password)) if v}
        connection = psycopg2.connect(dbname=dbname, **params)
        connection.autocommit = True
        return connection

    def libpq_env(self):
        """Environment for pg_dump/psql: the password never appears in argv."""
        env = dict(os.environ)
        for key, value in (("PGHOST", self.host), ("PGPORT", self.port),
                           ("PGUSER", self.user), ("PGPASSWORD", self.password)):
            if value:
                env[key] = value
        return env

    def filestore(self, dbname):
        return os.path.join(self.data_dir, "filestore", dbname)

    # -- queries ---------------------------------------------------------------
    @contextmanager
    def cursor(self, dbname="postgres"):
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cr:
                yield cr
        finally:
            connection.close()

    def role_can_create_databases(self, role=None):
        """Whether ``role`` (default: the role Odoo connects with) may create databases."""
        with self.cursor() as cr:
            cr.execute("SELECT rolcreatedb OR rolsuper FROM pg_roles "
                       "WHERE rolname = COALESCE(%s, current_user)", (role,))
            row = cr.fetchone()
        return bool(row and row[0])

    def check_can_create_databases(self, role=None):
        if not self.role_can_create_databases(role):
            raise DatabaseError(
                "The PostgreSQL role of this Odoo server cannot create databases (it lacks "
                "CREATEDB), so the bulletproof level cannot make scratch databases. Grant it "
                "with: ALTER ROLE <role> CREATEDB, or run the bulletproof level elsewhere."
            )

    def exists(self, dbname):
        with self.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            return bool(cr.fetchone())

    def databases(self, prefix):
        with self.cursor() as cr:
            cr.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                       (prefix.replace("_", r"\_") + "%",))
            return [name for (name,) in cr.fetchall()]

    def module_state(self, dbname, module):
        try:
            with self.cursor(dbname) as cr:
                cr.execute("SELECT state FROM ir_module_module WHERE name = %s", (module,))
                row = cr.fetchone()
        except psycopg2.Error:
            return None
        return row[0] if row else None

    # -- lifecycle ---------------------------------------------------------------
    def _owner_clause(self):
        return sql.SQL(" OWNER {}").format(sql.Identifier(self.owner)) if self.owner else sql.SQL("")

    def create_empty(self, dbname):
        """A new empty database (owned by the sandbox role, if any), for odoo-bin to initialise."""
        with self.cursor() as cr:
            cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'unicode'{}").format(
                sql.Identifier(dbname), self._owner_clause()))

    def create_from_template(self, dbname, template):
        for attempt in range(10):
            try:
                with self.cursor() as cr:
                    cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                        sql.Identifier(dbname), sql.Identifier(template), self._owner_clause()))
                break
            except psycopg2.errors.ObjectInUse:
                # Another rehearsal is copying the same template right now.
                time.sleep(0.2 * (attempt + 1))
        else:
            raise DatabaseError(f"template database {template} stayed busy")
        self._copy_filestore(template, dbname)

    def copy_live(self, dbname, source, source_filestore=None, source_server=None):
        """Copy a database that has clients, without disturbing them (pg_dump).

        ``source_server``: where ``source`` lives, when it is not this server
        (rehearsals on a PostgreSQL of their own). With a sandbox role, the copy
        and every object in it belong to that role."""
        with self.cursor() as cr:
            cr.execute(sql.SQL("CREATE DATABASE {}{}").format(sql.Identifier(dbname), self._owner_clause()))
        env = self.libpq_env()
        dump = subprocess.Popen(["pg_dump", "--no-owner", "--no-privileges", source],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=(source_server or self).libpq_env())
        restore_env = dict(env, PGOPTIONS=f"-c role={self.owner}") if self.owner else env
        restore = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", dbname],
                                 stdin=dump.stdout, capture_output=True, env=restore_env, check=False)
        dump.stdout.close()
        dump_err = dump.stderr.read().decode(errors="replace")
        if dump.wait() != 0 or restore.returncode != 0:
            raise DatabaseError(f"copying database {source} failed: "
                                f"{(dump_err or restore.stderr.decode(errors='replace'))[:500]}")
        if source_filestore and os.path.isdir(source_filestore):
            shutil.copytree(source_filestore, self.filestore(dbname), dirs_exist_ok=True)
        else:
            self._copy_filestore(source, dbname)

    def rename(self, old, new):
        with self.cursor() as cr:
            cr.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(old), sql.Identifier(new)))
        if os.path.isdir(self.filestore(old)):
            # The database ``new`` did not exist (the rename succeeded): a folder
            # of that name is a leftover of a dropped one, not data to keep.
            shutil.rmtree(self.filestore(new), ignore_errors=True)
            os.replace(self.filestore(old), self.filestore(new))

    def drop(self, dbname):
        """Drop a database of ours, ending its own leftover sessions first."""
        if not dbname.startswith((SCRATCH_PREFIX, TEMPLATE_PREFIX, BUILD_PREFIX)):
            raise DatabaseError(f"refusing to drop {dbname}: not a rehearsal database")
        with self.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,))
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
        shutil.rmtree(self.filestore(dbname), ignore_errors=True)

    def _copy_filestore(self, source, target):
        if os.path.isdir(self.filestore(source)):
            shutil.copytree(self.filestore(source), self.filestore(target), dirs_exist_ok=True)

    @contextmanager
    def advisory_lock(self, key):
        """Serialise template builds across processes (key: a 63-bit integer)."""
        connection = self.connect()
        try:
            with connection.cursor() as cr:
                cr.execute("SELECT pg_advisory_lock(%s)", (key,))
                yield
                cr.execute("SELECT pg_advisory_unlock(%s)", (key,))
        finally:
            connection.close()


# -- the sandbox role ------------------------------------------------------------
def setup_sandbox_role(server, role):
    """Create (or reset) the PostgreSQL role rehearsals connect as; returns its new password.

    The role may log in and nothing else: no superuser, no role or database
    creation. The server's role becomes a member of it, so that it creates
    the rehearsal databases owned by it, and drops them. Every other database
    of the server stops granting CONNECT to PUBLIC (the PostgreSQL default)
    and grants it to its owner and to the server's role instead: the sandbox
    role can then connect only to the databases it owns. Roles that relied
    on PUBLIC's CONNECT must be granted it explicitly afterwards."""
    password = secrets.token_urlsafe(24)
    with server.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        verb = "ALTER" if cr.fetchone() else "CREATE"
        cr.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                           "PASSWORD %s").format(sql.Identifier(role)), (password,))
        cr.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role)))
        lock_out_of_other_databases(cr, role)
        # odoo-bin -d X first connects to the maintenance database to ask
        # whether X exists; it holds no data of any Odoo database.
        cr.execute(sql.SQL("GRANT CONNECT ON DATABASE postgres TO {}").format(sql.Identifier(role)))
    return password


def lock_out_of_other_databases(cr, role):
    """Revoke PUBLIC's CONNECT on every database ``role`` does not own (see setup_sandbox_role)."""
    cr.execute("SELECT d.datname, pg_get_userbyid(d.datdba) FROM pg_database d "
               "WHERE NOT d.datistemplate AND d.datallowconn AND d.datdba <> "
               "(SELECT oid FROM pg_roles WHERE rolname = %s)", (role,))
    locked, refused = [], []
    for dbname, owner in cr.fetchall():
        try:  # the connection is in autocommit: a refusal ends only its own statement
            cr.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, CURRENT_USER").format(
                sql.Identifier(dbname), sql.Identifier(owner)))
            cr.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname)))
            locked.append(dbname)
        except psycopg2.Error:
            refused.append(dbname)  # not ours to change: its owner must do it
    return locked, refused


def scratch_name():
    return f"{SCRATCH_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"


def drop_orphans(server):
    """Drop scratch databases whose rehearsal process (on this machine) died
    without cleaning up: their names carry the PID."""
    dropped = []
    for dbname in server.databases(SCRATCH_PREFIX) + server.databases(BUILD_PREFIX):
        pid = dbname.split("_")[2] if dbname.count("_") >= 3 else ""
        if pid.isdigit() and _process_alive(int(pid)):
            continue
        server.drop(dbname)
        dropped.append(dbname)
    return dropped


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
