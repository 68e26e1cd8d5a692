"""Reading an org: one user, the whole org, what plan needs."""
