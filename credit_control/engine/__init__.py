"""Plain-Python engines of credit control (no Odoo import)."""
