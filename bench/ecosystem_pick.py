# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Build bench/ecosystem-oca-18.0.txt once: OCA 18.0 addons spread over many repos.

Usage: python3 bench/ecosystem_pick.py CANDIDATES [--per-repo N] [--total N]

CANDIDATES is a text file whose lines start with a PyPI project name
(``odoo-addon-...``, anything after a tab or a space is ignored), for example
the OCA names of a local copy of a PyPI name index. Only those projects are
asked about, one by one: PyPI gives each project's 18.0 releases and its home
page, which names the OCA repository. The script prints the pinned list; the
benchmark reads the list and never runs this script.
"""

import collections
import json
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PYPI_JSON = "https://pypi.org/pypi/{}/json"
OCA_REPO = re.compile(r"https?://github\.com/OCA/([A-Za-z0-9_.-]+)", re.I)


def version_key(version):
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def latest_18(releases):
    """Newest 18.0 release that has a wheel, or None."""
    versions = [
        version for version, files in releases.items()
        if version.startswith("18.0.") and any(f["filename"].endswith(".whl") for f in files)
        and not all(f.get("yanked") for f in files)
    ]
    return max(versions, key=version_key) if versions else None


def look_up(project):
    try:
        with urllib.request.urlopen(PYPI_JSON.format(project), timeout=30) as answer:
            data = json.load(answer)
    except Exception as error:  # noqa: BLE001 - a project we cannot read is skipped
        return project, None, None, str(error)
    info = data.get("info") or {}
    urls = [info.get("home_page") or ""] + list((info.get("project_urls") or {}).values())
    repo = next((m.group(1) for m in map(OCA_REPO.search, urls) if m), None)
    return project, repo, latest_18(data.get("releases") or {}), None


def family(project):
    """A rough guess of the repository from the name, only to spread the questions."""
    parts = project[len("odoo-addon-"):].replace("_", "-").split("-")
    return parts[0] if parts[0] != "l10n" else "-".join(parts[:2])


def main(argv):
    per_repo, total = 25, 480
    args = list(argv)
    for option in ("--per-repo", "--total"):
        if option in args:
            at = args.index(option)
            value = int(args[at + 1])
            del args[at:at + 2]
            per_repo, total = (value, total) if option == "--per-repo" else (per_repo, value)
    with open(args[0], encoding="utf-8") as handle:
        names = sorted({line.split()[0] for line in handle
                        if line.lower().startswith("odoo-addon-")})
    # Each name family is asked in proportion to its size, interleaved, so
    # that the first questions already reach many repositories, the large
    # ones (account-*, stock-*...) as much as they weigh.
    families = collections.defaultdict(list)
    for name in names:
        families[family(name)].append(name)
    queue = sorted(
        (name for members in families.values() for name in members),
        key=lambda name: ((families[family(name)].index(name) + 0.5)
                          / len(families[family(name)]), name),
    )
    picked = collections.defaultdict(dict)
    asked = 0
    with ThreadPoolExecutor(8) as pool:
        for start in range(0, len(queue), 64):
            if sum(map(len, picked.values())) >= total:
                break
            batch = queue[start:start + 64]
            asked += len(batch)
            for project, repo, version, error in pool.map(look_up, batch):
                if error or not repo or not version or len(picked[repo]) >= per_repo:
                    continue
                picked[repo][project] = version
    count = sum(map(len, picked.values()))
    print("# OCA addons for Odoo 18.0 as published on PyPI, pinned for `bench/run ecosystem`.")
    print(f"# {count} addons from {len(picked)} OCA repositories (at most {per_repo} each), "
          "chosen by bench/ecosystem_pick.py.")
    print("# Only names and versions live here; the benchmark downloads the wheels.")
    for repo in sorted(picked):
        if not picked[repo]:
            continue
        print(f"\n# OCA/{repo}")
        for project, version in sorted(picked[repo].items()):
            print(f"{project}=={version}")
    print(f"{count} addons, {len(picked)} repos, {asked} projects asked", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
