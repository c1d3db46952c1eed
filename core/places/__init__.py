"""Places: constituencies and MPs, the bundled seat reference and per-electorate rates."""
