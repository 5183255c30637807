"""Pages for spaces and posts: parse, check access, call one service, render.

Every write here is a plain form (the pages work without JavaScript); with
JavaScript, feeds/static/feeds/js/feed.js sends the same writes to the REST
API instead. A refusal comes back as an error flash on the page it came
from, never as a 500.

One module per page area: spaces, posts, people; feed holds what every
page with posts on it shares, writes what the forms share.
"""

# The home feed (frontend) builds its page with these.

from feeds.views.feed import before_param, decorate, feed_page, page_context

__all__ = ["before_param", "decorate", "feed_page", "page_context"]
