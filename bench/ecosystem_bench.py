# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""False errors on real-world modules: the static level over pinned OCA 18.0 addons.

Usage: bench/run ecosystem [--dynamic N] [--no-proof] [module ...]

bench/ecosystem-oca-18.0.txt pins OCA addons as published on PyPI. Each wheel
(and the OCA wheels it requires, at their newest 18.0 release) is downloaded
once into ~/.cache/module_validator/ecosystem/ and its addon extracted. Every
pinned module gets an addons folder of its own holding only its OCA closure
(links to the extracted addons); community modules come from the Odoo tree.

1. The static level runs over every pinned module, one process per core.
2. Proof by real install: every module with an error finding is installed with
   ``odoo-bin -i`` (demo data on, as odoo.sh) in a copy of a ``base`` database.
   When it installs cleanly, its error findings are false errors; when it fails,
   the first ERROR/CRITICAL line is the proof. Modules that cannot install on
   18.0 community for reasons outside their code (enterprise or unpublished
   dependency, missing Python package, broken packaging) are listed apart.
3. ``--dynamic N``: the dynamic level on N modules that have no error finding,
   each in a scratch database holding its dependencies.

``--no-proof`` skips the installs (errors are then counted as unproven).
The last line is ``false errors on OCA 18.0: N``. Nothing here stops the run:
a broken wheel or a crash in one module is one line of the output.
"""

import collections
import configparser
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import discovery, runner  # noqa: E402
from engine.facts import DynamicFacts, StaticFacts  # noqa: E402
from engine.index import ModuleIndex  # noqa: E402
from engine.rehearsal import build_log  # noqa: E402
from engine.rehearsal.rehearse import free_port  # noqa: E402
from engine.rehearsal.scratch import DatabaseServer, scratch_name  # noqa: E402
from engine.rules import RULES  # noqa: E402

PINNED = os.path.join(ROOT, "bench", "ecosystem-oca-18.0.txt")
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                     "module_validator", "ecosystem")
PYPI_PROJECT = "https://pypi.org/pypi/{}/json"
# A wheel is untrusted input: bounded in size before and after unzipping.
WHEEL_MAX_BYTES = 64 * 1024 * 1024
ADDON_MAX_BYTES = 256 * 1024 * 1024
ADDONS_PREFIX = "odoo/addons/"
REQUIREMENT_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
PIN_RE = re.compile(r"^(odoo-addon-[A-Za-z0-9._-]+)==(18\.0\.[0-9.]+)$")
INSTALL_TIMEOUT = 1800
# Log lines every run has, whatever the module.
NOISE = re.compile(r"security risk|Transient module states were reset")
# Why an install failed for a reason outside the module's code.
MISSING_PYTHON_RE = re.compile(
    r"No module named|External dependency (?:[\w.<>=!~-]+ )?not (?:met|installed)"
    r"|python library not installed", re.I)


def project_key(name):
    """PEP 503 name: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def version_key(version):
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def log(message):
    print(message, flush=True)


# -- PyPI and the wheel cache ----------------------------------------------------------

