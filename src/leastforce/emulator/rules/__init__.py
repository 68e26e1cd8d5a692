"""Salesforce's write rules and access rules, as the emulator enforces them."""
