"""The HTML pages: the explorer and the training lab, lessons, embeds."""
