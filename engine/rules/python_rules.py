# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Python model rules (DEP003, PY003, PY004, PY009, PY010): model classes read from the AST."""

import os
import re

from ..facts import ClosureModels
from .auto_installed import auto_installed_source, through_auto_install
from .registry import Issue, rule

# models.py regex_object_name
MODEL_NAME_RE = re.compile(r"^[a-z0-9_.]+$")
# Field parameters Odoo 17/18 no longer reads: (parameter, why).
OBSOLETE_FIELD_PARAMETERS = {
    "states": "removed in 17.0; use readonly/required expressions in the views",
    "track_visibility": "replaced by tracking=True",
    "group_operator": "renamed aggregator in 18.0",
    "oldname": "removed; write a migration script",
    "select": "renamed index",
    "digits_compute": "replaced by digits",
}


@rule(
    "DEP003",
    title="Inherited models come from the dependency closure",
    category="dependency", level="static", severity="error", impact="install",
    rationale="Every _inherit and _inherits target (and delegate=True comodel) must be "
    "a model defined by the module or by a module it depends on: the registry is "
    "built module by module, and a parent that only exists because some other "
    "module is installed locally makes the install fail elsewhere.",
    bad="_inherit = 'sale.order'   # with 'depends': ['account']",
    good="_inherit = 'sale.order'   # with 'depends': ['sale']",
    remedy="Add the module defining the parent model to 'depends', or fix its name.",
    prevents="TypeError: Model 'x' does not exist in registry. / Model 'x' inherits "
    "from non-existing model 'y'.",
)
def check_inherited_models(ctx):
    if not ctx.facts.closure_models_complete(ctx.module.name):
        return
    models = ctx.facts.closure_python_models(ctx.module.name)
    if not models.all_named:
        return
    for model in ctx.index.models:
        for parent in [*(model.inherit or ()), *(model.inherits or ())]:
            # Extending a model needs some class that creates it; a parent, any class.
            missing = not models.is_defined(parent) if parent == model.name else parent not in models
            if missing and (through := auto_installed_source(ctx, parent)):
                yield through_auto_install(model.path, model.line, f"The model {parent!r} that "
                                           f"{model.class_name} inherits", through, f"{model.class_name}:{parent}")
            elif missing:
                yield Issue(model.path, model.line,
                            f"{model.class_name} inherits {parent!r}, which no module of the "
                            "closure defines.", key=f"{model.class_name}:{parent}")
        for field in model.fields.values():
            if field.kwargs.get("delegate") is True and field.comodel and field.comodel not in models:
                yield Issue(model.path, field.line,
                            f"{model.class_name}.{field.name} delegates to {field.comodel!r}, "
                            "which no module of the closure defines.",
                            key=f"{model.class_name}:{field.comodel}")


@rule(
    "PY003",
    title="Model names are valid",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo takes a model's name from _name, else from a single _inherit, "
    "else from the class name. It must match ^[a-z0-9_.]+$: a class that sets "
    "neither _name nor a single _inherit (e.g. _inherit = ['a', 'b']) gets its "
    "CamelCase class name, which Odoo rejects.",
    bad="class SaleOrder(models.Model):\n    _inherit = ['sale.order', 'mail.thread']",
    good="class SaleOrder(models.Model):\n    _name = 'sale.order'\n"
    "    _inherit = ['sale.order', 'mail.thread']",
    remedy="Set _name explicitly (lowercase, dots and underscores).",
    prevents="ValueError: The _name attribute X is not valid.",
)
def check_model_names(ctx):
    for model in ctx.index.models:
        if model.name is None or MODEL_NAME_RE.match(model.name):
            continue
        why = "" if model.has_name else " (taken from the class name: set _name)"
        yield Issue(model.path, model.line, f"Invalid model name {model.name!r}{why}.",
                    key=f"{model.class_name}:{model.name}")


@rule(
    "PY004",
    title="New models have a _description",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="A class that creates a model without _description makes Odoo log "
    "a WARNING at every registry load: a yellow build on odoo.sh.",
    bad="class Thing(models.Model):\n    _name = 'x.thing'",
    good="class Thing(models.Model):\n    _name = 'x.thing'\n    _description = 'Thing'",
    remedy="Add _description with a human-readable name.",
    prevents="WARNING The model x.thing has no _description",
)
def check_descriptions(ctx):
    for model in ctx.index.models:
        # kind None: a Python base class may provide _description.
        if model.kind and model.is_definition and not model.attributes.get("_description"):
            yield Issue(model.path, model.line,
                        f"The model {model.name!r} has no _description.", key=model.name)


