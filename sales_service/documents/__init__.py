"""PDF documents (invoice, SPPD draft, receipt): plain data objects in, bytes out."""
