"""Tooling behind setup/demo, setup/test and setup/bench."""
