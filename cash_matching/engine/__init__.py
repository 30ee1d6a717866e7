# Plain-Python core of cash matching: no Odoo import here.
