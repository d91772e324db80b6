"""Fault classes and benign edits for the accuracy benchmark.

Each entry edits a copy of a real module in place. ``NotApplicable`` means
the module has nothing the edit needs (the variant is skipped). The label of
every variant comes from a real install, never from this file.
"""

import ast
import glob
import os
import pprint
import re


class NotApplicable(Exception):
    pass


class Variant:
    """A copied module folder, with the small edits the fault classes need."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)

    # -- files -------------------------------------------------------------------
    def file(self, relative):
        return os.path.join(self.path, relative)

    def read(self, relative):
        with open(self.file(relative), encoding="utf-8") as handle:
            return handle.read()

    def write(self, relative, text):
        os.makedirs(os.path.dirname(self.file(relative)), exist_ok=True)
        with open(self.file(relative), "w", encoding="utf-8") as handle:
            handle.write(text)

    def sub(self, relative, pattern, replacement, count=1, flags=re.S):
        text = self.read(relative)
        new, done = re.subn(pattern, replacement, text, count=count, flags=flags)
        if not done:
            raise NotApplicable(f"{pattern!r} not in {relative}")
        self.write(relative, new)

    # -- manifest ------------------------------------------------------------------
    @property
    def manifest(self):
        return ast.literal_eval(self.read("__manifest__.py"))

    def set_manifest(self, manifest):
        self.write("__manifest__.py", pprint.pformat(manifest, sort_dicts=False) + "\n")

    def edit_manifest(self, **changes):
        manifest = self.manifest
        manifest.update(changes)
        self.set_manifest(manifest)

    def append_to(self, key, relative):
        manifest = self.manifest
        manifest[key] = [*manifest.get(key, []), relative]
        self.set_manifest(manifest)

    # -- finding the files a fault goes into -----------------------------------------
    def data_files(self, key="data"):
        return [f for f in self.manifest.get(key, []) if f.endswith(".xml")]

    def data_file_with(self, needle, key="data"):
        for relative in self.data_files(key):
            if needle in self.read(relative):
                return relative
        raise NotApplicable(f"no {key} file with {needle!r}")

    def model_file(self):
        for path in sorted(glob.glob(self.file("models/*.py"))):
            if "_name = " in open(path, encoding="utf-8").read():
                return os.path.relpath(path, self.path)
        raise NotApplicable("no model file")

    def first_model(self):
        match = re.search(r"_name = ['\"]([\w.]+)['\"]", self.read(self.model_file()))
        return match.group(1)

    def add_data_file(self, relative, body, key="data"):
        self.write(relative, f'<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n{body}\n</odoo>\n')
        self.append_to(key, relative)


# -- faults ------------------------------------------------------------------------------
def view_unknown_field(v):
    v.sub(v.data_file_with('type="xml"'), r'(<(?:list|form)\b[^>]*>\s*(?:<[^>]*>\s*)*?)<field name="\w+"',
          r'\1<field name="mv_no_such_field"')


def view_unknown_field_in_modifier(v):
    v.sub(v.data_file_with("<form"), r'(<form\b[^>]*>.*?<field name="\w+")', r'\1 invisible="mv_no_such_field"')


def view_button_unknown_method(v):
    v.sub(v.data_file_with("<form"), r'(<form\b[^>]*>)', r'\1<header><button name="action_mv_missing" type="object" string="X"/></header>')


def view_tree_tag(v):
    relative = v.data_file_with("<list")
    v.sub(relative, r"<list\b", "<tree", count=0)
    v.sub(relative, r"</list>", "</tree>", count=0)


def view_attrs(v):
    v.sub(v.data_file_with("<form"), r'(<form\b[^>]*>.*?<field name="\w+")', r"""\1 attrs="{'invisible': [('id', '=', False)]}\"""")


def view_inherit_unknown_parent(v):
    v.add_data_file("views/mv_fault_inherit.xml", f"""
    <record id="mv_fault_inherit" model="ir.ui.view">
        <field name="model">{v.first_model()}</field>
        <field name="inherit_id" ref="{v.name}.mv_no_such_view"/>
        <field name="arch" type="xml"><field name="id" position="after"/></field>
    </record>""")


