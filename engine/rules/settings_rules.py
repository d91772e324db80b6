# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Field definition rules (PY011, PY015): selections and res.config.settings fields.

Both need a field as Odoo merges it: every class of the closure that defines
``model.field``, in override order (the fields of ``_inherit`` parents first,
then the model's own classes in load order), as ``fields.py`` reads them in
``Field._base_fields``. When that chain cannot be known statically, nothing
that depends on it is reported.
"""

from ..index import NOT_LITERAL
from .registry import Issue, rule

SELECTION_TYPES = ("Selection", "Reference")
MAX_PARENT_DEPTH = 20
# A selection whose values are not known statically (a constant, a call...).
UNKNOWN = object()


def field_chain(models, model, name, depth=0):
    """``[(PythonModel, PythonField)]`` defining ``model.name`` in override order, or None.

    None when a class of the model (or of the parent that brings the field) is
    not fully visible, when two parents both bring the field (their order is
    Python's MRO), or when the model is not created in the closure.
    """
    classes = models.classes.get(model)
    if not classes or depth > MAX_PARENT_DEPTH or not any(c.is_definition for c in classes):
        return None
    own, parents = [], []
    for cls in classes:
        if cls.dynamic or cls.inherit is None:
            return None
        if name in cls.fields:
            own.append((cls, cls.fields[name]))
        parents.extend(p for p in cls.inherit if p != model and p not in parents)
    holders = []
    for parent in parents:
        names = models.fields(parent)
        if names is None:
            return None
        if name in names:
            holders.append(parent)
    if len(holders) > 1:
        return None
    inherited = []
    if holders:
        inherited = field_chain(models, holders[0], name, depth + 1)
        if inherited is None:
            return None
    if any(f.type is None for _cls, f in [*inherited, *own]):
        return None  # a definition that is not fields.X(...): its parameters are unknown
    return [*inherited, *own] or None


def _selection_keys(selection):
    """Keys of a literal selection list, or UNKNOWN when its entries are not pairs."""
    if not all(isinstance(kv, list | tuple) and len(kv) == 2 for kv in selection):
        return UNKNOWN
    return {kv[0]: kv[1] for kv in selection}


def _merged_value(chain, parameter):
    """``(value, index in chain)`` of the last definition that sets ``parameter``."""
    found = (None, None)
    for position, (_cls, field) in enumerate(chain):
        if parameter in field.kwargs:
            found = (field.kwargs[parameter], position)
    return found


def simulate_selection(chain, own=()):
    """Apply the chain as Selection._setup_attrs does.

    Returns ``(values, problems)``: the final ``{value: label}`` (or None/UNKNOWN)
    and ``(cls, field, message, key, severity)`` for what fails in the classes whose
    ``id()`` is in ``own`` (model summaries are dataclasses, compared by value).
    """
    problems = []
    if any("related" in field.kwargs for _cls, field in chain):
        return UNKNOWN, problems  # Odoo ignores selection attributes on related fields
    required, required_at = _merged_value(chain, "required")
    default, _at = _merged_value(chain, "default")
    values = None
    for cls, field in chain:
        mine = id(cls) in own
        kwargs = field.kwargs
        label = f"{cls.name}.{field.name}"
        if "selection" in kwargs:
            selection = kwargs["selection"]
            if isinstance(selection, list):
                keys = _selection_keys(selection)
                if (mine and isinstance(values, dict) and keys is not UNKNOWN
                        and set(keys) != set(values)):
                    problems.append((cls, field, f"{label}: selection= replaces the selection "
                                     "defined earlier (Odoo logs a WARNING); use selection_add.",
                                     "override", "warning"))
                values = keys
            elif selection is NOT_LITERAL:
                values = UNKNOWN
            else:
                values = ("not a list", selection)
        if "selection_add" not in kwargs:
            continue
        added = kwargs["selection_add"]
        if isinstance(values, tuple):
            if mine:
                problems.append((cls, field, f"{label}: selection_add on a field whose selection "
                                 f"is not a list ({values[1]!r:.60}).", "non-list", None))
            values = UNKNOWN
            continue
        if (not isinstance(values, dict) or not isinstance(added, list)
                or not all(isinstance(kv, list | tuple) and kv for kv in added)):
            values = UNKNOWN
            continue
        new = [kv[0] for kv in added if kv[0] not in values]
        for kv in added:
            if mine and len(kv) == 1 and kv[0] not in values:
                problems.append((cls, field, f"{label}: selection_add entry {tuple(kv)!r} has "
                                 "no label, but the value is new.", f"singleton:{kv[0]}", None))
        ondelete = kwargs.get("ondelete")
        if ondelete is not NOT_LITERAL and (not ondelete or isinstance(ondelete, dict)):
            policies = dict(ondelete or {})
            for key in new:
                policies.setdefault(key, "set null")
            if required is True and new and "set null" in policies.values():
                nulled = sorted(str(k) for k, v in policies.items() if v == "set null")
                message = (f"{label} is required, but selection_add gives {', '.join(nulled)} "
                           "the ondelete policy 'set null' (the default).")
                if mine:
                    problems.append((cls, field, message, "required", None))
                elif required_at is not None and id(chain[required_at][0]) in own:
                    req_cls, req_field = chain[required_at]
                    problems.append((req_cls, req_field, message + f" (selection_add in "
                                     f"{cls.path}, required here)", "required", None))
            for key, policy in policies.items():
                if not mine or not isinstance(policy, str):
                    continue
                if policy == "set default" and default is None:
                    problems.append((cls, field, f"{label}: ondelete 'set default' for {key!r}, "
                                     "but the field has no default.", f"default:{key}", None))
                elif (policy.startswith("set ") and policy not in ("set null", "set default")
                        and policy[4:] not in values):
                    problems.append((cls, field, f"{label}: ondelete {policy!r} for {key!r} names "
                                     "a value the selection did not have before.",
                                     f"set:{key}", None))
        merged = dict(values)
        for kv in added:
            merged.setdefault(kv[0], kv[1] if len(kv) > 1 else None)
        values = merged
    return values, problems


def _local_selection_problems(label, kwargs):
    """What fails whatever the rest of the chain: literal values, labels, policies."""
    selection = kwargs.get("selection")
    if isinstance(selection, list):
        for kv in selection:
            if not (isinstance(kv, list | tuple) and len(kv) == 2):
                yield f"{label}: selection entry {kv!r:.40} is not a (value, label) pair.", "pair"
                return
        yield from _typed_entries(label, "selection", selection)
    if "selection_add" not in kwargs:
        return
    added = kwargs["selection_add"]
    if added is not NOT_LITERAL and not isinstance(added, list):
        yield f"{label}: selection_add must be a list, not {type(added).__name__}.", "add-type"
    elif isinstance(added, list):
        if not all(isinstance(kv, list | tuple) and kv for kv in added):
            yield f"{label}: selection_add entries must be (value, label) or (value,).", "add-pair"
        else:
            yield from _typed_entries(label, "selection_add", added)
    ondelete = kwargs.get("ondelete")
    if ondelete is NOT_LITERAL or not ondelete:
        return
    if not isinstance(ondelete, dict):
        yield f"{label}: ondelete must be a dict {{value: policy}}, not {ondelete!r:.40}.", "ondelete"
        return
    for key, policy in ondelete.items():
        if not isinstance(policy, str) or not (policy == "cascade" or policy.startswith("set ")):
            yield (f"{label}: ondelete policy {policy!r} for {key!r} is not one of 'set null', "
                   "'set default', 'set <value>', 'cascade' or a callable.", f"policy:{key}")


def _typed_entries(label, parameter, entries):
    for kv in entries:
        if not isinstance(kv[0], str):
            yield f"{label}: {parameter} value {kv[0]!r} is not a str.", f"value:{kv[0]!r}"
        elif len(kv) > 1 and not isinstance(kv[1], str):
            yield (f"{label}: {parameter} label {kv[1]!r:.40} of {kv[0]!r} is not a str.",
                   f"label:{kv[0]}")


@rule(
    "PY011",
    title="Selection fields are defined the way Odoo accepts",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo merges a selection field's definitions when it sets up the "
    "registry, at every start. Values must be str (AssertionError) and labels str "
    "(ValidationError when the selection is saved in ir.model.fields.selection). "
    "selection_add must be a list and extends only a field whose selection is a "
    "list, not a method. A required field extended with selection_add needs an "
    "ondelete policy other than 'set null' for every new value, because Odoo must "
    "know what to do with those rows when the module is uninstalled. Policies are "
    "'set null', 'cascade', 'set default' (the field needs a default), 'set <value>' "
    "of an existing value, or a callable: 'restrict' does not exist for selections. "
    "A selection= on an extension replaces the earlier values with a WARNING.",
    bad="state = fields.Selection(selection_add=[('sent', 'Sent')])   # state is required",
    good="state = fields.Selection(selection_add=[('sent', 'Sent')],\n"
    "                         ondelete={'sent': 'set default'})",
    remedy="Use str values and labels; extend with selection_add=[...] (a list); give "
    "every new value of a required field an ondelete policy: 'cascade', "
    "'set default' or a callable.",
    prevents="ValueError: 'x.y': required selection fields must define an ondelete "
    "policy that implements the proper cleanup of the corresponding records upon "
    "module uninstallation / AssertionError: Field x.y with non-str value in "
    "selection / ValidationError: Fields x.y contain a non-str value/label in selection",
)
def check_selections(ctx):
    module = ctx.module.name
    models = ctx.facts.closure_python_models(module)
    own = {id(model) for model in ctx.index.models}
    seen = set()
    for model in ctx.index.models:
        for field in model.fields.values():
            if field.type not in SELECTION_TYPES:
                continue
            label = f"{model.name}.{field.name}"
            for message, key in _local_selection_problems(label, field.kwargs):
                yield Issue(model.path, field.line, message, key=f"{label}:{key}")
            if not model.name or not ({"selection", "selection_add", "required"} & set(field.kwargs)):
                continue
            chain = field_chain(models, model.name, field.name)
            if chain is None or (model.name, field.name) in seen:
                continue
            seen.add((model.name, field.name))
            _values, problems = simulate_selection(chain, own)
            for cls, problem_field, message, key, severity in problems:
                yield Issue(cls.path, problem_field.line, message, severity=severity,
                            key=f"{cls.name}.{problem_field.name}:{key}")


def selection_values(facts, module, model, name):
    """Values of the selection ``model.name`` in the module's closure, or None if unknown."""
    chain = field_chain(facts.closure_python_models(module), model, name)
    if chain is None:
        return None
    values, _problems = simulate_selection(chain)
    return set(values) if isinstance(values, dict) else None


# res.config.settings (base/models/res_config.py _get_classified_fields).
SETTINGS_MODEL = "res.config.settings"
TOGGLE_TYPES = ("Boolean", "Selection")
CONFIG_PARAMETER_TYPES = ("Boolean", "Integer", "Float", "Char", "Selection", "Many2one", "Datetime")
# Field classes of odoo.fields, to report config_parameter only on types known to be refused.
KNOWN_FIELD_TYPES = frozenset((
    "Boolean", "Integer", "Float", "Monetary", "Char", "Text", "Html", "Selection",
    "Reference", "Many2one", "One2many", "Many2many", "Date", "Datetime", "Binary", "Image",
    "Json", "Properties", "PropertiesDefinition", "Many2oneReference",
))


def _merged_state(chain):
    """``(type, parameters)`` of the field the chain makes (incompatible types reset them)."""
    final_type = chain[-1][1].type
    merged = {}
    for _cls, field in chain:
        if field.type != final_type:
            merged.clear()
        else:
            merged.update(field.kwargs)
    return final_type, merged


def _settings_problems(ctx, name, state):
    """``{key: message}`` of what _get_classified_fields raises on the merged field."""
    field_type, params = state
    problems = {}
    if name.startswith("default_"):
        if "default_model" not in params:
            problems["default_model"] = (f"{name} has no default_model: Odoo needs it to know "
                                         "which model's default the field sets.")
    elif name.startswith("group_"):
        if field_type not in TOGGLE_TYPES:
            problems["type"] = f"{name} is a {field_type}; group_* fields must be Boolean or Selection."
        elif "implied_group" not in params:
            problems["implied_group"] = f"{name} has no implied_group."
        else:
            for parameter in ("implied_group", "group"):
                value = params.get(parameter)
                if not isinstance(value, str):
                    continue
                for xmlid in filter(None, (part.strip() for part in value.split(","))):
                    why = _group_problem(ctx, xmlid)
                    if why:
                        problems[f"{parameter}:{xmlid}"] = f"{name}: {parameter} {why}."
    elif name.startswith("module_"):
        if field_type not in TOGGLE_TYPES:
            problems["type"] = f"{name} is a {field_type}; module_* fields must be Boolean or Selection."
    elif params.get("config_parameter") and field_type in KNOWN_FIELD_TYPES:
        if field_type not in CONFIG_PARAMETER_TYPES:
            problems["config_parameter"] = (
                f"{name} is a {field_type} with config_parameter; only Boolean, Integer, "
                "Float, Char, Selection, Many2one and Datetime fields can be stored as "
                "system parameters.")
    return problems


def _group_problem(ctx, xmlid):
    module = ctx.module.name
    if "." not in xmlid:
        return f"'{xmlid}' is not a full xmlid (module.name)"
    owner = xmlid.partition(".")[0]
    if not ctx.facts.in_scope(module, owner):
        return f"'{xmlid}' belongs to {owner!r}, which is not in the dependencies"
    if ctx.facts.xmlid_exists(module, xmlid) is False:
        return f"'{xmlid}' does not exist"
    return None


@rule(
    "PY015",
    title="res.config.settings fields follow the settings naming rules",
    category="python", level="static", severity="warning", impact="runtime",
    rationale="The settings model gives meaning to field name prefixes. Every time "
    "the settings are opened or saved (and when any group is deleted) Odoo classifies "
    "all of its fields and raises on the first one that breaks a rule, so one bad "
    "field breaks the whole Settings screen for every application: default_* fields "
    "need default_model; group_* fields are Boolean or Selection with an "
    "implied_group (and group) naming existing groups; module_* fields are Boolean or "
    "Selection; a config_parameter is only stored for Boolean, Integer, Float, Char, "
    "Selection, Many2one and Datetime fields. The install itself goes on (proven by "
    "odoo-bin -i): the Settings screen breaks when it is opened.",
    bad="group_x = fields.Char(implied_group='x.group_x')\n"
    "default_note = fields.Text()",
    good="group_x = fields.Boolean(implied_group='x.group_x')\n"
    "default_note = fields.Text(default_model='sale.order')",
    remedy="Rename the field (drop the reserved prefix) or give it the type and "
    "parameters its prefix requires; define the group the field implies.",
    prevents="Exception: Field res.config.settings.default_x without attribute "
    "'default_model' / Field res.config.settings.group_x must have type 'boolean' or "
    "'selection' / ValueError: External ID not found in the system",
)
def check_settings_fields(ctx):
    models = ctx.facts.closure_python_models(ctx.module.name)
    own = {id(model) for model in ctx.index.models}
    done = set()
    for model in ctx.index.models:
        if not model.name or (model.name != SETTINGS_MODEL
                              and SETTINGS_MODEL not in (model.inherit or ())):
            continue
        for name in model.fields:
            if (model.name, name) in done:
                continue
            done.add((model.name, name))
            chain = field_chain(models, model.name, name)
            if chain is None:
                continue
            mine = [position for position, (cls, _f) in enumerate(chain) if id(cls) in own]
            if not mine:
                continue
            before = chain[:mine[0]]
            known = _settings_problems(ctx, name, _merged_state(before)) if before else {}
            cls, field = chain[mine[-1]]
            for key, message in _settings_problems(ctx, name, _merged_state(chain)).items():
                if key not in known:
                    yield Issue(cls.path, field.line, message, key=f"{model.name}.{name}:{key}")
