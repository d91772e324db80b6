# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A module's code fingerprint: one hash of every file Odoo could load from it.

The same fingerprint on a validation result and on a deployment line proves
that the code deployed is the code validated. Byte-for-byte content and
relative paths count; timestamps, compiled files and VCS folders do not.
"""

import hashlib
import os

# Produced by running or editing the code, never part of what is deployed.
IGNORED_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".tox", ".pytest_cache", "node_modules"}
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
CHUNK = 1024 * 1024


def code_fingerprint(module_path):
    """Hex SHA-256 (first 16 characters) of the module folder, or "" when unreadable."""
    if not module_path or not os.path.isdir(module_path):
        return ""
    digest = hashlib.sha256()
    for relative in sorted(_files(module_path)):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(os.path.join(module_path, relative), "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):  # noqa: B023
                    digest.update(chunk)
        except OSError:
            digest.update(b"\0unreadable")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _files(root):
    # Links are not followed: a link out of the module is not its code.
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
        for name in files:
            if name.endswith(IGNORED_SUFFIXES) or name.startswith(".#"):
                continue
            full = os.path.join(folder, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            yield os.path.relpath(full, root).replace(os.sep, "/")
