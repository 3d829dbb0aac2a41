"""The web layer: help center, widget, public and staff API, staff console, request plumbing."""
