"""Effective access: resolve a user's rights in Salesforce's order, with the source of each."""
