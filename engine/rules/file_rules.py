# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""File rules (DAT, PY): every file Odoo loads must parse."""

import os

from ..index import FileProblem
from .auto_installed import auto_installed_source, through_auto_install
from .field_origin import foreign_field_modules
from .registry import Issue, rule, translation_only


@rule(
    "DAT001",
    title="XML data files are well-formed",
    category="data", level="static", severity="error", impact="install",
    rationale="Odoo parses each XML file listed in 'data' or 'demo' with lxml; a "
    "syntax error aborts the install of the module and of everything after it.",
    bad='<record id="x" model="res.partner"><field name="name">A</record>',
    good='<record id="x" model="res.partner"><field name="name">A</field></record>',
    remedy="Fix the XML at the reported line; run xmllint --noout on the file.",
    prevents="lxml.etree.XMLSyntaxError (ParseError while parsing the file)",
)
def check_xml_well_formed(ctx):
    for _key, relative in ctx.index.loaded_files():
        if not relative.lower().endswith(".xml") or not ctx.index.exact_case_exists(relative):
            continue
        try:
            ctx.index.xml(relative)
        except FileProblem as problem:
            yield Issue(relative, problem.line, f"Malformed XML: {problem.message}")


@rule(
    "PY001",
    title="Python files compile",
    category="python", level="static", severity="error", impact="install",
    rationale="A syntax error in any imported Python file stops the registry "
    "load: the install fails and, for an installed module, the server does not "
    "start. Test and migration files fail later, when they are run.",
    bad="def action_done(self)\n    return True",
    good="def action_done(self):\n    return True",
    remedy="Fix the syntax at the reported line; run python -m py_compile on the file.",
    prevents="CRITICAL Couldn't load module X (SyntaxError)",
)
def check_python_compiles(ctx):
    for relative, summary in ctx.index.python.items():
        if summary.problem:
            yield Issue(relative, summary.problem.line,
                        f"Python does not compile: {summary.problem.message}.")


@rule(
    "DAT012",
    title="CSV data files are readable and name a known model and its fields",
    category="data", level="static", severity="error", impact="install",
    rationale="Odoo loads a CSV file into the model named by the file name (the "
    "part before the first '-'), e.g. ir.model.access.csv. The model must be "
    "defined by the module or its dependencies, the file must be UTF-8 CSV, have "
    "an 'id' column, and every column must name a field of the model.",
    bad="security/ir_model_access.csv   # underscores: no such model",
    good="security/ir.model.access.csv",
    remedy="Name the file after the model; save it as UTF-8; add an 'id' column; "
    "fix misspelt column names.",
    prevents="Can't load unknown model X / ValueError: Invalid field name 'x' while "
    "loading the CSV",
)
def check_csv_files(ctx):
    known_models = None
    for _key, relative in ctx.index.loaded_files():
        if not relative.lower().endswith(".csv") or not ctx.index.exact_case_exists(relative):
            continue
        model = os.path.splitext(os.path.basename(relative))[0].split("-")[0]
        if known_models is None:
            known_models = ctx.facts.closure_models(ctx.module.name)
        if model not in known_models and (through := auto_installed_source(ctx, model)):
            yield through_auto_install(relative, None, f"The model {model!r}", through, model)
        elif model not in known_models:
            yield Issue(relative, None,
                        f"No model {model!r} in the module or its dependencies; "
                        "the file name must be the model name.", key=model)
        try:
            header, _rows = ctx.index.csv_rows(relative)
        except FileProblem as problem:
            yield Issue(relative, problem.line, f"Unreadable CSV: {problem.message}", key="read")
            continue
        if "id" not in header:
            yield Issue(relative, 1, "The CSV header has no 'id' column.", key="id")
        fields = ctx.facts.closure_model_fields(ctx.module.name, model)
        for column in header if fields is not None else ():
            # partner_id:id, partner_id/id, partner_id/.id, child_ids/name: the field comes first.
            name = column.split("/")[0].split(":")[0].strip()
            if (name and name not in (".id", "id") and name not in fields
                    and not translation_only(name, ctx.facts.series)
                    and not foreign_field_modules(ctx, model, name)):  # else DEP006's
                yield Issue(relative, 1, f"The column {column!r} is not a field of {model}.",
                            key=f"column:{column}")
