# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Where a field of this database's registry comes from (DEP006, and VIEW004/DAT005/DAT012
leaving that case to it).

A field the module uses may be in the registry only because a module outside
its closure is installed here: the install works on this database and fails
on a fresh one (odoo.sh). Field._modules (odoo/fields.py) names every module
that defines the field.
"""


def foreign_field_modules(ctx, model, name):
    """Modules outside the closure that alone bring ``model.name`` into this registry.

    Empty at the static level, and whenever the closure may define the field
    itself (its own Python says so, or a closure module that is not installed
    here has model classes the static level cannot follow).
    """
    facts = ctx.facts
    if facts.level != "dynamic" or not model or not name:
        return ()
    cache = facts.memo("foreign_field_modules", dict)
    key = (ctx.module.name, model, name)
    if key not in cache:
        cache[key] = _foreign_field_modules(facts, ctx.module.name, model, name)
    return cache[key]


def _foreign_field_modules(facts, module, model, name):
    registry_model = facts.env.registry.models.get(model)
    field = registry_model._fields.get(name) if registry_model is not None else None
    # Magic, custom and code-added fields have no _modules: their origin is unknown.
    modules = set(getattr(field, "_modules", None) or ())
    scope = facts.scope(module)
    if not modules or modules & facts.fresh_install(module):
        return ()
    if facts.closure_python_models(module).field(model, name) is not None:
        return ()
    states = facts.module_states()
    if any(states.get(other) != "installed" and not facts.index(other).models_complete
           for other in scope):
        return ()  # an uninstalled closure module may add the field in a way the AST hides
    return tuple(sorted(modules))

