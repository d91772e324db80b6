# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bulletproof level's sandbox: what a rehearsed module's code may reach.

A rehearsal runs code written by others. It runs:

* as a dedicated PostgreSQL role (``setup_role``) that owns only the scratch
  and template databases, and may not connect to any other database;
* with a private ``data_dir`` and HOME, and a stripped environment: no server
  secrets, no ``PG*`` variable but the host and port it needs;
* under resource limits (CPU time, address space, open files, processes);
* where the machine allows it (``unshare``: root, or unprivileged user
  namespaces), in its own network namespace with only a loopback (when
  PostgreSQL is reached through its Unix socket), its own PID namespace (the
  server's processes and their environments are invisible) and its own mount
  namespace in which the server's configuration file reads as empty.

``probe()`` says which of the namespaces work here; without ``unshare`` the
rehearsal runs with the other protections only, and says so in its notes.
"""

import functools
import os
import resource
import shutil
import subprocess
from dataclasses import dataclass, field

# Variables a rehearsal keeps from the server's environment: nothing secret.
KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH",
                  "PYTHONDONTWRITEBYTECODE")
DEFAULT_ROLE = "mv_sandbox"
ADDRESS_SPACE_BYTES = 6 * 1024 ** 3
OPEN_FILES = 4096
PROCESSES = 256  # on top of the processes that already run


@dataclass(frozen=True)
class Sandbox:
    """How to start one rehearsal's ``odoo-bin`` confined."""

    home: str  # private folder: HOME, TMPDIR
    cpu_seconds: int = 0  # 0: no CPU-time limit
    hidden_files: tuple = ()  # e.g. the server's configuration file
    unix_socket: bool = True  # PostgreSQL reached without the network
    address_space: int = ADDRESS_SPACE_BYTES  # 0: no limit
    extra_env: dict = field(default_factory=dict)

    def environment(self, base_env):
        """The server's environment stripped to what a rehearsal needs."""
        env = {key: value for key, value in base_env.items() if key in KEPT_VARIABLES}
        # Where PostgreSQL listens is not a secret; who connects and how is
        # in the rehearsal's private configuration file.
        for key in ("PGHOST", "PGPORT"):
            if base_env.get(key):
                env[key] = base_env[key]
        env.update(HOME=self.home, TMPDIR=self.home, **self.extra_env)
        return env

    def limit_resources(self):
        """``preexec_fn``: the child's resource limits (runs in the child, before exec)."""
        running = sum(1 for entry in os.listdir("/proc") if entry.isdigit())
        limits = [(resource.RLIMIT_NOFILE, OPEN_FILES), (resource.RLIMIT_NPROC, running + PROCESSES)]
        if self.address_space:
            limits.append((resource.RLIMIT_AS, self.address_space))
        if self.cpu_seconds:
            limits.append((resource.RLIMIT_CPU, self.cpu_seconds))
        for kind, value in limits:
            _soft, hard = resource.getrlimit(kind)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (value, hard))

    def wrap(self, command):
        """``command`` inside the namespaces this machine offers."""
        kinds = probe()
        if not kinds:
            return list(command)
        flags = ["--fork", "--pid", "--mount-proc", "--mount"]
        if os.geteuid() != 0:
            flags.append("--map-root-user")
        network = "net" in kinds and self.unix_socket
        if network:
            flags.append("--net")
        # Inside: loopback up (Odoo's HTTP server binds it), the server's
        # configuration replaced by an empty file, then the command itself.
        script = ('[ "$MV_SANDBOX_NET" = 1 ] && ip link set lo up 2>/dev/null; '
                  'for hidden in $MV_SANDBOX_HIDE; do [ -e "$hidden" ] && mount --bind /dev/null "$hidden"; done; '
                  'exec "$@"')
        return ["env", f"MV_SANDBOX_NET={int(network)}",
                f"MV_SANDBOX_HIDE={' '.join(path for path in self.hidden_files if ' ' not in path)}",
                "unshare", *flags, "sh", "-c", script, "sandbox", *command]

    def notes(self):
        kinds = probe()
        if not kinds:
            return ["The rehearsal ran without namespaces (unshare is not available here): its "
                    "network, processes and files are those of the server's user."]
        if "net" not in kinds or not self.unix_socket:
            return ["The rehearsal had network access: PostgreSQL is reached over TCP, so the "
                    "rehearsal keeps the host's network."]
        return []


def sandbox_data_dir(data_dir):
    """The rehearsals' own data folder (filestores of scratch and template databases)."""
    folder = os.path.join(data_dir or os.path.expanduser("~"), "module_validator_sandbox")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def _role_file(data_dir, role):
    return os.path.join(data_dir or os.path.expanduser("~"), "module_validator_secrets", f"{role}.pgpass")


def save_role_password(data_dir, role, password):
    """Keep the sandbox role's password where only this server's user reads it."""
    path = _role_file(data_dir, role)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password)
    return path


def load_role_password(data_dir, role):
    try:
        with open(_role_file(data_dir, role)) as handle:
            return handle.read().strip() or None
    except OSError:
        return None


@functools.cache
def probe():
    """The namespaces ``unshare`` can create here: a frozenset of ``net``/``pid``/``mount``."""
    if not shutil.which("unshare"):
        return frozenset()
    base = ["unshare", "--fork", "--pid", "--mount-proc", "--mount"]
    if os.geteuid() != 0:
        base.append("--map-root-user")
    try:
        if subprocess.run([*base, "true"], capture_output=True, timeout=10, check=False).returncode:
            return frozenset()
        net = subprocess.run([*base, "--net", "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset({"pid", "mount"} | ({"net"} if net.returncode == 0 else set()))


def uses_unix_socket(host):
    """True when libpq reaches PostgreSQL through a Unix socket (no host, or a path)."""
    host = host or os.environ.get("PGHOST", "")
    return not host or host.startswith("/")
