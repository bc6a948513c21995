"""Writes of the rights app: listings and the sealed reserve, registration and deposits, bidding and closing."""
