from django import template

from messaging import pages

register = template.Library()

# "99+" from the cap up (messaging.pages.badge_count), for Django templates.
register.filter("badge_count", pages.badge_count)
