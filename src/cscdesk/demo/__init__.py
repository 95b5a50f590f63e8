"""The embedded demo: a fictional center (insurers, skill groups, agents) and its seeded data."""
