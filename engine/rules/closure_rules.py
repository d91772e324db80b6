# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Closure rules (DEP006, DAT008): what a fresh database with only the closure installed
gives the module's data and views.

DEP006 catches fields that exist here only because an unrelated module is
installed; DAT008 catches records created without a value Odoo's INSERT needs.
"""

import ast
import inspect
from functools import cached_property

from ..facts import GENERATED_XMLID_PREFIXES
from ..index import full_xmlid
from ..python_summary import CREATE_HOOKS
from .field_origin import foreign_field_modules
from .registry import Issue, data_severity, rule
from .view_rules import _arch_views, _field_name, _view_problems


def _csv_field_name(column):
    """Field a CSV column sets: partner_id:id, partner_id/id, child_ids/name -> the first step."""
    if "/" in column or ":" in column:
        column = column.split("/")[0].split(":")[0]
    return column.strip()


def _foreign_message(model, name, modules):
    return (f"Field {name!r} of {model!r} exists in this database only because "
            f"{', '.join(repr(m) for m in modules)} (not a dependency) is installed; "
            "a fresh database without it fails.")


def _closure_known(ctx, model, name):
    """False when the closure does not bring ``model.name`` (missing or foreign), else True/None."""
    if model is None:
        return None
    if foreign_field_modules(ctx, model, name):
        return False
    fields = ctx.facts.closure_model_fields(ctx.module.name, model)
    if fields is not None:
        return name in fields
    registry_model = ctx.facts.env.registry.models.get(model)
    if registry_model is not None and name not in registry_model._fields:
        return False
    return None


@rule(
    "DEP006",
    title="Fields used come from the dependency closure",
    category="dependency", level="dynamic", severity="error", impact="install",
    rationale="A field a view, a data record or a CSV column uses must be defined by the "
    "module or a module it depends on. When it exists in this database only because "
    "another module that adds it to the model happens to be installed, the install "
    "works here and fails on a fresh database (an odoo.sh build, a new customer "
    "database), where that module is absent.",
    bad="'depends': ['base']  +  <field name=\"im_status\"/> in a res.partner view "
    "(im_status is added by bus)",
    good="'depends': ['bus']  +  <field name=\"im_status\"/>",
    remedy="Add the module that defines the field to 'depends', or stop using the field.",
    prevents='ParseError: Field "x" does not exist in model "y" / ValueError: Invalid '
    "field 'x' on model 'y' / ValueError: Invalid field name 'x' (CSV), on a fresh database",
)
def check_foreign_fields(ctx):
    if ctx.facts.level != "dynamic":
        return
    for view, model, _type in _arch_views(ctx):
        if not model:
            continue
        record = view.record
        for node, name, node_model in _view_problems(ctx, view, model, _field_name, _closure_known):
            modules = foreign_field_modules(ctx, node_model, name)
            if modules:
                yield Issue(record.path, node.sourceline,
                            _foreign_message(node_model, name, modules),
                            severity=data_severity(record),
                            key=f"{record.xmlid}:{node_model}:{name}")
    for record in ctx.index.records:
        if record.tag != "record" or not record.model:
            continue
        for data_field in record.fields:
            modules = foreign_field_modules(ctx, record.model, data_field.name)
            if modules:
                yield Issue(record.path, data_field.line,
                            _foreign_message(record.model, data_field.name, modules),
                            severity=data_severity(record),
                            key=f"{record.xmlid}:{record.model}:{data_field.name}")
    for data_file in ctx.index.data_files:
        if not data_file.csv_model:
            continue
        for column in data_file.csv_header:
            modules = foreign_field_modules(ctx, data_file.csv_model, _csv_field_name(column))
            if modules:
                yield Issue(data_file.path, 1, _foreign_message(
                    data_file.csv_model, _csv_field_name(column), modules),
                    key=f"column:{data_file.csv_model}:{column}")


# -- DAT008 -------------------------------------------------------------------

# Field types whose required value Odoo's INSERT needs (a column, no implicit value).
# Boolean is left out: a required Boolean without default is rare and its
# failure was not confirmed here; Binary/Image are attachments by default.
COLUMN_TYPES = frozenset((
    "Char", "Text", "Html", "Integer", "Float", "Monetary", "Date", "Datetime",
    "Selection", "Many2one", "Reference", "Many2oneReference",
))
# A new scheduled action without these is ACT004's finding, with advice specific to crons.
REPORTED_BY_ACT004 = frozenset((("ir.cron", "name"), ("ir.cron", "model_id")))
# Keys that give a field a value without the record's help (or make it unknown).
VALUE_KEYS = ("default", "compute", "related", "company_dependent")


class _Closure:
    """The closure's model classes with the module each comes from (file texts for hooks)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.models = ctx.facts.closure_python_models(ctx.module.name)
        self._required = {}
        self._needed = {}
        self._delegations = {}
        self._own_fields = {}

    def own_fields(self, model):
        """Names of the fields the closure's classes of ``model`` declare themselves."""
        if model not in self._own_fields:
            self._own_fields[model] = {
                name for cls in self.models.classes.get(model, ()) for name in cls.fields}
        return self._own_fields[model]

    @cached_property
    def ir_default_text(self):
        """What the closure's ir.default data says (model and field names), as one text."""
        chunks = []
        for module in self.ctx.facts.scope(self.ctx.module.name):
            for record in self.ctx.facts.index(module).records:
                if record.model == "ir.default":
                    chunks.extend(expression for expression, _line, _what in record.expressions)
                    chunks.extend(ref.xmlid for ref in record.refs)
                    chunks.extend(f.text for f in record.fields)
        return "\n".join(chunks)

    def chain(self, model, seen=()):
        """Classes that make up ``model`` (its _inherit parents first), or None if unknown."""
        if model in seen:
            return None
        result = []
        parents = ["base"] if model != "base" else []
        for cls in self.models.classes.get(model, ()):
            parents.extend(p for p in (cls.inherit or ()) if p != model)
        for parent in dict.fromkeys(parents):
            sub = self.chain(parent, (*seen, model))
            if sub is None:
                return None
            result.extend(sub)
        result.extend(self.models.classes.get(model, ()))
        return result

    def delegations(self, model):
        """``{parent model: delegate field}`` of _inherits and delegate=True fields."""
        if model not in self._delegations:
            self._delegations[model] = self._compute_delegations(model)
        return self._delegations[model]

    def delegation_links(self, model, seen=()):
        """Delegate link fields of ``model`` and of its _inherits parents, recursively."""
        links = []
        for parent, link in self.delegations(model).items():
            links.append(link)
            if parent not in seen and parent != model:
                links.extend(self.delegation_links(parent, (*seen, model)))
        return links

    def _compute_delegations(self, model):
        found = {}
        for cls in self.models.classes.get(model, ()):
            found.update(cls.inherits or {})
            for field in cls.fields.values():
                if field.comodel and field.kwargs.get("delegate") is True:
                    found[field.comodel] = field.name
        return found

    def filled_by_code(self, chain, name):
        """True when a create-like override of the chain may set ``name``.

        An override "may set" a field whose name it spells as a string, itself or
        in a helper method of its class it calls on self (python_summary.py).
        """
        return any(cls.hook_strings is not None and name in cls.hook_strings for cls in chain)

    def required(self, model):
        """``{field: PythonField}`` a record of ``model`` must give, or None if unknown.

        Fields delegated to an _inherits parent are the parent's business
        (see ``parent_required``).
        """
        if model not in self._required:
            self._required[model] = self._compute_required(model)
        return self._required[model]

    def _compute_required(self, model):
        names = self.models.fields(model)
        chain = self.chain(model)
        if names is None or chain is None or not self.models.is_defined(model):
            return None
        for cls in self.models.classes.get(model, ()):
            if cls.kind == "abstract" or cls.attributes.get("_auto", True) is not True:
                return None
        links = set(self.delegations(model).values())
        # Each field's definitions in load order, gathered in one pass over the chain.
        definitions = {}
        for cls in chain:
            for name, field in cls.fields.items():
                definitions.setdefault(name, []).append(field)
        required = {}
        for name in names:
            if name in links or name == "sequence":
                continue  # delegate links are made by create; convert.py may number sequences
            found = definitions.get(name)
            if not found or not _required_without_default(found):
                continue
            required[name] = found[-1]
        return required

    def filled(self, model, name):
        """True when ir.default data or a create-like override of ``model`` may fill ``name``.

        Costly (reads files of the closure): only asked for fields a record lacks.
        """
        return name in self.ir_default_text or self.filled_by_code(self.chain(model) or (), name)

    def needs_nothing(self, model):
        """True when no record of ``model`` can lack a value ``_missing_fields`` knows of,
        whatever it gives: no required field without default, no _inherits parent; at the
        static level also a model whose fields are unknown (the dynamic level reads them
        from the registry then)."""
        required = self.required(model)
        if required is None:
            return self.ctx.facts.level != "dynamic"
        return not required and not self.delegations(model)

    def needed(self, model, given):
        """``{field: (model it belongs to, PythonField)}`` a record of ``model`` giving
        ``given`` must still fill; None when unknown.

        It depends on ``given`` only through the delegate links it holds (of the model
        and of its _inherits parents): kept per model and links, as a module's records
        are mostly of a few models.
        """
        key = (model, tuple(link in given for link in self.delegation_links(model)))
        if key not in self._needed:
            self._needed[key] = self._compute_needed(model, given)
        return self._needed[key]

    def _compute_needed(self, model, given):
        required = self.required(model)
        if required is None:
            return None
        parents = self.parent_required(model, given)
        if parents is None:
            return None
        # A field the model defines itself shadows the parent's: no value reaches the parent.
        own = self.own_fields(model)
        needed = {n: owner for n, owner in parents.items() if n not in own}
        needed.update({name: (model, field) for name, field in required.items()})
        return needed

    def parent_required(self, model, given, seen=()):
        """``{field: (parent model, PythonField)}`` _inherits parents need, the record aside.

        None when unknown. A parent whose link the record gives is not created.
        """
        result = {}
        for parent, link in self.delegations(model).items():
            if link in given or parent in seen:
                continue
            required = self.required(parent)
            grand = self.parent_required(parent, given, (*seen, model))
            if required is None or grand is None:
                return None
            result.update({name: (parent, field) for name, field in required.items()})
            result.update(grand)
        return result


