"""The emulated org's state: SQLite, schema, seed, transactions, writes, queries."""
