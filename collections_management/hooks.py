def post_init_hook(env):
    """Give every existing company its default policy, so that collections
    work from the first day without any configuration."""
    env["res.company"].search([])._collections_ensure_default_policy()
