"""Turn a :class:`~core.charts.service.ChartResult` into a reply: one card showing the PNG.

The Discord side attaches ``Card.image_file`` and points the embed image at
it; the console prints the file's path. Title and description come from
petition documents, so they are escaped here like any document text.
"""

from __future__ import annotations

from core.charts.types import ChartResult
from core.common.cards import Card, Reply, escape

CHART_COLOUR = 0x2F5DA8
"""Embed accent: the bar/line colour of the charts."""


def render_chart(result: ChartResult) -> Reply:
    """A public reply with one card: title linking to the petition, notes, the image."""
    card = Card(
        title=escape(result.title),
        url=result.url,
        description=escape(result.description) or None,
        footer=result.footer,
        colour=CHART_COLOUR,
        image_file=str(result.path),
    )
    return Reply(cards=[card.fitted()])
