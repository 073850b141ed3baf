"""Demo members for `treffpunkt demo`. They cannot log in (unusable passwords)."""

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_member

DEMO_MEMBERS = [
    (
        "anna.beispiel@example.org",
        "Anna Beispiel",
        "Organisiert unsere Mitgliederversammlungen.",
        ["organizer", "moderator"],
    ),
    (
        "jonas.muster@example.org",
        "Jonas Muster",
        "Schreibt über Ehrenamt und Digitales.",
        ["author"],
    ),
    (
        "leyla.demir@example.org",
        "Leyla Demir",
        "Moderiert die Diskussionen im Blog.",
        ["author", "moderator"],
    ),
]


def load() -> list[str]:
    created = 0
    for email, name, bio, roles in DEMO_MEMBERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, display_name=name, bio=bio)
            user.set_roles(roles)
            user.set_unusable_password()
            user.save()
            created += 1
        participant_for_member(user)
    return [f"Mitglieder: {created} neu, {len(DEMO_MEMBERS) - created} vorhanden."]
