"""``python -m bot`` runs the same CLI as the ``petitionbot`` console script."""

from bot.cli import app

if __name__ == "__main__":
    app()
