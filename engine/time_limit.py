# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Run untrusted computations (a manager's regular expression, XPath or
expression) under a time and memory limit.

Python's ``re`` and libxml2 hold the GIL and cannot be interrupted from another
thread, and signals only reach the main thread (Odoo serves requests from
threads), so the work runs in a forked child process: the child inherits what
the parent already parsed (nothing is pickled to it), computes, and writes its
JSON-serialisable rows back through a pipe. The parent waits at most the time
limit, then kills the child (SIGKILL). The child never returns to the caller:
it leaves with ``os._exit`` (no ``atexit``, no database connection closed under
the parent's feet) and its address space is capped. Where ``os.fork`` does not
exist the work runs in a daemon thread with the same time limit: the caller
still goes on, but a runaway computation keeps that thread busy.
"""

import json
import os
import select
import signal
import threading
import time
import warnings

# Address space the child may add to the parent's before allocations fail.
CHILD_EXTRA_MEMORY = 1024 * 1024 * 1024
MAX_RESULT_BYTES = 4 * 1024 * 1024


class TimeLimitError(Exception):
    """The work failed, crashed or ran out of time; the message says which."""


def _first_line(error, limit=300):
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_with_time_limit(work, time_limit):
    """Rows returned by ``work()``, computed in a forked child killed after ``time_limit``."""
    if not hasattr(os, "fork"):
        return _run_in_thread(work, time_limit)
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns about forking a threaded process; the child only
        # computes, touches no lock-holding service and leaves with os._exit.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_fd)
            _limit_memory()
            try:
                payload = {"rows": work()}
            except BaseException as error:  # noqa: BLE001 - reported to the parent
                payload = {"error": f"{type(error).__name__}: {_first_line(error)}"}
            data = json.dumps(payload, default=str).encode()
            while data:
                data = data[os.write(write_fd, data):]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    deadline = time.monotonic() + time_limit
    chunks, size, timed_out = [], 0, False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                timed_out = True
                break
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_RESULT_BYTES:
                raise TimeLimitError("its findings are larger than 4 MiB; stopped.")
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        _reap(pid)
    if timed_out:
        raise TimeLimitError(
            f"ran longer than its time limit of {time_limit:g} s on this module and was "
            "stopped; simplify the pattern (nested quantifiers backtrack) or raise the limit."
        )
    try:
        payload = json.loads(b"".join(chunks))
    except ValueError:
        raise TimeLimitError("its process ended without a result (crashed or out of memory).") from None
    if "error" in payload:
        raise TimeLimitError(payload["error"])
    return [tuple(row) for row in payload["rows"]]


def _reap(pid):
    try:
        finished, _status = os.waitpid(pid, os.WNOHANG)
        if not finished:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


def _limit_memory():
    """Cap the child's address space: a runaway allocation fails in the child only."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + CHILD_EXTRA_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError):
        pass


def _run_in_thread(work, time_limit):
    """Without fork: the same time limit, but a runaway pattern cannot be stopped."""
    outcome = {}

    def target():
        try:
            outcome["rows"] = work()
        except BaseException as error:  # noqa: BLE001
            outcome["error"] = f"{type(error).__name__}: {_first_line(error)}"

    thread = threading.Thread(target=target, daemon=True, name="custom-rule")
    thread.start()
    thread.join(time_limit)
    if thread.is_alive():
        raise TimeLimitError(f"ran longer than its time limit of {time_limit:g} s on this module.")
    if "error" in outcome:
        raise TimeLimitError(outcome["error"])
    return outcome["rows"]
