import pytest

from treffpunkt.core.actions import participant_for_guest
from treffpunkt.moderation import textmodel
from treffpunkt.moderation.actions import record_decision, train_site_model
from treffpunkt.moderation.models import CheckedItem, Decision

# Advertising that looks like an ordinary greeting: the shipped model lets it through.
NEW_PATTERN = [
    "Grüße von der Bäckerei Hansen aus Flensburg, Brötchen mit Liebe gebacken seit {n}",
    "Bäckerei Hansen aus Flensburg: Brötchen mit Liebe gebacken, frisch seit {n}",
    "Seit {n} frisch: Brötchen mit Liebe gebacken von Bäckerei Hansen in Flensburg",
]


def decide(check, text, n, action, moderator):
    participant = participant_for_guest(f"{n:032d}")
    check(text, participant, object_id=n)
    return record_decision(
        kind="comment",
        object_id=n,
        action=action,
        moderator=moderator,
        participant=participant,
        text=text,
    )


@pytest.mark.django_db
def test_after_a_few_spam_decisions_the_next_one_is_caught(
    check, moderator, django_capture_on_commit_callbacks
):
    first = check(NEW_PATTERN[0].format(n=1950), participant_for_guest("a" * 32))
    assert first.verdict == "publish"  # never seen before

    for n in range(1, 5):
        with django_capture_on_commit_callbacks(execute=True):
            decide(check, NEW_PATTERN[n % 3].format(n=n * 10), n, "spam", moderator)

    later = check(NEW_PATTERN[1].format(n=1999), participant_for_guest("b" * 32))
    assert later.verdict != "publish", later.reasons
    shown = str(later.reasons[-1].values)
    assert any(word in shown for word in ("hansen", "bäckerei", "flensburg", "brötchen")), shown
    assert (
        textmodel.TextModel.load(textmodel.Path(str(textmodel.settings.SPAM_MODEL_PATH))).info[
            "learned"
        ]
        == 4
    )


@pytest.mark.django_db
def test_approvals_teach_that_a_kind_of_message_is_fine(
    check, moderator, django_capture_on_commit_callbacks
):
    text = "Check out the new video of our choir and subscribe to the channel {n}"
    before = check(text.format(n=0), participant_for_guest("a" * 32))
    assert before.verdict != "publish"
    for n in range(1, 7):
        with django_capture_on_commit_callbacks(execute=True):
            decide(check, text.format(n=n), n, "approve", moderator)
    after = check(text.format(n=99), participant_for_guest("b" * 32))
    assert after.score < before.score


@pytest.mark.django_db
def test_a_decision_is_noted_on_the_check_and_pins_teach_nothing(check, moderator, guest):
    check("Hallo", guest, object_id=5)
    record_decision(
        kind="comment",
        object_id=5,
        action="approve",
        moderator=moderator,
        participant=guest,
        text="Hallo",
    )
    assert CheckedItem.objects.get().decision == "approve"
    record_decision(
        kind="comment",
        object_id=5,
        action="unpin",
        moderator=moderator,
        participant=guest,
        text="Hallo",
    )
    assert CheckedItem.objects.get().decision == "approve"


@pytest.mark.django_db
def test_a_failed_transaction_teaches_nothing(check, moderator, guest, settings):
    from django.db import transaction

    before = settings.SPAM_MODEL_PATH.read_bytes()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_decision(
            kind="comment",
            object_id=1,
            action="spam",
            moderator=moderator,
            participant=guest,
            text="Mondsteine",
        )
        raise RuntimeError
    assert settings.SPAM_MODEL_PATH.read_bytes() == before
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_training_rebuilds_from_the_corpus_and_every_decision(check, moderator, settings):
    for n in range(1, 4):
        decide(check, NEW_PATTERN[n - 1].format(n=n), n, "spam", moderator)
    # The latest decision on an item counts: marked spam, then approved after all.
    decide(check, "Unser Chor singt am Sonntag", 4, "spam", moderator)
    record_decision(
        kind="comment",
        object_id=4,
        action="not_spam",
        moderator=moderator,
        participant=None,
        text="Unser Chor singt am Sonntag",
    )
    steps = []

    model = train_site_model(progress=lambda step, done, total: steps.append(step))

    assert model.info["decisions"] == 4
    assert {"features", "training"} <= set(steps)
    stored = textmodel.TextModel.load(settings.SPAM_MODEL_PATH)
    assert stored.info["examples"] == model.info["examples"]
    assert stored.probability(NEW_PATTERN[2].format(n=1977)) > 0.5
    assert textmodel.current_model().info["trained_at"] == model.info["trained_at"]


@pytest.mark.django_db
def test_the_weekly_training_is_queued_once_when_the_model_is_a_week_old(settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from treffpunkt.moderation.actions import enqueue_training_if_due

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert enqueue_training_if_due() is False  # the model was trained just now
    assert not DBTaskResult.objects.exists()

    def age(model):
        model.info["trained_at"] = (timezone.now() - timedelta(days=8)).isoformat()

    textmodel.update_model_file(age)
    assert enqueue_training_if_due() is True
    assert enqueue_training_if_due() is False  # one is waiting already
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("train_spam_model")
    # Once it ran, the model is new again and nothing more is queued.
    queued.delete()
    train_site_model()
    assert enqueue_training_if_due() is False


def test_spam_the_model_already_knows_is_learned_gently(settings, monkeypatch):
    model = textmodel.TextModel.load(settings.SPAM_MODEL_PATH)
    known = "FREE casino bonus!!! Click here to win money now http://casino.example"
    before = model.probability(known)
    assert before >= textmodel.SPAM_LEARN_MARGIN
    gentle = model.copy()
    gentle.learn(known, True)
    assert gentle.intercept == model.intercept  # the overall bias stays
    # Without the margin, the same decision is learned in full: three steps and the bias.
    monkeypatch.setattr(textmodel, "SPAM_LEARN_MARGIN", 1.01)
    full = model.copy()
    full.learn(known, True)
    assert full.intercept > model.intercept
    assert before < gentle.probability(known) < full.probability(known)
