"""Follows: a petition, a keyword, a seat or an MP, with alerts in a channel or by DM."""
