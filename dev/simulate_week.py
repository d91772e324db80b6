# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A simulated week of validation and deployments, for dev/simulate-week.

Run by ``odoo-bin shell`` (which provides ``env``) on a database that has
module_validator installed; ``MV_SIM_ADDONS`` is an empty folder for the
simulated project. Nothing here is demo data: the week is played with the
addon's real API.

The project, three modules ``acme_base``, ``acme_sale`` and ``acme_stock``,
is rewritten in that folder as its code changes during the week. Three
profiles validate the folder: Development (static, several times a day),
Staging gate (dynamic, before each staging deployment) and Production
(dynamic, fail on warning). Runs are made by ``profile.action_run()`` and
then moved back to the moment they happened (SQL with parameters); the
deployments are created with the ORM, with the code fingerprints of the
files on disk, so the addon matches them to the run that validated that
code exactly as it does for real ones.
"""

import os
import shutil
import textwrap
from datetime import datetime, timedelta

from odoo import Command, fields

from odoo.addons.module_validator.engine.code_fingerprint import code_fingerprint

FOLDER = os.environ["MV_SIM_ADDONS"]

# -- the simulated project, one function per module: version -> files ----------


def _manifest(name, version, depends, data, license_="LGPL-3", extra=""):
    license_line = f'    "license": "{license_}",\n' if license_ else ""
    return (
        "{\n"
        f'    "name": "Acme {name.split("_")[1].title()}",\n'
        f'    "version": "{version}",\n'
        f"{license_line}"
        '    "author": "Acme",\n'
        f'    "depends": {depends!r},\n'
        f'    "data": {data!r},\n'
        f"{extra}"
        "}\n"
    )


def _model(model, fields_code, imports="from odoo import fields, models"):
    class_name = "".join(part.title() for part in model.split("."))
    return textwrap.dedent(f"""\
        {imports}


        class {class_name}(models.Model):
            _name = "{model}"
            _description = "{model}"

        """) + textwrap.indent(textwrap.dedent(fields_code), "    ")


def _views(module, model, field_names):
    xmlid = model.replace(".", "_")
    field_tags = "\n".join(f'                <field name="{name}" />' for name in field_names)
    return textwrap.dedent(f"""\
        <?xml version="1.0" encoding="utf-8" ?>
        <odoo>
            <record id="view_{xmlid}_list" model="ir.ui.view">
                <field name="name">{model}.list</field>
                <field name="model">{model}</field>
                <field name="arch" type="xml">
                    <list>
        {field_tags}
                    </list>
                </field>
            </record>
            <record id="action_{xmlid}" model="ir.actions.act_window">
                <field name="name">{model}</field>
                <field name="res_model">{model}</field>
                <field name="view_mode">list,form</field>
            </record>
        </odoo>
        """)


def _acl(model, group="base.group_user"):
    xmlid = model.replace(".", "_")
    return ("id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
            f"access_{xmlid}_user,{model} user,model_{xmlid},{group},1,1,1,1\n")


def acme_base(state):
    return {
        "__manifest__.py": _manifest("acme_base", "18.0.1.0.0", ["base"],
                                     ["security/ir.model.access.csv", "views/acme_thing_views.xml"]),
        "__init__.py": "from . import models\n",
        "models/__init__.py": "from . import acme_thing\n",
        "models/acme_thing.py": _model("acme.thing", """\
            name = fields.Char(required=True)
            code = fields.Char()
            """),
        "security/ir.model.access.csv": _acl("acme.thing"),
        "views/acme_thing_views.xml": _views("acme_base", "acme.thing", ["name", "code"]),
    }


def acme_sale(state):
    """ok / missing_file (a data file that is not there) / no_license (a warning)
    / v2 (a new required column: passes validation, fails on existing rows)."""
    version = {"ok": "18.0.1.0.0", "missing_file": "18.0.1.1.0", "no_license": "18.0.1.1.0",
               "v2": "18.0.1.2.0"}[state]
    data = ["security/ir.model.access.csv", "views/acme_order_views.xml"]
    if state == "missing_file":
        data.append("report/acme_order_report.xml")
    fields_code = """\
        name = fields.Char(required=True)
        thing_id = fields.Many2one("acme.thing")
        """
    if state == "v2":
        fields_code += 'customer_ref = fields.Char(required=True, default="-")\n'
    return {
        "__manifest__.py": _manifest("acme_sale", version, ["acme_base"], data,
                                     license_="" if state == "no_license" else "LGPL-3"),
        "__init__.py": "from . import models\n",
        "models/__init__.py": "from . import acme_order\n",
        "models/acme_order.py": _model("acme.order", fields_code),
        "security/ir.model.access.csv": _acl("acme.order"),
        "views/acme_order_views.xml": _views("acme_sale", "acme.order", ["name", "thing_id"]),
    }


def acme_stock(state):
    """ok / unknown_dep (depends on a module that exists nowhere) / syntax (a
    Python syntax error) / bad_group (an ACL for a group that does not exist)."""
    version = {"ok": "18.0.1.0.0", "unknown_dep": "18.0.1.1.0", "syntax": "18.0.1.1.0",
               "bad_group": "18.0.1.2.0", "fixed": "18.0.1.2.1"}[state]
    depends = ["acme_base", "acme_warehouse"] if state == "unknown_dep" else ["acme_base"]
    fields_code = """\
        name = fields.Char(required=True)
        thing_id = fields.Many2one("acme.thing")
        quantity = fields.Float()
        """
    if state == "syntax":
        fields_code += "def _compute_total(self)\n    return sum(self.mapped('quantity'))\n"
    group = "acme_base.group_acme_stock_manager" if state == "bad_group" else "base.group_user"
    return {
        "__manifest__.py": _manifest("acme_stock", version, depends,
                                     ["security/ir.model.access.csv", "views/acme_move_views.xml"]),
        "__init__.py": "from . import models\n",
        "models/__init__.py": "from . import acme_move\n",
        "models/acme_move.py": _model("acme.move", fields_code),
        "security/ir.model.access.csv": _acl("acme.move", group),
        "views/acme_move_views.xml": _views("acme_stock", "acme.move", ["name", "quantity"]),
    }


MODULES = {"acme_base": acme_base, "acme_sale": acme_sale, "acme_stock": acme_stock}
code_state = {"acme_base": "ok", "acme_sale": "ok", "acme_stock": "ok"}


def write_code(**states):
    """Rewrite the project's modules whose state changes."""
    code_state.update(states)
    for name, build in MODULES.items():
        path = os.path.join(FOLDER, name)
        shutil.rmtree(path, ignore_errors=True)
        for relative, text in build(code_state[name]).items():
            target = os.path.join(path, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)


