# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The parent arch an inheriting view meets at install time, rebuilt from files (VIEW005).

When Odoo creates an inheriting view it combines the root view with every
active extension view already in the database (ir_ui_view.py
``_get_combined_arch``/``_combine``), in priority then creation order, and
applies the new view's specs to it. On a fresh database the views already
there are those of the closure, then the module's own earlier views. This
rebuilds that arch with Odoo's own ``apply_inheritance_specs`` and tells which
spec of the new view cannot be located. Anything the files cannot tell (an
arch or mode that is not literal, a view another file rewrites, a closure file
that does not parse, a spec of another view that fails) makes the answer
unknown: nothing is reported.
"""

import collections
import copy
import re

from lxml import etree

from ..index import full_xmlid, stored_arch

# Archs rebuilt per run, keyed by the views applied: modules sharing a closure reuse them.
MAX_CACHED_ARCHS = 128
UNKNOWN = object()
_PSEUDO_IDS = {}  # full xmlid -> the id it stands for in rebuilt archs


class _ViewInfo:
    """One ir.ui.view record of a module, as convert.py would create it."""

    __slots__ = ("module", "record", "key", "xmlid", "parent", "model", "mode",
                 "priority", "active", "elements", "known")

    def __init__(self, module, view):
        record = view.record
        self.module = module
        self.record = record
        self.key = (module, record.seq)
        self.xmlid = full_xmlid(module, record.xmlid) if record.xmlid else None
        self.parent = full_xmlid(module, view.inherit_ref) if view.inherit_ref else None
        self.known = not view.qweb and record.model == "ir.ui.view"
        self.model = _text_value(record, "model")
        default_mode = "extension" if self.parent else "primary"
        self.mode = _text_value(record, "mode", default_mode)
        self.priority = _int_value(_text_value(record, "priority", "16"))
        self.active = _bool_value(record)
        arch = view.arch
        self.elements = [c for c in arch if isinstance(c.tag, str)] if arch is not None else []
        if (UNKNOWN in (self.model, self.mode, self.priority, self.active)
                or self.mode not in ("primary", "extension") or not self.elements
                or (arch is not None and arch.get("file"))):
            self.known = False

    def arch(self):
        """A fresh copy of the arch as Odoo stores it: one root, %(xmlid)d replaced by ids."""
        return stored_arch(self.elements, self._qualify)

    def _qualify(self, match):
        # convert.py puts the record's database id in place of %(xmlid)d on both sides of
        # a locator (also inside an xpath: @name=%(x)d); a made-up id per xmlid does as well.
        xmlid = full_xmlid(self.module, match.group(1))
        return str(_PSEUDO_IDS.setdefault(xmlid, 10_000_000 + len(_PSEUDO_IDS)))


def _text_value(record, name, default=None):
    data_field = record.get_field(name)
    if data_field is None:
        return default
    node = data_field.node
    if node is not None and (node.get("eval") or node.get("ref") or node.get("search")):
        if name == "priority" and node.get("eval", "").strip().isdigit():
            return node.get("eval").strip()
        return UNKNOWN
    return data_field.text.strip()


def _int_value(text):
    if text is UNKNOWN or not re.fullmatch(r"-?\d+", text or ""):
        return UNKNOWN
    return int(text)


def _bool_value(record):
    data_field = record.get_field("active")
    if data_field is None:
        return True
    node = data_field.node
    value = (node.get("eval") if node is not None and node.get("eval") else data_field.text).strip()
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    return UNKNOWN


class ViewCombiner:
    """Per-run state: each module's views, children maps and rebuilt archs."""

    def __init__(self, facts):
        self.facts = facts
        self._infos = {}
        self._parts = {}
        self._archs = collections.OrderedDict()
        self._apply = _odoo_apply()

    @classmethod
    def of(cls, facts):
        return facts.memo("view_combiner", lambda: cls(facts))

    def module_views(self, module):
        """``[_ViewInfo]`` of a module in load order; None if some data file does not parse."""
        if module not in self._infos:
            index = self.facts.index(module)
            if any(f.problem for f in index.data_files if f.path.lower().endswith(".xml")):
                self._infos[module] = None
            else:
                self._infos[module] = [_ViewInfo(module, view) for view in index.views]
        return self._infos[module]

    def scope(self, module):
        """The views a fresh install of ``module`` meets (closure and own), or None if unknown."""
        names = self.facts.scope(module)
        parts = []
        for name in names:
            part = self._module_part(name)
            if part is None:
                return None
            parts.append(part)
        return _Scope(module, names, parts)

    def _module_part(self, module):
        """What one module brings to the scopes it is part of, or None if unknown."""
        if module not in self._parts:
            infos = self.module_views(module)
            self._parts[module] = None if infos is None else _ModulePart(module, infos)
        return self._parts[module]

    def locate(self, scope, view_record):
        """``(spec element, message)`` of the first spec of the module's view that cannot be
        located in its parent's arch at install time, or None (located, or unknown)."""
        if self._apply is None:
            return None
        target = next((v for v in scope.own if v.record is view_record), None)
        if target is None or not target.known or not target.active or not target.parent:
            return None
        # Only the closure and the module's views created before this one exist.
        own = [v for v in scope.own if v.record.seq <= target.record.seq]
        own_by_xmlid = {v.xmlid: v for v in own if v.xmlid}
        chain, current = [target], target
        while current.parent:
            current = own_by_xmlid.get(current.parent) or scope.by_xmlid.get(current.parent)
            if (current is None or not current.known or not current.active
                    or current in chain or len(chain) > 50):
                return None
            chain.append(current)
        if any(v.xmlid in scope.rewritten for v in chain):
            return None
        own_children = collections.defaultdict(list)
        for v in own:
            if v.parent:
                own_children[v.parent].append(v)
        order = _traversal(chain, scope, own_children)
        if order is None:
            return None
        prefix = order[:order.index(target)]
        arch = self._arch(chain[-1], prefix)
        if arch is None:
            return None
        return self._first_unlocated(arch, target)

    def _arch(self, root, prefix):
        """Copy of the root arch with ``prefix`` views applied; None if one of them fails."""
        keys = [root.key, *(v.key for v in prefix)]
        start, arch = 0, None
        for size in range(len(keys), 0, -1):
            cached = self._archs.get(tuple(keys[:size]), UNKNOWN)
            if cached is not UNKNOWN:
                self._archs.move_to_end(tuple(keys[:size]))
                if cached is None:
                    return None
                if size == len(keys):
                    return copy.deepcopy(cached)
                start, arch = size - 1, copy.deepcopy(cached)
                break
        if arch is None:
            arch = root.arch()
        for view in prefix[start:]:
            try:
                arch = self._apply(arch, view.arch())
            except Exception:  # noqa: BLE001 - another view's spec: unknown here
                arch = None
                break
        # The cached tree is never handed out: callers get copies.
        self._archs[tuple(keys)] = arch
        while len(self._archs) > MAX_CACHED_ARCHS:
            self._archs.popitem(last=False)
        return copy.deepcopy(arch) if arch is not None else None

    def _first_unlocated(self, arch, view):
        originals = _flat_specs(view.elements)
        copies = _flat_specs([view.arch()])
        for original, spec in zip(originals, copies):
            try:
                arch = self._apply(arch, spec)
            except ValueError as error:
                message = _error_text(error)
                if "cannot be located" in message:
                    return original, message
                return None  # other spec errors are reported by the checks of the spec itself
            except Exception:  # noqa: BLE001 - xpath errors and the like: reported elsewhere
                return None
        return None


