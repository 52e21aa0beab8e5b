"""Running a workshop: the facilitator's console, step controls, moderation, the board."""
