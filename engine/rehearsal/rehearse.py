# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fresh-install and upgrade rehearsals, judged like an odoo.sh build.

Fresh install: copy a cached template database holding the module's
dependency closure (keyed by the closure and the code that built it), then
``odoo-bin -i module`` in a separate process, with and without demo data.
Upgrade: copy the live database with pg_dump, then ``odoo-bin -u module``.
Scratch databases and filestores are dropped in every case.
"""

import dataclasses
import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from .. import compat
from ..discovery import find_manifest
from ..rules.registry import Issue
from . import build_log
from .sandbox import Sandbox, load_role_password, sandbox_data_dir, uses_unix_socket
from .scratch import BUILD_PREFIX, TEMPLATE_PREFIX, scratch_name

DEFAULT_TIMEOUT_S = 300


def _positive_int(value, name, default):
    """``value`` when it is a positive integer (a database setting), else the
    environment variable ``name`` when it is one, else ``default``."""
    for candidate in (value, os.environ.get(name, "")):
        candidate = str(candidate or "").strip()
        if candidate.isdigit() and int(candidate) > 0:
            return int(candidate)
    return default


def timeout_from_env(configured=None):
    """Seconds one install or upgrade may take: ``configured`` (the database's
    setting) when positive, else ``ODOO_VALIDATION_TIMEOUT``, else 300."""
    return _positive_int(configured, "ODOO_VALIDATION_TIMEOUT", DEFAULT_TIMEOUT_S)


def rehearse_parallelism(configured=None):
    """Rehearsals run at once: ``configured`` (the database's setting) when
    positive, else ``ODOO_VALIDATION_PARALLEL``, else the number of cores."""
    return _positive_int(configured, "ODOO_VALIDATION_PARALLEL", os.cpu_count() or 1)


@dataclass
class Launcher:
    """How to start odoo-bin: interpreter, entry point, addons path, server."""

    command: list
    addons_path: str
    server: object
    timeout_s: int = DEFAULT_TIMEOUT_S
    odoo_version: str = ""
    env: dict | None = None
    sandbox: Sandbox | None = None
    # (user, password) the rehearsed code connects with: the sandbox role, once set up.
    role: tuple | None = None
    live_data_dir: str = ""  # the server's own data_dir (upgrade copies take its filestore)
    live_server: object = None  # where the live database is, when rehearsals use another server
    series: str = ""  # of the Odoo it starts, when not the running one (porting.py)

    def run(self, dbname, args, log_path):
        """Run odoo-bin on ``dbname``; returns ``(exit code or None on timeout, log text)``."""
        user, password = self.role or (self.server.user, self.server.password)
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as conf:
            # Connection parameters go in a private file, never on the command line.
            os.chmod(conf.name, 0o600)
            conf.write("[options]\n")
            for key, value in (("db_host", self.server.host), ("db_port", self.server.port),
                               ("db_user", user), ("db_password", password)):
                # Unset ones are left out: their default is the same, and 19.0
                # warns that "False" is not a boolean option.
                if value:
                    conf.write(f"{key} = {value}\n")
            conf.write(f"data_dir = {self.server.data_dir}\naddons_path = {self.addons_path}\n")
        command = [*self.command, f"--addons-path={self.addons_path}", "-c", conf.name,
                   "-d", dbname, "--stop-after-init", "--max-cron-threads=0", "--workers=0",
                   f"--http-port={free_port()}", "--http-interface=127.0.0.1", "--log-level=info", f"--logfile={log_path}.odoo", *args]
        env, preexec = self.env, None
        if self.sandbox:
            sandbox = self.sandbox
            if "--test-enable" in args:
                # Browser tours start Chromium, which reserves far more address
                # space than it uses: only the other limits apply.
                sandbox = dataclasses.replace(sandbox, address_space=0)
            command = sandbox.wrap(command)
            env = sandbox.environment(self.env if self.env is not None else os.environ)
            preexec = sandbox.limit_resources
        # Output before logging starts (a crash at import, a bad option) lands
        # in the same file as the log.
        with open(log_path, "w", encoding="utf-8") as early_output:
            process = subprocess.Popen(command, stdout=early_output, stderr=subprocess.STDOUT,
                                       start_new_session=True, env=env, preexec_fn=preexec)
        try:
            code = process.wait(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            stop_process_group(process)
            code = None
        finally:
            os.unlink(conf.name)
        text = ""
        for path in (log_path, f"{log_path}.odoo"):
            if os.path.exists(path):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text += handle.read()
                os.unlink(path)
        for secret in {self.server.password, password} - {None, ""}:
            text = text.replace(secret, "********")
        return code, text


def holds_modules(folder):
    """Odoo refuses an addons path entry without any module (e.g. an empty data_dir/addons)."""
    try:
        return any(find_manifest(os.path.join(folder, entry)) for entry in os.listdir(folder))
    except OSError:
        return False


def odoo_launcher(extra_paths=(), timeout_s=None, sandbox_role=None):
    """A launcher for the running Odoo: same interpreter, addons path and database server,
    confined by the sandbox (``sandbox.py``).

    ``timeout_s``: the database's rehearsal timeout setting, if any (see
    ``timeout_from_env``). ``sandbox_role``: the PostgreSQL role set up for
    rehearsals (``setup_sandbox_role``), if any; its password is read from
    the private data folder where setup left it."""
    import odoo  # noqa: PLC0415 - the engine imports Odoo only where it drives it
    from odoo import release  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    from .scratch import DatabaseServer  # noqa: PLC0415

    live = DatabaseServer.from_odoo_config(config)
    scratch = DatabaseServer.scratch_from_odoo_config(config)
    timeout = timeout_from_env(timeout_s)
    private_dir = sandbox_data_dir(live.data_dir)
    if (scratch.host, scratch.port) != (live.host, live.port):
        # Template databases of another server have the same names: their
        # filestores must not meet.
        server_key = hashlib.sha256(f"{scratch.host}:{scratch.port}".encode()).hexdigest()[:12]
        private_dir = os.path.join(private_dir, f"server-{server_key}")
    role_password = load_role_password(live.data_dir, sandbox_role) if sandbox_role else None
    server = dataclasses.replace(scratch, data_dir=private_dir,
                                 owner=sandbox_role if role_password else None)
    home = os.path.join(private_dir, "home")
    os.makedirs(home, mode=0o700, exist_ok=True)
    return Launcher(
        command=[sys.executable, "-m", "odoo"],
        # The folders this process really scans: an --addons-path given before
        # the command stays in odoo.addons.__path__ even when a configuration
        # file then replaces config["addons_path"].
        addons_path=",".join(dict.fromkeys(
            path for path in [*extra_paths, *odoo.addons.__path__] if holds_modules(path)
        )),
        server=server,
        timeout_s=timeout,
        odoo_version=release.version,
        env=dict(os.environ, PYTHONPATH=compat.odoo_source_root()),
        sandbox=Sandbox(home=home, cpu_seconds=2 * timeout,
                        hidden_files=tuple(path for path in (compat.config_file(),) if path),
                        unix_socket=uses_unix_socket(scratch.host)),
        role=(sandbox_role, role_password) if role_password else None,
        live_data_dir=live.data_dir,
        live_server=live,
    )


def stop_process_group(process):
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_stamp(path):
    """Cheap cache key: changes when any file of the module changes (names, sizes, mtimes)."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(f"{os.path.relpath(folder, path)}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Rehearsal:
    """Rehearses installs and upgrades of modules of one catalog."""

    def __init__(self, launcher, catalog, *, with_tests=False, work_dir=None):
        self.launcher = launcher
        self.server = launcher.server
        self.catalog = catalog
        self.with_tests = with_tests
        self.work_dir = work_dir or tempfile.mkdtemp(prefix="mv_rehearsal_")

    # -- fresh install ---------------------------------------------------------
    def fresh_install(self, module, demo):
        """Issues of ``odoo-bin -i module`` on a copy of its closure's template."""
        closure = self.catalog.closure(module.name) or ["base"]
        template, issues = self.template(closure, demo)
        if issues:
            return [("TST001", issue) for issue in issues]
        args = ["-i", module.name] + compat.demo_args(demo, self.launcher.series)
        label = "install with demo data" if demo else "install without demo data"
        return self._in_scratch(module, lambda scratch: self.server.create_from_template(scratch, template),
                                args, label, "TST001")

    def template(self, closure, demo):
        """Name of a template database holding ``closure``; built on first use."""
        # Who owns the template and where its files are are part of what it is.
        key_source = "\n".join([self.launcher.odoo_version, f"demo={demo}",
                                f"owner={self.server.owner}", f"data_dir={self.server.data_dir}"] + [
            f"{name}:{tree_stamp(self.catalog.get(name).path)}" for name in sorted(closure)
        ])
        key = hashlib.sha256(key_source.encode()).hexdigest()[:20]
        template = f"{TEMPLATE_PREFIX}{key}"
        with self.server.advisory_lock(int(key[:15], 16)):
            if self.server.exists(template):
                return template, []
            build = f"{BUILD_PREFIX}{os.getpid()}_{key[:8]}"
            try:
                if self.server.owner:
                    # The sandbox role creates no database: it gets an empty one it owns.
                    self.server.create_empty(build)
                args = ["-i", ",".join(closure)] + compat.demo_args(demo, self.launcher.series)
                code, text = self.launcher.run(build, args, self._log_path(build))
                judgement = build_log.judge(build_log.parse(text), "")
                if code == 0 and not judgement.errors:
                    self.server.rename(build, template)
                    return template, []
            finally:
                if self.server.exists(build):
                    self.server.drop(build)
        roots = self._path_roots()
        causes = build_log.root_causes(judgement.errors, roots)
        return None, [Issue(
            "", None,
            f"The dependencies ({', '.join(closure)}) do not install on a fresh database "
            f"(exit {code}), so this module cannot either"
            + (": " + "\n".join(cause.summary for cause in causes[:3]) if causes else "."),
            key="closure",
            excerpt="\n\n".join(cause.excerpt(roots) for cause in causes[:3]) or None,
        )]

    # -- upgrade -------------------------------------------------------------------
    def upgrade(self, module, source_db):
        """Issues of ``odoo-bin -u module`` on a pg_dump copy of ``source_db``."""
        live_filestore = (os.path.join(self.launcher.live_data_dir, "filestore", source_db)
                          if self.launcher.live_data_dir else None)
        return self._in_scratch(module, lambda scratch: self.server.copy_live(
                                    scratch, source_db, source_filestore=live_filestore,
                                    source_server=self.launcher.live_server),
                                ["-u", module.name], "upgrade", "TST002")

    def _in_scratch(self, module, fill, args, label, failure_code):
        """Fill a scratch database, run odoo-bin on it, judge, and always drop it."""
        if self.with_tests:
            args = [*args, "--test-enable", f"--test-tags=/{module.name}"]
        scratch = scratch_name()
        try:
            fill(scratch)
            code, text = self.launcher.run(scratch, args, self._log_path(scratch))
            state = self.server.module_state(scratch, module.name)
        finally:
            self.server.drop(scratch)
        return self._judge(module, code, text, state, label, failure_code)

    # -- judgement -------------------------------------------------------------------
    def _judge(self, module, code, text, state, label, failure_code):
        """Issues from exit code, module state and log, each tagged with its rule code."""
        issues = []
        if code is None:
            issues.append((failure_code, Issue(
                "", None, f"The {label} timed out after {self.launcher.timeout_s} s.", key="timeout")))
            return issues
        judgement = build_log.judge(build_log.parse(text), module.name)
        roots = self._path_roots()
        failed = code not in (0, 1) or state != "installed" or bool(judgement.errors)
        # ERROR lines of an install or upgrade that still completed: a red build.
        impact = "build" if code in (0, 1) and state == "installed" else "install"
        # One finding per root cause: the exception and where the module raised it;
        # the records that show it (tracebacks included) go to the excerpt.
        for cause in build_log.root_causes(judgement.errors, roots):
            path, line = self._location(cause.records, module)
            issues.append((failure_code, Issue(
                path, line, f"The {label} fails: {cause.summary}",
                key=f"{label}:{cause.key()}", impact=impact, excerpt=cause.excerpt(roots))))
        for record in judgement.demo_failures:
            issues.append(("TST004", Issue(
                "", None, f"The {label} logs: {build_log.relativize(record.message.strip(), roots)}",
                key=label, excerpt=build_log.trim(build_log.relativize(record.text, roots)))))
        for record in judgement.failed_tests:
            path, line = record.location(module.path)
            summary = build_log.summarize(record, roots)
            issues.append(("TST003", Issue(
                path or "", line, f"A test fails ({label}): {record.message.strip()}\n{summary}",
                key=f"{label}:{record.message[:200]}",
                excerpt=build_log.trim(build_log.relativize(record.text, roots)))))
        for record in judgement.warnings:
            # What Odoo logs because the install failed is not a second problem.
            if failed and build_log.is_consequence(record):
                continue
            path, line = record.location(module.path)
            first, *more = build_log.relativize(record.text, roots).splitlines() or [""]
            issues.append(("TST006", Issue(
                path or "", line, f"The {label} logs WARNING ({record.logger}): {first.strip()}",
                key=f"{label}:{record.logger}:{record.message[:200]}",
                excerpt=build_log.trim("\n".join([first, *more])) if more else None)))
        if code not in (0, 1) and not judgement.errors:
            issues.append((failure_code, Issue(
                "", None, f"odoo-bin exited with status {code} during the {label}.", key=f"exit:{label}")))
        if code == 1 and not judgement.failed_tests and not judgement.errors:
            issues.append((failure_code, Issue(
                "", None, f"odoo-bin exited with status 1 during the {label}.", key=f"exit:{label}")))
        if state != "installed" and not any(rule == failure_code for rule, _ in issues):
            issues.append((failure_code, Issue(
                "", None, f"After the {label} the module's state is {state or 'unknown'}, "
                "not installed (Odoo ignored or rolled it back).", key=f"state:{label}")))
        return issues

    def _path_roots(self):
        """Folders a log's paths are made relative to: the addons path, then
        Python's path (Odoo's own files and libraries), never a server path."""
        python_path = (self.launcher.env or {}).get("PYTHONPATH", "").split(os.pathsep)
        return [*self.launcher.addons_path.split(","), *python_path, *sys.path]

    @staticmethod
    def _location(records, module):
        """``(path, line)`` in ``module`` named last by ``records``; a missing
        dependency points at the manifest."""
        path, line = "", None
        for record in records:
            found, found_line = record.location(module.path)
            if found:
                path, line = found, found_line
        if not path and any(build_log.MISSING_DEPENDENCY in record.text for record in records):
            path = "__manifest__.py"
        return path, line

    def module_issues(self, module, source_db=None):
        """Every rehearsal of one module: ``[(rule code, Issue)]``.

        Fresh install with demo data (an odoo.sh development build) and without
        (production); an upgrade of a copy of ``source_db`` when the module is
        installed there.
        """
        issues = self.fresh_install(module, demo=True) + self.fresh_install(module, demo=False)
        if source_db and module.installed:
            issues += self.upgrade(module, source_db)
        return issues

    def _log_path(self, dbname):
        return os.path.join(self.work_dir, f"{dbname}.log")
