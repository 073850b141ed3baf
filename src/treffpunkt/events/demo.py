"""Demo event for `treffpunkt demo`: a running public event #treffpunktdemo with posts."""

from datetime import timedelta

from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.core.actions import participant_for_actor, participant_for_guest
from treffpunkt.events.actions import create_event, moderate_contribution, submit_contribution
from treffpunkt.events.models import Event
from treffpunkt.moderation.models import Source
from treffpunkt.moderation.submissions import Submission

# A post as if from the fediverse, clearly marked as demo content (the server is an
# example domain that does not exist; nothing is fetched).
DEMO_ACTOR = "https://fediverse.example/users/demo"
DEMO_FEDIVERSE_POST = (
    "Demo-Beitrag aus dem Fediverse: So erscheint ein Beitrag, der @treffpunktdemo erwähnt "
    "oder #treffpunktdemo nutzt. (Beispielkonto, kein echter Server.)"
)

DEMO_POSTS = [
    (
        "Maria",
        "Schön, dass so viele gekommen sind! Ich freue mich auf den Austausch. #treffpunktdemo",
    ),
    ("", "Mein wichtigster Gedanke heute: Wir müssen die Neuen im Verein viel früher einbinden."),
    ("Thomas K.", "Die Idee mit den Tandems für neue Ehrenamtliche finde ich großartig."),
    (
        "Aylin",
        "Frage an alle: Wer hätte Lust, im Frühjahr eine Schreibwerkstatt für den Blog zu machen?",
    ),
    ("", "Danke an das Orga-Team für den Kaffee und die gute Stimmung ☕"),
    ("Jens", "Was ich mitnehme: Weniger Mails, mehr offene Gespräche, zum Beispiel hier."),
]


def load() -> list[str]:
    if Event.objects.filter(hashtag_key="treffpunktdemo").exists():
        return ["Veranstaltung #treffpunktdemo: vorhanden."]
    organizer = User.objects.filter(email="anna.beispiel@example.org").first()
    if organizer is None:
        organizer = User.objects.filter(is_superuser=True).first()
    if organizer is None:
        return ["Veranstaltung: übersprungen (kein Mitglied vorhanden)."]
    now = timezone.now()
    event = create_event(
        organizer=organizer,
        title="Jahrestreffen 2026",
        hashtag="treffpunktdemo",
        description=(
            "Unser jährliches Treffen aller Mitglieder und Ehrenamtlichen: Rückblick, "
            "Ausblick und viel Zeit für Gespräche.\n\n**Programm:** Begrüßung, Workshops, "
            "gemeinsames Abendessen."
        ),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        place="Gemeindehaus am Markt, Saal 1",
        visibility=Event.Visibility.PUBLIC,
        moderation=Event.Moderation.POST,
        guiding_question="Was nehmen Sie heute mit?",
    )
    if organizer.has_role("moderator"):
        event.moderators.add(organizer)
    first = None
    for number, (name, text) in enumerate(DEMO_POSTS):
        guest = participant_for_guest(f"demo{number:028d}", display_name=name)
        contribution = submit_contribution(
            event,
            Submission(
                participant=guest,
                text=text,
                author_name=name,
                published_at=now - timedelta(minutes=50 - number * 7),
            ),
        )
        first = first or contribution
    if first is not None:
        moderate_contribution(first, "pin", organizer, "Begrüßung")
    remote = participant_for_actor(
        DEMO_ACTOR, handle="@demo@fediverse.example", display_name="Fedi Demo (Beispiel)"
    )
    submit_contribution(
        event,
        Submission(
            participant=remote,
            text=DEMO_FEDIVERSE_POST,
            source=Source.FEDIVERSE_REPLY,
            author_name="Fedi Demo (Beispiel)",
            remote_id=f"{DEMO_ACTOR}/statuses/1",
            server="fediverse.example",
            published_at=now - timedelta(minutes=5),
        ),
    )
    return [
        f"Veranstaltung #treffpunktdemo mit {len(DEMO_POSTS) + 1} Beiträgen angelegt "
        "(einer als Demo aus dem Fediverse)."
    ]
