{
    "name": "Cash Matching",
    "summary": "Automatic cash application of bank statement lines to open "
    "invoices, with confidence scores and a review queue",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "AGPL-3",
    "author": "Collections Suite",
    "website": "https://github.com/collections-suite/collections-suite",
    "depends": ["account"],
    "external_dependencies": {"python": ["scikit-learn"]},
    "data": [
        "security/cash_matching_groups.xml",
        "security/ir.model.access.csv",
        "security/ir_rules.xml",
        "data/ir_cron_data.xml",
        "views/cash_match_proposal_views.xml",
        "views/account_bank_statement_line_views.xml",
        "views/cash_match_manual_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["cash_matching/static/tests/tours/*.js"],
    },
    "installable": True,
}