@rule(
    "PY009",
    title="Field parameters are ones Odoo 18 reads",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="Odoo ignores unknown field parameters with a WARNING at every registry "
    "load. Parameters removed or renamed by a migration (states=, track_visibility=, "
    "group_operator=...) silently lose their effect.",
    bad="state = fields.Selection(..., states={'done': [('readonly', True)]})\n"
    "amount = fields.Float(group_operator='avg')",
    good="amount = fields.Float(aggregator='avg')   # and readonly=\"state == 'done'\" in the view",
    remedy="Use the 18.0 parameter, or move the behaviour to the views.",
    prevents="WARNING Field x.y: unknown parameter 'states' / DeprecationWarning "
    "group_operator is deprecated",
)
def check_field_parameters(ctx):
    for model in ctx.index.models:
        for field in model.fields.values():
            if field.type is None:
                continue
            for parameter, advice in OBSOLETE_FIELD_PARAMETERS.items():
                if parameter in field.kwargs:
                    yield Issue(model.path, field.line,
                                f"{model.name}.{field.name}: parameter {parameter!r} is "
                                f"{advice}.", key=f"{model.name}.{field.name}:{parameter}")


@rule(
    "PY010",
    title="Relational field definitions Odoo accepts",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo refuses, at registry setup, a required many2one whose ondelete is "
    "'set null' (it cannot null a required column), and a many2many to its own "
    "model without explicit relation table and columns.",
    bad="partner_id = fields.Many2one('res.partner', required=True, ondelete='set null')",
    good="partner_id = fields.Many2one('res.partner', required=True, ondelete='restrict')",
    remedy="Use ondelete='restrict' or 'cascade' on required many2ones; give "
    "same-model many2manys relation=, column1= and column2=.",
    prevents="ValueError: The m2o field x of model y is required but declares its "
    "ondelete policy as being 'set null' / AssertionError: Implicit/canonical naming "
    "of many2many relationship table is not possible",
)
def check_relational_fields(ctx):
    for model in ctx.index.models:
        for field in model.fields.values():
            kwargs = field.kwargs
            if (field.type == "Many2one" and kwargs.get("required") is True
                    and kwargs.get("ondelete") == "set null"):
                yield Issue(model.path, field.line,
                            f"{model.name}.{field.name} is required with ondelete='set null'.",
                            key=f"{model.name}.{field.name}:ondelete")
            stored = kwargs.get("store") is True or not (kwargs.get("compute") or kwargs.get("related"))
            if (field.type == "Many2many" and stored and field.comodel == model.name
                    and "relation" not in kwargs and field.positional < 2):
                yield Issue(model.path, field.line,
                            f"{model.name}.{field.name} relates the model to itself without "
                            "an explicit relation table and columns.",
                            key=f"{model.name}.{field.name}:relation")



def _module_path(relative_dir, level, module):
    """Folder-relative dotted import → path prefix inside the module, or None."""
    parts = relative_dir.split(os.sep) if relative_dir else []
    if level > 1:
        if level - 1 > len(parts):
            return None
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts = parts + module.split(".")
    return os.sep.join(parts)


def reachable_files(ctx):
    """Python files Odoo imports: the package __init__.py and what it imports, transitively."""
    files = set(ctx.index.python)
    self_prefix = f"odoo.addons.{ctx.module.name}"
    reached, pending = set(), ["__init__.py"]
    while pending:
        relative = pending.pop()
        if relative in reached or relative not in files:
            continue
        reached.add(relative)
        folder = os.path.dirname(relative)
        for level, module, names in ctx.index.python[relative].imports:
            if level == 0:
                if module != self_prefix and not module.startswith(self_prefix + "."):
                    continue
                base = _module_path("", 1, module[len(self_prefix) + 1:])
            else:
                base = _module_path(folder, level, module)
            if base is None:
                continue
            targets = [base] + [os.path.join(base, name) for name in names if name != "*"]
            for target in targets:
                for candidate in (target + ".py", os.path.join(target, "__init__.py")):
                    if candidate in files:
                        pending.append(os.path.normpath(candidate))
    return reached


