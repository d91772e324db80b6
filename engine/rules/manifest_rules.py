# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Manifest rules (MAN): the manifest is the first thing Odoo reads."""

import ast
import difflib
import re

from ..index import FileProblem
from .registry import Issue, rule

# Odoo's defaults (odoo/modules/module.py _DEFAULT_MANIFEST) plus the keys its
# own lint accepts (addons/test_lint/tests/test_manifests.py).
KNOWN_KEYS = {
    "application", "bootstrap", "assets", "author", "auto_install", "category",
    "cloc_exclude", "configurator_snippets", "countries", "data", "demo", "demo_xml",
    "depends", "description", "external_dependencies", "init_xml", "installable",
    "images", "images_preview_theme", "live_test_url", "new_page_templates",
    "post_init_hook", "post_load", "pre_init_hook", "sequence", "summary", "test",
    "update_xml", "uninstall_hook", "version", "web", "website", "name", "icon",
    "addons_path", "license", "contributors", "maintainer", "url",
    # Common community keys that Odoo ignores harmlessly.
    "maintainers", "development_status", "price", "currency", "support", "live_test_url",
}
# Keys whose misspelling silently drops files or dependencies.
LOADING_KEYS = ("data", "demo", "depends")
# The selection of ir.module.module.license in Odoo 18.0.
LICENSES = (
    "GPL-2", "GPL-2 or any later version", "GPL-3", "GPL-3 or any later version",
    "AGPL-3", "LGPL-3", "Other OSI approved licence", "OEEL-1", "OPL-1",
    "Other proprietary",
)
DATA_EXTENSIONS = (".xml", ".csv", ".sql")
VERSION_RE = re.compile(r"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$")


def _manifest_issue(ctx, key, message, severity=None, impact=None):
    return Issue(
        ctx.module.manifest_file, ctx.index.manifest_key_line(key), message,
        severity=severity, key=f"{key}:{message}", impact=impact,
    )


@rule(
    "MAN001",
    title="Manifest is a readable Python dict literal",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo reads __manifest__.py with ast.literal_eval. When that fails, "
    "the module silently disappears from the Apps list, '-i' logs 'invalid module "
    "names, ignored' and exits 0 without installing, an installed module aborts "
    "the registry load, and creating any new database on that addons path fails.",
    bad="{'name': 'My module', 'depends': ['base'] + EXTRA}",
    good="{'name': 'My module', 'depends': ['base', 'mail']}",
    remedy="Keep the manifest a single dict of literals: no names, calls, "
    "comprehensions or arithmetic.",
    prevents="WARNING invalid module names, ignored / CRITICAL on database creation",
)
def check_manifest_parses(ctx):
    problem = ctx.module.problem
    if problem:
        yield Issue(ctx.module.manifest_file, problem.line, problem.message)


@rule(
    "MAN002",
    title="Version is valid for the Odoo series",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo 18.0 accepts x.y, x.y.z, 18.0.x.y or 18.0.x.y.z "
    "(odoo/modules/module.py adapt_version). Any other version, such as a "
    "17.0.x.y.z left over from a migration, makes the manifest invalid: the "
    "module is ignored and new databases cannot be created.",
    bad="'version': '17.0.1.0.0'",
    good="'version': '1.0.0'   # or '18.0.1.0.0' for 18.0 only",
    remedy="Use MAJOR.MINOR.PATCH (Odoo prefixes the series), or SERIES.MAJOR.MINOR.PATCH "
    "for one series only; bump it with every deployable change.",
    prevents="ValueError: Module X: invalid manifest (Invalid version ...) / "
    "WARNING The module X has an incompatible version, setting installable=False",
    series_note="19.0 (odoo/modules/module.py adapt_version, check_version, _load_manifest): "
    "a version of 2 or 3 parts still gets the series as a prefix, but a version that "
    "then does not start with '19.0.' (18.0.x.y.z, 1.2.3.4, or '19.0' itself) no longer "
    "raises: the module is marked not installable, with a WARNING, and -i installs "
    "nothing (exit 0). A version that is not 2 to 5 integers still raises.",
)
def check_version(ctx):
    manifest = ctx.index.manifest
    if not ctx.module.manifest or "version" not in manifest:
        return
    version = manifest["version"]
    if not isinstance(version, str):
        yield _manifest_issue(ctx, "version", f"The version {version!r} is not a string.")
        return
    if manifest.get("installable", True) is False:
        return
    problem = version_problem(version, ctx.facts.series)
    if problem:
        yield _manifest_issue(ctx, "version", problem)


