"""Applying a plan: writes in Salesforce's order with a journal to undo them."""
