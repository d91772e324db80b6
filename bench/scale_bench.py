"""Load benchmark: background runs spread over 1, 2 and 4 Odoo worker processes.

For each workload and executor, a run is queued in a database where
module_validator is installed, then K real ``odoo-bin`` processes work it off:
  * cron executor: K processes in threaded mode, one cron thread each, and the
    "Parallel cron workers" setting at K (K copies of the queue's action);
  * queue_job executor: one ``odoo-bin --workers=K`` with OCA's job runner, the
    root.module_validator channel at capacity K (needs the glue addon and
    queue_job, fetched by dev/env.sh).
Printed per configuration: wall time from the first worker's start to the
run's end, its ratio to 1 worker, items per second, peak memory (VmHWM) per
worker process, and from the database: items processed twice (an attempt
beyond the first without a kill: must be 0), duplicated module results (must
be 0) and items lost (not done, or done without a result: must be 0), and
how busy the machine's cores were (cpu %: a 1-worker run that already keeps
them busy leaves little for more workers to gain). The
"kill" variant SIGKILLs one worker when a third of the items are done.

Workloads:
  * bulletproof: the bulletproof level over SIZE small community modules
    (fewest dependencies first, default 20); a warm-up run builds the
    rehearsal templates first, so each configuration sees the same cache;
  * dynamic: the dynamic level over the closure of a community module
    (default sale_management).

    bench/run scale [--workload bulletproof|dynamic|all] [--workers 1,2,4]
                    [--executor cron|queue_job|all] [--size N] [--no-kill]
"""

import argparse
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from engine import discovery  # noqa: E402 - the engine is importable without Odoo
from engine.rehearsal.rehearse import free_port  # noqa: E402

PYTHON = os.environ.get("MV_PYTHON", sys.executable)
ODOO_BIN = os.path.join(os.environ.get("MV_ODOO_SRC", ""), "odoo-bin")
CONF = os.environ.get("MV_CONF", "")
OCA = os.environ.get("MV_OCA_ADDONS", "")
GLUE = os.path.join(ROOT, "addons")
ADDONS_PATH = ",".join(p for p in (os.environ.get("MV_ADDONS_PATH", ""), GLUE, OCA) if p)
DATABASES = {"cron": "module_validator_scale", "queue_job": "module_validator_scale_qj"}


def psql(database, query, params=()):
    """Rows of ``query`` (values passed as psql variables, never formatted into SQL)."""
    line = ["psql", "-d", database, "-AtqX", "-F", "\t"]
    for index, value in enumerate(params):
        line += ["-v", f"p{index}={value}"]
    done = subprocess.run(line, input=query, capture_output=True, text=True, check=True)
    return [row.split("\t") for row in done.stdout.splitlines() if row]


def odoo(database, *args, command=None, stdin=None, timeout=1800):
    line = [PYTHON, ODOO_BIN, f"--addons-path={ADDONS_PATH}", *([command] if command else []),
            "-c", CONF, "-d", database, "--log-level=warn", *args]
    return subprocess.run(line, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)


def ensure_database(executor):
    database = DATABASES[executor]
    modules = "module_validator" + (",queue_job" if executor == "queue_job" else "")
    exists = psql("postgres", "SELECT 1 FROM pg_database WHERE datname = :'p0'", [database])
    flag = "-u" if exists else "-i"
    done = odoo(database, flag, modules, "--without-demo=all", "--stop-after-init", "--no-http")
    if done.returncode:
        sys.exit(f"setting up {database} failed:\n{done.stderr[-3000:]}")
    return database


def queue_run(database, modules, level, workers, executor):
    """Configure the executor for ``workers`` and queue a run; returns its id."""
    script = f"""
env["module.validator.run"]._set_cron_workers({workers if executor == "cron" else 1})
if "queue.job.channel" in env:
    env.ref("module_validator_queue_job.channel_module_validator").capacity = {workers}
run, _ = env["module.validator.run"]._launch({modules!r}, level={level!r}, origin="cli", background=True)
env.cr.commit()
print("RUN", run.id)
"""
    done = odoo(database, "--no-http", command="shell", stdin=script)
    for line in done.stdout.splitlines():
        if line.startswith("RUN "):
            return int(line.split()[1])
    sys.exit(f"queueing failed:\n{done.stderr[-3000:]}")


