"""The URL contract: every field of a link, its kinds and bounds, parsing, compare links, the lab's query."""
