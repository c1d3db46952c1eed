"""Charts: the data behind a chart (service), drawing PNGs off the loop (draw, hexmap)."""
