"""``/ask``: questions in plain English, answered by the commands that already exist."""
