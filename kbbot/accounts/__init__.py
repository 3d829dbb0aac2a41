"""Staff accounts: users, API tokens and signing in."""
