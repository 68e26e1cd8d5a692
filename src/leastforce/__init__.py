"""leastforce: least-privilege Salesforce integration users from a manifest."""

__version__ = "0.1.0"
