"""Every write onboarding makes, and the events it publishes. Import from
here."""

from onboarding.services.enrollment import (
    MAX_BUDDIES,
    cohort_name,
    cohort_space,
    end_enrollment,
    enroll,
    propose_buddy,
    set_buddy,
)
from onboarding.services.journeys import (
    add_step,
    create_journey,
    delete_step,
    update_journey,
    update_step,
)
from onboarding.services.tasks import create_task, progress, set_task_done

__all__ = [
    "MAX_BUDDIES",
    "add_step",
    "cohort_name",
    "cohort_space",
    "create_journey",
    "create_task",
    "delete_step",
    "end_enrollment",
    "enroll",
    "progress",
    "propose_buddy",
    "set_buddy",
    "set_task_done",
    "update_journey",
    "update_step",
]