# -- the week -----------------------------------------------------------------------

now = fields.Datetime.now().replace(microsecond=0)
today = datetime.combine(now.date(), datetime.min.time())


def at(days_ago, hour, minute=0):
    """A moment of the week (UTC); today's moments are squeezed before now."""
    if days_ago == 0:
        return today + (now - today) * ((hour * 60 + minute) / (24 * 60))
    return today - timedelta(days=days_ago) + timedelta(hours=hour, minutes=minute)


def make_profiles():
    Profile = env["module.validator.profile"]  # noqa: F821 - given by odoo-bin shell
    Profile.search([]).write({"active": False})  # only the simulated profiles take part
    values = {"module_selection": "folder", "module_names": FOLDER}
    return {
        "dev": Profile.create(dict(values, name="Development", environment="development",
                                   level="static")),
        "staging": Profile.create(dict(values, name="Staging gate", environment="staging",
                                       level="dynamic")),
        "production": Profile.create(dict(values, name="Production release", environment="production",
                                          level="dynamic", fail_on="warning")),
    }


def run(profile, when):
    """Run a profile for real and move the run back to ``when``."""
    result = profile.action_run()
    duration = timedelta(seconds=max(result.duration or 0, 1))
    env.cr.execute(  # noqa: F821
        "UPDATE module_validator_run SET date_start = %s, create_date = %s, write_date = %s WHERE id = %s",
        (when, when, when + duration, result.id),
    )
    env.cr.execute(  # noqa: F821
        "UPDATE module_validator_finding SET date = %s, create_date = %s WHERE run_id = %s",
        (when, when, result.id),
    )
    env.cr.execute(  # noqa: F821
        "UPDATE module_validator_result SET create_date = %s WHERE run_id = %s", (when, result.id),
    )
    env.invalidate_all()  # noqa: F821
    print(f"  {when:%a %d %H:%M}  {profile.name:<19} {result.name:<14} "
          f"{result.verdict or result.state:<5} errors={result.error_count} warnings={result.warning_count} "
          f"new={result.new_finding_count} fixed={result.fixed_finding_count}")
    return result


def deploy(environment, when, names, outcome="success", error=None, minutes=6):
    """Record a deployment of the code on disk, the way the addon records one."""
    lines = []
    for name in names:
        manifest = MODULES[name](code_state[name])["__manifest__.py"]
        version = manifest.split('"version": "')[1].split('"')[0]
        lines.append(Command.create({
            "module_name": name, "version": version,
            "code_fingerprint": code_fingerprint(os.path.join(FOLDER, name)),
        }))
    deployment = env["module.validator.deployment"].create({  # noqa: F821
        "environment": environment, "target": f"acme-{environment}", "outcome": outcome,
        "error_message": error or False, "date_start": when,
        "date_end": when + timedelta(minutes=minutes), "origin": "manual",
        "user_id": env.ref("base.user_admin").id,  # noqa: F821
        "line_ids": lines,
    })
    run_label = f"{deployment.run_id.name} ({deployment.run_id.level}, {deployment.run_id.verdict})" \
        if deployment.run_id else "not validated"
    print(f"  {when:%a %d %H:%M}  deploy {environment:<12} {', '.join(names):<32} "
          f"{outcome:<11} run={run_label}")
    return deployment


