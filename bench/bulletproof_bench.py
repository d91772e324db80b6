"""Bulletproof-level benchmark: rehearsal vs a bare ``odoo-bin -i`` of the same module.

For each module of the corpus (the installable fixtures and a few community
modules), in one run:
  * a bare install: ``odoo-bin -i M --stop-after-init`` on a new empty database,
    exactly what a developer would run, judged by exit code, module state and
    log levels (red / yellow / green);
  * the rehearsal with a cold template (template dropped first, then built);
  * the rehearsal with the warm template.
Prints the wall times, the ratios against the bare install, and whether the
rehearsal's outcome agrees with the bare install's, with and without demo data.

Run it through bench/run (it sets up Odoo and PostgreSQL like dev/run):
    bench/run bulletproof [module ...]
"""

import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import discovery  # noqa: E402 - the engine is importable without Odoo
from engine.rehearsal import build_log  # noqa: E402
from engine.rehearsal.rehearse import Launcher, Rehearsal, timeout_from_env  # noqa: E402
from engine.rehearsal.scratch import DatabaseServer, drop_orphans, scratch_name  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures_install")
DEFAULT_CORPUS = [
    "mvb_clean", "mvb_warning", "mvb_bad_view_field", "mvb_bad_data_ref",
    "mvb_bad_demo_ref", "mvb_python_error", "mvb_failing_test",
    "utm", "board", "maintenance",
]


def colour_of_issues(issues):
    codes = {code for code, _ in issues}
    if codes - {"TST006"}:
        return "red"
    return "yellow" if codes else "green"


def bare_install(launcher, server, module, demo, work_dir):
    """The reference: a new database, -i module, judged like odoo.sh judges a build."""
    dbname = scratch_name()
    args = ["-i", module] + ([] if demo else ["--without-demo=all"])
    started = time.perf_counter()
    try:
        code, text = launcher.run(dbname, args, os.path.join(work_dir, f"{dbname}.log"))
        seconds = time.perf_counter() - started
        state = server.module_state(dbname, module)
    finally:
        server.drop(dbname)
    judgement = build_log.judge(build_log.parse(text), module)
    red = code is None or code not in (0,) or state != "installed" or judgement.colour == "red"
    return ("red" if red else judgement.colour), seconds


def rehearse(rehearsal, module, demo):
    started = time.perf_counter()
    issues = rehearsal.fresh_install(module, demo=demo)
    return colour_of_issues(issues), time.perf_counter() - started


def main(argv):
    addons_path = os.environ["MV_ADDONS_PATH"]
    corpus = argv or DEFAULT_CORPUS
    server = DatabaseServer(data_dir=os.environ["MV_DATA_DIR"])
    drop_orphans(server)
    paths = [FIXTURES, *addons_path.split(",")]
    catalog = discovery.discover(paths)
    launcher = Launcher(
        command=[os.environ["MV_PYTHON"], os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin")],
        addons_path=",".join(paths), server=server, timeout_s=timeout_from_env(),
        odoo_version="18.0",
    )
    work_dir = tempfile.mkdtemp(prefix="mv_bench_")
    rehearsal = Rehearsal(launcher, catalog, work_dir=work_dir)
    print(f"{'module':22} {'demo':5} {'bare':>7} {'cold':>7} {'warm':>7} {'warm/bare':>9} "
          f"{'bare outcome':>12} {'rehearsal':>10} agree")
    rows = []
    for name in corpus:
        module = catalog.get(name)
        if module is None:
            print(f"{name}: not on the addons path, skipped")
            continue
        for demo in (True, False):
            bare_colour, bare_s = bare_install(launcher, server, name, demo, work_dir)
            closure = catalog.closure(name) or ["base"]
            template, _ = rehearsal.template(closure, demo)
            if template:
                server.drop(template)  # cold: the template is built inside the timing
            cold_colour, cold_s = rehearse(rehearsal, module, demo)
            warm_colour, warm_s = rehearse(rehearsal, module, demo)
            agree = bare_colour == cold_colour == warm_colour
            rows.append((name, demo, bare_s, cold_s, warm_s, agree))
            print(f"{name:22} {str(demo):5} {bare_s:7.1f} {cold_s:7.1f} {warm_s:7.1f} "
                  f"{warm_s / bare_s:9.2f} {bare_colour:>12} {warm_colour:>10} {'yes' if agree else 'NO'}")
    if not rows:
        return 1
    agreed = sum(1 for row in rows if row[5])
    ratios = sorted(row[4] / row[2] for row in rows)
    print(f"\nagreement with the bare install: {agreed}/{len(rows)} ({100 * agreed / len(rows):.0f}%)")
    print(f"warm rehearsal / bare install: median {ratios[len(ratios) // 2]:.2f}, max {ratios[-1]:.2f} "
          "(target: at most 1.20)")
    print(f"warm rehearsal: max {max(row[4] for row in rows):.1f} s; cold: max "
          f"{max(row[3] for row in rows):.1f} s (target: under 60 s per small module)")
    return 0 if agreed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
