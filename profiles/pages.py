"""What profiles offers other apps' pages (intranet.plugins)."""

from intranet.plugins import jinja_global
from profiles.templatetags.presence import presence_dot

# {% presence_dot %}, for Jinja2 partials.
jinja_global(presence_dot)
