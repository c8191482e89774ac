"""The dashboard: the questions it asks of the lake, where the answers come from, and the page drawn from them."""
