"""What profiles offers other apps' pages (intranet.plugins)."""

from intranet.plugins import jinja_global
from profiles.templatetags.people import avatar, custom_status
from profiles.templatetags.presence import presence_dot

# {% presence_dot %}, {% avatar %} and {% custom_status %}, for Jinja2 partials.
jinja_global(presence_dot)
jinja_global(avatar)
jinja_global(custom_status)
