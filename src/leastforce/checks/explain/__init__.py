"""Explain: every path that grants a right to a user, and who holds it org-wide."""