def week():
    profiles = make_profiles()
    dev, staging, production = profiles["dev"], profiles["staging"], profiles["production"]
    write_code()

    # Day -6: a clean start; everything goes to staging and production.
    run(dev, at(6, 9))
    run(staging, at(6, 11))
    deploy("staging", at(6, 11, 30), ["acme_base", "acme_sale", "acme_stock"])
    run(production, at(6, 15))
    deploy("production", at(6, 16), ["acme_base", "acme_sale", "acme_stock"])

    # Day -5: a report is added to the manifest but not committed: caught by
    # the development profile, fixed the same morning, then deployed.
    write_code(acme_sale="missing_file")
    run(dev, at(5, 9, 15))
    write_code(acme_sale="ok")
    run(dev, at(5, 11))
    deploy("development", at(5, 11, 20), ["acme_sale"], minutes=3)
    run(staging, at(5, 14))
    deploy("staging", at(5, 14, 30), ["acme_sale"])

    # Day -4: acme_stock depends on a module nobody has. The gate says no,
    # someone deploys anyway, the upgrade fails; fixed in the afternoon.
    write_code(acme_stock="unknown_dep")
    run(dev, at(4, 9))
    run(staging, at(4, 10))
    deploy("staging", at(4, 10, 30), ["acme_stock"], outcome="failure",
           error="odoo.exceptions.UserError: You try to install module 'acme_stock' that depends "
           "on module 'acme_warehouse'.\nBut the latter module is not available in your system.")
    write_code(acme_stock="ok")
    run(dev, at(4, 15))
    run(staging, at(4, 15, 30))
    deploy("staging", at(4, 16), ["acme_stock"])

    # Day -3: acme_sale loses its licence key: a warning. Staging passes it;
    # the production profile fails on warnings, but the release goes out fine.
    write_code(acme_sale="no_license")
    run(dev, at(3, 9, 30))
    run(staging, at(3, 11))
    deploy("staging", at(3, 11, 30), ["acme_sale"])
    run(production, at(3, 16))
    deploy("production", at(3, 16, 30), ["acme_sale"])

    # Day -2: "validation passed, deployment failed". acme_sale 1.2 adds a
    # required column; every run passes, the staging upgrade fails on the
    # existing rows and is rolled back.
    write_code(acme_sale="v2")
    run(dev, at(2, 9))
    run(staging, at(2, 10, 30))
    deploy("staging", at(2, 11), ["acme_sale"], outcome="rolled_back", minutes=9,
           error='psycopg2.errors.NotNullViolation: column "customer_ref" of relation "acme_order" '
           "contains null values\nERROR acme-staging odoo.modules.loading: Failed to load "
           "module acme_sale; upgrade rolled back.")

    # Day -1: a syntax error in acme_stock, caught twice before anyone
    # deploys; fixed, validated, deployed to staging and production.
    write_code(acme_sale="ok", acme_stock="syntax")
    run(dev, at(1, 9, 45))
    run(staging, at(1, 11))
    write_code(acme_stock="ok")
    run(dev, at(1, 14))
    run(staging, at(1, 14, 30))
    deploy("staging", at(1, 15), ["acme_sale", "acme_stock"])
    run(production, at(1, 16))
    deploy("production", at(1, 16, 30), ["acme_sale", "acme_stock"])

    # Today: a new access rule for a group that does not exist (an error,
    # still open) and the licence key lost again (a warning).
    run(dev, at(0, 9))
    write_code(acme_stock="bad_group", acme_sale="no_license")
    run(dev, at(0, 13))
    run(staging, at(0, 15))


print(f"Simulating a week of validation in database {env.cr.dbname}; project in {FOLDER}")  # noqa: F821
week()
env.cr.commit()  # noqa: F821 - odoo-bin shell rolls back what is not committed
data = env["module.validator.dashboard"].get_dashboard_data()  # noqa: F821
kpis = data["kpis"]
print("\nThe overview now shows:")
print(f"  deployment success, 30 days: {kpis['success_rate']['value']} % "
      f"({kpis['success_rate']['successes']} of {kpis['success_rate']['deployments']})")
print(f"  time saved this month: {kpis['minutes_saved']['value']} min "
      f"({kpis['minutes_saved']['failures_avoided']} failures caught before deploying)")
for level in kpis["accuracy"]:
    print(f"  accuracy {level['label']}: {level['accuracy']} % (tp {level['tp']}, fp {level['fp']}, "
          f"tn {level['tn']}, fn {level['fn']})")
print(f"  open errors: {kpis['open_errors']['value']}; runs today: {kpis['runs_today']['value']} "
      f"({kpis['runs_today']['failed']} failed)")
print("  top failing rules: " + ", ".join(
    f"{item['label']} ({item['count']})" for item in data["charts"]["top_rules"]["items"]))
