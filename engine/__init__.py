# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The validation engine: discovery, index, facts, rules, results.

Nothing in this package imports the Odoo UI layer (``models``, ``wizards``,
``cli``); the static level runs on files alone, without a database.
"""

from . import ast_lock

ast_lock.install()
