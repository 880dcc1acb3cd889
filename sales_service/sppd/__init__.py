"""Abstracts, request letters, data-use agreements (SPPD) and the files behind them."""