def _traversal(chain, scope, own_children):
    """Views in the order ``_combine`` applies them (root excluded), or None if unknown."""
    in_chain = set(map(id, chain))
    tree, frontier = set(in_chain), list(chain)
    hierarchy = collections.defaultdict(list)
    while frontier:
        node = frontier.pop()
        if not node.xmlid:
            continue
        for child in [*scope.children.get(node.xmlid, ()), *own_children.get(node.xmlid, ())]:
            if id(child) in in_chain:
                hierarchy[id(node)].append(child)
                continue
            if child.known and not child.active:
                continue
            if not child.known or child.xmlid in scope.rewritten:
                return None
            # _get_inheriting_views: active extensions of the same model (NULL = NULL).
            if child.mode != "extension" or (child.model or "") != (node.model or ""):
                continue
            if id(child) not in tree:
                tree.add(id(child))
                hierarchy[id(node)].append(child)
                frontier.append(child)
    for kids in hierarchy.values():
        # ORDER BY priority, id: ids grow with the load order (closure, then file order).
        kids.sort(key=lambda v: (v.priority, scope.position[v.module], v.record.seq))
    root = chain[-1]
    if root.mode != "primary":
        return None
    order = []
    queue = collections.deque(sorted(hierarchy[id(root)], key=lambda v: v.mode))
    while queue:
        view = queue.popleft()
        order.append(view)
        for child in reversed(hierarchy[id(view)]):
            if child.mode == "primary":
                queue.append(child)
            else:
                queue.appendleft(child)
    return order


