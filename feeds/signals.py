from feeds import services

# Saves that cannot move anyone between spaces (a sign-in stamps
# last_login) are skipped without a query.
DIRECTORY_FIELDS = {"department", "department_id", "is_active"}


def keep_directory_spaces(
    sender, instance, created, update_fields=None, raw=False, **kwargs
) -> None:
    if raw:
        return
    if update_fields is not None and not DIRECTORY_FIELDS & set(update_fields):
        return
    services.sync_person(instance)
