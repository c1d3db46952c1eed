"""End-to-end tests: the real bot process against a local Discord stand-in."""
