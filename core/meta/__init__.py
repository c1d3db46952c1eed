"""The bot about itself: where the data comes from (``/about``) and how to use it (``/help``)."""
