"""Severity contract benchmark: every fixture installed for real, findings against Odoo.

For each fixture module (tests/fixtures by default, or the module names given),
runs the static level, then installs the module with ``odoo-bin -i`` (demo data
on, as an odoo.sh development build) in a copy of a ``base`` database, with an
addons folder holding only the module and the fixtures of its closure (one
broken manifest on a shared addons path would fail every install), and the
fixtures Odoo auto-installs with them. The outcome
is judged like a build: refused (exit status or module state), red (ERROR /
CRITICAL lines, demo data failed), yellow (WARNING lines) or green. When an
``install`` finding did not refuse the install with demo data, it is tried
again without (as production: data that needs demo records).

The findings' impacts predict that outcome: ``install`` -> refused, ``build`` ->
red, ``warning-log`` -> yellow or worse, ``runtime``/``hygiene``/none -> it
installs. Prints one line per fixture and the disagreements; dynamic-level rules
(they need a database holding the module) are listed but not predicted.

Run it through bench/run: ``bench/run contract [module ...]``; on another series,
``MV_SERIES=19.0 bench/run contract [module ...]`` (that series' Odoo installs the
fixtures, and the static level validates for it).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import compat, discovery  # noqa: E402
from engine.facts import StaticFacts  # noqa: E402
from engine.rehearsal import build_log  # noqa: E402
from engine.rehearsal.rehearse import free_port  # noqa: E402
from engine.rehearsal.scratch import DatabaseServer, scratch_name  # noqa: E402
from engine.rules import RULES  # noqa: E402
from engine.runner import validate  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
# Per series: a database of one series is never opened by the other.
TEMPLATE = f"mv_contract{compat.major()}_base"  # base with demo data, as an odoo.sh development build
TEMPLATE_NO_DEMO = f"mv_contract{compat.major()}_base_nodemo"  # as production
# Log lines every run has, whatever the module.
NOISE = re.compile(r"security risk|Transient module states were reset")
ORDER = ("install", "build", "warning-log", "runtime", "hygiene")


def expected_outcome(impacts):
    if "install" in impacts:
        return "refused"
    if "build" in impacts:
        return "red"
    if "warning-log" in impacts:
        return "yellow"
    return "installs"


def agrees(expected, outcome):
    if expected == "refused":
        return outcome == "refused"
    if expected == "red":
        return outcome == "red"
    if expected == "yellow":
        return outcome in ("yellow", "red") and outcome != "refused"
    return outcome in ("green", "yellow")


class Bench:
    def __init__(self):
        self.python = os.environ["MV_PYTHON"]
        self.odoo_bin = os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin")
        self.core = os.path.join(os.environ["MV_ODOO_SRC"], "odoo", "addons")
        self.server = DatabaseServer(data_dir=os.environ.get("MV_DATA_DIR", ""))
        self.work = tempfile.mkdtemp(prefix="mv_contract_")
        addons_paths, core_paths = [self.core], [self.core]
        self.catalog = discovery.discover([FIXTURES, *addons_paths], core_paths=core_paths)

    def odoo(self, database, addons, args):
        log = os.path.join(self.work, f"{database}.log")
        command = [self.python, self.odoo_bin, f"--addons-path={addons},{self.core}", "-d", database,
                   f"--data-dir={os.path.join(self.work, 'data')}", "--stop-after-init",
                   f"--http-port={free_port()}", "--http-interface=127.0.0.1", "--log-level=info", *args]
        with open(log, "w", encoding="utf-8") as handle:
            code = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, timeout=900,
                                  check=False).returncode
        with open(log, encoding="utf-8", errors="replace") as handle:
            return code, handle.read()

    def ensure_template(self, name, args):
        if self.server.exists(name):
            return
        code, text = self.odoo(name, self.core, ["-i", "base", *args])
        if code != 0:
            sys.exit(f"could not build {name}:\n{text[-2000:]}")

    def addons_folder(self, name):
        """A folder with links to ``name`` and the non-core modules of its closure, and
        the fixtures Odoo would auto-install with them from a shared addons path."""
        folder = os.path.join(self.work, f"addons_{name}")
        os.makedirs(folder, exist_ok=True)
        for module in sorted(StaticFacts(self.catalog).fresh_install(name) | {name}):
            source = self.catalog.get(module)
            link = os.path.join(folder, module)
            if source is not None and not source.odoo_core and not os.path.lexists(link):
                os.symlink(source.path, link)
        return folder

    def install(self, name, demo=True):
        database = scratch_name()
        self.server.create_from_template(database, TEMPLATE if demo else TEMPLATE_NO_DEMO)
        try:
            code, text = self.odoo(database, self.addons_folder(name), ["-i", name])
            state = self.server.module_state(database, name)
        finally:
            self.server.drop(database)
        judgement = build_log.judge(build_log.parse(text), name)
        warnings = [r for r in judgement.warnings if not NOISE.search(r.message)]
        errors = [r for r in judgement.errors if not NOISE.search(r.message)]
        if code not in (0, 1) or state != "installed":
            outcome = "refused"
        elif errors or judgement.demo_failures:
            outcome = "red"
        elif warnings:
            outcome = "yellow"
        else:
            outcome = "green"
        return outcome, f"exit {code}, state {state or '-'}", evidence_of(text, errors, judgement, warnings)

    def static(self, name):
        report = validate([self.catalog.get(name)], StaticFacts(self.catalog), "static", version="bench")
        return report.modules[0].findings


EXCEPTION_RE = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Warning)\b: .*$", re.MULTILINE)


def evidence_of(text, errors, judgement, warnings):
    """The line that says what Odoo did: the exception raised, else the first ERROR or WARNING."""
    exceptions = EXCEPTION_RE.findall(text)
    if exceptions and (errors or judgement.demo_failures):
        return exceptions[-1][:200]
    first = (errors or judgement.demo_failures or warnings or [None])[0]
    return f"{first.level}: {first.message[:200]}" if first is not None else ""


def main(names):
    bench = Bench()
    bench.ensure_template(TEMPLATE, compat.demo_args(True))
    bench.ensure_template(TEMPLATE_NO_DEMO, compat.demo_args(False))
    print(f"Odoo {compat.series()}: {bench.odoo_bin}", flush=True)
    if not names:
        names = sorted(n for n in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, n))
                       and n in bench.catalog)
    started = time.time()
    rows = []
    for name in names:
        findings = bench.static(name)
        # Upgrade rules (MIG) predict what -u does, not a fresh install.
        impacts = {f.impact for f in findings if RULES[f.rule].category != "upgrade"}
        expected = expected_outcome(impacts)
        outcome, status, evidence = bench.install(name)
        ok = agrees(expected, outcome)
        if not ok and expected == "refused":
            # Refused on a production database only (data that needs demo records).
            outcome, status, evidence = bench.install(name, demo=False)
            status += ", without demo data"
            ok = agrees(expected, outcome)
        summary = ", ".join(sorted({f"{f.rule}:{f.severity}/{f.impact}" for f in findings})) or "-"
        rows.append((name, expected, outcome, ok, summary, status, evidence))
        print(f"{'ok ' if ok else 'BAD'} {name:26} expected {expected:8} got {outcome:8} "
              f"({status}) [{summary}] {evidence}", flush=True)
    bad = [row for row in rows if not row[3]]
    print(f"\n{len(rows)} fixtures installed in {time.time() - started:.0f} s: "
          f"{len(rows) - len(bad)} agree with their findings' impacts, {len(bad)} disagree")
    for name, expected, outcome, _ok, summary, status, evidence in bad:
        print(f"  {name}: expected {expected}, got {outcome} ({status}); {summary}; {evidence}")
    shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
