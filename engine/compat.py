# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What differs between the Odoo series this addon runs on (18.0 and 19.0), in one place.

Everything else in the addon is written once, in the spelling both series
accept. Each helper below names the difference it hides; the 19.0 side is
taken from the 19.0 sources (dev/odoo19-notes.md gives file and line).
"""

import functools


# The series this addon runs on; the first is the default.
SERIES = ("18.0", "19.0")


@functools.cache
def major():
    """The running Odoo's major version: 18 or 19."""
    from odoo import release  # noqa: PLC0415 - odoo is imported only when asked

    return release.version_info[0]


def series():
    """The running Odoo's series, e.g. "18.0"."""
    return f"{major()}.0"


def is_19():
    return major() >= 19


# -- command lines ---------------------------------------------------------

def demo_args(demo, series=None):
    """``odoo-bin`` arguments for a database with (or without) demo data, for
    the Odoo of ``series`` (default: the running one).

    18.0 installs demo data unless ``--without-demo=all``; 19.0 installs none
    unless ``--with-demo``, and warns that ``=all`` is not a boolean.
    """
    if (series != "18.0") if series else is_19():
        return ["--with-demo"] if demo else ["--without-demo"]
    return [] if demo else ["--without-demo=all"]


# -- the server -----------------------------------------------------------

def odoo_source_root():
    """The folder that holds the ``odoo`` package (the source tree): 19.0's ``odoo``
    is a namespace package, without ``__file__``."""
    import os  # noqa: PLC0415

    import odoo  # noqa: PLC0415

    return os.path.dirname(os.path.abspath(next(iter(odoo.__path__))))


def config_file():
    """The server's configuration file, or None: 19.0 moved it from
    ``config.rcfile`` (deprecated there) to ``config['config']``."""
    from odoo.tools import config  # noqa: PLC0415

    return config["config"] if is_19() else config.rcfile


def addons_path_option():
    """The server's addons path as ``--addons-path`` takes it: 19.0 keeps a list."""
    from odoo.tools import config  # noqa: PLC0415

    value = config["addons_path"]
    return value if isinstance(value, str) else ",".join(value)


def database_option():
    """The server's ``-d`` / ``db_name`` as given, comma-separated ("" when unset):
    19.0 keeps a list (and fills it from PGDATABASE)."""
    from odoo.tools import config  # noqa: PLC0415

    value = config["db_name"] or ""
    return value if isinstance(value, str) else ",".join(value)


def in_test():
    """Whether this thread runs Odoo's tests: a test's transaction must never
    be committed. 18.0 marks the test thread; 19.0 only says that a test runs,
    and runs them in the main thread (other threads: HTTP requests, workers
    a test starts, whose cursors may commit)."""
    import threading  # noqa: PLC0415

    from odoo.modules import module  # noqa: PLC0415

    if is_19():
        return bool(module.current_test) and threading.current_thread() is threading.main_thread()
    return getattr(threading.current_thread(), "testing", False)


def registry_test_mode(case):
    """Context in which the registry's new cursors are the test ``case``'s
    transaction (a command or a scheduled action that opens its own cursor):
    19.0 moved this from the registry to the test case."""
    import contextlib  # noqa: PLC0415

    if is_19():
        return case.enter_registry_test_mode()

    @contextlib.contextmanager
    def test_mode():
        case.env.flush_all()
        case.registry.enter_test_mode(case.cr)
        try:
            yield
        finally:
            case.registry.leave_test_mode()
            case.env.invalidate_all()

    return test_mode()


def allow_outside_requests(case):
    """Context in which the HTTP test ``case`` serves requests from other
    processes (a client, curl): 19.0 refuses those that lack its test cookie."""
    import contextlib  # noqa: PLC0415

    return case.allow_requests(all_requests=True) if is_19() else contextlib.nullcontext()


def odoo_root_path():
    """The ``odoo`` package folder: 19.0 made it a property of the configuration."""
    from odoo.tools import config  # noqa: PLC0415

    return config.root_path if is_19() else config["root_path"]


# -- HTTP ------------------------------------------------------------------

def json_route_type():
    """``@http.route(type=...)`` of a JSON-RPC route: 19.0 renamed 'json' to 'jsonrpc'
    (and warns on the old name); 18.0 rejects the new one."""
    return "jsonrpc" if is_19() else "json"


# -- models ----------------------------------------------------------------

def sql_constraints(*constraints):
    """Class decorator declaring ``(name, definition, message)`` SQL constraints.

    18.0 reads ``_sql_constraints``; 19.0 ignores it (with a WARNING) and reads
    ``models.Constraint`` attributes named ``_<name>``. Both give the database
    constraint the same name, ``<table>_<name>``, so a database keeps its
    constraints across the series.
    """
    def declare(cls):
        from odoo import models  # noqa: PLC0415

        if is_19():
            for name, definition, message in constraints:
                constraint = models.Constraint(definition, message)
                setattr(cls, f"_{name}", constraint)
                # __set_name__ runs for class-body attributes only: it registers the
                # constraint on the definition class, as the class body would.
                constraint.__set_name__(cls, f"_{name}")
        else:
            cls._sql_constraints = [*cls.__dict__.get("_sql_constraints", []), *constraints]
        return cls

    return declare


def groups_field():
    """Name of the groups field of actions, views, menus and users: 19.0 renamed
    ``groups_id`` to ``group_ids``."""
    return "group_ids" if is_19() else "groups_id"


def restrict_to_groups(records, groups):
    """Give ``records`` (actions, menus, views) the access groups ``groups``."""
    records.write({groups_field(): [(6, 0, groups.ids)]})


def set_groups_category(groups, category, privilege_xmlid):
    """Show ``groups`` under the application ``category`` in the user form.

    18.0 sets ``res.groups.category_id``; 19.0 puts groups in a privilege
    (``res.groups.privilege``) that carries the category. The privilege gets
    the xmlid ``privilege_xmlid`` of this module, so it goes with it on uninstall.
    """
    env = groups.env
    if not is_19():
        groups.write({"category_id": category.id})
        return
    privilege = env.ref(privilege_xmlid, raise_if_not_found=False)
    if privilege is None:
        privilege = env["res.groups.privilege"].create({"name": category.name, "category_id": category.id})
        module, _dot, name = privilege_xmlid.partition(".")
        env["ir.model.data"].create({"module": module, "name": name, "model": privilege._name,
                                     "res_id": privilege.id, "noupdate": True})
    groups.write({"privilege_id": privilege.id})


def settings_action_values():
    """Values of a window action that opens settings (res.config.settings) the
    way the series' own do: 18.0 opens them inline, 19.0 has no such target."""
    return {} if is_19() else {"target": "inline"}


def commit_cron_progress(env, done, remaining):
    """Tell the running scheduled action its progress: 19.0 renamed
    ``_notify_progress`` to ``_commit_progress`` (which also commits, as the
    cron runner does after the call on 18.0)."""
    cron = env["ir.cron"]
    if is_19():
        # It commits, where 18.0 leaves that to the cron runner. Outside a cron
        # run it would only commit: a caller's transaction (a request, a test)
        # is not this function's to end.
        if env.context.get("ir_cron_progress_id") and not in_test():
            cron._commit_progress(done, remaining=remaining)
    else:
        cron._notify_progress(done=done, remaining=remaining)