def start_workers(database, workers, executor, log_dir):
    common = [PYTHON, ODOO_BIN, f"--addons-path={ADDONS_PATH}", "-c", CONF, "-d", database,
              f"--db-filter=^{database}$", "--log-level=warn"]
    env = dict(os.environ)
    processes = []
    if executor == "cron":
        for number in range(workers):
            # A bulletproof item may take minutes: past --limit-time-real (120 s by
            # default; threaded servers apply it to cron threads too) Odoo would
            # restart the whole server mid-item.
            line = [*common, "--workers=0", "--max-cron-threads=1", f"--http-port={free_port()}",
                    f"--gevent-port={free_port()}", "--limit-time-real=3600",
                    "--limit-time-real-cron=3600"]
            log = open(os.path.join(log_dir, f"worker-{number}.log"), "w")  # noqa: SIM115
            processes.append(subprocess.Popen(line, stdout=log, stderr=subprocess.STDOUT, env=env))
    else:
        port = free_port()
        env.update(ODOO_QUEUE_JOB_CHANNELS=f"root:{workers}", ODOO_QUEUE_JOB_PORT=str(port))
        line = [*common, f"--workers={workers}", "--max-cron-threads=1", f"--http-port={port}",
                f"--gevent-port={free_port()}", "--load=web,queue_job", "--limit-time-real=3600",
                "--limit-time-cpu=3600", "--limit-memory-hard=8589934592",
                "--limit-memory-soft=6442450944"]
        log = open(os.path.join(log_dir, "server.log"), "w")  # noqa: SIM115
        processes.append(subprocess.Popen(line, stdout=log, stderr=subprocess.STDOUT, env=env))
    return processes


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def peak_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def worker_pids(processes, executor):
    """The processes that validate: each cron process, or the prefork HTTP workers."""
    if executor == "cron":
        return [process.pid for process in processes]
    return [pid for process in processes for pid in children(process.pid) if "odoo" in command_line(pid)]


def command_line(pid):
    """``pid``'s command line; empty when it has just ended (children come and go)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def cpu_ticks():
    """``(busy, total)`` jiffies of all cores since boot (/proc/stat)."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def item_counts(database, run_id):
    rows = psql(database, "SELECT state, count(*) FROM module_validator_run_item WHERE run_id = :p0 "
                "GROUP BY state", [run_id])
    return {state: int(count) for state, count in rows}


def cancel_unfinished(database):
    """Cancel what an earlier configuration left (timed out, interrupted): its items
    would otherwise be worked off first, inside the next configuration's figures."""
    psql(database, "UPDATE module_validator_run_item SET state = 'cancelled' "
         "WHERE state IN ('pending', 'processing')")
    psql(database, "UPDATE module_validator_run SET state = 'cancelled' WHERE state IN ('queued', 'running')")