@rule(
    "MAN011",
    title="The package imports every file that defines models",
    category="manifest", level="static", severity="error", impact="install",
    rationale="Odoo imports the module's package (__init__.py) and registers the "
    "model classes that import reaches, nothing else. A module without "
    "__init__.py, or a models file no __init__.py imports, has models that never "
    "exist: its views, data and access rules then fail on them.",
    bad="models/__init__.py:  from . import sale_order   # models/sale_order_line.py forgotten",
    good="models/__init__.py:  from . import sale_order, sale_order_line",
    remedy="Add the missing __init__.py or the missing 'from . import' line.",
    prevents="KeyError / Model not found: X (the model was never registered)",
)
def check_package_imports(ctx):
    model_files = sorted({model.path for model in ctx.index.models})
    if not model_files:
        return
    if "__init__.py" not in ctx.index.python:
        yield Issue("__init__.py", None, "The module has Python models but no __init__.py; "
                    "Odoo imports none of them.", key="init")
        return
    if any(summary.problem for summary in ctx.index.python.values()):
        return  # PY001; imports of a file that does not parse are unknown
    reached = reachable_files(ctx)
    for relative in model_files:
        if relative in reached:
            continue
        # Only extensions: dead code, not a failure; new models: everything using them fails.
        # A class whose base is not models.Model/AbstractModel/TransientModel (a
        # component of OCA's connector framework has _name and _inherit too) is
        # not known to be an Odoo model: nothing is shown to fail without it.
        classes = [m for m in ctx.index.models if m.path == relative]
        defines = any(m.is_definition and m.kind is not None for m in classes)
        what = ("models" if any(m.kind is not None for m in classes)
                else "classes with _name or _inherit (not models.Model ones)")
        yield Issue(relative, None, f"{relative} defines {what} but no __init__.py imports "
                    "it; its classes are never loaded.",
                    severity=None if defines else "warning",
                    impact=None if defines else "runtime", key=relative)


# Methods Odoo 18 never calls any more: an override is dead code.
NEVER_CALLED_METHODS = {
    "name_get": "override _compute_display_name instead",
    "_name_search": "override _search_display_name instead",
    "fields_view_get": "override get_views or _get_view instead",
}
REMOVED_CALL_ADVICE = {
    "user_has_groups": ("runtime", "removed in 18.0 (AttributeError when the call runs); "
                        "use self.env.user.has_group()"),
    "_check_recursion": ("hygiene", "deprecated in 18.0; use _has_cycle()"),
    "_check_m2m_recursion": ("hygiene", "deprecated in 18.0; use _has_cycle()"),
}


@rule(
    "PY013",
    title="No removed or dead ORM APIs",
    category="python", level="static", severity="warning", impact="runtime",
    rationale="Odoo 18 removed user_has_groups() (calls raise AttributeError when they "
    "run; the module installs), "
    "deprecated _check_recursion() (DeprecationWarning, a WARNING in the log), and no "
    "longer calls name_get(), _name_search() or fields_view_get(): overriding them "
    "silently changes nothing.",
    bad="if self.user_has_groups('base.group_system'): ...\ndef name_get(self): ...",
    good="if self.env.user.has_group('base.group_system'): ...\n"
    "def _compute_display_name(self): ...",
    remedy="Port the code to the 18.0 API named in the message.",
    prevents="AttributeError: 'x' object has no attribute 'user_has_groups' / "
    "DeprecationWarning / display names silently unchanged",
)
def check_removed_apis(ctx):
    for relative, summary in ctx.index.python.items():
        for method, line in summary.removed_calls:
            impact, advice = REMOVED_CALL_ADVICE[method]
            yield Issue(relative, line, f"{method}() is {advice}.", impact=impact,
                        key=f"{relative}:{method}:{line}")
    for model in ctx.index.models:
        for method, advice in NEVER_CALLED_METHODS.items():
            if method in model.methods:
                yield Issue(model.path, model.methods[method],
                            f"{model.name}.{method}() is never called by Odoo 18; {advice}.",
                            key=f"{model.name}:{method}")


# Field parameters that name a method of the model.
METHOD_PARAMETERS = ("compute", "inverse", "search", "selection", "group_expand")


