"""Documents in: parse Markdown or JSON into the document model and load it, all-or-nothing."""
