"""The domain core: plain Python that knows petitions but not Discord.

Parsing (``parser``), the typed model (``models``), name folding (``names``),
ingest rules (``loader``), search, digest composition and rendering live here
so that tests, the CLI and the offline console call them without Discord.
"""
