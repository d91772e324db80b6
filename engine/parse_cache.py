# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Persistent cache of the Python summaries, keyed by each file's content hash.

Parsing is most of the static level's cost: a whole Odoo tree holds 41 MB of
Python. A summary (python_summary.PythonFile) depends only on the file's text and its
name in the module, so it is stored per module folder, next to the content
hash it was made from, and reused while the hash matches. A file's size,
mtime and inode are remembered too: when they have not changed, the file is
not even read (git's index works the same way).

The cache lives in a folder of the user running the validator and holds
only what this code wrote; a pack that cannot be read is ignored and
rebuilt. A change to the summarizing code changes the folder's name.
"""

import hashlib
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time

from . import file_problem, python_scope, python_summary, symbol_scan

_logger = logging.getLogger(__name__)


def _code_digest():
    """Digest of the code that makes summaries: another version never reads these packs."""
    digest = hashlib.blake2b(digest_size=8)
    # The import name too: pickles refer to classes by module path, and the engine
    # is imported as odoo.addons.module_validator.engine inside Odoo, as engine by benches.
    digest.update(sys.version.encode() + __name__.encode())
    for module in (python_summary, python_scope, symbol_scan, file_problem):
        with open(module.__file__, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


def default_directory():
    """The per-user cache folder (``$XDG_CACHE_HOME/module_validator/engine``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "module_validator", "engine")


def stat_key(path):
    """What tells, without reading it, that a file is unchanged; None if it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


# A file changed twice within the file system's timestamp granularity keeps its
# mtime: a stat key younger than this is not trusted (git's "racily clean" case).
RACY_NS = 2_000_000_000


def trusted_stat_key(key):
    """``key``, or None when the file changed too recently for its stat to prove anything."""
    if key is None or key[1] > time.time_ns() - RACY_NS:
        return None
    return key


def content_digest(data):
    return hashlib.blake2b(data, digest_size=16).digest()


# Entries unused for this long are deleted (prune): folders validated once, such
# as the temporary checkouts of a pre-push hook, leave entries nobody reads again.
UNUSED_DAYS = 30


def load_pickle(path):
    """The object pickled at ``path``, or None when it is missing or unreadable."""
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
        os.utime(path)  # used: kept by prune()
        return value
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged cache entry is only a miss
        _logger.debug("ignoring unreadable cache file %s", path, exc_info=True)
        return None


def store_pickle(path, value):
    """Write ``value`` atomically; a cache that cannot be written only costs time."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        _logger.debug("cannot write cache file %s", path, exc_info=True)


def folder_key(root):
    """File name part for a module folder: its real path, hashed, and its name."""
    return hashlib.blake2b(root.encode(), digest_size=10).hexdigest() + "-" + os.path.basename(root)


class ParseCache:
    """Python summaries of module folders, kept across runs and processes."""

    def __init__(self, directory=None):
        self.directory = os.path.join(directory or default_directory(), "python-" + CODE_DIGEST)
        self.parsed = 0  # files summarized by this process (the rest came from the cache)
        self.reused = 0

    def _pack_path(self, root):
        return os.path.join(self.directory, folder_key(root) + ".pickle")

    def summaries(self, module_index):
        """``{relative: PythonFile}`` of the module, parsing only what changed."""
        pack_path = self._pack_path(module_index.root)
        pack = load_pickle(pack_path)
        if not isinstance(pack, dict):
            pack = {}
        result, fresh = {}, {}
        changed = False
        for relative in module_index.python_files:
            key = stat_key(os.path.join(module_index.root, relative))
            entry = pack.get(relative)
            if entry is not None and key is not None and entry[0] == key:
                result[relative], fresh[relative] = entry[2], entry
                self.reused += 1
                continue
            try:
                source = module_index.read_bytes(relative)
            except file_problem.FileProblem as problem:
                result[relative] = python_summary.PythonFile(problem=problem)
                changed = True
                continue
            digest = content_digest(source)
            if entry is not None and entry[1] == digest:
                summary = entry[2]
                self.reused += 1
            else:
                summary = python_summary.summarize_python_source(relative, source)
                self.parsed += 1
            result[relative], fresh[relative] = summary, (trusted_stat_key(key), digest, summary)
            changed = True
        if changed or len(fresh) != len(pack):
            store_pickle(pack_path, fresh)
        return result


def prune(directory=None, current=()):
    """Delete what no run will read again: the folders of other engine versions than
    ``current`` (folder names), and entries unused for UNUSED_DAYS days."""
    directory = directory or default_directory()
    oldest = time.time() - UNUSED_DAYS * 86400
    try:
        folders = os.listdir(directory)
    except OSError:
        return
    for folder in folders:
        path = os.path.join(directory, folder)
        if folder not in current:
            shutil.rmtree(path, ignore_errors=True)
            continue
        for entry in os.scandir(path):
            try:
                if entry.stat().st_mtime < oldest:
                    os.unlink(entry.path)
            except OSError:
                continue
