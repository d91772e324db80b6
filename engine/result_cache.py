# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Static results kept across runs: a module is validated again only when
something it was validated against has changed.

A module's static findings depend on the files of the modules it read (its
closure, and any other module a rule looked at), on which modules exist on
the addons paths, on the interpreter's answers about external dependencies,
and on the rules themselves. Each entry records all of these; it is reused
only while every one is unchanged. File changes are seen through stamps
(paths, sizes, modification times: code_fingerprint.folder_stamp), so an
unchanged module is never read. Dynamic and bulletproof results are never
cached: they depend on a database.
"""

import hashlib
import os
import time

from .code_fingerprint import folder_stamp
from .parse_cache import CODE_DIGEST, RACY_NS, default_directory, folder_key, load_pickle, prune, store_pickle
from .rules.registry import INTERNAL_ERROR

ENGINE_FOLDER = os.path.dirname(os.path.abspath(__file__))


def _engine_digest():
    """Digest of every engine source file: new rules or fixes never reuse old results."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(__name__.encode())
    for folder, dirs, files in os.walk(ENGINE_FOLDER):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as handle:
                    digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()


ENGINE_DIGEST = _engine_digest()


class ResultCache:
    """Per-module static reports of one catalog and one set of rules."""

    def __init__(self, facts, rules, directory=None):
        self.facts = facts
        self.directory = os.path.join(directory or default_directory(), "results-" + ENGINE_DIGEST)
        signature = repr((facts.series, sorted((rule.code, severity) for rule, severity in rules)))
        self.context = hashlib.blake2b(signature.encode(), digest_size=16).hexdigest()
        self.catalog_digest = self._catalog_digest(facts.catalog)
        self._stamps = {}
        self.hits = 0

    @staticmethod
    def _catalog_digest(catalog):
        """Which modules exist where, and their manifests: any change is seen by every module."""
        digest = hashlib.blake2b(digest_size=16)
        for name in sorted(catalog.modules):
            source = catalog.modules[name]
            try:
                stat = os.stat(os.path.join(source.path, source.manifest_file))
                manifest = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            except (OSError, TypeError):
                manifest = None
            digest.update(repr((name, source.path, manifest, source.installed)).encode())
        digest.update(repr(sorted(catalog.shadowed)).encode())
        return digest.hexdigest()

    def stamp_entry(self, name):
        """``(stamp, newest mtime)`` of a module's files, taken once per process or
        received from another process of the run (``add_stamps``)."""
        if name not in self._stamps:
            source = self.facts.catalog.get(name)
            self._stamps[name] = folder_stamp(source.path) if source else (None, 0)
        return self._stamps[name]

    def stamp(self, name):
        return self.stamp_entry(name)[0]

    def add_stamps(self, entries):
        """Stamps another process took in this run (``{name: stamp_entry(name)}``)."""
        for name, entry in entries.items():
            self._stamps.setdefault(name, entry)

    def _path(self, module):
        return os.path.join(self.directory, folder_key(os.path.realpath(module.path)) + ".pickle")

    def lookup(self, module):
        """The cached ModuleReport of ``module``, or None when anything it depends on changed."""
        entry = load_pickle(self._path(module))
        if not isinstance(entry, dict) or entry.get("context") != self.context:
            return None
        if entry.get("catalog") != self.catalog_digest:
            return None
        if any(self.stamp(name) != stamp for name, stamp in entry["stamps"].items()):
            return None
        if any(self.facts.probe(kind, name) != answer
               for (kind, name), answer in entry["probes"].items()):
            return None
        self.hits += 1
        return entry["report"]

    def store(self, module, report, touched, probes):
        """Keep ``report``; a run where a rule crashed is not kept (the crash may not recur)."""
        if any(finding.rule == INTERNAL_ERROR for finding in report.findings):
            return
        names = set(self.facts.scope(module.name)) | set(touched)
        if max(self.stamp_entry(name)[1] for name in names) > time.time_ns() - RACY_NS:
            return  # a file changed too recently for its stamp to prove the next change
        store_pickle(self._path(module), {
            "context": self.context,
            "catalog": self.catalog_digest,
            "stamps": {name: self.stamp(name) for name in sorted(names)},
            "probes": dict(probes),
            "report": report,
        })


def prune_cache(directory=None):
    """Delete the parse and result caches of other engine versions, and unused entries."""
    prune(directory, current=("python-" + CODE_DIGEST, "results-" + ENGINE_DIGEST))
