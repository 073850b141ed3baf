"""Demo members for `treffpunkt demo`. They cannot log in (unusable passwords)."""

from treffpunkt.accounts.actions import create_member
from treffpunkt.accounts.models import User

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
        if not User.objects.filter(email=email).exists():
            create_member(email, name, roles, bio=bio)
            created += 1
    return [f"Mitglieder: {created} neu, {len(DEMO_MEMBERS) - created} vorhanden."]