def _required_without_default(definitions):
    """True when merged ``definitions`` (load order) make a required column without default."""
    types = {d.type for d in definitions}
    if len(types) != 1 or not types <= COLUMN_TYPES:
        return False  # an unknown or changed type: Odoo may reset the parameters
    required = None
    for definition in definitions:
        kwargs = definition.kwargs
        if any(key in kwargs for key in VALUE_KEYS):
            return False
        if kwargs.get("store", True) is not True:
            return False
        if "required" in kwargs:
            required = kwargs["required"]
    return required is True


def _context_defaults(expression):
    """``default_x`` keys of a context expression; None when it is not a dict display."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(tree, ast.Dict) or any(k is None for k in tree.keys):
        return None
    keys = set()
    for key in tree.keys:
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        if key.value.startswith("default_"):
            keys.add(key.value[len("default_"):])
    return keys


def _may_create(ctx, record, definitions):
    """False when loading ``record`` on a fresh install surely updates a row (or skips it).

    Cheap; ``_creates`` confirms a creation with the costlier lookups.
    """
    if not record.xmlid:
        return True
    xmlid = full_xmlid(ctx.module.name, record.xmlid)
    owner, _dot, local = xmlid.partition(".")
    if owner == ctx.module.name:
        first = definitions.get(xmlid)
        if first and first[0].seq < record.seq:
            return False  # a second definition updates the first
        return not local.startswith((*GENERATED_XMLID_PREFIXES, "model_"))
    if not ctx.facts.in_scope(ctx.module.name, owner):
        return False  # DEP004 / DAT010
    return (record.forcecreate or "").strip().lower() in ("1", "true", "on")


def _creates(ctx, record):
    """True when a record that ``_may_create`` surely creates: nothing else has its xmlid."""
    if not record.xmlid:
        return True
    module = ctx.module.name
    xmlid = full_xmlid(module, record.xmlid)
    owner, _dot, local = xmlid.partition(".")
    if owner == module:
        # Created earlier by code, or as the _inherits parent of an earlier record
        # (product_x_product_template for product.product product_x)?
        delegated = ctx.facts.closure_python_models(module).delegated_tables
        return not ctx.index.may_define_xmlid(local, delegated)
    return ctx.facts.xmlid_exists(module, xmlid, own_records=False) is False


def _file_context_defaults(data_file_records):
    """Union of default_ keys of the root contexts of a file; None if one is not literal."""
    keys = set()
    for record in data_file_records:
        if record.tag == "context":
            for expression, _line, _what in record.expressions:
                found = _context_defaults(expression)
                if found is None:
                    return None
                keys |= found
    return keys


def _dynamic_required(ctx, closure, model, given):
    """``[field]`` required fields of the registry's ``model`` (closure-defined only).

    Used when the static level cannot know the model's fields. Only fields whose
    every definition comes from the closure count; None when unknown.
    """
    registry_model = ctx.facts.env.registry.models.get(model)  # the registry class
    if registry_model is None or registry_model._abstract or not registry_model._auto:
        return None
    scope = set(ctx.facts.scope(ctx.module.name))
    delegates = set(registry_model._inherits.values())
    result = []
    for name, field in registry_model._fields.items():
        modules = set(getattr(field, "_modules", None) or ())
        if not modules or not modules <= scope or name in delegates or name == "sequence":
            continue
        target = field
        if field.inherited:
            # Given to the _inherits parent's create, unless the record links a parent.
            if field.related.split(".")[0] in given:
                continue
            target = field.related_field
        elif field.related:
            continue
        if (not (target.store and target.required and target.column_type)
                or target.type in ("boolean", "binary") or target.compute
                or target.default is not None or target.company_dependent):
            continue
        if name in closure.ir_default_text or _registry_filled_by_code(ctx, registry_model, name):
            continue
        if field.inherited and _registry_filled_by_code(
                ctx, ctx.facts.env.registry.models[target.model_name], name):
            continue
        result.append(name)
    return result


def _registry_filled_by_code(ctx, registry_class, name):
    """True when a create-like method of a class of the model may set ``name``."""
    cache = ctx.facts.memo("create_hook_texts", dict)
    for cls in registry_class.__mro__:
        # The ORM's own classes (odoo.models; odoo.orm on 19.0) fill nothing by name.
        if CREATE_HOOKS.isdisjoint(vars(cls)) or cls.__module__.startswith(("odoo.models", "odoo.orm.")):
            continue
        if cls not in cache:
            try:
                with open(inspect.getsourcefile(cls), encoding="utf-8", errors="replace") as handle:
                    cache[cls] = handle.read()
            except (OSError, TypeError):
                cache[cls] = None
        text = cache[cls]
        if text is None or f"'{name}'" in text or f'"{name}"' in text:
            return True
    return False


@rule(
    "DAT008",
    title="Records give every required value",
    category="data", level="static", severity="error", impact="install",
    rationale="A <record> (or CSV row) whose xmlid does not exist yet creates a row. "
    "Odoo fills fields from the record's values, the context's default_ keys, field "
    "defaults and _inherits parents, and otherwise leaves the column empty: a required "
    "stored field without default then violates its NOT NULL constraint and the "
    "install aborts. Typical: an ir.cron or ir.actions.server without model_id.",
    bad='<record id="cron_x" model="ir.cron"><field name="name">X</field>'
    '<field name="code">model.run()</field></record>   # no model_id',
    good='<record id="cron_x" model="ir.cron"><field name="name">X</field>'
    '<field name="model_id" ref="model_x_job"/><field name="code">model.run()</field></record>',
    remedy="Give the field a value in the record (or in a context default_), or give the "
    "field a default in Python.",
    prevents='psycopg2.errors.NotNullViolation: null value in column "x" of relation "y" '
    "violates not-null constraint / Missing required value for the field 'X' (x)",
)
def check_required_values(ctx):
    closure = None
    definitions = ctx.index.xmlid_definitions
    reported_csv = set()
    for data_file in ctx.index.data_files:
        file_defaults = _file_context_defaults(data_file.records)
        if file_defaults is None:
            continue
        for record in data_file.records:
            if record.tag not in ("record", "csv") or not record.model:
                continue
            if not _may_create(ctx, record, definitions):
                continue
            if closure is None:
                closure = _Closure(ctx)
            if closure.needs_nothing(record.model):
                continue  # most models: no required field without a default
            given = {_csv_field_name(f.name) for f in record.fields if f.name} | file_defaults
            record_defaults = set()
            for expression, _line, what in record.expressions:
                if what == "context":
                    found = _context_defaults(expression)
                    if found is None:
                        record_defaults = None
                        break
                    record_defaults |= found
            if record_defaults is None:
                continue
            given |= record_defaults
            missing = _missing_fields(ctx, closure, record, given)
            if missing and not _creates(ctx, record):
                continue
            for name in sorted(missing):
                if record.tag == "csv":
                    if (data_file.path, name) in reported_csv:
                        continue
                    reported_csv.add((data_file.path, name))
                    where = f"The CSV rows of {record.model} have no column {name!r}"
                else:
                    where = f"This {record.model} record has no value for {name!r}"
                yield Issue(record.path, record.line,
                            f"{where}, a required field without default: creating the "
                            "record violates its NOT NULL constraint.",
                            severity=data_severity(record),
                            key=f"{record.xmlid or record.path}:{record.model}:{name}")


def _missing_fields(ctx, closure, record, given):
    """Required fields ``record`` leaves empty: ``[name]``, empty when unknown."""
    model = record.model
    if closure.required(model) is not None:
        needed = closure.needed(model, given)
        if needed is None:
            return ()
    elif ctx.facts.level == "dynamic" and record.parent is None:
        needed = _dynamic_required(ctx, closure, model, given)
        return () if needed is None else [name for name in needed if name not in given]
    else:
        return ()
    missing = []
    for name, (owner, field) in needed.items():
        if name in given:
            continue
        if (record.parent is not None and field.type == "Many2one"
                and field.comodel == record.parent.model):
            continue  # a nested one2many record gets its inverse from the parent record
        if (model, name) in REPORTED_BY_ACT004:
            continue
        if not closure.filled(owner, name) and not (owner != model and closure.filled(model, name)):
            missing.append(name)
    return missing
