"""Accuracy benchmark: fault injection into real modules, labelled by real installs.

For every target module, each fault class of bench/faults.py (and each benign
edit) is applied to a fresh copy. Every variant is labelled by a real install
(``odoo-bin -i`` with demo data in a copy of a template database, judged like
an odoo.sh build: red, yellow or green), then validated by:
  * module_validator, static level (in this process, files only) and dynamic
    level (``odoo-bin validate -d DB --level dynamic`` in a subprocess);
    a variant counts as flagged when it gets at least one error finding;
  * the anchors, from PyPI in a separate venv: pylint-odoo (odoolint checks)
    and oca-checks-odoo-module; flagged when they report a finding that the
    clean copy does not have (line numbers masked), as the anchor study did.
Prints recall on red variants and false alarms on green ones, per fault class
and per tool. Run it through bench/run: ``bench/run accuracy [module ...]``, or
``bench/run --series 19.0 accuracy [module ...]`` on Odoo 19.0.

With ``--agreement`` it checks the labels instead: each variant is also
installed the way a developer would (``odoo-bin -i`` creating a new database)
and the outcome of the two must agree (the bulletproof level's promise).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from engine import compat, discovery  # noqa: E402
from engine.facts import StaticFacts  # noqa: E402
from engine.rehearsal.rehearse import Launcher, Rehearsal, timeout_from_env  # noqa: E402
from engine.rehearsal.scratch import DatabaseServer, drop_orphans  # noqa: E402
from engine.runner import validate  # noqa: E402
from faults import BENIGN, FAULTS, NotApplicable, Variant  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures_install")
DEFAULT_TARGETS = ["maintenance", "mvb_clean"]
LINE_RE = re.compile(r"\b\d+\b")


def colour_of(issues):
    codes = {code for code, _ in issues}
    if codes - {"TST006"}:
        return "red"
    return "yellow" if codes else "green"


def shadow_odoo(source, target, work):
    """An Odoo tree of symlinks in which ``target`` is missing, so a variant can replace it.

    Odoo always puts its own ``odoo/addons`` first on the addons path, and in
    the nightly layout every community module lives there: a copy of such a
    module elsewhere on the path is never the one installed. The shadow tree
    keeps only ``base`` in ``odoo/addons`` and links every other module but
    ``target`` from a second folder, as in the git layout.
    """
    shadow = os.path.join(work, f"odoo-without-{target}")
    os.makedirs(os.path.join(shadow, "odoo", "addons"))
    os.makedirs(os.path.join(shadow, "addons"))
    shutil.copy(os.path.join(source, "odoo-bin"), shadow)  # a copy: Python resolves a linked script
    for entry in os.listdir(os.path.join(source, "odoo")):
        if entry != "addons":
            os.symlink(os.path.join(source, "odoo", entry), os.path.join(shadow, "odoo", entry))
    core = os.path.join(source, "odoo", "addons")
    for entry in os.listdir(core):
        if entry in (target, "__init__.py"):
            continue
        into = "odoo/addons" if entry == "base" else "addons"
        os.symlink(os.path.join(core, entry), os.path.join(shadow, into, entry))
    # Odoo's own odoo/addons/__init__.py (18.0), or the namespace package (19.0),
    # extends its path with every odoo/addons on sys.path, which would bring the
    # original tree (installed in the venv) back; this one keeps only the
    # shadow's. 19.0 sets an attribute of the namespace path: a list subclass takes it.
    with open(os.path.join(shadow, "odoo", "addons", "__init__.py"), "w", encoding="utf-8") as init:
        init.write("import os.path\n\n\nclass AddonsPath(list):\n    _path_finder = None\n\n\n"
                   "__path__ = AddonsPath(os.path.abspath(path) for path in __path__)\n")
    return shadow


class Bench:
    def __init__(self):
        self.python = os.environ["MV_PYTHON"]
        self.odoo_src = os.environ["MV_ODOO_SRC"]
        self.core = os.path.join(self.odoo_src, "odoo", "addons")
        self.project_paths = [p for p in os.environ["MV_ADDONS_PATH"].split(",") if p != self.core]
        self.anchors = os.environ["MV_ANCHORS_BIN"]
        self.server = DatabaseServer(data_dir=os.environ["MV_DATA_DIR"])
        self.work = tempfile.mkdtemp(prefix="mv_accuracy_")
        self.shadows = {}
        drop_orphans(self.server)

    def catalog(self, first_path=None):
        return discovery.discover([p for p in (first_path, FIXTURES, *self.project_paths, self.core) if p])

    def fixtures_without(self, name):
        """The fixtures folder without ``name``: 19.0 skips a manifest it cannot read and
        takes the next folder's copy of the module, which would hide the variant's fault."""
        folder = os.path.join(self.work, f"fixtures-without-{name}")
        if not os.path.isdir(folder):
            os.makedirs(folder)
            for entry in os.listdir(FIXTURES):
                if entry != name:
                    os.symlink(os.path.join(FIXTURES, entry), os.path.join(folder, entry))
        return folder

    def launcher(self, folder, name):
        if name not in self.shadows:
            self.shadows[name] = shadow_odoo(self.odoo_src, name, self.work)
        shadow = self.shadows[name]
        paths = [folder, self.fixtures_without(name), *self.project_paths, os.path.join(shadow, "addons"),
                 os.path.join(shadow, "odoo", "addons")]
        launcher = Launcher([self.python, os.path.join(shadow, "odoo-bin")], ",".join(paths), self.server,
                            timeout_from_env(), compat.series())
        return launcher, discovery.discover(paths)

    def label(self, folder, name):
        launcher, catalog = self.launcher(folder, name)
        return colour_of(Rehearsal(launcher, catalog, work_dir=self.work).fresh_install(
            catalog.get(name), demo=True))

    def bare_label(self, folder, name):
        """The outcome of a plain ``odoo-bin -i`` creating a new database, judged alike."""
        from bulletproof_bench import bare_install  # noqa: PLC0415

        launcher, _catalog = self.launcher(folder, name)
        return bare_install(launcher, self.server, name, True, self.work)[0]

    def static(self, folder, name, severity="error"):
        catalog = self.catalog(folder)
        report = validate([catalog.get(name)], StaticFacts(catalog), "static", version="bench")
        return sorted({f.rule for f in report.modules[0].findings if f.severity == severity})

    def dynamic(self, folder, name):
        command = [self.python, os.path.join(self.odoo_src, "odoo-bin"), f"--addons-path={os.environ['MV_ADDONS_PATH']}", "validate",
                   "-c", os.environ["MV_CONF"], "-d", os.environ["MV_DB"], "--log-level=critical",
                   "--level", "dynamic", "--path", os.path.join(folder, name), "--format", "json"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode not in (0, 1):
            return [f"exit {result.returncode}"]
        findings = json.loads(result.stdout)["modules"][0]["findings"]
        # The run is stored in the bench database; that is the point of -d.
        return sorted({f["rule"] for f in findings if f["severity"] == "error"})

    def pylint(self, folder, name):
        result = subprocess.run(
            [os.path.join(self.anchors, "pylint"), "--load-plugins=pylint_odoo", "-d", "all", "-e", "odoolint",
             f"--valid-odoo-versions={compat.series()}", "--output-format=json", name],
            capture_output=True, text=True, cwd=folder, check=False,
            env=dict(os.environ, PYLINTHOME=os.path.join(self.work, "pylint")),
        )
        try:
            messages = json.loads(result.stdout or "[]")
        except json.JSONDecodeError:
            return {f"pylint crashed: {result.stderr[-200:]}"}
        return {(m["message-id"], m["path"], LINE_RE.sub("#", m["message"])) for m in messages}

    def oca(self, folder, name):
        result = subprocess.run([os.path.join(self.anchors, "oca-checks-odoo-module"), name],
                                capture_output=True, text=True, cwd=folder, check=False)
        # It prints absolute paths, sometimes without the leading slash.
        lines = (result.stdout + result.stderr).replace(folder, "").replace(folder.lstrip("/"), "").splitlines()
        return {LINE_RE.sub("#", line) for line in lines if line.strip()}

    def copy(self, source, tag):
        folder = os.path.join(self.work, tag)
        shutil.copytree(source.path, os.path.join(folder, source.name),
                        ignore=shutil.ignore_patterns("i18n", "__pycache__"))
        return folder, Variant(os.path.join(folder, source.name))


def main(argv):
    bench = Bench()
    print(f"Odoo {compat.series()}: {bench.odoo_src}", flush=True)
    agreement = "--agreement" in argv
    targets = [arg for arg in argv if not arg.startswith("--")] or DEFAULT_TARGETS
    rows = []
    started = time.perf_counter()
    for target in targets:
        source = bench.catalog().get(target)
        if source is None:
            print(f"{target}: not found, skipped")
            continue
        folder, _variant = bench.copy(source, f"{target}__baseline")
        baseline_label = bench.label(folder, target)
        if baseline_label != "green":
            print(f"{target}: the unmodified copy is {baseline_label}, not green; skipped")
            continue
        base_pylint, base_oca = bench.pylint(folder, target), bench.oca(folder, target)
        base_warnings = set(bench.static(folder, target, "warning"))
        print(f"\n{target}: baseline green; pylint-odoo {len(base_pylint)} and oca {len(base_oca)} findings "
              "on the clean copy")
        print(f"{'variant':34} {'label':7} {'static':7} {'dynamic':8} {'pylint':7} {'oca':5}  rules")
        for edit in FAULTS + BENIGN:
            folder, variant = bench.copy(source, f"{target}__{edit.__name__}")
            try:
                edit(variant)
            except NotApplicable:
                continue
            label = bench.label(folder, target)
            if agreement:
                bare = bench.bare_label(folder, target)
                rows.append((target, edit.__name__, label, bare))
                print(f"{edit.__name__:34} rehearsal {label:7} bare install {bare:7} "
                      f"{'agree' if label == bare else 'DISAGREE'}")
                continue
            static, dynamic = bench.static(folder, target), bench.dynamic(folder, target)
            pylint = bool(bench.pylint(folder, target) - base_pylint)
            oca = bool(bench.oca(folder, target) - base_oca)
            # A yellow variant installs but logs a WARNING: it should get a warning.
            warned = bool(set(bench.static(folder, target, "warning")) - base_warnings)
            row = (target, edit.__name__, label, bool(static), bool(dynamic), pylint, oca, warned)
            rows.append(row)
            mark = lambda flag: "yes" if flag else "-"  # noqa: E731
            print(f"{edit.__name__:34} {label:7} {mark(static):7} {mark(dynamic):8} {mark(pylint):7} "
                  f"{mark(oca):5}  {','.join(sorted(set(static) | set(dynamic)))}")
    if agreement:
        agreed = sum(1 for row in rows if row[2] == row[3])
        print(f"\nagreement of the rehearsal with a bare install: {agreed}/{len(rows)} variants "
              f"({100 * agreed / max(len(rows), 1):.0f}%), {time.perf_counter() - started:.0f} s")
        return 0 if agreed == len(rows) else 1
    summarize(rows, time.perf_counter() - started)
    return 0


def summarize(rows, seconds):
    red = [r for r in rows if r[2] == "red"]
    green = [r for r in rows if r[2] == "green"]
    yellow = [r for r in rows if r[2] == "yellow"]
    classes = {r[1] for r in red}
    print(f"\n{len(rows)} variants ({len(red)} red, {len(yellow)} yellow, {len(green)} green) "
          f"from {len({r[1] for r in rows})} edits, {len(classes)} fault classes proven red; {seconds:.0f} s")
    for index, tool in ((3, "module_validator static"), (4, "module_validator dynamic"),
                        (5, "pylint-odoo"), (6, "oca-checks-odoo-module")):
        caught = sum(1 for r in red if r[index])
        alarms = sum(1 for r in green if r[index])
        print(f"{tool:26} recall on red {caught}/{len(red)} ({100 * caught / max(len(red), 1):.0f}%), "
              f"false alarms on green {alarms}/{len(green)} ({100 * alarms / max(len(green), 1):.0f}%)")
    warned = sum(1 for r in yellow if r[3] or r[7])
    print(f"{'module_validator static':26} yellow variants flagged (error or new warning) "
          f"{warned}/{len(yellow)} ({100 * warned / max(len(yellow), 1):.0f}%)")
    missed = sorted({(r[0], r[1]) for r in red if not r[4]})
    if missed:
        print("red variants the dynamic level misses: " + ", ".join(f"{t}:{c}" for t, c in missed))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