@rule(
    "PY007",
    title="Methods named in field definitions exist",
    category="python", level="static", severity="warning", impact="runtime",
    rationale="compute=, inverse=, search=, group_expand= (and selection= given as "
    "a string) name methods Odoo looks up on the model only when it uses them: a "
    "misspelt name installs, and fails in front of a user. One case fails the "
    "install: a new stored computed field on a model whose table already has rows, "
    "since Odoo computes the new column for those rows while it creates it; that "
    "finding is an error.",
    bad="total = fields.Float(compute='_compute_totl', store=True)",
    good="total = fields.Float(compute='_compute_total', store=True)",
    remedy="Fix the method name or define the method on the model.",
    prevents="AttributeError: 'x.model' object has no attribute '_compute_totl' (during "
    "the install for a new stored field of a model with rows, else when the field is used)",
)
def check_field_methods(ctx):
    models = ctx.facts.closure_python_models(ctx.module.name)
    for model in ctx.index.models:
        if not model.name:
            continue
        methods = models.methods(model.name)
        if methods is None:
            continue
        for field in model.fields.values():
            if field.type is None:
                continue
            for parameter in METHOD_PARAMETERS:
                method = field.kwargs.get(parameter)
                if not isinstance(method, str) or not method or method in methods:
                    continue
                message = f"{model.name}.{field.name}: {parameter}={method!r} is not a method of the model"
                if parameter == "compute" and _computed_at_install(ctx, model.name, field):
                    yield Issue(model.path, field.line, message + ": Odoo computes the new "
                                "stored field for the rows the table already has, and the "
                                "install fails.", severity="error", impact="install",
                                key=f"{model.name}.{field.name}:{parameter}")
                else:
                    yield Issue(model.path, field.line, message + ": it fails when Odoo "
                                "uses it, not at install.",
                                key=f"{model.name}.{field.name}:{parameter}")


def _computed_at_install(ctx, model, field):
    """True when the install computes ``field`` (new, stored, computed) on existing rows.

    Odoo's _auto_init computes a new stored computed column for the rows the
    table holds when the column is created. Rows are known to exist when the
    model comes from the dependencies and their data files create records of it.
    """
    if field.kwargs.get("store") is not True:
        return False
    closure = ctx.facts.closure(ctx.module.name)
    inherited = ctx.facts.memo(("dependency_models", ctx.module.name), lambda: ClosureModels(
        [cls for module in closure for cls in ctx.facts.index(module).models]))
    if model not in inherited or inherited.field(model, field.name) is not None:
        return False  # a new table (no rows yet), or a column that already exists
    return any(model in _record_models(ctx.facts, dep) for dep in closure)


def _record_models(facts, module):
    """Models the data and demo files of ``module`` create records of."""
    return facts.memo(("record_models", module), lambda: frozenset(
        record.model for record in facts.index(module).records
        if record.tag in ("record", "csv") and record.model and record.parent is None
    ))


@rule(
    "PY006",
    title="related= paths exist",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo resolves each step of a related field when it sets up the "
    "registry, at every server start: a step that is not a field of the previous "
    "step's comodel stops the registry from loading.",
    bad="partner_city = fields.Char(related='partner_id.cty')",
    good="partner_city = fields.Char(related='partner_id.city')",
    remedy="Fix the path; every step but the last must be a relational field.",
    prevents="KeyError: Field cty referenced in related field definition x.partner_city "
    "does not exist.",
)
def check_related_paths(ctx):
    models = ctx.facts.closure_python_models(ctx.module.name)
    for model in ctx.index.models:
        if not model.name:
            continue
        for field in model.fields.values():
            related = field.kwargs.get("related")
            if not isinstance(related, str) or not related:
                continue
            current = model.name
            for step in related.split("."):
                names = models.fields(current)
                if names is None:
                    break
                if step not in names:
                    yield Issue(model.path, field.line,
                                f"{model.name}.{field.name}: related={related!r}: {step!r} is "
                                f"not a field of {current!r}.",
                                key=f"{model.name}.{field.name}:related")
                    break
                step_field = models.field(current, step)
                current = step_field.comodel if step_field is not None else None
                if current is None:
                    break


