# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "MV deployment fixture",
    "summary": "Deployed, upgraded and broken by the deployment recording tests",
    "version": "1.0.0",
    "license": "AGPL-3",
    "author": "module_validator authors",
    "depends": ["base"],
    "data": ["data/mvd_data.xml"],
}
