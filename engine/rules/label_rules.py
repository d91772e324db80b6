# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Field label rules (PY014): the labels Odoo gives fields, as far as the AST shows them."""

from .registry import Issue, rule

# Position of ``string`` among a field's positional arguments (fields.py __init__).
STRING_POSITION = {"Many2one": 1, "One2many": 2, "Many2many": 4, "Selection": 1, "Reference": 1}
# Fields every model gets (models.py MetaModel._add_magic_fields) and their labels.
AUTOMATIC_LABELS = {"id": "ID", "display_name": "Display Name"}
LOG_ACCESS_LABELS = {
    "create_uid": "Created by", "create_date": "Created on",
    "write_uid": "Last Updated by", "write_date": "Last Updated on",
}
UNKNOWN = object()
IN_PROGRESS = -1  # the signature of a model met again while its own is computed


def default_label(name):
    """The label Odoo derives from a field name (fields.py Field._setup_attrs)."""
    base = name[:-4] if name.endswith("_ids") else name[:-3] if name.endswith("_id") else name
    return base.replace("_", " ").title()


def _explicit_string(field):
    """The ``string`` one field definition sets: a str, None if it sets none, or UNKNOWN."""
    if "string" in field.kwargs:
        value = field.kwargs["string"]
        return value if isinstance(value, str) else UNKNOWN
    if field.positional > STRING_POSITION.get(field.type, 0):
        return UNKNOWN  # the label may be a positional argument the index does not keep
    return None


class ModelLabels:
    """Field labels of the models of a list of modules (in load order), merged as Odoo does.

    ``labels(model)`` maps each known field to ``(label or None, module)``;
    None as a label means the static level cannot tell it (a related field, a
    label that is not a literal, a parent model it cannot see).
    """

    def __init__(self, facts, modules):
        self.facts = facts
        # Only the modules with model classes: most modules have a few, many none.
        self._by_module = [(module, by_name) for module in modules
                           for by_name in (facts.index(module).models_by_name,) if by_name]
        self._classes = {}
        self._labels = {}
        self._signatures = {}

    def classes(self, model):
        """``[(module, class)]`` of ``model`` in load order; looked up per model, as
        a closure holds thousands of classes and a module asks about a few models."""
        if model not in self._classes:
            self._classes[model] = [(module, cls) for module, by_name in self._by_module
                                    for cls in by_name.get(model, ())]
        return self._classes[model]

    def labels(self, model):
        if model not in self._labels:
            # Modules sharing the classes of a model and of its parents share its labels:
            # the closures of a whole tree hold the same few hundred models.
            signature = self._signature(model)
            shared = self.facts.memo("field_labels", dict)
            if signature in shared:
                self._labels[model] = shared[signature]
            else:
                self._labels[model] = None  # a cycle resolves to unknown
                self._labels[model] = shared[signature] = self._compute(model)
        return self._labels[model]

    def _signature(self, model):
        """A number standing for what ``_compute(model)`` reads: the model's classes and,
        recursively, the signatures of the parents it looks up (IN_PROGRESS in a cycle)."""
        if model not in self._signatures:
            self._signatures[model] = IN_PROGRESS
            classes = self.classes(model)
            # The parents _compute looks up: those of the classes whose parents are literal.
            related = [parent for _module, cls in classes
                       if cls.inherit is not None and cls.inherits is not None
                       for parent in cls.parents()]
            key = (model, tuple(id(cls) for _module, cls in classes),
                   tuple(self._signature(parent) for parent in related))
            numbers = self.facts.memo("field_label_signatures", dict)
            self._signatures[model] = numbers.setdefault(key, len(numbers))
        return self._signatures[model]

    def _compute(self, model):
        classes = self.classes(model)
        if not classes:
            return None
        parents_known = True
        inherited = {}
        delegated = []
        for _module, cls in classes:
            if cls.inherit is None or cls.inherits is None:
                parents_known = False
                continue
            for parent in cls.inherit:
                if parent == model:
                    continue
                parent_labels = self.labels(parent)
                if parent_labels is None:
                    parents_known = False
                    continue
                for name, (label, owner) in parent_labels.items():
                    if name in inherited and inherited[name][0] != label:
                        inherited[name] = (None, owner)
                    else:
                        inherited.setdefault(name, (label, owner))
            delegated.extend(cls.inherits)
            delegated.extend(f.comodel for f in cls.fields.values()
                             if f.comodel and f.kwargs.get("delegate") is True)
        result = dict(inherited)
        for name, label in AUTOMATIC_LABELS.items():
            result.setdefault(name, (label, "base"))
        if self._log_access(classes):
            for name, label in LOG_ACCESS_LABELS.items():
                result.setdefault(name, (label, "base"))
        chains = {}
        for module, cls in classes:
            for field in cls.fields.values():
                chains.setdefault(field.name, []).append((module, field))
        for name, chain in chains.items():
            result[name] = (self._chain_label(name, chain, inherited, parents_known),
                            chain[-1][0])
        for parent in delegated:
            parent_labels = self.labels(parent) or {}
            for name, value in parent_labels.items():
                result.setdefault(name, value)
        return result

    @staticmethod
    def _log_access(classes):
        """True when the model surely has create_uid... (an _auto model, no override)."""
        if any("_log_access" in cls.attributes or "_auto" in cls.attributes
               for _module, cls in classes):
            return False
        return any(cls.is_definition and cls.kind in ("model", "transient")
                   for _module, cls in classes)

    @staticmethod
    def _chain_label(name, chain, inherited, parents_known):
        """Label of a field defined (and overridden) by ``chain``, oldest first.

        Odoo merges the parameters of every definition of the same field type,
        newest last; a definition of another type starts the field afresh.
        """
        newest_type = chain[-1][1].type
        related = False
        for _module, field in reversed(chain):
            if field.type is None or newest_type is None:
                return None
            if field.type != newest_type:
                break
            string = _explicit_string(field)
            if string is UNKNOWN:
                return None
            if "related" in field.kwargs:
                related = True
            if string == "":
                break  # an empty label is replaced by the derived one
            if string is not None:
                return string
        else:
            if name in inherited:
                return inherited[name][0]
            if not parents_known:
                return None
        return None if related else default_label(name)


