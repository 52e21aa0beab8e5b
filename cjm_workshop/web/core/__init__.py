"""Pages that belong to nobody in particular: home, health, language switch."""
