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


# Translations are read by no rule of the engine (custom rules, which may read
# anything, are never cached): a stamp need not stat the thousands of .po files.
# A rule that comes to read them must take them out of here.
STAMP_IGNORED = (*IGNORED_SUFFIXES, ".po", ".pot")


def folder_stamp(module_path):
    """``(stamp, newest mtime in ns)``: paths, sizes and modification times only.

    Files are not read, so a whole addons tree is stamped in a fraction of a
    second; any edit, copy or checkout changes the stamp (result_cache.py).
    The files are those of code_fingerprint(), found with one stat each.
    """
    entries = []
    if module_path and os.path.isdir(module_path):
        _stat_files(module_path, "", entries)
    entries.sort()
    digest = hashlib.blake2b(repr(entries).encode("utf-8", "surrogateescape"), digest_size=16)
    return digest.hexdigest(), max((entry[2] for entry in entries), default=0)


def _stat_files(folder, prefix, entries):
    try:
        scan = os.scandir(folder)
    except OSError:
        return
    with scan:
        for entry in scan:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in IGNORED_DIRS:
                        _stat_files(entry.path, f"{prefix}{name}/", entries)
                elif (entry.is_file(follow_symlinks=False) and not name.endswith(STAMP_IGNORED)
                        and not name.startswith(".#")):
                    stat = entry.stat(follow_symlinks=False)
                    entries.append((prefix + name, stat.st_size, stat.st_mtime_ns, stat.st_ino))
            except OSError:
                entries.append((prefix + name, -1, 0, 0))
