"""Demo blog for `treffpunkt demo`: "Aus dem Verein" with posts on three distinct topics
(volunteering, going digital, the community garden), so suggestions and search have
something to show. The comments app adds comments to these posts."""

from datetime import timedelta

from django.utils import timezone

from treffpunkt.accounts.models import User
from treffpunkt.blog.actions import create_blog, publish_post, save_post
from treffpunkt.blog.indexing import rebuild_all
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
        ["Garten", "Nachhaltigkeit", "Saatgut"],
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
    (
        "leyla.demir@example.org",
        22,
        "Ehrenamt nach Feierabend: kurze Einsätze für Menschen mit wenig Zeit",
        ["Ehrenamt", "Einarbeitung"],
        "Viele möchten sich engagieren, haben aber Beruf, Kinder und Pflege unter einem "
        "Hut. Warum wir jetzt Ehrenamt in kleinen Portionen anbieten.",
        """„Ich würde ja gern helfen, aber ich kann mich nicht jede Woche festlegen.“ Diesen
Satz haben wir bei Infoabenden so oft gehört, dass wir irgendwann nachgezählt haben: Mehr
als die Hälfte der Interessierten hat am Ende abgesagt, weil unsere Aufgaben einen festen
Wochentag voraussetzten. Wer Schicht arbeitet, kleine Kinder hat oder die Eltern pflegt,
kann das nicht versprechen.

## Ein Einsatz, ein Abend, fertig

Seit dem Sommer gibt es bei uns eine Liste mit Kurzeinsätzen. Das sind Aufgaben, die an
einem Abend oder einem Samstagvormittag erledigt sind: beim Umzug der Kleiderkammer
anpacken, Plakate für das Stadtteilfest verteilen, eine Stunde lang am Infostand stehen.
Wer Zeit hat, trägt sich ein, und niemand fragt, wann man das nächste Mal kommt.

## Was wir nicht erwartet hatten

Wir hatten befürchtet, dass die Kurzeinsätze den festen Diensten Leute wegnehmen. Das
Gegenteil ist passiert. Von den 34 Menschen, die im Herbst einen Kurzeinsatz gemacht
haben, sind neun inzwischen regelmäßig dabei. Sie haben uns in Ruhe kennengelernt, ohne
sich vorher verpflichten zu müssen, und dann selbst entschieden, dass sie mehr wollen.

Auch für die Erfahrenen hat sich etwas verändert. Wer einen Kurzeinsatz begleitet, erklärt
in einer Stunde, worauf es ankommt, und merkt dabei, wie viel Wissen sich über die Jahre
angesammelt hat. Die Liste mit den aktuellen Einsätzen hängt im Flur des Gemeindehauses,
und wer eine Idee für eine neue Aufgabe hat, schreibt sie einfach dazu.""",
    ),
    (
        "jonas.muster@example.org",
        8,
        "Wenn das Ehrenamt zu viel wird: über Grenzen und gute Pausen",
        ["Ehrenamt", "Anerkennung"],
        "Manche Ehrenamtliche geben mehr, als ihnen guttut. Wie wir darüber sprechen, "
        "ohne jemandem das Engagement auszureden.",
        """In jedem Verein gibt es sie: die Menschen, die immer Ja sagen. Sie schließen morgens
auf und abends ab, springen ein, wenn jemand krank ist, und haben das Telefon auch im
Urlaub dabei. Ohne sie ginge vieles nicht. Aber im vergangenen Winter haben sich zwei von
ihnen bei uns für Monate zurückgezogen, erschöpft und ein wenig enttäuscht.

## Darüber reden, bevor es zu spät ist

Wir haben daraus gelernt, dass Fürsorge nicht nur den Menschen gilt, für die wir uns
engagieren, sondern auch den Ehrenamtlichen selbst. Deshalb fragen wir im jährlichen
Gespräch jetzt ausdrücklich: Wie viele Stunden sind es wirklich? Was davon macht Freude,
was ist Pflicht geworden? Und was würdest du gern abgeben?

## Pausen sind erlaubt

Wer eine Pause braucht, bekommt sie, ohne Begründung und ohne schlechtes Gewissen. Die
Aufgaben werden für diese Zeit verteilt, und der Platz bleibt frei. Eine Ehrenamtliche hat
es beim letzten Treffen so gesagt: „Ich wusste nicht, dass man bei euch auch einfach mal
nicht da sein darf. Jetzt komme ich umso lieber.“

Für die Verteilung der Aufgaben haben wir eine einfache Regel eingeführt: Jede wichtige
Aufgabe hat mindestens zwei Menschen, die sie können. Das schützt die Einzelnen und macht
den Verein robuster. Und wer merkt, dass es ihm gerade zu viel wird, darf das sagen, am
besten früh und am liebsten bei einer Tasse Kaffee.""",
    ),
    (
        "leyla.demir@example.org",
        18,
        "Ein Kalender für alle: wie wir Termine nicht mehr doppelt vergeben",
        ["Digitalisierung", "Werkzeuge"],
        "Früher lag der Raumplan als Zettel in der Küche. Heute steht er in einem "
        "gemeinsamen Kalender. Was die Umstellung gebracht hat.",
        """Lange Zeit hing der Belegungsplan für unsere Räume als ausgedruckte Tabelle neben
der Kaffeemaschine. Wer den großen Saal brauchte, schrieb mit Bleistift hinein, und wer
zuletzt radierte, hatte gewonnen. Zweimal im Jahr standen zwei Gruppen gleichzeitig vor
derselben Tür, einmal sogar mit einer Geburtstagstorte und einer Yogagruppe.

## Der gemeinsame Kalender

Heute hat jeder Raum einen eigenen Kalender auf unserem Vereinsserver. Alle Gruppen können
ihn lesen, die Verantwortlichen können Termine eintragen, und wer möchte, abonniert ihn auf
dem eigenen Telefon. Der Zettel in der Küche hängt trotzdem noch: Er wird jeden Montag
ausgedruckt, für alle, die lieber auf Papier schauen.

## Was die Umstellung schwer machte

Die Technik war nicht das Problem. Schwierig war, dass plötzlich sichtbar wurde, wie
unterschiedlich wir Räume nutzen. Manche Gruppen hatten feste Termine „schon immer“,
andere wussten davon nichts. Wir haben uns zweimal zusammengesetzt und die Zeiten neu
verteilt, und das war anstrengender als jede Software.

Inzwischen fragt niemand mehr, ob der Saal am Donnerstag frei ist. Man schaut nach. Und
wer neu dazukommt, sieht auf einen Blick, was im Haus los ist, und findet so manchmal eine
Gruppe, von der er vorher nichts wusste.""",
    ),
    (
        "jonas.muster@example.org",
        3,
        "Phishing erkennen: ein Nachmittag über sichere Passwörter und echte Nachrichten",
        ["Digitalisierung", "Datenschutz", "Werkzeuge"],
        "Gefälschte Paketnachrichten und falsche Bankmails: Was wir im Workshop über "
        "Phishing, Passwörter und Datenschutz im Alltag besprochen haben.",
        """Der Anlass war eine Nachricht, die fast jede und jeder von uns schon bekommen hat:
Ein Paket könne nicht zugestellt werden, man möge bitte auf einen Link klicken. Eine
Ehrenamtliche hatte geklickt und danach eine Woche lang mit ihrer Bank telefoniert. Sie
hat uns erlaubt, ihre Geschichte zu erzählen, damit es anderen nicht genauso geht.

## Woran man Phishing erkennt

Im Workshop haben wir echte und gefälschte Nachrichten nebeneinander gelegt. Die meisten
Fälschungen erzeugen Zeitdruck, sprechen einen nicht mit Namen an und führen zu einer
Adresse, die nur fast richtig aussieht. Die wichtigste Regel ist einfach: Im Zweifel nie
über den Link gehen, sondern die Seite selbst aufrufen oder bei der Bank anrufen.

## Passwörter ohne Kopfzerbrechen

Danach ging es um Passwörter. Niemand muss sich zwanzig komplizierte Zeichenketten merken.
Ein Passwortmanager oder ein langer Satz aus vier zufälligen Wörtern ist sicherer als das
alte Lieblingspasswort mit einer angehängten Eins. Wir haben gemeinsam einen
Passwortmanager eingerichtet, und wer mochte, hat gleich die wichtigsten Zugänge
umgestellt.

Der Nachmittag war voll, und die Fragen gingen beim Kaffee weiter. Deshalb wiederholen wir
ihn im Frühjahr. Wer eine verdächtige Nachricht bekommen hat, kann sie gern mitbringen: Wir
schauen sie uns zusammen an, ganz ohne Häme.""",
    ),
    (
        "leyla.demir@example.org",
        15,
        "Kompost ist kein Abfall: was uns die Würmer im Garten beigebracht haben",
        ["Garten", "Kompost", "Nachhaltigkeit"],
        "Drei Komposter, eine Wurmkiste und viele Fragen aus der Nachbarschaft. "
        "Was wir im Gemeinschaftsgarten über gute Erde gelernt haben.",
        """Als wir im Gemeinschaftsgarten die ersten Komposter aufgestellt haben, dachten wir,
man müsse nur Grünschnitt hineinwerfen und ein Jahr warten. Nach dem ersten Sommer hatten
wir einen nassen, säuerlich riechenden Haufen und eine Menge Fruchtfliegen. Seitdem haben
wir viel gelernt, vor allem von einem pensionierten Gärtner aus der Nachbarschaft.

## Die richtige Mischung

Ein guter Kompost braucht Grünes und Braunes: frische Küchenabfälle und Rasenschnitt auf
der einen Seite, Laub, Zweige und Pappe auf der anderen. Dazu Luft, also regelmäßiges
Umsetzen, und die Geduld, den Haufen nicht zu oft zu stören. Inzwischen hängt am
Komposter eine Tafel, auf der steht, was hinein darf und was nicht.

## Die Wurmkiste

Im Gemeindehaus steht seit dem Frühjahr eine Wurmkiste, in die die Kaffeerunde ihren
Kaffeesatz und ihre Apfelschalen gibt. Die Kompostwürmer machen daraus eine dunkle, feine
Erde, die wir für die Anzucht im Gewächshaus verwenden. Die Kinder aus der Kita kommen
regelmäßig vorbei, um nachzusehen, ob die Würmer noch da sind.

Im Herbst haben wir zum ersten Mal reifen Kompost auf die Hochbeete gebracht, und die
Nachbarn, die ihren Grünschnitt bei uns abgeben, durften sich einen Eimer mitnehmen. So
schließt sich ein kleiner Kreislauf, mitten im Stadtteil. Wer mehr wissen will, ist beim
nächsten Gartentreffen herzlich willkommen.""",
    ),
    (
        "jonas.muster@example.org",
        1,
        "Kürbisse, Kinderhände und ein Bohnentipi: die Kita im Gemeinschaftsgarten",
        ["Garten", "Kinder"],
        "Jeden Mittwoch kommt die Kita von nebenan in den Gemeinschaftsgarten. Ein Bericht "
        "über Erde an den Fingern und sehr große Kürbisse.",
        """Mittwochs um zehn wird es laut im Gemeinschaftsgarten. Dann kommen zwölf Kinder aus
der Kita nebenan mit Gummistiefeln, kleinen Gießkannen und sehr vielen Fragen. Sie haben
ein eigenes Hochbeet, das niedriger gebaut ist als die anderen, damit alle hineinschauen
können, ohne auf eine Kiste zu steigen.

## Was die Kinder angebaut haben

Im Frühjahr haben die Kinder Bohnen gelegt, an langen Stangen, die wir zu einem Tipi
zusammengebunden haben. Im Sommer war das Tipi so dicht bewachsen, dass man sich darin
verstecken konnte, und das haben die Kinder ausgiebig getan. Daneben wuchsen Radieschen,
Erdbeeren und zwei Kürbispflanzen, die sich über den halben Weg ausgebreitet haben.

## Was wir Erwachsenen gelernt haben

Kinder gärtnern anders. Sie gießen zu viel, ernten zu früh und graben Samen wieder aus, um
nachzusehen, ob schon etwas passiert. Und sie freuen sich über jeden Regenwurm so sehr, dass
man selbst wieder genauer hinschaut. Einige Eltern sind über ihre Kinder zu uns gekommen und
haben inzwischen selbst ein Beet.

Zum Abschluss der Saison gab es ein Kürbisfest mit Suppe aus der eigenen Ernte. Der größte
Kürbis wog elf Kilo und wurde mit dem Bollerwagen in die Kita gefahren. Im nächsten Jahr
soll ein Weidentunnel dazukommen, und die Kinder haben schon genaue Vorstellungen davon, wie
er aussehen soll.""",
    ),
]


