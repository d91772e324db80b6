# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 3: what is true on a fresh database for a module and its closure.

``StaticFacts`` knows the files of every module on the addons paths;
``DynamicFacts`` adds the live registry and database, always filtered to the
module's closure so that "installed here" never stands in for "will exist".
"""

import importlib.metadata
import importlib.util
import re

from .index import ModuleIndex


class StaticFacts:
    level = "static"

    def __init__(self, catalog):
        self.catalog = catalog
        self._indexes = {}

    def index(self, name):
        if name not in self._indexes:
            self._indexes[name] = ModuleIndex(self.catalog.get(name))
        return self._indexes[name]

    def closure(self, name):
        return self.catalog.closure(name)

    def closure_models(self, name):
        """Models defined or extended by the module or any module it depends on."""
        models = set(self.index(name).defined_models)
        for dep in self.closure(name):
            models |= self.index(dep).defined_models
        return models


class DynamicFacts(StaticFacts):
    """Static facts plus the running instance's registry, database and interpreter."""

    level = "dynamic"

    def __init__(self, catalog, env):
        super().__init__(catalog)
        self.env = env

    def closure_models(self, name):
        models = super().closure_models(name)
        scope = {name, *self.closure(name)}
        for model_name, model in self.env.registry.models.items():
            if getattr(model, "_original_module", None) in scope:
                models.add(model_name)
        return models

    @staticmethod
    def python_distribution_problem(requirement):
        """Why ``requirement`` is not satisfied by this interpreter, or None.

        Looks the distribution up by metadata, falling back to an importable
        top-level package, as Odoo does; nothing is imported.
        """
        name = re.split(r"[<>=!~;\[\s]", requirement.strip(), maxsplit=1)[0]
        if not name:
            return f"{requirement!r} is not a valid requirement"
        try:
            importlib.metadata.version(name)
            return None
        except importlib.metadata.PackageNotFoundError:
            pass
        if importlib.util.find_spec(name.replace("-", "_")) is not None:
            return None
        return f"Python package {name!r} is not installed"
