"""Speed benchmark: the validator and the anchors on the same modules, in the same run.

1. Static level over every addon of the Odoo community tree through the
   command users run, ``odoo-bin validate --all`` (one process per core): three
   cold runs with an empty cache, one with nothing changed, and one each with
   a leaf module (website_sale_wishlist) and a widely used one (sale) changed;
   the parse floor (ast + lxml + csv of every file once); then pylint-odoo
   (odoolint checks, one process) and oca-checks-odoo-module over the same
   folders. Wall time and peak memory (RSS of the largest process) of each.
2. Dynamic level per installed module: ``odoo-bin validate --level dynamic`` on
   every module installed in a database holding the closure of sale_management,
   stock, account, project, hr and website_sale (built once, reused): median,
   p90 and max per module, error findings (must be 0) and warnings by rule.

Run it through bench/run: ``bench/run speed`` (``--no-anchors`` skips the anchors,
``--static-only`` the dynamic part).
"""

import ast
import collections
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from lxml import etree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPS = ["sale_management", "stock", "account", "project", "hr", "website_sale"]
APPS_DB = "module_validator_bench_apps"
# Runs a command and reports the peak RSS of its process tree's largest process.
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT); "
           "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "sys.stderr.write('MEASURE %.2f %d %.2f\\n' % (time.perf_counter() - t, u.ru_maxrss, "
           "u.ru_utime + u.ru_stime)); "
           "sys.stdout.buffer.write(r.stdout)")


def measured(command, **kwargs):
    """``(seconds, peak MiB, output, CPU seconds of all its processes)`` of ``command``."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                            check=False, **kwargs)
    line = [x for x in result.stderr.decode().splitlines() if x.startswith("MEASURE ")][-1]
    _tag, seconds, rss_kib, cpu = line.split()
    return float(seconds), int(rss_kib) / 1024, result.stdout.decode("utf-8", "replace"), float(cpu)


def parse_floor(folders):
    """Seconds to parse every Python, XML and CSV file of ``folders`` once, in this process."""
    started = time.perf_counter()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d not in ("static", "__pycache__", ".git")]
            for name in files:
                if not name.endswith((".py", ".xml", ".csv")):
                    continue
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    data = handle.read()
                try:
                    if name.endswith(".py"):
                        ast.parse(data)
                    elif name.endswith(".xml"):
                        etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
                    elif name.endswith(".csv"):
                        list(csv.reader(io.StringIO(data.decode("utf-8", "replace"))))
                except (SyntaxError, ValueError, etree.XMLSyntaxError):
                    continue
    return time.perf_counter() - started


def validate_tree(addons, cache_home, jobs):
    """``odoo-bin --addons-path=ADDONS validate --all``, as the README says:
    (s, MiB, report, CPU s)."""
    # The validator itself must be on the addons path for odoo-bin to know the command.
    validator = os.environ["MV_ADDONS_PATH"].split(",")[0]  # .state/addons: the link to this checkout
    command = [os.environ["MV_PYTHON"], os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin"),
               f"--addons-path={addons},{validator}", "validate", "--all", "--format", "json",
               "--jobs", str(jobs), "--log-level=warn"]
    environment = dict(os.environ, XDG_CACHE_HOME=cache_home)
    # Python keeps its bytecode, as in a user's install (pip compiles it, and odoo-bin writes
    # what is missing): a shell that sets PYTHONDONTWRITEBYTECODE would make every run
    # recompile the validator's own modules.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    seconds, peak, output, cpu = measured(command, env=environment)
    return seconds, peak, json.loads(output[output.index("{"):]), cpu


def change_one_module(tree, module):
    """Edit one Python file of ``module`` in the linked copy, leaving Odoo's own file alone."""
    folder = os.path.join(tree, module, "models")
    name = sorted(n for n in os.listdir(folder) if n.endswith(".py") and n != "__init__.py")[0]
    target = os.path.join(folder, name)
    with open(target, "rb") as handle:
        data = handle.read()
    os.unlink(target)  # a hard link: write a new file rather than Odoo's
    with open(target, "wb") as handle:
        handle.write(data + b"\n# changed by bench/run speed\n")
    old = time.time() - 60  # not "racily clean": the stamp proves the next change
    os.utime(target, (old, old))
    return os.path.relpath(target, tree)


def static_part(with_anchors, repeats=3):
    """The static level over the whole community tree through ``odoo-bin validate --all``:
    cold (empty cache) ``repeats`` times, then unchanged, then with one module changed."""
    addons = os.path.join(os.environ["MV_ODOO_SRC"], "odoo", "addons")
    folders = sorted(os.path.join(addons, name) for name in os.listdir(addons)
                     if os.path.isfile(os.path.join(addons, name, "__manifest__.py")))
    jobs = os.cpu_count() or 1
    # Twice, the faster counts: the first read of a new machine also waits for the disk
    # (15 s instead of 6 here), which no validator run after it does.
    floor = min(parse_floor(folders) for _attempt in range(2))
    print(f"parse floor (ast + lxml + csv of every file once, 1 process, files in the page "
          f"cache): {floor:.1f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="mv_speed_") as scratch:
        tree = os.path.join(scratch, "addons")
        # A linked copy, so that one module can change without touching Odoo's tree.
        subprocess.run(["cp", "-al", addons, tree], check=True)
        # The bytecode of the validator and of Odoo's core, as an install has it.
        subprocess.run([sys.executable, "-m", "compileall", "-q", "-x", r"/(addons|tests)/",
                        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        os.path.join(os.environ["MV_ODOO_SRC"], "odoo")],
                       check=False, capture_output=True)
        cold = []
        for attempt in range(repeats):
            cache_home = os.path.join(scratch, f"cache{attempt}")
            seconds, peak, report, cpu = validate_tree(tree, cache_home, jobs)
            cold.append(seconds)
            errors = sum(1 for m in report["modules"] for f in m["findings"] if f["severity"] == "error")
            print(f"static level, cold (empty cache), {len(report['modules'])} modules, {jobs} "
                  f"processes: {seconds:.1f} s ({cpu:.1f} s of CPU), peak {peak:.0f} MiB per "
                  f"process, {errors} error findings", flush=True)
        seconds, peak, _report, _cpu = validate_tree(tree, cache_home, jobs)
        print(f"static level, nothing changed: {seconds:.1f} s, peak {peak:.0f} MiB", flush=True)
        for module in ("website_sale_wishlist", "sale"):
            changed = change_one_module(tree, module)
            seconds, peak, _report, _cpu = validate_tree(tree, cache_home, jobs)
            print(f"static level, one module changed ({changed}): {seconds:.1f} s, "
                  f"peak {peak:.0f} MiB", flush=True)
    print(f"cold runs: {', '.join(f'{s:.1f}' for s in cold)} s (max {max(cold):.1f} s)")
    if not with_anchors:
        return
    anchors = os.environ["MV_ANCHORS_BIN"]
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, PYLINTHOME=scratch, HOME=scratch, XDG_CACHE_HOME=scratch)
        seconds, peak, output, _cpu = measured(
            [os.path.join(anchors, "pylint"), "--load-plugins=pylint_odoo", "-d", "all", "-e", "odoolint",
             "--valid-odoo-versions=18.0", "--output-format=json", "-j1", *folders], cwd=scratch, env=env)
        try:
            count = len(json.loads(output[output.index("["):]))
        except ValueError:
            count = "?"
        print(f"pylint-odoo (odoolint), same addons, 1 process: {seconds:.1f} s, peak {peak:.0f} MiB, "
              f"{count} messages")
        seconds, peak, output, _cpu = measured([os.path.join(anchors, "oca-checks-odoo-module"), *folders],
                                         cwd=scratch, env=env)
        print(f"oca-checks-odoo-module, same addons, 1 process: {seconds:.1f} s, peak {peak:.0f} MiB, "
              f"{len(output.splitlines())} output lines")


def ensure_apps_database():
    check = subprocess.run(["psql", "-d", "postgres", "-Atc",
                            f"SELECT 1 FROM pg_database WHERE datname = '{APPS_DB}'"],
                           capture_output=True, text=True, check=False)
    if check.stdout.strip() == "1":
        return
    print(f"building {APPS_DB} (module_validator + {', '.join(APPS)}, without demo data) ...", flush=True)
    started = time.perf_counter()
    subprocess.run([os.environ["MV_PYTHON"], os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin"),
                    f"--addons-path={os.environ['MV_ADDONS_PATH']}", "-c", os.environ["MV_CONF"],
                    "-d", APPS_DB, "-i", ",".join(["module_validator", *APPS]), "--without-demo=all",
                    "--stop-after-init", "--log-level=warn"], check=True)
    print(f"  built in {time.perf_counter() - started:.0f} s")


def dynamic_part():
    ensure_apps_database()
    names = subprocess.run(["psql", "-d", APPS_DB, "-Atc",
                            "SELECT name FROM ir_module_module WHERE state = 'installed' ORDER BY name"],
                           capture_output=True, text=True, check=True).stdout.split()
    command = [os.environ["MV_PYTHON"], os.path.join(os.environ["MV_ODOO_SRC"], "odoo-bin"),
               f"--addons-path={os.environ['MV_ADDONS_PATH']}", "validate", "-c", os.environ["MV_CONF"],
               "-d", APPS_DB, "--log-level=critical", "--level", "dynamic", "--modules", ",".join(names),
               "--format", "json"]
    seconds, peak, output, _cpu = measured(command)
    report = json.loads(output)
    durations = sorted(module["duration_s"] for module in report["modules"])
    first = report["modules"][0]
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from static_tree import LATENT_ODOO_BUGS  # noqa: PLC0415

    errors = [(m["name"], f["rule"], f["message"][:120]) for m in report["modules"]
              for f in m["findings"] if f["severity"] == "error"]
    latent = [e for e in errors if (e[0], e[1]) in LATENT_ODOO_BUGS]
    errors = [e for e in errors if e not in latent]
    warnings = collections.Counter(f["rule"] for m in report["modules"] for f in m["findings"]
                                   if f["severity"] == "warning")
    print(f"dynamic level, {len(names)} installed modules (closure of {', '.join(APPS)}): "
          f"{seconds:.1f} s wall for one odoo-bin process, peak {peak:.0f} MiB")
    print(f"  per module: median {statistics.median(durations) * 1000:.0f} ms, "
          f"p90 {durations[int(0.9 * (len(durations) - 1))] * 1000:.0f} ms, max {durations[-1]:.1f} s "
          f"(the first module, {first['name']}, {first['duration_s']:.1f} s, also indexes the files "
          "of every installed module)")
    print(f"  error findings: {len(errors)} (plus {len(latent)} on documented latent Odoo bugs); "
          "warnings by rule: "
          + (", ".join(f"{rule} {count}" for rule, count in sorted(warnings.items())) or "none"))
    for name, rule, message in errors:
        print(f"    {name} {rule}: {message}")


def main(argv):
    static_part(with_anchors="--no-anchors" not in argv)
    if "--static-only" not in argv:
        dynamic_part()


if __name__ == "__main__":
    main(sys.argv[1:])
