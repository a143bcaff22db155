"""Tools for curators: start an annotation from a new article, check one article, and review it as a page."""