def measure(database, modules, level, workers, executor, kill, log_dir, timeout_s):
    cancel_unfinished(database)
    run_id = queue_run(database, modules, level, workers, executor)
    started = time.perf_counter()
    busy_before, total_before = cpu_ticks()
    processes = start_workers(database, workers, executor, log_dir)
    peaks = {}
    killed = False
    try:
        while True:
            time.sleep(1)
            # A cron thread that started after the run was queued missed its
            # wake-up and would sleep up to a minute: wake them, as a busy
            # server's stream of triggers would.
            # Cron threads LISTEN in the "postgres" database, where Odoo notifies.
            psql("postgres", "SELECT pg_notify('cron_trigger', :'p0')", [database])
            for pid in worker_pids(processes, executor):
                peaks[pid] = max(peaks.get(pid, 0), peak_kib(pid))
            state = psql(database, "SELECT state FROM module_validator_run WHERE id = :p0", [run_id])[0][0]
            if state not in ("queued", "running"):
                break
            counts = item_counts(database, run_id)
            if kill and not killed and counts.get("done", 0) >= max(1, len(modules) // 3):
                victims = worker_pids(processes, executor)
                busy = psql(database, "SELECT worker FROM module_validator_run_item WHERE run_id = :p0 "
                            "AND state = 'processing'", [run_id])
                busy_pids = {int(row[0].rpartition(":")[2]) for row in busy if row[0]}
                victim = next((pid for pid in victims if pid in busy_pids), victims[-1])
                os.kill(victim, signal.SIGKILL)
                killed = victim
            if time.perf_counter() - started > timeout_s:
                print(f"    timed out after {timeout_s} s", flush=True)
                break
        wall = time.perf_counter() - started
        busy_after, total_after = cpu_ticks()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    retried = int(psql(database, "SELECT count(*) FROM module_validator_run_item WHERE run_id = :p0 "
                       "AND attempt_count > 1", [run_id])[0][0])
    duplicated = int(psql(database, "SELECT count(*) FROM (SELECT name FROM module_validator_result "
                          "WHERE run_id = :p0 GROUP BY name HAVING count(*) > 1) AS d", [run_id])[0][0])
    lost = int(psql(database, "SELECT count(*) FROM module_validator_run_item item WHERE run_id = :p0 "
                    "AND (state != 'done' OR NOT EXISTS (SELECT 1 FROM module_validator_result r "
                    "WHERE r.run_id = item.run_id AND r.name = item.module_name))", [run_id])[0][0])
    state = psql(database, "SELECT state FROM module_validator_run WHERE id = :p0", [run_id])[0][0]
    return {"wall": wall, "retried": retried, "duplicated": duplicated, "lost": lost, "state": state,
            "items": len(modules),
            "cpu": (busy_after - busy_before) / max(1, total_after - total_before), "peak_mib": max(peaks.values(), default=0) / 1024, "killed": bool(killed)}


def small_modules(catalog, size, installed):
    """Community modules with the fewest dependencies (closure size), no localisations or tests."""
    candidates = []
    for name, module in catalog.modules.items():
        if not module.odoo_core or name in installed or name.startswith(("l10n_", "test_", "hw_")):
            continue
        manifest = module.manifest or {}
        if not manifest.get("installable", True) or manifest.get("auto_install"):
            continue
        candidates.append((len(catalog.closure(name)), name))
    return [name for _weight, name in sorted(candidates)[:size]]


def main():
    parser = argparse.ArgumentParser(prog="bench/run scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", choices=["bulletproof", "dynamic", "all"], default="all")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--executor", choices=["cron", "queue_job", "all"], default="all")
    parser.add_argument("--size", type=int, default=20, help="modules of the bulletproof workload")
    parser.add_argument("--closure-of", default="sale_management", help="root of the dynamic workload")
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--timeout", type=int, default=3600, help="per configuration, seconds")
    args = parser.parse_args()
    workers_list = [int(value) for value in args.workers.split(",")]
    executors = ["cron", "queue_job"] if args.executor == "all" else [args.executor]
    if "queue_job" in executors and not os.path.isdir(os.path.join(OCA, "queue_job")):
        print("queue_job is not fetched (dev/env.sh mv_oca_addons); cron executor only")
        executors = ["cron"]
    addons_paths = [path for path in ADDONS_PATH.split(",") if path]
    odoo_src = os.environ.get("MV_ODOO_SRC", "")
    core = [os.path.join(odoo_src, "addons"), os.path.join(odoo_src, "odoo", "addons")]
    catalog = discovery.discover(addons_paths, core_paths=core)
    workloads = []
    if args.workload in ("bulletproof", "all"):
        installed = {"base", "web", "mail", "bus", "module_validator", "queue_job"}
        workloads.append(("bulletproof", small_modules(catalog, args.size, installed)))
    if args.workload in ("dynamic", "all"):
        workloads.append(("dynamic", sorted([*catalog.closure(args.closure_of), args.closure_of])))
    log_root = os.path.join(ROOT, ".state", "scale")
    os.makedirs(log_root, exist_ok=True)
    print(f"cores: {os.cpu_count()}; workers: {workers_list}; executors: {executors}", flush=True)
    for executor in executors:
        database = ensure_database(executor)
        for level, modules in workloads:
            print(f"\n== {level} level, {len(modules)} modules, {executor} executor ==", flush=True)
            if level == "bulletproof":
                print("  warm-up (builds rehearsal templates) ...", flush=True)
                measure(database, modules, level, max(workers_list), executor, False, log_root, args.timeout)
            base = None
            print(f"  {'workers':>7} {'kill':>4} {'wall s':>8} {'ratio':>6} {'items/s':>8} "
                  f"{'peak MiB':>9} {'cpu %':>6} {'retried':>7} {'dup':>4} {'lost':>4} state", flush=True)
            for workers in workers_list:
                for kill in ([False] if args.no_kill or workers < 2 else [False, True]):
                    figures = measure(database, modules, level, workers, executor, kill, log_root, args.timeout)
                    if workers == 1 and not kill:
                        base = figures["wall"]
                    ratio = base / figures["wall"] if base else float("nan")
                    print(f"  {workers:>7} {'yes' if kill else 'no':>4} {figures['wall']:>8.1f} {ratio:>6.2f} "
                          f"{figures['items'] / figures['wall']:>8.2f} {figures['peak_mib']:>9.0f} "
                          f"{100 * figures['cpu']:>6.0f} "
                          f"{figures['retried']:>7} {figures['duplicated']:>4} {figures['lost']:>4} "
                          f"{figures['state']}", flush=True)


if __name__ == "__main__":
    main()
