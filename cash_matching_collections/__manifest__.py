{
    "name": "Cash Matching with Collections",
    "summary": "Payment reviewers follow up customers, collections managers "
    "review payments, and a matched payment keeps a promise to pay",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "AGPL-3",
    "author": "Collections Suite",
    "website": "https://github.com/collections-suite/collections-suite",
    "depends": ["cash_matching", "collections_management"],
    "data": ["security/cash_matching_collections_groups.xml"],
    "auto_install": True,
    "installable": True,
}