class WheelStore:
    """Wheels and their extracted addons in the per-user cache, reused across runs."""

    def __init__(self):
        self.wheels = os.path.join(CACHE, "wheels")
        self.addons = os.path.join(CACHE, "addons")
        self.meta = os.path.join(CACHE, "pypi")
        for folder in (self.wheels, self.addons, self.meta):
            os.makedirs(folder, exist_ok=True)

    def project(self, project, refresh=False):
        """PyPI's releases of a project (kept in the cache; ``refresh`` asks again)."""
        path = os.path.join(self.meta, f"{project_key(project)}.json")
        if os.path.isfile(path) and not refresh:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        url = PYPI_PROJECT.format(project)
        with urllib.request.urlopen(url, timeout=60) as answer:
            data = json.load(answer)
        # Only what the benchmark needs is kept: the full answer can be large.
        kept = {version: [{"filename": f["filename"], "url": urllib.parse.urljoin(url, f["url"]),
                           "sha256": f["digests"]["sha256"], "yanked": f.get("yanked")}
                          for f in files]
                for version, files in (data.get("releases") or {}).items()}
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(kept, handle)
        os.replace(path + ".tmp", path)
        return kept

    def release(self, project, version):
        """The wheel of a pinned release: ``{filename, url, sha256}``."""
        releases = self.project(project)
        if version not in releases:
            releases = self.project(project, refresh=True)
        if version not in releases:
            raise LookupError(f"{project}=={version} is not on PyPI")
        return self._pick_wheel(releases[version], project, version)

    def latest_18(self, project):
        """``(version, wheel)`` of the newest 18.0 release of a dependency, or None.

        The answer is kept in the cache: a rerun uses the same dependencies
        (delete ~/.cache/module_validator/ecosystem/pypi to take newer ones).
        """
        try:
            releases = self.project(project)
        except Exception:  # noqa: BLE001 - unpublished: reported by the caller
            return None
        versions = [v for v, files in releases.items() if v.startswith("18.0.")
                    and any(f["filename"].endswith(".whl") and not f.get("yanked") for f in files)]
        if not versions:
            return None
        version = max(versions, key=version_key)
        return version, self._pick_wheel(releases[version], project, version)

    @staticmethod
    def _pick_wheel(files, project, version):
        wheels = [f for f in files if f["filename"].endswith(".whl") and not f.get("yanked")]
        if not wheels:
            raise ValueError(f"{project}=={version} has no wheel on PyPI")
        return wheels[0]

    def download(self, wheel):
        """Path of the wheel, downloaded once and checked against PyPI's sha256."""
        filename = os.path.basename(wheel["filename"])
        path = os.path.join(self.wheels, filename)
        if os.path.isfile(path):
            return path
        digest = hashlib.sha256()
        tmp = path + ".part"
        with urllib.request.urlopen(wheel["url"], timeout=120) as answer, open(tmp, "wb") as out:
            size = 0
            while chunk := answer.read(1 << 16):
                size += len(chunk)
                if size > WHEEL_MAX_BYTES:
                    raise ValueError(f"{filename} is larger than {WHEEL_MAX_BYTES >> 20} MiB")
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != wheel["sha256"]:
            os.unlink(tmp)
            raise ValueError(f"{filename}: sha256 differs from PyPI's")
        os.replace(tmp, path)
        return path

    def extract(self, wheel_path):
        """``(module, folder, requirements)`` of a wheel, extracted once.

        The wheel is an untrusted zip: members with an absolute path, a ``..``
        part or a symlink mode refuse the whole wheel, and only the addon under
        odoo/addons/ is written.
        """
        stem = os.path.basename(wheel_path)[:-len(".whl")]
        target = os.path.join(self.addons, stem)
        info_path = os.path.join(target, "wheel.json")
        if os.path.isfile(info_path):
            with open(info_path, encoding="utf-8") as handle:
                info = json.load(handle)
            return info["module"], os.path.join(target, info["module"]), info["requires"]
        with zipfile.ZipFile(wheel_path) as wheel:
            members = wheel.infolist()
            for member in members:
                parts = member.filename.replace("\\", "/").split("/")
                if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                    raise ValueError(f"unsafe path in wheel: {member.filename!r}")
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise ValueError(f"symlink in wheel: {member.filename!r}")
            modules = {m.filename[len(ADDONS_PREFIX):].split("/")[0] for m in members
                       if m.filename.startswith(ADDONS_PREFIX) and m.filename.count("/") >= 3}
            if len(modules) != 1:
                raise ValueError(f"the wheel holds {len(modules)} addons under {ADDONS_PREFIX}, not one")
            module = modules.pop()
            if not re.fullmatch(r"\w+", module):
                raise ValueError(f"addon folder {module!r} is not a module name")
            metadata = next((m for m in members if m.filename.endswith(".dist-info/METADATA")
                             and m.filename.count("/") == 1), None)
            requires = []
            if metadata is not None:
                text = wheel.read(metadata).decode("utf-8", "replace")
                requires = [line.split(":", 1)[1].strip() for line in text.splitlines()
                            if line.startswith("Requires-Dist:")]
            if sum(m.file_size for m in members) > ADDON_MAX_BYTES:
                raise ValueError(f"the wheel unpacks to more than {ADDON_MAX_BYTES >> 20} MiB")
            tmp = tempfile.mkdtemp(dir=self.addons, prefix=".extract-")
            try:
                for member in members:
                    if member.is_dir() or not member.filename.startswith(f"{ADDONS_PREFIX}{module}/"):
                        continue
                    relative = member.filename[len(ADDONS_PREFIX):]
                    destination = os.path.join(tmp, *relative.split("/"))
                    os.makedirs(os.path.dirname(destination), exist_ok=True)
                    with wheel.open(member) as source, open(destination, "wb") as out:
                        shutil.copyfileobj(source, out)
                with open(os.path.join(tmp, "wheel.json"), "w", encoding="utf-8") as handle:
                    json.dump({"module": module, "requires": requires}, handle)
                shutil.rmtree(target, ignore_errors=True)
                os.replace(tmp, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return module, os.path.join(target, module), requires


class Addon:
    """One OCA addon as this run uses it."""

    def __init__(self, project, version, module, folder, requires):
        self.project, self.version, self.module, self.folder = project, version, module, folder
        # PEP 503 keys of the odoo-addon-* requirements (extras are optional: left out).
        self.oca_requires = []
        for requirement in requires:
            match = REQUIREMENT_RE.match(requirement)
            if match and not ("extra ==" in requirement and ";" in requirement):
                key = project_key(match.group(1))
                if key.startswith("odoo-addon-"):
                    self.oca_requires.append(key)


def read_pins(path, only=()):
    pins, problems = [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            match = PIN_RE.match(line)
            if not match:
                problems.append(f"{os.path.basename(path)}:{number}: not a pinned odoo-addon 18.0: {line!r}")
                continue
            pins.append((match.group(1), match.group(2)))
    if only:
        wanted = {project_key(f"odoo-addon-{name}") for name in only}
        pins = [pin for pin in pins if project_key(pin[0]) in wanted]
    return pins, problems


def fetch_all(store, pins):
    """Every pinned addon and its OCA requirements, transitively.

    Returns ``(pinned addons, addons by project key, repos, problems by project key)``.
    """
    addons, problems, repos = {}, {}, {}

    def fetch(project, version):
        key = project_key(project)
        try:
            wheel = store.release(project, version) if version else None
            if version is None:
                found = store.latest_18(project)
                if found is None:
                    raise LookupError(f"{project} has no 18.0 wheel on PyPI")
                version, wheel = found
            module, folder, requires = store.extract(store.download(wheel))
            return key, Addon(project, version, module, folder, requires), None
        except Exception as error:  # noqa: BLE001 - one broken wheel is one line of output
            return key, None, f"{project}{'==' + version if version else ''}: {error}"

    pending = [(project, version) for project, version in pins]
    seen = {project_key(project) for project, _ in pins}
    with ThreadPoolExecutor(8) as pool:
        while pending:
            for key, addon, problem in pool.map(lambda pin: fetch(*pin), pending):
                if problem:
                    problems[key] = problem
                else:
                    addons[key] = addon
            pending = []
            for addon in list(addons.values()):
                for dep in addon.oca_requires:
                    if dep not in seen:
                        seen.add(dep)
                        pending.append((dep, None))
    pinned = [addons[project_key(p)] for p, _ in pins if project_key(p) in addons]
    for addon in pinned:
        repos[addon.module] = repo_of(addon)
    return pinned, addons, repos, problems


def repo_of(addon):
    """The OCA repository, as the manifest's website names it (OCA's wheels copy it)."""
    manifest, _problem = discovery.read_manifest(discovery.find_manifest(addon.folder) or "")
    website = (manifest or {}).get("website", "")
    match = re.search(r"github\.com/OCA/([\w.-]+)", str(website), re.I)
    return match.group(1) if match else "?"


def oca_closure(addon, addons):
    """The addon and the OCA addons it requires, transitively."""
    order, stack, seen = [], [project_key(addon.project)], set()
    while stack:
        key = stack.pop()
        if key in seen or key not in addons:
            continue
        seen.add(key)
        order.append(addons[key])
        stack.extend(addons[key].oca_requires)
    return order


def closure_folder(work, addon, addons):
    """An addons folder of links to the module and its OCA closure only."""
    folder = os.path.join(work, "closures", addon.module)
    os.makedirs(folder, exist_ok=True)
    for member in oca_closure(addon, addons):
        link = os.path.join(folder, member.module)
        if not os.path.lexists(link):
            os.symlink(member.folder, link)
    return folder


def community_paths():
    """The Odoo tree's folders of MV_ADDONS_PATH (not this checkout nor its examples)."""
    src = os.path.realpath(os.environ["MV_ODOO_SRC"])
    return [path for path in os.environ["MV_ADDONS_PATH"].split(",")
            if os.path.realpath(path).startswith(src + os.sep)]


# -- static pass -----------------------------------------------------------------------

_WORKER = {}


class SharedCommunityFacts(StaticFacts):
    """Static facts whose community modules' parsed files live for the whole worker.

    Each pinned module has a catalog of its own, but the community modules of
    every catalog are the same folders: parsing account or stock again for each
    OCA module would cost seconds per module.
    """

    def index(self, name):
        source = self.catalog.get(name)
        if source is None or not source.odoo_core:
            return super().index(name)
        shared = _WORKER.setdefault("indexes", {})
        if name not in shared:
            shared[name] = ModuleIndex(source)
        return shared[name]

    def probe(self, kind, name):
        """What MAN009 asks the interpreter; this benchmark runs in the server's venv.

        Static facts that probe other things themselves keep doing so.
        """
        if kind == "python":
            try:
                return DynamicFacts.python_distribution_problem(name)
            except ImportError:
                # find_spec("erpbrasil.base") imports the parent package first: when
                # that is missing, so is the requirement (the engine lets it escape).
                return f"Python package {name!r} is not installed"
        if hasattr(super(), "probe"):
            return super().probe(kind, name)
        return shutil.which(name) is not None


def static_one(module, folder, community):
    """Findings of one module as plain tuples, or the crash as text."""
    try:
        if _WORKER.get("community") != community:
            # The community tree is scanned once per worker; each module's
            # catalog puts its own folder first, as --addons-path would.
            _WORKER.update(community=community, catalog=discovery.discover(community, core_paths=community))
        base = _WORKER["catalog"]
        own = discovery.discover([folder])
        catalog = discovery.Catalog(modules=dict(own.modules), shadowed={})
        for name, source in base.modules.items():
            if name in catalog.modules:
                catalog.shadowed.setdefault(name, []).append(source.path)
            else:
                catalog.modules[name] = source
        facts = SharedCommunityFacts(catalog)
        report = runner.validate([catalog.get(module)], facts, "static", version="bench")
        # External packages are the server's business, checked by MAN009 (declared)
        # and PY016 (imported) at the dynamic level: asked apart, to tell whether an
        # install that fails on one was foreseen (not counted with the static findings).
        external = runner.validate_module(catalog.get(module), facts,
                                          [(RULES["MAN009"], "error"), (RULES["PY016"], "error")])
        return module, [(f.rule, f.severity, f.message, f.path, f.line, f.impact)
                        for f in report.modules[0].findings], [f.message for f in external.findings], None
    except Exception:  # noqa: BLE001 - a crash is a finding of this benchmark
        return module, [], [], traceback.format_exc(limit=6)


def static_pass(tasks, community):
    jobs = os.cpu_count() or 1
    results, externals = {}, {}
    with ProcessPoolExecutor(jobs) as pool:
        futures = [(module, pool.submit(static_one, module, folder, community)) for module, folder in tasks]
        for module, future in futures:
            try:
                _module, findings, external, crash = future.result()
            except Exception as error:  # noqa: BLE001 - a dead worker is one module's line
                findings, external, crash = [], [], f"worker died: {error}"
            results[module] = (findings, crash)
            externals[module] = external
    return results, externals


# -- proof by install ------------------------------------------------------------------

class Installer:
    def __init__(self, work, community):
        self.python = os.environ["MV_PYTHON"]
        self.odoo_bin = os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin")
        self.conf = os.environ["MV_CONF"]
        self.community = ",".join(community)
        self.work = work
        self.data_dir = os.path.join(work, "data")
        config = configparser.ConfigParser(interpolation=None)
        config.read(self.conf)
        options = dict(config["options"]) if config.has_section("options") else {}
        options = {k: (None if v in ("False", "") else v) for k, v in options.items()}
        options["data_dir"] = self.data_dir
        self.server = DatabaseServer.from_odoo_config(options)
        self.template = f"mv_tpl_ecosystem_{os.getpid()}"

    def odoo(self, database, addons_path, args, tag):
        logfile = os.path.join(self.work, "logs", f"{tag}.log")
        os.makedirs(os.path.dirname(logfile), exist_ok=True)
        command = [self.python, self.odoo_bin, "-c", self.conf, f"--addons-path={addons_path}",
                   "-d", database, f"--data-dir={self.data_dir}", f"--http-port={free_port()}",
                   "--stop-after-init", "--log-level=warn", *args]
        with open(logfile, "w", encoding="utf-8") as handle:
            try:
                code = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT,
                                      timeout=INSTALL_TIMEOUT, check=False).returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
        with open(logfile, encoding="utf-8", errors="replace") as handle:
            return code, handle.read()

    def build_template(self):
        code, text = self.odoo(self.template, self.community, ["-i", "base"], "template")
        if code != 0 or self.server.module_state(self.template, "base") != "installed":
            raise RuntimeError(f"could not build the base template: {text[-1500:]}")

    def drop_template(self):
        if self.server.exists(self.template):
            self.server.drop(self.template)

    def install(self, module, folder, modules=None, base_path=None):
        """``(installed cleanly, status, proof line, log text, kept database)``.

        With ``modules``, those are installed instead and the database is kept
        for the caller (``module``'s own state is then not looked at).
        """
        database = scratch_name()
        try:
            self.server.create_from_template(database, self.template)
            code, text = self.odoo(database, f"{base_path or self.community},{folder}",
                                   ["-i", modules or module], modules and f"deps_{module}" or module)
            state = self.server.module_state(database, module if modules is None else "base")
        except Exception as error:  # noqa: BLE001 - one failed install is one line
            return False, "not run", f"{type(error).__name__}: {error}", "", (
                database if modules is not None else None)
        finally:
            if modules is None:
                self.server.drop(database)
        judgement = build_log.judge(build_log.parse(text), module)
        errors = [r for r in judgement.errors if not NOISE.search(r.message)]
        ok = code == 0 and state == "installed" and not errors and not judgement.demo_failures
        # The root cause, not "Failed to load registry" that follows it.
        roots = (folder, os.path.join(CACHE, "addons"), *self.community.split(","))
        causes = build_log.root_causes(errors or judgement.demo_failures, roots=roots)
        proof = ""
        if causes:
            proof = f"{causes[0].level}: {causes[0].summary}".replace("\n", " | ")
        elif not ok:
            tail = [line for line in text.splitlines() if line.strip()][-1:] or [""]
            proof = tail[0][:300]
        status = f"exit {code}, state {state or '-'}"
        return ok, status, proof, text, (database if modules is not None else None)


def external_reason(addon, addons, problems, catalog_names, text):
    """Why the module cannot install on 18.0 community whatever its code, or None."""
    for member in oca_closure(addon, addons):
        for dep in member.oca_requires:
            if dep in problems:
                return f"broken packaging: {problems[dep]}"
    if MISSING_PYTHON_RE.search(text or ""):
        return "missing Python package"  # the proof line that follows names it
    unknown = sorted(missing_modules(addon, addons, catalog_names))
    if unknown:
        return f"dependency not in community nor published by OCA for 18.0 (enterprise?): {', '.join(unknown)}"
    return None


def missing_modules(addon, addons, catalog_names):
    known = set(catalog_names) | {a.module for a in oca_closure(addon, addons)}
    missing = set()
    for member in oca_closure(addon, addons):
        manifest, _ = discovery.read_manifest(discovery.find_manifest(member.folder) or "")
        for dep in (manifest or {}).get("depends", []) or []:
            if isinstance(dep, str) and dep not in known:
                missing.add(dep)
    return missing


def proof_mentions(finding, text):
    """Whether the install log points at what the finding says (its file, or a quoted name)."""
    rule, _severity, message, path, _line, _impact = finding
    needles = set()
    if path:
        needles.add(os.path.basename(path))
    needles.update(word for word in re.findall(r"'([\w.]{3,})'", message or ""))
    return any(needle in text for needle in needles)


# -- dynamic sample --------------------------------------------------------------------

def dynamic_one(installer, addon, folder):
    """Dynamic level of one module in a scratch database holding its dependencies."""
    manifest, _ = discovery.read_manifest(discovery.find_manifest(addon.folder) or "")
    depends = [d for d in (manifest or {}).get("depends", []) if isinstance(d, str)]
    # The validate command stores its run, so module_validator is installed too.
    full_path = os.environ["MV_ADDONS_PATH"]
    ok, status, proof, _text, database = installer.install(
        addon.module, folder, ",".join([*depends, "module_validator"]), base_path=full_path)
    try:
        if not ok:
            return None, f"dependencies did not install: {status} {proof}"
        command = [installer.python, installer.odoo_bin, f"--addons-path={full_path},{folder}",
                   "validate", "-c", installer.conf, "-d", database, "--log-level=critical",
                   "--level", "dynamic", "--path", os.path.join(folder, addon.module), "--format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=INSTALL_TIMEOUT)
        if result.returncode not in (0, 1):
            return None, f"validate exited {result.returncode}: {result.stderr.strip()[-300:]}"
        report = json.loads(result.stdout)["modules"]
        entry = next((m for m in report if m["name"] == addon.module), None)
        if entry is None:
            return None, f"the report has no module {addon.module}"
        return [(f["rule"], f["severity"]) for f in entry["findings"]], None
    except Exception as error:  # noqa: BLE001
        return None, f"{type(error).__name__}: {error}"
    finally:
        if database and installer.server.exists(database):
            installer.server.drop(database)


# -- main ------------------------------------------------------------------------------

def parse_args(argv):
    options = {"dynamic": 0, "proof": True, "modules": []}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--dynamic":
            options["dynamic"] = int(args.pop(0))
        elif arg == "--no-proof":
            options["proof"] = False
        else:
            options["modules"].append(arg)
    return options


def main(argv):
    # A stop (SIGTERM) unwinds like Ctrl-C: scratch databases and the work folder go.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    options = parse_args(argv)
    started = time.perf_counter()
    store = WheelStore()
    pins, pin_problems = read_pins(PINNED, options["modules"])
    for problem in pin_problems:
        log(f"pin ignored: {problem}")
    pinned, addons, repos, problems = fetch_all(store, pins)
    log(f"{len(pinned)} pinned addons ready ({len(addons)} wheels with their OCA dependencies) "
        f"in {time.perf_counter() - started:.0f} s; cache: {CACHE}")
    broken_pins = [problems[project_key(p)] for p, _ in pins if project_key(p) in problems]
    for problem in problems.values():
        log(f"  wheel unusable: {problem}")

    community = community_paths()
    work = tempfile.mkdtemp(prefix="mv_ecosystem_")
    try:
        return run(options, pinned, addons, repos, problems, broken_pins, community, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(options, pinned, addons, repos, problems, broken_pins, community, work):
    folders = {addon.module: closure_folder(work, addon, addons) for addon in pinned}
    by_module = {addon.module: addon for addon in pinned}
    community_names = set(discovery.discover(community).modules)

    started = time.perf_counter()
    results, externals = static_pass(sorted(folders.items()), community)
    static_seconds = time.perf_counter() - started
    crashes = {m: crash for m, (_f, crash) in results.items() if crash}
    erroring = {m: [f for f in findings if f[1] == "error"]
                for m, (findings, _crash) in results.items() if any(f[1] == "error" for f in findings)}
    log(f"static pass: {len(results)} modules in {static_seconds:.1f} s, "
        f"{len(erroring)} with error findings, {len(crashes)} crashed")
    for module, crash in sorted(crashes.items()):
        log(f"  CRASH {module}: {crash.strip().splitlines()[-1]}")

    verdicts = {}  # module -> ("true" | "false" | "external" | "unproven", status, proof)
    if options["proof"] and erroring:
        installer = Installer(work, community)
        try:
            log("building the base template database")
            installer.build_template()
            log(f"installing the {len(erroring)} modules with error findings")

            def prove(module):
                ok, status, proof, text, _db = installer.install(module, folders[module])
                return module, ok, status, proof, text

            with ThreadPoolExecutor(max(1, min(2, os.cpu_count() or 1))) as pool:
                for module, ok, status, proof, text in pool.map(prove, sorted(erroring)):
                    addon = by_module[module]
                    if ok:
                        verdict = "false"
                    else:
                        reason = external_reason(addon, addons, problems, community_names, text)
                        verdict = "external" if reason else "true"
                        if reason:
                            proof = f"{reason}; {proof}"
                    verdicts[module] = (verdict, status, proof, text)
                    rules = ",".join(sorted({f[0] for f in erroring[module]}))
                    log(f"  {verdict:8} {module} [{rules}] {status}: {proof[:300]}")
                    for rule, _severity, message, path, line, _impact in erroring[module]:
                        log(f"             {rule} {path}:{line or ''} {message[:200]}")
        except Exception as error:  # noqa: BLE001
            log(f"  proof stopped: {type(error).__name__}: {error}")
        finally:
            installer.drop_template()

    if not options["proof"]:
        for module in sorted(erroring):
            log(f"  unproven {module}")
            for rule, _severity, message, path, line, _impact in erroring[module]:
                log(f"             {rule} {path}:{line or ''} {message[:200]}")

    # Per rule: true errors, false errors, errors not proven (external or no install), warnings.
    table = collections.defaultdict(collections.Counter)
    false_lines, unmatched = [], []
    for module, (findings, _crash) in sorted(results.items()):
        for finding in findings:
            verdict = verdicts.get(module, ("unproven",))[0]
            rule, severity = finding[0], finding[1]
            if severity != "error":
                table[rule][severity] += 1
                continue
            if verdict in ("true", "external"):
                # The root cause names what the finding names: the failure was
                # foreseen, even when its cause is outside the code (an import
                # of a package the manifest never declared, a missing module).
                named = proof_mentions(finding, verdicts[module][2])
                if verdict == "external":
                    verdict = "true" if named else "unproven"
                elif not named and not proof_mentions(finding, verdicts[module][3]):
                    unmatched.append(f"  {rule} {module}: the failure does not name {finding[3]}")
            table[rule][verdict if verdict in ("true", "false") else "unproven"] += 1
            if verdict == "false":
                false_lines.append(f"  FALSE {rule} {module}: {finding[3]}:{finding[4] or ''} {finding[2][:240]}")

    log("")
    log(f"modules: {len(results)} from {len(set(repos.values()) - {'?'})} OCA repos "
        f"({len(addons)} wheels with dependencies); static pass {static_seconds:.1f} s "
        f"on {os.cpu_count()} processes")
    log(f"{'rule':10} {'true err':>8} {'false err':>9} {'unproven':>8} {'warnings':>8} {'info':>5}")
    for rule in sorted(table):
        counts = table[rule]
        log(f"{rule:10} {counts['true']:8} {counts['false']:9} {counts['unproven']:8} "
            f"{counts['warning']:8} {counts['info']:5}")
    if false_lines:
        log("false errors (the module installed cleanly):")
        for line in false_lines:
            log(line)
    if unmatched:
        log("true errors whose failure names another cause (the module fails, maybe not for this):")
        for line in unmatched:
            log(line)
    external = {m: v for m, v in verdicts.items() if v[0] == "external"}
    if external or broken_pins:
        log("cannot install on 18.0 community for external reasons:")
        for module, (_verdict, status, proof, _text) in sorted(external.items()):
            if proof.startswith("missing Python package"):
                # Which packages the server has is the environment's, not the code's:
                # MAN009 and PY016 check it at the dynamic level, never the static one.
                flagged = ("by MAN009/PY016 (dynamic level): " + externals[module][0][:160]
                           if externals.get(module) else "no (MAN009/PY016 saw nothing missing)")
            else:
                flagged = "yes (DEP001)" if any(f[0] == "DEP001" for f in erroring[module]) else "no"
            log(f"  {module} ({status}; flagged: {flagged}): {proof[:300]}")
        for problem in broken_pins:
            log(f"  {problem}")
    # Modules without an error finding are not installed; those whose closure
    # declares Python packages this server lacks would be refused all the same.
    lacking = {m: messages for m, messages in externals.items() if messages and m not in external}
    if lacking:
        log(f"also refused on this server for missing Python packages or binaries (MAN009, "
            f"dynamic level), not installed: {len(lacking)} modules")
        by_package = collections.defaultdict(set)
        for module, messages in lacking.items():
            for message in messages:
                match = re.match(r"(?:Python package|Binary) '([^']+)'", message)
                by_package[match.group(1) if match else message[:80]].add(module)
        for package, modules in sorted(by_package.items(), key=lambda item: (-len(item[1]), item[0])):
            log(f"  {package}: {len(modules)} ({', '.join(sorted(modules)[:6])}"
                f"{', ...' if len(modules) > 6 else ''})")
    if options["dynamic"]:
        dynamic_sample(options["dynamic"], pinned, folders, erroring, community, work)
    false_count = sum(counts["false"] for counts in table.values())
    log(f"false errors on OCA 18.0: {false_count}")
    return 1 if false_count else 0


def dynamic_sample(count, pinned, folders, erroring, community, work):
    installer = Installer(work, community)
    sample = [addon for addon in pinned if addon.module not in erroring][:count]
    log(f"dynamic level on {len(sample)} modules (each in a database with its dependencies):")
    started = time.perf_counter()
    table = collections.Counter()
    try:
        installer.build_template()
        for addon in sample:
            findings, problem = dynamic_one(installer, addon, folders[addon.module])
            if problem:
                log(f"  {addon.module}: not validated: {problem[:300]}")
                continue
            errors = sorted({rule for rule, severity in findings if severity == "error"})
            table.update(severity for _rule, severity in findings)
            log(f"  {addon.module}: {len(findings)} findings, errors: {', '.join(errors) or 'none'}")
    finally:
        installer.drop_template()
    log(f"dynamic level: {len(sample)} modules in {time.perf_counter() - started:.0f} s, "
        f"{table['error']} errors, {table['warning']} warnings")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
