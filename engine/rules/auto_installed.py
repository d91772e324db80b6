# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A model or field the closure lacks, but a fresh install has anyway.

Odoo installs a module together with every module whose ``auto_install``
triggers are all in the database, and loads them all in one graph ordered by
depth, then name. A module may so use a model of an auto-installed module it
does not depend on: 18.0's ``hr_recruitment`` opens ``sms.composer``, 19.0's
``l10n_es_edi_verifactu`` extends ``certificate.certificate``. Odoo installs
it (proven by real installs), so the rules that look for models and fields in
the closure report it as a warning that names the module to depend on, not as
an error.
"""

from .registry import Issue


def auto_installed_source(ctx, model, field=None):
    """Modules outside the closure, auto-installed with it and loaded before the
    module, through which ``model`` (or its ``field``) exists for the module; ()
    when there is none."""
    facts = ctx.facts
    module = ctx.module.name
    extras = facts.auto_installed_before(module)
    if not extras:
        return ()
    classes = {m: [cls for cls in facts.index(m).models if cls.name == model] for m in extras}
    if field is None:
        # One of them must create the model: the module's own classes do not count.
        return tuple(m for m in extras if any(cls.is_definition for cls in classes[m]))
    known = facts.preloaded_python_models(module).fields(model)
    if known is None or field not in known:
        return ()
    # The modules that add the field, else those that extend the model (a mixin's field).
    adding = tuple(m for m in extras if any(field in cls.fields for cls in classes[m]))
    return adding or tuple(m for m in extras if classes[m])


def through_auto_install(path, line, subject, modules, key):
    """The warning for ``subject`` ("res_model 'sms.composer'") found only through ``modules``."""
    names = ", ".join(repr(name) for name in modules)
    it, is_ = ("them", "are") if len(modules) > 1 else ("it", "is")
    return Issue(path, line,
                 f"{subject} comes from {names}, which {is_} not in the dependencies: the install "
                 f"works only because Odoo auto-installs {it} with them and loads {it} first. Add "
                 f"{it} to 'depends'.", severity="warning", impact="hygiene", key=key)
