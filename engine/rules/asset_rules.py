# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Asset rules (AST001): the manifest's 'assets' as ir.asset reads them.

Odoo builds a bundle on the first request for it (and in HttpCase tests and
tours), not at install: what is wrong here breaks pages, not the install.
"""

import ast
import glob
import os
from urllib.parse import urlsplit

from ..index import FileProblem, is_test_or_migration
from .registry import Issue, rule

# base/models/ir_asset.py
DIRECTIVES = ("append", "prepend", "before", "after", "replace", "remove", "include")
DIRECTIVES_WITH_TARGET = ("after", "before", "replace")
# tools/constants.py ASSET_EXTENSIONS; other files are left out of bundles silently.
SCRIPT_EXTENSIONS = ("js", "xml")
STYLE_EXTENSIONS = ("css", "scss", "sass", "less")
ASSET_EXTENSIONS = SCRIPT_EXTENSIONS + STYLE_EXTENSIONS
# Modules every database has installed (base, and web, a server-wide module).
ALWAYS_INSTALLED = ("base", "web")
MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py")


def _command_lines(ctx):
    """``{bundle: [line of each command]}`` read from the manifest's source."""
    try:
        tree = ast.parse(ctx.index.read_bytes(ctx.module.manifest_file))
    except (FileProblem, SyntaxError, ValueError):
        return {}
    node = tree.body[0].value if tree.body and isinstance(tree.body[0], ast.Expr) else None
    if not isinstance(node, ast.Dict):
        return {}
    lines = {}
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and key.value == "assets" and isinstance(value, ast.Dict):
            for bundle, commands in zip(value.keys, value.values):
                if isinstance(bundle, ast.Constant) and isinstance(commands, ast.List | ast.Tuple):
                    lines[bundle.value] = [c.lineno for c in commands.elts]
    return lines


def is_glob(path):
    """ir_asset.is_wildcard_glob."""
    return any(char in path for char in "*[]?")


def _is_external(path):
    """ir_asset.can_aggregate is False: URLs Odoo links as they are."""
    parts = urlsplit(path)
    return bool(parts.scheme or parts.netloc or path.startswith("/web/content"))


def _path_problem(ctx, path, directive, as_target=False):
    """``(severity, message)`` of what Odoo does with ``path``, or None."""
    if not isinstance(path, str) or not path:
        return None, f"{path!r} is not a path"
    if _is_external(path):
        return None
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts:
        return None
    addon = parts[0]
    module = ctx.module.name
    catalog = ctx.facts.catalog
    source = catalog.get(addon)
    if source is None:
        # Odoo takes it for an attachment URL (a glob: nothing, with a WARNING).
        return "warning", (f"'{path}': {addon!r} is not a module of the addons path; Odoo "
                           "looks for an attachment with that URL instead")
    if not ctx.facts.in_scope(module, addon) and addon not in ALWAYS_INSTALLED:
        auto = (source.manifest or {}).get("auto_install")
        return ("warning" if auto else None), (
            f"'{path}' is in {addon!r}, which is not in the dependencies: Odoo refuses "
            "files of modules that are not installed")
    # realpath stats every component of the path: once per module folder and run.
    root = ctx.facts.memo(("realpath", source.path), lambda: os.path.realpath(source.path))
    full = os.path.normpath(os.path.join(root, *parts[1:]))
    if not full.startswith(os.path.join(root, "static", "")):
        if is_glob(path):
            return "warning", f"'{path}' is not under {addon}/static/; Odoo resolves it to nothing"
        return None, f"'{path}' is not under {addon}/static/; Odoo cannot serve it"
    if is_glob(path):
        # One match is enough: a lazy walk stops there (web's globs cover thousands of files).
        if not any(m.rsplit(".", 1)[-1] in ASSET_EXTENSIONS for m in glob.iglob(full, recursive=True)):
            return "warning", f"'{path}' matches no .js, .xml, .css, .scss, .sass or .less file"
        return None
    extension = path.rsplit(".", 1)[-1]
    if os.path.isfile(full):
        if extension not in ASSET_EXTENSIONS and not as_target and directive != "remove":
            return "warning", f"'{path}' is not a .js, .xml or style file; bundles leave it out"
        return None
    folder = os.path.isdir(full)
    if not folder and _attachment_known(ctx, path):
        return None  # Odoo then serves the ir.attachment with that URL
    if directive == "remove" or as_target:
        return None, f"'{path}' is no file of {addon}/static/, so it is not in the bundle"
    if folder:
        return "warning", (f"'{path}' is a folder: bundles leave it out; use a glob such as "
                           f"'{path.rstrip('/')}/**/*'")
    if extension in STYLE_EXTENSIONS:
        return "warning", f"'{path}' does not exist (the bundle's CSS shows an error)"
    if extension in SCRIPT_EXTENSIONS:
        return None, f"'{path}' does not exist"
    return None


