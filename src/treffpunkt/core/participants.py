"""Who is behind a request: a member, or a guest's device. Worked out once per request.

The answer is kept on the request, so the join page, the comment section, the rate limits
and the submission pipeline all see the same participant without reading the device
cookie or the database again.
"""

from django.http import HttpRequest

from treffpunkt.core.actions import new_guest, participant_for_member
from treffpunkt.core.devices import current_device_id, ensure_device_id
from treffpunkt.core.models import Participant

_KNOWN = "_treffpunkt_participant"
_SUBMITTING = "_treffpunkt_submitting_participant"


def current_participant(request: HttpRequest) -> Participant | None:
    """The stored participant behind a request (member or guest device), if there is one.

    One query the first time, none after that.
    """
    if hasattr(request, _KNOWN):
        return getattr(request, _KNOWN)
    participant: Participant | None
    if request.user.is_authenticated:
        participant = Participant.objects.select_related("user").filter(user=request.user).first()
    else:
        device_id = current_device_id(request)
        participant = (
            None
            if device_id is None
            else Participant.objects.filter(
                kind=Participant.Kind.GUEST, device_id=device_id
            ).first()
        )
    setattr(request, _KNOWN, participant)
    return participant


def submitting_participant(request: HttpRequest) -> Participant:
    """The participant a submission from this request belongs to.

    A member's participant (made on first use); a known guest device's; or, for a device
    seen for the first time, a new guest that is *not saved yet*: the submission pipeline
    stores it together with the first contribution it keeps, so a refused first attempt
    leaves nothing behind. The device cookie is set with the response either way.
    """
    if hasattr(request, _SUBMITTING):
        return getattr(request, _SUBMITTING)
    participant = current_participant(request)
    if participant is None:
        if request.user.is_authenticated:
            participant = participant_for_member(request.user)
            setattr(request, _KNOWN, participant)
        else:
            participant = new_guest(ensure_device_id(request))
    setattr(request, _SUBMITTING, participant)
    return participant