def version_problem(version, series):
    """Why Odoo of ``series`` refuses the manifest version ``version``, or None."""
    if series == "18.0":
        base = version[len(series) + 1:] if version != series and version.startswith(series + ".") else version
        if VERSION_RE.match(base):
            return None
        return (f"The version {version!r} is invalid for Odoo {series}: use x.y, x.y.z, "
                f"{series}.x.y or {series}.x.y.z.")
    # 19.0 and later: check_version after adapt_version.
    parts = version.split(".")
    if not 2 <= len(parts) <= 5 or not all(part.isdigit() for part in parts):
        return (f"The version {version!r} is invalid for Odoo {series} (2 to 5 numbers): the "
                "manifest is invalid and every install in the database fails.")
    adapted = version if len(parts) > 3 or version.startswith(series) else f"{series}.{version}"
    if adapted.startswith(series + "."):
        return None
    return (f"The version {version!r} belongs to another series: Odoo {series} marks the "
            "module not installable and installs nothing. Use x.y.z (Odoo prefixes the "
            f"series) or {series}.x.y.z.")


@rule(
    "MAN004",
    title="Manifest has a name and only known keys",
    category="manifest", level="static", severity="warning", impact="runtime",
    rationale="Odoo ignores unknown manifest keys without a word. A misspelt "
    "'data', 'demo' or 'depends' (for example 'datas' or 'depend') means files are "
    "never loaded or a dependency is never installed; other unknown keys are "
    "usually typos of optional keys.",
    bad="{'name': 'My module', 'depend': ['sale'], 'datas': ['views/views.xml']}",
    good="{'name': 'My module', 'depends': ['sale'], 'data': ['views/views.xml']}",
    remedy="Fix the spelling of the key; remove keys Odoo does not know.",
    prevents="Views, data or dependencies silently missing after install",
)
def check_known_keys(ctx):
    manifest = ctx.module.manifest
    if manifest is None:
        return
    if not manifest.get("name"):
        yield _manifest_issue(ctx, "name", "The manifest has no 'name'.", impact="hygiene")
    for key in manifest:
        if not isinstance(key, str):
            yield _manifest_issue(ctx, str(key), f"The manifest key {key!r} is not a string.")
            continue
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, LOADING_KEYS, n=1, cutoff=0.7)
        if close:
            yield _manifest_issue(
                ctx, key,
                f"Unknown manifest key {key!r}; Odoo ignores it. Did you mean "
                f"{close[0]!r}? Its entries are never loaded.",
            )
        else:
            yield _manifest_issue(ctx, key, f"Unknown manifest key {key!r}; Odoo ignores it.",
                                  impact="hygiene")


