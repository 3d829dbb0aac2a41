"""Customer support: conversations, handoffs, suggestions, feedback, surveys, hours, mail, privacy."""
