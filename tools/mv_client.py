#!/usr/bin/env python3
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Validate a project's addons on a module_validator service, from CI.

Python's standard library only: no Odoo, no pip install. It zips the addons
under each PATH (a module folder, or a folder of modules), respecting
.gitignore, sends them to ``POST /module_validator/api/v1/runs``, follows the
run with its progress on stderr, writes the SARIF and JUnit reports, prints a
summary and exits like ``odoo-bin validate``::

    python3 tools/mv_client.py --url https://odoo.example.com --key "$KEY" \\
        --level dynamic --sarif results.sarif --junit results.xml addons/

Exit status: 0 pass, 1 fail, 2 usage, transport or server error.
"""

import argparse
import fnmatch
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
API = "/module_validator/api/v1"
KEY_VARIABLE = "MODULE_VALIDATOR_API_KEY"
MANIFESTS = ("__manifest__.py", "__openerp__.py")
# Never part of what is deployed, whatever .gitignore says.
SKIPPED_DIRS = {".git", "__pycache__", ".tox", ".pytest_cache", "node_modules", ".venv"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
# The service refuses archives inside the upload: they are left out, and said so.
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar", ".whl", ".egg",
                    ".jar", ".zst", ".lz", ".lzma")
FINISHED = ("done", "failed", "cancelled")
HTTP_TIMEOUT_S = 120


class ClientError(Exception):
    """Usage, transport or server error: exit status 2."""


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# -- which files ------------------------------------------------------------------
def find_modules(paths):
    """``{name: folder}`` of the modules under ``paths``."""
    modules = {}
    for path in paths:
        folder = os.path.abspath(path)
        if not os.path.isdir(folder):
            raise ClientError(f"{path}: not a folder")
        if any(os.path.isfile(os.path.join(folder, m)) for m in MANIFESTS):
            candidates = [folder]
        else:
            candidates = [os.path.join(folder, entry) for entry in sorted(os.listdir(folder))]
        for candidate in candidates:
            if os.path.isdir(candidate) and any(os.path.isfile(os.path.join(candidate, m)) for m in MANIFESTS):
                name = os.path.basename(candidate)
                if name in modules and modules[name] != candidate:
                    raise ClientError(f"two modules named {name}: {modules[name]} and {candidate}")
                modules[name] = candidate
    if not modules:
        raise ClientError("no module (a folder with a __manifest__.py) under " + ", ".join(paths))
    return modules


def git_files(folder):
    """Files of ``folder`` git would commit (tracked, or untracked and not
    ignored), relative to it; None outside a git work tree."""
    try:
        inside = subprocess.run(["git", "-C", folder, "rev-parse", "--is-inside-work-tree"],
                                capture_output=True, text=True, check=False)
        if inside.returncode or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(["git", "-C", folder, "ls-files", "-co", "--exclude-standard", "-z", "--", "."],
                                capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [name for name in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def gitignore_patterns(folder, stop):
    """The patterns of the .gitignore files from ``stop`` down to ``folder``."""
    chain, current = [], os.path.abspath(folder)
    stop = os.path.abspath(stop)
    while True:
        chain.append(current)
        if current == stop or os.path.dirname(current) == current:
            break
        current = os.path.dirname(current)
    patterns = []
    for directory in reversed(chain):
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                patterns.append(line)
    return patterns


def ignored(relative, patterns):
    """A simple .gitignore reading: globs on the name or the path, ``dir/``,
    ``/anchored`` and ``!negation`` (last match wins)."""
    parts = relative.split("/")
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern[1:] if negate else pattern
        directory_only = pattern.endswith("/")
        pattern = pattern.strip("/") if pattern.startswith("/") or directory_only else pattern
        candidates = parts[:-1] if directory_only else parts
        if "/" in pattern:
            hit = fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*")
        else:
            hit = any(fnmatch.fnmatch(part, pattern) for part in candidates)
        if hit:
            result = not negate
    return result


def walk_files(folder, root):
    patterns = gitignore_patterns(folder, root)
    files = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            relative = os.path.relpath(os.path.join(current, name), folder).replace(os.sep, "/")
            if not ignored(relative, patterns):
                files.append(relative)
    return files


def module_files(folder, root):
    files = git_files(folder)
    return sorted(files) if files is not None else walk_files(folder, root)


def build_archive(modules, root):
    """The zip the service expects: one folder per module at the top level."""
    buffer = io.BytesIO()
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, folder in sorted(modules.items()):
            for relative in module_files(folder, root):
                full = os.path.join(folder, relative)
                parts = relative.split("/")
                if any(part in SKIPPED_DIRS for part in parts) or relative.endswith(SKIPPED_SUFFIXES):
                    continue
                if os.path.islink(full) or not os.path.isfile(full):
                    log(f"not sent (not a regular file): {name}/{relative}")
                    continue
                if relative.lower().endswith(ARCHIVE_SUFFIXES):
                    log(f"not sent (the service refuses archives inside the upload): {name}/{relative}")
                    continue
                archive.write(full, f"{name}/{relative}")
                count += 1
    return buffer.getvalue(), count


# -- talking to the service -----------------------------------------------------------
class Service:
    def __init__(self, url, key):
        self.url = url.rstrip("/")
        self.key = key

    def call(self, method, path, body=None, content_type=None, raw=False):
        url = path if path.startswith(("http://", "https://")) else self.url + path
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.key}")
        request.add_header("Accept", "application/json")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310
                data = response.read()
        except urllib.error.HTTPError as error:
            raise ClientError(self._describe(error)) from None
        except (urllib.error.URLError, OSError) as error:
            raise ClientError(f"cannot reach {url}: {getattr(error, 'reason', error)}") from None
        if raw:
            return data.decode("utf-8")
        try:
            return json.loads(data)
        except ValueError:
            raise ClientError(f"{method} {url}: the answer is not JSON") from None

    @staticmethod
    def _describe(error):
        try:
            details = json.loads(error.read())["error"]
            return f"the service answered {error.code} {details['code']}: {details['message']}"
        except (ValueError, KeyError, TypeError):
            return f"the service answered {error.code} {error.reason}"

    def start(self, archive, fields):
        boundary = uuid.uuid4().hex
        chunks = []
        for name, value in fields.items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                          .encode())
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="archive"; '
                      f'filename="addons.zip"\r\nContent-Type: application/zip\r\n\r\n'.encode())
        chunks.append(archive)
        chunks.append(f"\r\n--{boundary}--\r\n".encode())
        return self.call("POST", f"{API}/runs", b"".join(chunks), f"multipart/form-data; boundary={boundary}")


def follow(service, run, timeout_s, interval_s=1.0):
    """Poll the run until it ends; progress on stderr. Returns its last status."""
    deadline = time.monotonic() + timeout_s
    last = None
    url = run.get("url") or f"{API}/runs/{run['id']}"
    while True:
        status = service.call("GET", url)
        progress = status.get("progress") or {}
        line = f"{status['name']}: {status['state']}, {progress.get('done', 0)}/{progress.get('total', 0)} module(s)"
        if status.get("waiting"):
            line += f" (waiting {status['waiting']})"
        if line != last:
            log(line)
            last = line
        if status["state"] in FINISHED:
            return status
        if time.monotonic() > deadline:
            raise ClientError(f"{status['name']} did not finish within {timeout_s} s")
        time.sleep(interval_s)
        interval_s = min(interval_s * 1.5, 5.0)


def local_sarif(text, modules, base):
    """The service's SARIF with locations relative to ``base`` (the local
    repository), where the modules really are."""
    log_ = json.loads(text)
    for run in log_.get("runs", []):
        for result in run.get("results", []):
            for location in result.get("locations", []):
                artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
                name, _sep, rest = artifact.get("uri", "").partition("/")
                if name in modules:
                    local = os.path.relpath(os.path.join(modules[name], rest), base).replace(os.sep, "/")
                    artifact["uri"] = urllib.request.pathname2url(local)
    return json.dumps(log_, indent=2, ensure_ascii=False) + "\n"


def summary(report):
    lines = []
    for module in report["modules"]:
        counts = module["counts"]
        lines.append(f"{module['verdict'].upper():4}  {module['name']}  {counts['error']} error(s), "
                     f"{counts['warning']} warning(s), {counts['info']} info")
        for finding in module["findings"]:
            where = finding["path"] + (f":{finding['line']}" if finding.get("line") else "")
            lines.append(f"      {finding['severity']:7} {finding['rule']}  {where}  {finding['message']}")
    failed = sum(1 for module in report["modules"] if module["verdict"] == "fail")
    lines.append(f"{report['verdict'].upper()}: {len(report['modules'])} module(s) validated at the "
                 f"{report['level']} level in {report['duration_s']:.2f} s, {failed} failed")
    return "\n".join(lines) + "\n"


def repository_root(folder):
    try:
        top = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=False)
    except OSError:
        return None
    return top.stdout.strip() if top.returncode == 0 and top.stdout.strip() else None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="mv_client.py", description=__doc__.split("\n\n")[0],
        epilog="Exit status: 0 pass, 1 fail, 2 usage, transport or server error.",
    )
    parser.add_argument("--url", required=True, help="the Odoo server, e.g. https://odoo.example.com")
    parser.add_argument("--key", default=os.environ.get(KEY_VARIABLE),
                        help=f"an Odoo API key of a Module Validator user (default: ${KEY_VARIABLE})")
    parser.add_argument("--level", help="static (fast), dynamic (comprehensive) or bulletproof; "
                        "default: the server's default level")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error")
    parser.add_argument("--sarif", metavar="FILE", help="write the SARIF 2.1.0 report here")
    parser.add_argument("--junit", metavar="FILE", help="write the JUnit XML report here")
    parser.add_argument("--json", metavar="FILE", help="write the JSON report here")
    parser.add_argument("--timeout", type=float, default=3600, metavar="SECONDS",
                        help="give up waiting for the run after this long (default 3600)")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a module folder or a folder of modules")
    return parser


def main(argv=None):
    parser = build_parser()
    options = parser.parse_args(argv)
    if not options.key:
        parser.error(f"give the API key with --key or ${KEY_VARIABLE}")
    try:
        modules = find_modules(options.paths)
        base = repository_root(os.path.commonpath(list(modules.values()))) or os.getcwd()
        archive, count = build_archive(modules, base)
        log(f"sending {len(modules)} module(s), {count} file(s), {len(archive)} bytes: "
            + ", ".join(sorted(modules)))
        service = Service(options.url, options.key)
        fields = {"fail_on": options.fail_on}
        if options.level:
            fields["level"] = options.level
        run = service.start(archive, fields)
        status = follow(service, run, options.timeout)
        if status["state"] != "done":
            raise ClientError(f"{status['name']} ended {status['state']}: {status.get('message', '')}")
        report_url = f"{API}/runs/{status['id']}/report"
        report = service.call("GET", f"{report_url}?format=json")
        if options.json:
            _write(options.json, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        if options.sarif:
            sarif = service.call("GET", f"{report_url}?format=sarif", raw=True)
            _write(options.sarif, local_sarif(sarif, modules, base))
        if options.junit:
            _write(options.junit, service.call("GET", f"{report_url}?format=junit", raw=True))
    except ClientError as error:
        log(f"error: {error}")
        return EXIT_ERROR
    sys.stdout.write(summary(report))
    return EXIT_PASS if report["verdict"] == "pass" else EXIT_FAIL


def _write(path, text):
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise ClientError(f"cannot write {path}: {error}") from None
    log(f"written: {path}")


if __name__ == "__main__":
    sys.exit(main())
