"""Catalogue: publications, microdata sets (with variables) and digital maps."""
