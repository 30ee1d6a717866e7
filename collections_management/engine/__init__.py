# Plain-Python core of the collections add-on: no Odoo import here, so that
# CI tests it on a machine without Odoo (see tests/ at the repository root).