def load() -> list[str]:
    """Create the demo blog, or add to it the demo posts it lacks (looked up by title), then
    index everything so search and suggestions work before any worker has run."""
    authors = {user.email: user for user in User.objects.filter(is_author=True, is_active=True)}
    blog = Blog.objects.filter(slug=BLOG_SLUG).first()
    if blog is None:
        if not authors:
            return ["Blog: übersprungen (keine Autorinnen oder Autoren vorhanden)."]
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
        created_blog = True
    else:
        created_blog = False
    existing = set(blog.posts.values_list("title", flat=True))
    missing = [row for row in DEMO_POSTS if row[2] not in existing]
    blog_authors = {user.email: user for user in blog.authors.filter(is_active=True)}
    fallback = next(iter(blog_authors.values()), None)
    if missing and fallback is None:
        return ["Blog „Aus dem Verein“: vorhanden (niemand darf darin Beiträge ergänzen)."]
    now = timezone.now()
    for email, days_ago, title, tags, excerpt, body in missing:
        author = blog_authors.get(email, fallback)
        if author is None:  # not reached: checked above; narrows the type
            continue
        post = save_post(
            editor=author,
            blog=blog,
            title=title,
            tags=tags,
            excerpt=excerpt,
            body=body,
        )
        publish_post(post, editor=author, at=now - timedelta(days=days_ago, hours=3))
    indexed = rebuild_all()
    if created_blog:
        line = f"Blog „Aus dem Verein“ mit {len(missing)} Beiträgen angelegt"
    elif missing:
        line = f"Blog „Aus dem Verein“: {len(missing)} fehlende Beiträge ergänzt"
    else:
        line = "Blog „Aus dem Verein“: vorhanden"
    return [f"{line}; Suche und Vorschläge für {indexed} Beiträge berechnet."]
