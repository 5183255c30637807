"""Posts and comments: write, edit, delete, pin, announce, moderate.

Each change is stored with its event in the space's catch-up log in one
transaction (durable before live). An edit or delete rewrites the stored
events about the post or comment, so no catch-up hands back removed text.
The services are re-exported by feeds.services; shared pieces live in
text (checking and rendering a body), notifications and log.
"""
