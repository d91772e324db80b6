# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time and memory limits for each of the engine's own rules on one module.

A rule that hangs or keeps allocating on one module must cost that module
one internal-error finding (MV001), not the whole run. Custom rules run their
user-supplied part in a forked child (time_limit.py); the engine's rules run
tens of thousands of times per run, where a fork each would cost more than
the rules, and dynamic rules need the caller's database cursor. So they run
in place, and one watchdog thread per process watches them: when a rule has
run longer than its time limit, or the process has grown by more than its
memory limit since the rule began, the watchdog raises :class:`RuleStopped`
in the validating thread (``PyThreadState_SetAsyncExc``). Threads are used,
not signals, because Odoo validates in cron and request threads, and signals
only reach the main thread.

Limits of the approach, stated in the README: the exception arrives between
two Python bytecodes, so a rule stuck inside one C call (a regular expression
backtracking in ``re``) is stopped only when that call returns, and in a
threaded server other threads' allocations count towards the memory growth.
The server's own limits (``--limit-time-real``, ``--limit-memory-hard``) stay
the last line; the work item then becomes MV001 after three attempts.
"""

import ctypes
import os
import threading
import time
from dataclasses import dataclass

DEFAULT_TIME_LIMIT_S = 120
DEFAULT_MEMORY_LIMIT_MB = 2048
POLL_ACTIVE_S = 0.05
POLL_IDLE_S = 0.5
REFIRE_S = 1.0  # a rule that swallowed the exception gets it again


class RuleStopped(BaseException):  # noqa: N818 - a stop, not an error of the rule's own
    """Raised in a rule's thread by the watchdog. A BaseException, so that a
    rule's own ``except Exception`` cannot swallow it."""


@dataclass(frozen=True)
class RuleLimits:
    """Per rule and module: seconds, and MiB the process may grow by."""

    time_s: float = DEFAULT_TIME_LIMIT_S
    memory_mb: float = DEFAULT_MEMORY_LIMIT_MB

    @classmethod
    def of(cls, time_s=None, memory_mb=None):
        """Limits from settings, where a missing or non-positive value means the default."""
        return cls(time_s if time_s and time_s > 0 else DEFAULT_TIME_LIMIT_S,
                   memory_mb if memory_mb and memory_mb > 0 else DEFAULT_MEMORY_LIMIT_MB)


class _Watch:
    __slots__ = ("deadline", "fired_at", "limits", "reason", "rss_start", "thread_id")

    def __init__(self, thread_id, limits):
        self.thread_id = thread_id
        self.limits = limits
        self.deadline = time.monotonic() + limits.time_s
        # Read by the watchdog when it first sees the rule: most rules end
        # before that, and reading /proc for each would cost more than they do.
        self.rss_start = None
        self.fired_at = None
        self.reason = ""


_lock = threading.Lock()
_watches = {}  # thread id -> _Watch
_watchdog_pid = None


def resident_bytes():
    """This process's resident memory (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _raise_in(thread_id, exception):
    """Make ``thread_id`` raise ``exception`` at its next bytecode."""
    return ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))


def _check(watch, now):
    """Why ``watch``'s rule must stop now, or ''."""
    if now > watch.deadline:
        return f"ran longer than its limit of {watch.limits.time_s:g} s on this module"
    if watch.rss_start is None:
        watch.rss_start = resident_bytes()
        return ""
    grown = resident_bytes() - watch.rss_start if watch.rss_start else 0
    if grown > watch.limits.memory_mb * 1024 * 1024:
        return (f"made the process grow by {grown // (1024 * 1024)} MiB, past its limit of "
                f"{watch.limits.memory_mb:g} MiB on this module")
    return ""


def _watchdog():
    while True:
        time.sleep(POLL_ACTIVE_S if _watches else POLL_IDLE_S)
        now = time.monotonic()
        for watch in list(_watches.values()):
            if watch.fired_at is not None and now - watch.fired_at < REFIRE_S:
                continue
            reason = watch.reason or _check(watch, now)
            if not reason:
                continue
            with _lock:
                if _watches.get(watch.thread_id) is watch:
                    watch.reason, watch.fired_at = reason, now
                    _raise_in(watch.thread_id, RuleStopped)


def _ensure_watchdog():
    """One watchdog per process: a forked child (parallel.py) starts its own."""
    global _watchdog_pid  # noqa: PLW0603 - one watchdog per process
    pid = os.getpid()
    if _watchdog_pid == pid:
        return
    with _lock:
        if _watchdog_pid != pid:
            threading.Thread(target=_watchdog, name="module-validator-rule-watchdog", daemon=True).start()
            _watchdog_pid = pid


class guarded:  # noqa: N801 - used as a context manager, like a function
    """``with guarded(limits) as watch:`` run one rule; on :class:`RuleStopped`,
    ``watch.reason`` says which limit it passed."""

    def __init__(self, limits):
        self.limits = limits
        self.watch = None

    def __enter__(self):
        _ensure_watchdog()
        self.watch = _Watch(threading.get_ident(), self.limits)
        _watches[self.watch.thread_id] = self.watch
        return self.watch

    def __exit__(self, exc_type, exc, tb):
        # The watchdog fires only under the lock and while the rule is listed,
        # so once it is removed nothing more can fire. A fire just before that
        # is delivered at the latest right after ``pop`` (a call, where the
        # interpreter checks for pending exceptions), and propagates from
        # here to the runner. Cancelling a pending exception instead would
        # leave the interpreter checking for one at every instruction.
        with _lock:
            _watches.pop(self.watch.thread_id, None)
        return False
