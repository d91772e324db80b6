# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bulletproof level: real installs and upgrades in scratch databases.

A sibling of facts and rules: it runs ``odoo-bin`` in a subprocess against a
scratch database and turns the build log into findings through the same
results layer. Nothing here runs target code in the validating process.
"""