@rule(
    "PY014",
    title="Fields of a model have distinct labels",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="Two fields of one model with the same label (string=, or the label "
    "Odoo derives from the field name) cannot be told apart in filters, group-bys, "
    "exports and the list of fields; Odoo logs a WARNING each time the model is "
    "loaded, which turns odoo.sh builds yellow. Inherited fields count: a new field "
    "labelled like a field of the parent model collides too.",
    bad="partner_id = fields.Many2one('res.partner')   # label 'Partner'\n"
    "customer_id = fields.Many2one('res.partner', string='Partner')",
    good="partner_id = fields.Many2one('res.partner')\n"
    "customer_id = fields.Many2one('res.partner', string='Customer')",
    remedy="Give one of the fields its own string=.",
    prevents="WARNING Two fields (x, y) of model() have the same label: Z. "
    "[Modules: a and b]",
)
def check_duplicate_labels(ctx):
    facts = ctx.facts
    name = ctx.module.name
    if not facts.closure_models_complete(name):
        return
    after = ModelLabels(facts, facts.scope(name))
    before = ModelLabels(facts, facts.closure(name))
    own = {}
    for cls in ctx.index.models:
        if cls.name:
            own.setdefault(cls.name, []).append(cls)
    for model, classes in own.items():
        labels = after.labels(model)
        if not labels:
            continue
        old = before.labels(model) or {}
        by_label = {}
        for field, (label, _owner) in labels.items():
            if label is not None:
                by_label.setdefault(label, []).append(field)
        for label, fields_ in sorted(by_label.items()):
            if len(fields_) < 2:
                continue
            if all(old.get(field, (None,))[0] == label for field in fields_):
                continue  # the duplicate comes from the closure, not from this module
            where = [(cls.path, cls.fields[field].line) for cls in classes
                     for field in fields_ if field in cls.fields]
            path, line = where[-1] if where else (classes[0].path, classes[0].line)
            names = ", ".join(sorted(fields_))
            yield Issue(path, line, f"Fields {names} of {model!r} have the same label "
                        f"{label!r}.", key=f"{model}:{label}")
