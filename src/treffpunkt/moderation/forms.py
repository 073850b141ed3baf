from django import forms
from django.utils.translation import gettext_lazy as _

from treffpunkt.moderation.models import FilterSettings

MAX_LINES = 2000
DOMAIN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$"


class FilterListsForm(forms.ModelForm):
    class Meta:
        model = FilterSettings
        fields = ["words", "blocked_domains"]
        widgets = {
            "words": forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
            "blocked_domains": forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        }

    def clean_words(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["words"].splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(
                _("The word list can hold at most %(count)s lines."), params={"count": MAX_LINES}
            )
        too_long = next((line for line in lines if len(line) > 100), None)
        if too_long:
            raise forms.ValidationError(
                _("“%(line)s…” is too long: at most 100 characters per line."),
                params={"line": too_long[:30]},
            )
        return "\n".join(lines)

    def clean_blocked_domains(self) -> str:
        import re

        pattern = re.compile(DOMAIN)
        domains = []
        for number, line in enumerate(self.cleaned_data["blocked_domains"].splitlines(), 1):
            domain = line.strip().lower().removeprefix("http://").removeprefix("https://")
            domain = domain.strip("/").removeprefix("www.")
            if not domain:
                continue
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                domain = ""
            if not pattern.match(domain):
                raise forms.ValidationError(
                    _("Line %(number)s, “%(line)s”, is not a domain like spam.example."),
                    params={"number": number, "line": line.strip()[:60]},
                )
            domains.append(domain)
        if len(domains) > MAX_LINES:
            raise forms.ValidationError(
                _("The blocklist can hold at most %(count)s domains."), params={"count": MAX_LINES}
            )
        return "\n".join(dict.fromkeys(domains))
