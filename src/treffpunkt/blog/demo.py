"""Demo blog for `treffpunkt demo`: "Aus dem Verein" with posts on three distinct topics
(volunteering, going digital, the community garden), so suggestions and search have
something to show. The comments app adds comments to these posts."""

from datetime import timedelta

from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog, publish_post, save_post
from treffpunkt.blog.models import Blog

BLOG_SLUG = "aus-dem-verein"

# (author email, days ago, title, tags, excerpt, body)
DEMO_POSTS = [
    (
        "jonas.muster@example.org",
        40,
        "Warum wir neue Ehrenamtliche in Tandems begleiten",
        ["Ehrenamt", "Einarbeitung"],
        "Wer neu zu uns kommt, soll sich nicht allein durchkämpfen. Seit einem Jahr "
        "begleiten wir neue Ehrenamtliche in Tandems. Eine erste Bilanz.",
        """Wer zum ersten Mal bei uns mithilft, erlebt oft dasselbe: viele freundliche
Gesichter, aber niemand, der sich wirklich zuständig fühlt. Man steht in der Küche der
Begegnungsstätte, weiß nicht, wo die Schlüssel liegen, und traut sich nicht zu fragen.
Genau an diesem Punkt haben wir in den vergangenen Jahren viele neue Ehrenamtliche wieder
verloren, meist nach zwei oder drei Einsätzen.

## Die Idee: ein Tandem für die ersten drei Monate

Seit dem letzten Frühjahr bekommt jede und jeder Neue eine erfahrene Ehrenamtliche oder
einen erfahrenen Ehrenamtlichen an die Seite. Die beiden verabreden sich für die ersten
Einsätze, gehen gemeinsam durch die Räume und treffen sich nach vier Wochen auf einen
Kaffee, um zu besprechen, was gut läuft und was nicht. Das klingt selbstverständlich,
war es bei uns aber nicht.

## Was sich verändert hat

Von den 23 Menschen, die im vergangenen Jahr neu dazugekommen sind, sind 19 noch dabei.
Früher war es ungefähr die Hälfte. Noch wichtiger finden wir, was die Tandem-Partner
erzählen: Sie fühlen sich ernst genommen, weil ihre Erfahrung gefragt ist, und viele
sagen, dass sie selbst wieder neu auf ihr Ehrenamt schauen.

Natürlich klappt nicht jedes Tandem. Manchmal passen die Zeiten nicht zusammen, manchmal
die Menschen. Dann tauschen wir, ohne großes Aufheben. Wer Lust hat, im nächsten Halbjahr
selbst Tandem-Partnerin oder Tandem-Partner zu werden, meldet sich einfach bei mir.""",
    ),
    (
        "leyla.demir@example.org",
        26,
        "Ehrenamt braucht Anerkennung, nicht nur Dankesreden",
        ["Ehrenamt", "Vereinsleben"],
        "Einmal im Jahr eine Urkunde reicht nicht. Was Ehrenamtliche wirklich brauchen, "
        "haben wir in unserer Umfrage gefragt.",
        """Beim Sommerfest bedanken wir uns jedes Jahr bei allen Ehrenamtlichen, und das ist
richtig so. Aber in unserer Umfrage im Herbst haben viele geschrieben, dass ihnen etwas
anderes fehlt: das Gefühl, im Alltag mitentscheiden zu können, und ein verlässlicher
Ansprechpartner, wenn es einmal schwierig wird.

## Was wir gefragt haben

Wir wollten wissen, warum Menschen ihr Ehrenamt bei uns beginnen, was sie hält und was
sie ans Aufhören denken lässt. 61 Ehrenamtliche haben geantwortet, das ist fast die Hälfte
aller Aktiven. Die häufigste Antwort auf die Frage nach dem Warum war schlicht: etwas
Sinnvolles mit anderen Menschen tun.

## Anerkennung im Alltag

Anerkennung heißt für die meisten nicht Geschenke, sondern Beteiligung. Wer jeden Dienstag
die Hausaufgabenhilfe macht, möchte gefragt werden, bevor sich der Raum oder die Uhrzeit
ändert. Wer seit Jahren die Kleiderkammer sortiert, weiß besser als der Vorstand, welche
Regale fehlen.

Deshalb laden wir ab dem neuen Jahr zu einem offenen Ehrenamtsrat ein, einmal im Quartal,
ohne Tagesordnung von oben. Dazu kommt eine Fortbildungskasse, aus der sich alle
Ehrenamtlichen Kurse bezahlen lassen können, die ihnen bei ihrer Aufgabe helfen.""",
    ),
    (
        "jonas.muster@example.org",
        33,
        "Weniger E-Mails, mehr Austausch: unser Weg zu offenen Werkzeugen",
        ["Digitalisierung", "Datenschutz"],
        "Wie wir als Verein von endlosen E-Mail-Verteilern zu einer eigenen, offenen "
        "Plattform gekommen sind, und was wir dabei über Datenschutz gelernt haben.",
        """Vor zwei Jahren lief fast unsere gesamte Abstimmung über E-Mail-Verteiler. Wer
einmal eine Woche im Urlaub war, kam zurück zu achtzig ungelesenen Nachrichten, von denen
die meisten mit „Antwort an alle" begannen. Entscheidungen gingen unter, Dateien lagen in
fünf Versionen in fünf Postfächern.

## Eigene Server statt großer Plattformen

Wir hätten es uns leicht machen und einen der großen Dienste nehmen können. Aber viele
unserer Mitglieder wollten nicht, dass Gespräche über Beratungsfälle oder Spendenlisten auf
Servern irgendwo in der Welt liegen. Deshalb betreiben wir heute einige offene Programme
selbst: einen Kalender, eine Dateiablage und diese Seite hier. Der Datenschutz war dabei
nicht lästige Pflicht, sondern ein Grund für die Entscheidung.

## Was gut funktioniert und was nicht

Gut funktioniert, dass Informationen jetzt an einem Ort stehen und verlinkt werden
können. Schwieriger ist die Umstellung für Menschen, die wenig mit Computern zu tun haben.
Für sie bieten wir jeden ersten Montag im Monat eine digitale Sprechstunde an, bei der wir
gemeinsam am Laptop oder Telefon ausprobieren, was unklar ist.

Die wichtigste Erkenntnis: Digitalisierung ist keine Technikfrage, sondern eine Frage der
Gewohnheiten. Die Software war in einem Wochenende eingerichtet, die neuen Gewohnheiten
brauchen ein Jahr.""",
    ),
    (
        "leyla.demir@example.org",
        12,
        "Digitale Sprechstunde: Was Senioren am häufigsten fragen",
        ["Digitalisierung", "Bildung"],
        "Jeden ersten Montag helfen wir bei Fragen rund um Smartphone, Passwörter und "
        "Videoanrufe. Ein Bericht aus der digitalen Sprechstunde.",
        """Die digitale Sprechstunde war zunächst als Angebot für unsere eigenen Ehrenamtlichen
gedacht, damit alle mit dem neuen Kalender und der Dateiablage zurechtkommen. Inzwischen
kommen jeden ersten Montag zehn bis fünfzehn Menschen aus der Nachbarschaft, die meisten
über siebzig, mit ihrem Smartphone oder Tablet in der Tasche.

## Die häufigsten Fragen

Ganz oben steht die Frage nach Passwörtern: Wie merke ich mir so viele, und wie sicher
muss ein Passwort sein? Wir empfehlen einen Passwortmanager oder, für den Anfang, ein
Notizbuch zu Hause, das nie das Haus verlässt. Danach kommen Videoanrufe mit den Enkeln,
Fotos verschicken und die Frage, ob eine Nachricht von der Bank echt ist.

## Was wir gelernt haben

Geduld ist wichtiger als Fachwissen. Viele Teilnehmende haben schlechte Erfahrungen mit
Verkäufern oder ungeduldigen Verwandten gemacht und trauen sich kaum, Fragen zu stellen.
Bei uns darf man dieselbe Frage dreimal stellen.

Wir suchen noch zwei oder drei Menschen, die einmal im Monat für zwei Stunden mithelfen.
Technische Kenntnisse braucht man weniger, als man denkt: Wer sein eigenes Smartphone
bedienen kann und Freude am Erklären hat, ist genau richtig.""",
    ),
    (
        "jonas.muster@example.org",
        20,
        "Der Gemeinschaftsgarten im ersten Jahr: Beete, Kompost und viele Hände",
        ["Garten", "Nachhaltigkeit"],
        "Aus einer Brachfläche hinter dem Gemeindehaus ist ein Garten geworden. Ein "
        "Rückblick auf das erste Gartenjahr.",
        """Im März war die Fläche hinter dem Gemeindehaus noch eine Wiese mit Brombeeren und
Bauschutt. Heute stehen dort zwölf Hochbeete, ein Kräuterbeet, drei Komposter und eine
Bank, auf der nachmittags fast immer jemand sitzt. Gebaut haben das über vierzig Menschen
aus dem Verein und aus der Nachbarschaft.

## Hochbeete aus alten Paletten

Das Holz für die Hochbeete haben wir von einem Baumarkt bekommen, der gebrauchte Paletten
sonst entsorgt hätte. Die Erde stammt zum Teil aus dem eigenen Kompost, den die Kita
nebenan mit ihren Küchenabfällen füttert. Gegossen wird mit Regenwasser aus zwei großen
Tonnen am Fallrohr des Gemeindehauses.

## Was gewachsen ist

Tomaten, Zucchini und Bohnen haben sich fast von selbst vermehrt, die Kartoffeln eher
nicht. Am meisten Freude hatten die Kinder an den Sonnenblumen, die am Ende höher waren
als der Zaun. Die Ernte wurde geteilt, ein Teil ging an die Tafel im Stadtteil.

Im Winter planen wir die nächste Saison. Wer ein Beet übernehmen möchte, allein oder als
Familie, kann sich beim Gartentreffen am zweiten Samstag im Monat melden.""",
    ),
    (
        "leyla.demir@example.org",
        5,
        "Saatgut tauschen statt kaufen: unsere Samenbibliothek",
        ["Garten", "Nachhaltigkeit", "Vereinsleben"],
        "Im Regal neben der Bücherecke stehen jetzt Gläser mit Samen. Wie die "
        "Samenbibliothek funktioniert und warum alte Sorten wichtig sind.",
        """Wer im Gemeindehaus an der Bücherecke vorbeikommt, sieht seit einigen Wochen ein
neues Regal: Einmachgläser mit Bohnen, Tomatensamen in Papiertüten, Ringelblumen,
Kapuzinerkresse. Das ist unsere Samenbibliothek, entstanden aus dem Gemeinschaftsgarten.

## So funktioniert es

Man nimmt sich Samen mit, sät sie aus und bringt im Herbst einen Teil der eigenen Samen
zurück. Auf jeder Tüte steht, wer sie gefüllt hat und was man über die Sorte wissen sollte.
So wandert das Saatgut von Balkon zu Balkon und von Beet zu Beet.

## Warum alte Sorten

Viele gekaufte Sorten sind Hybride, aus deren Samen im nächsten Jahr nichts Verlässliches
wächst. Alte, samenfeste Sorten dagegen passen sich über die Jahre an Boden und Klima an.
Das ist gelebte Nachhaltigkeit im Kleinen, und es macht unabhängiger.

Im Frühjahr veranstalten wir einen Tauschtag mit einer kurzen Einführung ins Vorziehen von
Jungpflanzen. Bringen Sie gern mit, was bei Ihnen im letzten Jahr gut gewachsen ist.""",
    ),
]


def load() -> list[str]:
    if Blog.objects.filter(slug=BLOG_SLUG).exists():
        return ["Blog „Aus dem Verein“: vorhanden."]
    authors = {user.email: user for user in User.objects.filter(is_author=True, is_active=True)}
    if not authors:
        return ["Blog: übersprungen (keine Autorinnen oder Autoren vorhanden)."]
    fallback = next(iter(authors.values()))
    blog = create_blog(
        title="Aus dem Verein",
        slug=BLOG_SLUG,
        description=(
            "Berichte, Gedanken und Fragen aus unserer Arbeit: vom Ehrenamt über digitale "
            "Werkzeuge bis zum Gemeinschaftsgarten."
        ),
        language="de",
        authors=list(authors.values()),
    )
    now = timezone.now()
    for email, days_ago, title, tags, excerpt, body in DEMO_POSTS:
        author = authors.get(email, fallback)
        post = save_post(
            editor=author,
            blog=blog,
            title=title,
            tags=tags,
            excerpt=excerpt,
            body=body,
        )
        publish_post(post, editor=author, at=now - timedelta(days=days_ago, hours=3))
    return [f"Blog „Aus dem Verein“ mit {len(DEMO_POSTS)} Beiträgen angelegt."]
