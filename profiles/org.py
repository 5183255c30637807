"""Who reports to whom: the management chain above a person."""

from profiles.models import User

# Deeper than any company's chart; a chain this long is a loop in the data.
MAX_LEVELS = 50


def management_chain(person: User, *, limit: int = MAX_LEVELS) -> list[User]:
    """Return `person`'s active managers, nearest first, up to the top.

    One query per level (a company is a handful deep), at most `limit`.
    A loop in the data, which update_profile refuses but an import or the
    admin might make, ends the chain where it would come back; a
    deactivated manager ends it too, as they are shown as no one's.
    """
    chain: list[User] = []
    seen = {person.pk}
    manager_id = person.manager_id
    while manager_id is not None and manager_id not in seen and len(chain) < limit:
        manager = (
            User.objects.select_related("department")
            .filter(pk=manager_id, is_active=True)
            .first()
        )
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
        manager_id = manager.manager_id
    return chain