def view_xpath_no_match(v):
    match = re.search(r'<record id="(\w+)" model="ir.ui.view">\s*<field name="name">[^<]*</field>\s*'
                      r'<field name="model">([\w.]+)</field>', v.read(v.data_file_with('model="ir.ui.view"')))
    if not match:
        raise NotApplicable("no view record")
    v.add_data_file("views/mv_fault_xpath.xml", f"""
    <record id="mv_fault_xpath" model="ir.ui.view">
        <field name="model">{match.group(2)}</field>
        <field name="inherit_id" ref="{match.group(1)}"/>
        <field name="arch" type="xml"><xpath expr="//field[@name='mv_no_such_field']" position="after"/></field>
    </record>""")


def data_unknown_ref(v):
    v.sub(v.data_file_with('ref="'), r'ref="[\w.]+"', 'ref="base.mv_no_such_xmlid"')


def data_unknown_field(v):
    relative = v.data_file_with("<record")
    v.sub(relative, r'(<record id="\w+" model="(?!ir\.ui\.view)[\w.]+"[^>]*>)', r'\1<field name="mv_no_such_field">x</field>')


def data_cron_numbercall(v):
    v.add_data_file("data/mv_fault_cron.xml", f"""
    <record id="mv_fault_cron" model="ir.cron">
        <field name="name">Fault cron</field>
        <field name="model_id" ref="model_{v.first_model().replace('.', '_')}"/>
        <field name="state">code</field>
        <field name="code">model.search([])</field>
        <field name="numbercall">-1</field>
    </record>""")


def data_menu_unknown_action(v):
    v.add_data_file("views/mv_fault_menu.xml", '    <menuitem id="mv_fault_menu" name="Fault" action="mv_no_such_action"/>')


def data_eval_syntax(v):
    v.add_data_file("data/mv_fault_eval.xml", """
    <record id="mv_fault_partner" model="res.partner">
        <field name="name">Fault</field>
        <field name="active" eval="(True"/>
    </record>""")


def data_malformed_xml(v):
    v.sub(v.data_file_with("</record>"), r"</record>", "</recordd>")


def data_forward_reference(v):
    manifest = v.manifest
    if len(manifest.get("data", [])) < 2:
        raise NotApplicable("one data file")
    manifest["data"] = list(reversed(manifest["data"]))
    v.set_manifest(manifest)


def demo_unknown_ref(v):
    relative = v.data_file_with('ref="', key="demo") if v.manifest.get("demo") else None
    if relative is None:
        raise NotApplicable("no demo")
    v.sub(relative, r'ref="[\w.]+"', 'ref="base.mv_no_such_xmlid"')


def acl_unknown_model(v):
    v.sub("security/ir.model.access.csv", r",model_\w+,", ",model_mv_no_such,")


def acl_unknown_group(v):
    v.sub("security/ir.model.access.csv", r",(base\.group_\w+|[\w.]*group_\w+),", ",base.mv_no_such_group,")


def csv_file_wrong_name(v):
    os.rename(v.file("security/ir.model.access.csv"), v.file("security/ir_model_access.csv"))
    manifest = v.manifest
    manifest["data"] = [f.replace("ir.model.access.csv", "ir_model_access.csv") for f in manifest["data"]]
    v.set_manifest(manifest)


def manifest_version_17(v):
    v.edit_manifest(version="17.0.1.0.0")


def manifest_not_literal(v):
    v.write("__manifest__.py", v.read("__manifest__.py").replace("'depends': [", "'depends': EXTRA + [", 1)
            .replace('"depends": [', '"depends": EXTRA + [', 1))
    if "EXTRA" not in v.read("__manifest__.py"):
        raise NotApplicable("no depends")


def manifest_missing_file(v):
    v.append_to("data", "views/mv_missing_file.xml")


def manifest_wrong_case_file(v):
    manifest = v.manifest
    first = manifest["data"][-1]
    folder, name = os.path.split(first)
    manifest["data"][-1] = os.path.join(folder, name[:1].upper() + name[1:])
    v.set_manifest(manifest)


def manifest_depends_string(v):
    depends = v.manifest.get("depends", [])
    v.edit_manifest(depends=depends[0] if depends else "base")


def manifest_depends_dropped(v):
    depends = v.manifest.get("depends", [])
    if depends in ([], ["base"]):
        raise NotApplicable("depends only on base")
    v.edit_manifest(depends=["base"])


