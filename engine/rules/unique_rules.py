# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""DAT017: data records that collide on a SQL UNIQUE constraint of their model.

Odoo creates each <record> (or CSV row) with an INSERT; a literal
``_sql_constraints`` entry ``unique(a, b)`` makes PostgreSQL refuse a second
row with the same values, and the install aborts. The rows compared are the
module's own records and the records its closure's data files create before
it, as on a fresh database. Only what is certain is reported: every value
must be given literally (text, a literal ``eval``, or a ``ref``), no column
may be computed, related or company-dependent, and no create-like override
of the model may touch the column (it could change the value stored).
"""

import ast
import re

from ..index import full_xmlid
from ..python_summary import TABLE_OBJECTS
from .closure_rules import _Closure, _may_create
from .registry import Issue, data_severity, rule

UNIQUE_RE = re.compile(r"^\s*unique\s*\(([^()]*)\)\s*$", re.IGNORECASE)
IDENTIFIER_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
# Field parameters that give the column a value the record does not control.
DERIVED_KEYS = ("compute", "related", "company_dependent")


def _declared_constraints(cls, series):
    """``[(key, definition)]`` of the SQL constraints the series creates for a class.

    18.0 reads ``_sql_constraints``; 19.0 ignores it and reads ``models.Constraint``
    attributes, and unique ``models.UniqueIndex`` ones (an index without WHERE
    refuses duplicates the same way).
    """
    if series == "18.0":
        constraints = cls.attributes.get("_sql_constraints")
        return list(constraints) if isinstance(constraints, list | tuple) else []
    found = []
    for name, kind, definition in cls.attributes.get(TABLE_OBJECTS, ()):
        if kind == "Constraint":
            found.append((name, definition))
        elif kind == "UniqueIndex" and "where" not in definition.lower():
            found.append((name, f"unique{definition.strip()}"))
    return found


def unique_constraints(models, model, series="18.0"):
    """``[(key, definition, columns)]`` of the literal UNIQUE constraints of ``model``
    (``models``: the closure's ClosureModels) in the Odoo ``series``."""
    found = {}
    for cls in models.classes.get(model, ()):
        for entry in _declared_constraints(cls, series):
            if not (isinstance(entry, tuple | list) and len(entry) >= 2
                    and all(isinstance(part, str) for part in entry[:2])):
                continue
            match = UNIQUE_RE.match(entry[1])
            if not match:
                found.pop(entry[0], None)  # redefined as something else: no longer unique
                continue
            columns = tuple(column.strip().strip('"').lower() for column in match.group(1).split(","))
            if all(IDENTIFIER_RE.match(column) for column in columns):
                found[entry[0]] = (entry[1], columns)
    return [(key, definition, columns) for key, (definition, columns) in found.items()]


def _column_is_plain(closure, model, column):
    """True when the record's value for ``column`` is what the row stores."""
    field = closure.models.field(model, column)
    if field is None or field.type is None:
        return False
    if any(key in field.kwargs for key in DERIVED_KEYS):
        return False
    return not closure.filled_by_code(closure.chain(model) or (), column)


def record_value(module, record, column):
    """The literal value ``record`` gives ``column``: ("text", ...) or ("ref", xmlid); None if unknown."""
    for data_field in reversed(record.fields):
        if record.tag == "csv":
            text = data_field.text
            if data_field.name in (f"{column}:id", f"{column}/id"):
                return ("ref", full_xmlid(module, text.strip())) if text.strip() else None
            if data_field.name == column:
                return ("text", text) if text else None
            continue
        if data_field.name != column:
            continue
        node = data_field.node
        if node is None or len(node) or node.get("search") or node.get("type"):
            return None
        if node.get("ref"):
            return "ref", full_xmlid(module, node.get("ref"))
        if node.get("eval") is not None:
            try:
                value = ast.literal_eval(node.get("eval").strip())
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return None
            if isinstance(value, bool) or value is None:
                return None
            return "text", str(value)
        return ("text", data_field.text) if data_field.text else None
    return None


@rule(
    "DAT017",
    title="Records do not collide on a UNIQUE constraint",
    category="data", level="static", severity="error", impact="install",
    rationale="A literal _sql_constraints entry such as ('code_uniq', 'unique(code)', ...) "
    "is a UNIQUE constraint in PostgreSQL. Two records of the module, or a record of the "
    "module and one its dependencies' data already created, with the same values are two "
    "rows PostgreSQL refuses: the INSERT of the second fails and the install aborts. "
    "Records with the same xmlid are one row (the second updates the first).",
    bad='<record id="eur_again" model="res.currency"><field name="name">EUR</field>'
    '<field name="symbol">E</field></record>   # base already creates EUR',
    good='<record id="base.EUR" model="res.currency"><field name="symbol">E</field></record>',
    remedy="Give the record other values, or update the existing record through its xmlid "
    "(module.xmlid) instead of creating a second one.",
    prevents='psycopg2.errors.UniqueViolation: duplicate key value violates unique '
    'constraint "x_code_uniq"',
)
def check_unique_constraints(ctx):
    module = ctx.module.name
    own_models = {record.model for record in ctx.index.records
                  if record.tag in ("record", "csv") and record.model}
    if not own_models:
        return
    models = ctx.facts.closure_python_models(module)
    closure = None  # costly (reads the closure's hooks): only for models with constraints
    checked = {}
    for model in sorted(own_models):
        constraints = unique_constraints(models, model, ctx.facts.series)
        if not constraints:
            continue
        closure = closure or _Closure(ctx)
        constraints = [(key, definition, columns) for key, definition, columns in constraints
                       if all(_column_is_plain(closure, model, column) for column in columns)]
        if constraints:
            checked[model] = constraints
    if not checked:
        return
    definitions = ctx.index.xmlid_definitions
    for model, constraints in checked.items():
        rows = _rows(ctx, model, definitions)
        for key, definition, columns in constraints:
            seen = {}
            for owner, identity, record in rows:
                values = tuple(record_value(owner, record, column) for column in columns)
                if None in values:
                    continue  # NULL never collides; an unknown value proves nothing
                first = seen.setdefault(values, (owner, identity, record))
                if first[1] == identity or owner != module:
                    continue
                shown = ", ".join(f"{column}={value[1]!r}" for column, value in zip(columns, values))
                where = (f"{first[2].path}:{first[2].line}" if first[0] == module
                         else f"{first[1]} of module {first[0]!r}")
                yield Issue(record.path, record.line,
                            f"This {model} record has {shown}, like {where}: the constraint "
                            f"{key!r} ({definition}) refuses the second row (duplicate key).",
                            severity=data_severity(record),
                            key=f"{identity}:{key}")


def _rows(ctx, model, definitions):
    """``(module, identity, record)`` of the rows of ``model`` the data files create, in load order.

    Records that update another module's row, or that a rule cannot place, are
    left out; the identity of a record is its full xmlid (or its place in a file).
    """
    rows = []
    for owner in ctx.facts.scope(ctx.module.name):
        for record in ctx.facts.index(owner).records_by_model.get(model, ()):
            if record.xmlid:
                identity = full_xmlid(owner, record.xmlid)
                if identity.partition(".")[0] != owner:
                    continue  # updates another module's record
            else:
                identity = f"{owner}/{record.path}:{record.line}"
            if owner == ctx.module.name and not _may_create(ctx, record, definitions):
                continue
            rows.append((owner, identity, record))
    return rows
