"""Domain verbs. They take the actor and the objects, change them, flush, and never commit:
the request (or CLI command) commits once. No Flask imports here."""
