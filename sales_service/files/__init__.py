"""Content-addressed file storage and upload checking, for every package."""
