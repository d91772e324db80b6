"""Turn an Odoo test log into the closing line "N passed, N failed[, N skipped]".

Exit status 0 only when every test passed, at least one ran, Odoo exited 0 and
the log has no ERROR or CRITICAL line.
"""

import re
import sys

RESULT_RE = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")
SKIP_RE = re.compile(r" odoo\.addons\.\S+: skipped | odoo\.tests\.\S+: skipped ")
PROBLEM_RE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
BROWSER_SKIP = ("websocket-client module is not installed", "Chrome executable not found",
                "Failed to detect chrome devtools port")


def main(log_path, odoo_status, seconds):
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    failed = errors = total = 0
    for line in lines:
        match = RESULT_RE.search(line)
        if match:
            failed, errors, total = (int(group) for group in match.groups())
    skipped = sum(1 for line in lines if SKIP_RE.search(line))
    # Odoo skips browser tests silently when Chromium is unusable; the setup
    # installs it, so such a skip is a broken environment, counted as failed.
    browser_skips = sum(1 for line in lines for text in BROWSER_SKIP if text in line)
    problems = [line.rstrip() for line in lines if PROBLEM_RE.match(line)]
    for line in problems[:40]:
        print(line)
    failed_total = failed + errors + browser_skips
    if failed_total == 0 and (problems or odoo_status != 0 or total == 0):
        # A crash before or between tests is a failure even if no test reported one.
        failed_total = 1
        print(f"Odoo exited with {odoo_status}; {len(problems)} ERROR/CRITICAL line(s); {total} test(s) ran")
    passed = max(total - failed - errors - skipped, 0)
    print(f"test time: {seconds} s")
    summary = f"{passed} passed, {failed_total} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 0 if failed_total == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
