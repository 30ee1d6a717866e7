{
    "name": "Credit Control",
    "summary": "Risk profiles, credit limits, exposure and credit holds that "
    "block sale orders",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "AGPL-3",
    "author": "Collections Suite",
    "website": "https://github.com/collections-suite/collections-suite",
    "depends": ["sale_management", "collections_management"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/credit_control_groups.xml",
        "security/ir.model.access.csv",
        "security/ir_rules.xml",
        "views/credit_risk_profile_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
