"""Petitions: cards, tables, comparisons, the leaderboard, and a petition's life (lifecycle)."""