@rule(
    "MAN005",
    title="Manifest values have the types Odoo expects",
    category="manifest", level="static", severity="error", impact="install",
    rationale="'depends', 'data' and 'demo' must be lists of strings: a string "
    "'depends' is iterated character by character, giving dependencies named "
    "'s', 'a', 'l', 'e'. The deprecated keys init_xml, update_xml and demo_xml "
    "are only honoured with a warning; a file listed twice is loaded once with a "
    "warning.",
    bad="'depends': 'sale'",
    good="'depends': ['sale']",
    remedy="Use lists of strings; move files from deprecated keys to 'data'/'demo'.",
    prevents="You try to install module X that depends on module s / File imported twice",
)
def check_value_types(ctx):
    manifest = ctx.module.manifest
    if manifest is None:
        return
    for key in ("depends", "data", "demo", "assets", "external_dependencies", "auto_install"):
        if key not in manifest:
            continue
        value = manifest[key]
        if key in ("depends", "data", "demo"):
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                yield _manifest_issue(ctx, key, f"'{key}' must be a list of strings, not {value!r:.80}.")
        elif key in ("assets", "external_dependencies") and not isinstance(value, dict):
            yield _manifest_issue(ctx, key, f"'{key}' must be a dict.")
        elif key == "auto_install" and not isinstance(value, bool | list | tuple):
            yield _manifest_issue(ctx, key, "'auto_install' must be a boolean or a list of modules.")
    for key in ("init_xml", "update_xml", "demo_xml"):
        if manifest.get(key):
            yield _manifest_issue(
                ctx, key, f"The key {key!r} is deprecated; list its files in 'data' or 'demo'.",
                severity="warning",
            )
    seen = set()
    for _key, relative in ctx.index.loaded_files():
        if relative in seen:
            yield _manifest_issue(
                ctx, _key, f"{relative} is listed twice; Odoo loads it once.", severity="warning"
            )
        seen.add(relative)


@rule(
    "MAN013",
    title="Licence is one Odoo accepts",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo stores the licence in ir.module.module.license, a selection. "
    "A missing licence logs a WARNING and defaults to LGPL-3; a value outside the "
    "selection makes 'Update Apps List' and the install of the module fail.",
    bad="'license': 'AGPL'",
    good="'license': 'AGPL-3'",
    remedy="Use one of: " + ", ".join(LICENSES) + ".",
    prevents="ValueError: Wrong value for ir.module.module.license / "
    "WARNING Missing `license` key in manifest",
)
def check_license(ctx):
    manifest = ctx.module.manifest
    if manifest is None:
        return
    license_ = manifest.get("license")
    if not license_:
        yield _manifest_issue(
            ctx, "license",
            "The manifest has no 'license'; Odoo logs a WARNING and assumes LGPL-3.",
            severity="warning",
        )
    elif license_ not in LICENSES:
        yield _manifest_issue(
            ctx, "license",
            f"The licence {license_!r} is not one Odoo accepts ({', '.join(LICENSES)}).",
        )


@rule(
    "MAN010",
    title="Data and demo files exist, with exact case and a loadable type",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo opens every 'data' and 'demo' file at install. A missing file "
    "aborts the install (FileNotFoundError). Linux file names are case-sensitive, "
    "so a file that loads on a developer's Mac or Windows fails on odoo.sh.",
    bad="'data': ['views/Partner_Views.xml']   # file is views/partner_views.xml",
    good="'data': ['views/partner_views.xml']",
    remedy="List the exact relative path; rename the file or fix the entry.",
    prevents="FileNotFoundError: File not found: module/views/...",
)
def check_data_files(ctx):
    for key, relative in ctx.index.loaded_files():
        line = ctx.index.manifest_key_line(key)
        if ctx.index.resolve(relative) is None:
            yield Issue(ctx.module.manifest_file, line,
                        f"'{key}' file {relative} points outside the module.", key=relative)
        elif not ctx.index.exact_case_exists(relative):
            yield Issue(ctx.module.manifest_file, line,
                        f"'{key}' file {relative} does not exist (names are case-sensitive).",
                        key=relative)
        elif not relative.lower().endswith(DATA_EXTENSIONS):
            yield Issue(ctx.module.manifest_file, line,
                        f"'{key}' file {relative} has a type Odoo does not load "
                        "(only .xml, .csv and .sql).", key=relative)