@rule(
    "PY005",
    title="Relational fields point at models of the closure",
    category="python", level="static", severity="error", impact="install",
    rationale="A many2one/one2many/many2many comodel must be a model of the module or "
    "its dependencies: otherwise Odoo 18.0 logs a WARNING and points the field at a dummy "
    "model, and everything using it fails later, and Odoo 19.0 refuses the install. A "
    "one2many's inverse field must exist on the comodel, or the registry does not load.",
    bad="line_ids = fields.One2many('sale.order.line', 'order_id')   # without sale",
    good="line_ids = fields.One2many('x.thing.line', 'thing_id')",
    remedy="Depend on the module that defines the comodel; fix the comodel or inverse name.",
    prevents="WARNING Field x.y with unknown comodel_name 'z' (18.0) / AssertionError: Field "
    "x.y with unknown comodel_name 'z' (19.0) / UserError: No inverse field 'y' found for 'z'",
    series_note="18.0 only logs a WARNING for an unknown comodel (a warning there); 19.0 "
    "asserts (odoo/orm/fields_relational.py:92-94), so the install fails.",
)
def check_relational_targets(ctx):
    module = ctx.module.name
    if not ctx.facts.closure_models_complete(module):
        return
    models = ctx.facts.closure_python_models(module)
    for model in ctx.index.models:
        for field in model.fields.values():
            # A related field takes its comodel from the field it follows.
            if not field.comodel or field.kwargs.get("related"):
                continue
            if field.comodel not in models:
                key = f"{model.name}.{field.name}:comodel"
                if through := auto_installed_source(ctx, field.comodel):
                    yield through_auto_install(model.path, field.line, f"The comodel {field.comodel!r} "
                                               f"of {model.name}.{field.name}", through, key)
                else:
                    # 18.0 only warns; 19.0 asserts (fields_relational.py:92-94).
                    on_18 = ctx.facts.series == "18.0"
                    outcome = ("logs a WARNING and points the field at a dummy model" if on_18
                               else "asserts it at registry setup, so the install fails")
                    yield Issue(model.path, field.line,
                                f"{model.name}.{field.name}: the comodel {field.comodel!r} is not "
                                f"a model of the module or its dependencies; Odoo {ctx.facts.series} "
                                f"{outcome}.", key=key,
                                **({"severity": "warning", "impact": "warning-log"} if on_18 else {}))
                continue
            inverse = field.kwargs.get("inverse_name") if field.type == "One2many" else None
            comodel_fields = models.fields(field.comodel)
            if isinstance(inverse, str) and comodel_fields is not None and inverse not in comodel_fields:
                if through := auto_installed_source(ctx, field.comodel, inverse):
                    yield through_auto_install(model.path, field.line, f"The field {field.comodel}.{inverse}, "
                                               f"inverse of {model.name}.{field.name},", through,
                                               f"{model.name}.{field.name}:inverse")
                    continue
                yield Issue(model.path, field.line,
                            f"{model.name}.{field.name}: no field {inverse!r} on {field.comodel!r} "
                            "to be the one2many's inverse.", key=f"{model.name}.{field.name}:inverse")


@rule(
    "PY012",
    title="_rec_name and _order name fields of the model",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo asserts at registry setup that _rec_name is a field of the model; "
    "an _order naming an unknown field makes every search without an explicit order "
    "fail.",
    bad="_rec_name = 'title'   # the field is called name\n_order = 'sequance, id'",
    good="_rec_name = 'name'\n_order = 'sequence, id'",
    remedy="Name existing fields in _rec_name and _order.",
    prevents="AssertionError: Invalid _rec_name='title' for model 'x' / ValueError: "
    "Invalid field 'sequance' on model 'x'",
)
def check_model_attributes(ctx):
    models = ctx.facts.closure_python_models(ctx.module.name)
    for model in ctx.index.models:
        if not model.name:
            continue
        names = models.fields(model.name)
        if names is None:
            continue
        rec_name = model.attributes.get("_rec_name")
        if isinstance(rec_name, str) and rec_name not in names:
            yield Issue(model.path, model.line, f"_rec_name {rec_name!r} is not a field of "
                        f"{model.name!r}.", key=f"{model.name}:_rec_name")
        order = model.attributes.get("_order")
        if not isinstance(order, str):
            continue
        for term in order.split(","):
            words = term.split()
            name = words[0].strip('"') if words else ""
            if name and name not in names:
                yield Issue(model.path, model.line, f"_order names {name!r}, which is not a "
                            f"field of {model.name!r}.", key=f"{model.name}:_order:{name}")
