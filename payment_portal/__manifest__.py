{
    "name": "Payment Portal",
    "summary": "Customer self-service: statement, online payment, disputes, "
    "promises and payment plans on the portal",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "AGPL-3",
    "author": "Collections Suite",
    "website": "https://github.com/collections-suite/collections-suite",
    "depends": ["website", "account_payment", "collections_management"],
    "data": [
        "security/ir.model.access.csv",
        "views/portal_templates.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["payment_portal/static/tests/tours/*.js"],
    },
    "external_dependencies": {"python": ["reportlab"]},
    "installable": True,
}