def manifest_depends_unknown(v):
    v.edit_manifest(depends=[*v.manifest.get("depends", []), "mv_no_such_module"])


def manifest_external_dependency(v):
    v.edit_manifest(external_dependencies={"python": ["mv_no_such_package"]})


def manifest_missing_hook(v):
    v.edit_manifest(post_init_hook="mv_missing_hook")


def python_syntax_error(v):
    relative = v.model_file()
    v.write(relative, v.read(relative) + "\n\ndef mv_broken(self)\n    return True\n")


def python_name_error(v):
    relative = v.model_file()
    v.write(relative, v.read(relative) + "\n\nMV_VALUE = MV_UNDEFINED_NAME\n")


def python_inherit_unknown_model(v):
    relative = v.model_file()
    v.write(relative, v.read(relative) + '\n\nclass MvFault(models.Model):\n    _inherit = "mv.no.such.model"\n')


def python_comodel_unknown(v):
    relative = v.model_file()
    v.sub(relative, r"(_name = ['\"][\w.]+['\"]\n)", "\\1    mv_partner_id = fields.Many2one('res.partnerr')\n")


# -- benign edits (must install cleanly) -----------------------------------------------------
def benign_python_comment(v):
    relative = v.model_file()
    v.write(relative, "# Reviewed for the deployment.\n" + v.read(relative))


def _list_view(v):
    """``(file, view xmlid, model)`` of the first list view of the module."""
    relative = v.data_file_with("<list")
    match = re.search(r'<record id="(\w+)" model="ir.ui.view">\s*<field name="name">[^<]*</field>\s*'
                      r'<field name="model">([\w.]+)</field>\s*<field name="arch" type="xml">\s*<list',
                      v.read(relative))
    if not match:
        raise NotApplicable("no list view record")
    return relative, match.group(1), match.group(2)


def _model_file_of(v, model):
    for path in sorted(glob.glob(v.file("models/*.py"))):
        if re.search(rf"_name = ['\"]{re.escape(model)}['\"]", open(path, encoding="utf-8").read()):
            return os.path.relpath(path, v.path)
    raise NotApplicable(f"no file defines {model}")


def benign_new_field_in_view(v):
    relative, xmlid, model = _list_view(v)
    v.sub(_model_file_of(v, model), rf"(_name = ['\"]{re.escape(model)}['\"]\n)", "\\1    mv_note = fields.Char()\n")
    v.sub(relative, rf'(<record id="{xmlid}" model="ir.ui.view">.*?<list\b[^>]*>)', r'\1<field name="mv_note" optional="hide"/>')


def benign_summary(v):
    v.edit_manifest(summary="Edited summary for the benchmark")


def benign_version_bump(v):
    """The last part of the version plus one, whatever the series (or none) it names."""
    version = v.manifest.get("version") or "1.0"
    head, _dot, last = version.rpartition(".")
    if not last.isdigit():
        raise NotApplicable(f"version {version!r}")
    v.edit_manifest(version=f"{head}.{int(last) + 1}" if head else str(int(last) + 1))


def benign_new_partner(v):
    v.add_data_file("data/mv_benign_partner.xml", """
    <record id="mv_benign_partner" model="res.partner">
        <field name="name">Benign partner</field>
        <field name="is_company" eval="True"/>
    </record>""")


def benign_xml_comment(v):
    v.sub(v.data_file_with("<record"), r"(<odoo[^>]*>)", r"\1\n    <!-- reviewed -->")


def benign_inherited_view(v):
    _relative, xmlid, model = _list_view(v)
    v.add_data_file("views/mv_benign_inherit.xml", f"""
    <record id="mv_benign_inherit" model="ir.ui.view">
        <field name="model">{model}</field>
        <field name="inherit_id" ref="{xmlid}"/>
        <field name="arch" type="xml"><xpath expr="/list" position="attributes"><attribute name="string">Edited</attribute></xpath></field>
    </record>""")


FAULTS = [f for name, f in sorted(globals().items()) if callable(f) and f.__module__ == __name__
          and not name.startswith(("benign_", "_")) and name[0].islower() and f.__code__.co_argcount == 1]
BENIGN = [f for name, f in sorted(globals().items()) if name.startswith("benign_")]