def _attachment_known(ctx, path):
    """True if an ir.attachment of the closure may have ``path`` as URL.

    A path that is no file is looked up as an attachment URL: web's
    report_assets_common lists web/static/asset_styles_company_report.scss, an
    attachment web's data creates and its code rewrites. Code that writes the
    URL as a string literal may create one too (the manifest does not count).
    """
    bare = path.lstrip("/")
    literals = [f"{quote}{lead}{bare}{quote}".encode() for quote in "'\"" for lead in ("", "/")]
    for module in ctx.facts.scope(ctx.module.name):
        index = ctx.facts.index(module)
        for record in index.records:
            url = record.get_field("url") if record.model == "ir.attachment" else None
            if url is not None and url.text.strip().lstrip("/") == bare:
                return True
        for relative in index.python_files:
            if relative in MANIFEST_NAMES or is_test_or_migration(relative):
                continue
            try:
                text = index.read_bytes(relative)
            except FileProblem:
                continue
            if any(literal in text for literal in literals):
                return True
    return False


@rule(
    "AST001",
    title="Asset declarations name valid bundles, directives and files",
    category="asset", level="static", severity="warning", impact="runtime",
    rationale="Odoo reads the manifest's 'assets' when it builds a bundle: on the "
    "first page that needs it, and in every HttpCase test and tour, never during "
    "odoo-bin -i, which installs the module (proven: exit 0, no WARNING). A directive it "
    "does not know, a command of the wrong shape, a file of a module that is not "
    "installed, a missing file, or a remove/before/after/replace target that is "
    "not there raises or logs an ERROR, and every page using the bundle (for "
    "web.assets_backend, the whole backend) is broken. A glob that matches nothing "
    "and a bundle name that is not 'module.bundle' only log a WARNING or are "
    "silently useless.",
    bad="'assets': {'web.assets_backend': [('add', 'x/static/src/**/*'),\n"
    "                                     'x/static/src/old_name.js',\n"
    "                                     'web_studio/static/src/foo.js']}",
    good="'assets': {'web.assets_backend': ['x/static/src/**/*']}",
    remedy="Use append, prepend, before, after, replace, remove or include; give "
    "(directive, target, path) for before/after/replace and (directive, path) for "
    "the others; keep paths under <module>/static/ of the module or of a module it "
    "depends on; fix or remove paths that match nothing.",
    prevents="ValueError: Unexpected directive / Exception: Unallowed to fetch files "
    "from addon x for file ... / ValueError: File(s) ... not found in bundle ... / "
    "WARNING IrAsset: the path \"...\" did not resolve to anything.",
)
def check_assets(ctx):
    assets = ctx.index.manifest.get("assets")
    if not isinstance(assets, dict):
        return  # MAN005
    manifest = ctx.module.manifest_file
    key_line = ctx.index.manifest_key_line("assets")
    lines = _command_lines(ctx)
    for bundle, commands in assets.items():
        bundle_lines = lines.get(bundle, [])
        if not isinstance(bundle, str) or len([p for p in bundle.split(".") if p]) != 2 \
                or bundle.count(".") != 1:
            yield Issue(manifest, key_line, f"Bundle name {bundle!r} is not 'module.bundle': "
                        "Odoo cannot serve it.", severity="warning", key=f"{bundle}:name")
        if isinstance(commands, set | frozenset) and len(commands) > 1:
            # Odoo iterates whatever it is given; a set's order changes from run to run.
            yield Issue(manifest, key_line, f"{bundle}: the commands are a set; their order, "
                        "hence the load order of the files, is random: use a list.",
                        severity="warning", key=f"{bundle}:set")
        elif not isinstance(commands, list | tuple | set | frozenset | dict):
            yield Issue(manifest, key_line, f"{bundle}: the commands must be a list, not "
                        f"{type(commands).__name__} (Odoo iterates it: a str gives one path "
                        "per character).", key=f"{bundle}:list")
            continue
        for position, command in enumerate(commands):
            line = bundle_lines[position] if position < len(bundle_lines) else key_line
            for severity, message, what in _command_problems(ctx, bundle, command):
                # Problems that only log a WARNING when the bundle is built break nothing.
                yield Issue(manifest, line, f"{bundle}: {message}.", severity=severity,
                            impact="hygiene" if severity == "warning" else None,
                            key=f"{bundle}:{what}")


def _command_problems(ctx, bundle, command):
    """``(severity, message, key)`` of one command of a bundle."""
    if isinstance(command, str):
        directive, target, path = "append", None, command
    elif isinstance(command, list | tuple) and command:
        directive = command[0]
        size = 3 if directive in DIRECTIVES_WITH_TARGET else 2
        if directive not in DIRECTIVES:
            yield None, f"unknown directive {directive!r} in {tuple(command)!r}", f"directive:{directive}"
            return
        if len(command) != size:
            shape = "(directive, target, path)" if size == 3 else "(directive, path)"
            yield None, f"{tuple(command)!r} must be {shape}", f"shape:{command!r}"
            return
        target, path = (command[1], command[2]) if size == 3 else (None, command[1])
    else:
        yield None, f"{command!r} is neither a path nor a (directive, ...) tuple", f"command:{command!r}"
        return
    if directive == "include":
        if path == bundle:
            yield None, f"includes itself (circular bundle {bundle})", f"include:{path}"
        return
    for value, as_target in ((path, False), (target, True)):
        if value is None:
            continue
        problem = _path_problem(ctx, value, directive, as_target)
        if problem:
            severity, message = problem
            if as_target:
                message = f"{directive} target {message}"
            yield severity, message, f"path:{value}"