class _ModulePart:
    """One module's views, indexed once per run for every scope that holds the module."""

    __slots__ = ("views", "first_by_xmlid", "children", "rewritten", "unnamed")

    def __init__(self, module, views):
        self.views = views
        self.first_by_xmlid = {}
        self.children = {}
        # A second definition changes the first one; so does a module defining an
        # xmlid of another module. Views without xmlid are counted (see _Scope).
        self.rewritten = set()
        self.unnamed = 0
        for view in views:
            if view.xmlid is None:
                self.unnamed += 1
            elif view.xmlid in self.first_by_xmlid or view.xmlid.partition(".")[0] != module:
                self.rewritten.add(view.xmlid)
            self.first_by_xmlid.setdefault(view.xmlid, view)
            if view.parent:
                self.children.setdefault(view.parent, []).append(view)
        self.first_by_xmlid.pop(None, None)


class _Scope:
    """A module's closure views indexed for lookups, and its own views in load order."""

    def __init__(self, module, names, parts):
        self.module = module
        self.position = {name: at for at, name in enumerate(names)}
        self.by_xmlid = {}
        self.children = collections.defaultdict(list)
        self.rewritten = set()
        self.own = []
        unnamed = 0
        for name, part in zip(names, parts):
            unnamed += part.unnamed
            self.rewritten |= part.rewritten
            if name == module:
                self.own = part.views
                continue
            for parent, views in part.children.items():
                self.children[parent].extend(views)
        # The first definition in load order is the one found.
        for name, part in zip(reversed(names), reversed(parts)):
            if name != module:
                self.by_xmlid.update(part.first_by_xmlid)
        # Two definitions of one xmlid in different modules: one of them is another
        # module's xmlid, already counted. Two views without xmlid count as a
        # rewritten None (no answer for such a view).
        if unnamed > 1:
            self.rewritten.add(None)


def _flat_specs(elements):
    """Specs in the order apply_inheritance_specs takes them (<data> unpacked at the end)."""
    queue, specs = list(elements), []
    while queue:
        spec = queue.pop(0)
        if not isinstance(spec.tag, str):
            continue
        if spec.tag == "data":
            queue.extend(spec)
        else:
            specs.append(spec)
    return specs


def _odoo_apply():
    """Odoo's apply_inheritance_specs, or None when Odoo cannot be imported here."""
    try:
        from odoo.tools.template_inheritance import apply_inheritance_specs  # noqa: PLC0415
    except Exception:  # noqa: BLE001 - no Odoo: the check is skipped
        return None
    _register_hasclass()
    return apply_inheritance_specs


def _register_hasclass():
    """Odoo registers the xpath function hasclass() when its ir.ui.view loads; outside a
    server (the command line, the benchmarks) register an equivalent one."""
    functions = etree.FunctionNamespace(None)
    if "hasclass" not in functions:
        functions["hasclass"] = _hasclass


def _hasclass(context, *classes):
    node_classes = set((context.context_node.get("class") or "").split())
    return node_classes.issuperset(classes)


def _error_text(error):
    """The message of ``error``. Odoo 19.0 raises lazy translations (LazyGettext), whose
    str() looks for a web request's language and fails outside a server (odoo.http not
    imported): their source text, formatted, is the message then."""
    try:
        return str(error)
    except Exception:  # noqa: BLE001 - any failure to render: fall back to the source text
        lazy = error.args[0] if error.args else None
        source, args = getattr(lazy, "_source", None), getattr(lazy, "_args", ())
        if not isinstance(source, str):
            return type(error).__name__
        try:
            return source % args if args else source
        except (TypeError, ValueError, KeyError):
            return source
