{
    "name": "Cash Matching",
    "summary": "Automatic cash application of bank statement lines to open "
    "invoices, with confidence scores and a review queue",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "AGPL-3",
    "author": "Collections Suite",
    "website": "https://github.com/collections-suite/collections-suite",
    "depends": ["account", "collections_management"],
    "external_dependencies": {"python": ["scikit-learn"]},
    "data": [
        "security/ir.model.access.csv",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
}
