"""Identity: who a caller is (API keys, customer tokens, agent logins, OIDC) and what they may do."""
