def post_init_hook(env):
    """Give every existing company the shipped risk profiles."""
    env["res.company"].search([])._credit_ensure_default_profiles()
