"""Help-center articles: source format, editing, sync, export, listing, rendering, highlighting."""
