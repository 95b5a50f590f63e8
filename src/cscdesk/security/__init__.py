"""Named logins, password policy and the login service (等保二级 identity and access)."""