@rule(
    "MAN007",
    title="auto_install names only declared dependencies",
    category="manifest", level="static", severity="error", impact="install",
    rationale="A list-valued auto_install gives the dependencies whose installation "
    "triggers this module; Odoo asserts each is in 'depends'. Otherwise the manifest "
    "is invalid: the module is ignored and new databases cannot be created.",
    bad="'depends': ['sale'], 'auto_install': ['sale', 'stock']",
    good="'depends': ['sale', 'stock'], 'auto_install': ['sale', 'stock']",
    remedy="Add the trigger to 'depends' or remove it from 'auto_install'.",
    prevents="AssertionError: auto_install triggers must be dependencies, found "
    "non-dependencies [...] for module X",
)
def check_auto_install(ctx):
    value = ctx.index.manifest.get("auto_install")
    if not isinstance(value, list | tuple):
        return
    depends = set(ctx.module.depends())
    # A name that is no string (a list, a dict: unhashable) is no dependency either.
    extra = sorted(str(name) for name in value if not isinstance(name, str) or name not in depends)
    if extra:
        yield _manifest_issue(ctx, "auto_install",
                              f"auto_install names modules that are not in 'depends': "
                              f"{', '.join(extra)}.")


HOOKS = {
    "pre_init_hook": 1, "post_init_hook": 1, "uninstall_hook": 1, "post_load": 0,
}


@rule(
    "MAN008",
    title="Hooks exist in the package and take the right arguments",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo looks the hook names of the manifest up on the module's package "
    "(its __init__.py) and calls pre_init_hook, post_init_hook and uninstall_hook "
    "with env alone (since 17.0; before it was cr, registry), post_load with "
    "nothing. A missing function or an old signature aborts the install.",
    bad="'post_init_hook': 'post_init'   # def post_init(cr, registry): ...",
    good="'post_init_hook': 'post_init'   # def post_init(env): ... imported in __init__.py\n"
    "'post_load': 'patch'   # patch = hooks.patch in __init__.py (Odoo only does getattr)",
    remedy="Define or import the function in __init__.py with the 17.0+ signature.",
    prevents="AttributeError: module 'odoo.addons.x' has no attribute 'post_init' / "
    "TypeError: post_init() missing 1 required positional argument",
)
def check_hooks(ctx):
    manifest = ctx.index.manifest
    package = ctx.index.python.get("__init__.py")
    if package is None or package.problem:
        return
    for key, arguments in HOOKS.items():
        name = manifest.get(key)
        if not isinstance(name, str) or not name:
            continue
        signature = package.functions.get(name)
        if signature is None:
            if name in package.imported_names or "*" in package.imported_names:
                continue  # imported: defined elsewhere in the package
            if _bound_by_assignment(ctx, name):
                # hook = hooks.post_load: Odoo only does getattr() on the package,
                # so any module-level binding is found (its signature is unknown).
                continue
            yield _manifest_issue(ctx, key, f"The {key} {name!r} is not defined or imported "
                                  "in __init__.py.")
        elif not (signature.required <= arguments <= signature.positional or signature.varargs
                  and signature.required <= arguments):
            expected = "env" if arguments else "no argument"
            yield _manifest_issue(ctx, key, f"The {key} {name!r} must take {expected} (line "
                                  f"{signature.line} of __init__.py).")


def _bound_by_assignment(ctx, name):
    """Whether __init__.py binds ``name`` at module level by an assignment."""
    try:
        tree = ast.parse(ctx.index.read_bytes("__init__.py"))
    except (FileProblem, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        for target in targets:
            for item in ast.walk(target):
                if isinstance(item, ast.Name) and item.id == name:
                    return True
    return False


@rule(
    "MAN012",
    title="The manifest is named __manifest__.py",
    category="manifest", level="static", severity="warning", impact="warning-log",
    rationale="Odoo still reads a legacy __openerp__.py manifest, but logs a "
    "DeprecationWarning for it since 17.0: a WARNING in every build log.",
    bad="my_module/__openerp__.py",
    good="my_module/__manifest__.py",
    remedy="Rename the file to __manifest__.py (valid since 10.0).",
    prevents="DeprecationWarning: __openerp__.py manifests are deprecated since 17.0",
)
def check_manifest_name(ctx):
    if ctx.module.manifest_file == "__openerp__.py":
        yield Issue(ctx.module.manifest_file, None,
                    "The manifest is __openerp__.py; rename it to __manifest__.py.",
                    key="openerp")
