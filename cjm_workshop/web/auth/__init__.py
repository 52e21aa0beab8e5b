"""Facilitator accounts: sign up, log in, log out."""
