"""Send the daily reminders of tasks due today and late: once, or every N
seconds (the Procfile's `reminders` process)."""

from intranet.management.periodic import PeriodicCommand
from onboarding.services.reminders import send_reminders


class Command(PeriodicCommand):
    help = (
        "Send each person their digest of tasks due today and late, once a "
        "day from 8:00 in their time zone. Safe beside other schedulers: "
        "nobody gets it twice."
    )
    done = "Sent {} reminder(s)."

    def run_once(self) -> int:
        return send_reminders()
