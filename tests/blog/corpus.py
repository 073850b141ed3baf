"""A small bilingual corpus on three distinct topics (community gardens, volunteering,
bicycles), for search and "You may also like" tests. Built through the blog actions, so
indexing runs as it does on the site.

German: four posts per topic, so each has three siblings in its own language. English:
three per topic; their third suggestion must come from a German post on the same topic,
found through a tag both share.
"""

from datetime import timedelta

from django.utils import timezone

from treffpunkt.blog import actions

GARDEN, VOLUNTEERING, BICYCLE = "garden", "volunteering", "bicycle"

POSTS = [
    # --- German: gardens
    (GARDEN, "de", "Unser Gemeinschaftsgarten wächst", "Garten, Urban Gardening",
     "Im Gemeinschaftsgarten hinter dem Gemeindehaus haben wir neue Beete angelegt. "
     "Tomaten, Zucchini und Bohnen wachsen dort, und jeden Samstag gießen wir gemeinsam."),
    (GARDEN, "de", "Kompost richtig anlegen", "Garten, Kompost",
     "Ein guter Kompost braucht Grünschnitt, Laub und Küchenabfälle. Im Garten des Gartens "
     "am Bach setzen wir den Kompost zweimal im Jahr um, damit die Beete fruchtbar bleiben."),
    (GARDEN, "de", "Gärten in der Stadt", "Garten, Urban Gardening",
     "Gärten in der Stadt kühlen die Straßen und bringen Nachbarn zusammen. Auf Balkonen, "
     "Dächern und Brachflächen wachsen Kräuter, Gemüse und Blumen in Hochbeeten."),
    (GARDEN, "de", "Saatgut tauschen im Frühjahr", "Garten, Saatgut",
     "Beim Saatguttausch bringen Gärtnerinnen Samen von Tomaten, Bohnen und Kräutern mit. "
     "So wächst im Garten Vielfalt, und die Beete blühen bis in den Herbst."),
    # --- German: volunteering
    (VOLUNTEERING, "de", "Ehrenamt im Verein", "Ehrenamt, Verein",
     "Ohne Ehrenamtliche gäbe es keinen Sportverein und keine Tafel. Das Ehrenamt braucht "
     "Anerkennung, Zeit und eine gute Begleitung durch den Vorstand des Vereins."),
    (VOLUNTEERING, "de", "Neue Freiwillige gewinnen", "Ehrenamt, Freiwillige",
     "Wie gewinnt ein Verein neue Freiwillige? Wir laden zu einem offenen Abend ein, stellen "
     "die Aufgaben im Ehrenamt vor und vermitteln eine Patin für die ersten Wochen."),
    (VOLUNTEERING, "de", "Ehrenamtliche Arbeit anerkennen", "Ehrenamt, Anerkennung",
     "Ehrenamtliche Arbeit verdient Dank: ein Fest für alle Freiwilligen, ein Nachweis "
     "für die Bewerbung und Fortbildungen, die der Verein für sein Ehrenamt bezahlt."),
    (VOLUNTEERING, "de", "Engagement neben dem Beruf", "Ehrenamt, Freiwillige",
     "Viele Freiwillige engagieren sich neben dem Beruf. Kurze Einsätze und flexible "
     "Aufgaben helfen, das Ehrenamt mit Familie und Arbeit im Verein zu verbinden."),
    # --- German: bicycles
    (BICYCLE, "de", "Offene Fahrradwerkstatt", "Fahrrad, Werkstatt",
     "In der offenen Fahrradwerkstatt reparieren wir gemeinsam Fahrräder: Schlauch flicken, "
     "Bremsen einstellen, Kette ölen. Werkzeug und Ersatzteile sind da."),
    (BICYCLE, "de", "Sicher mit dem Rad zur Arbeit", "Fahrrad, Radweg",
     "Mit dem Fahrrad zur Arbeit: Licht, Helm und gute Bremsen sind Pflicht. Auf dem Radweg "
     "hilft Abstand, und im Winter brauchen die Reifen mehr Profil."),
    (BICYCLE, "de", "Lastenrad für alle", "Fahrrad, Lastenrad",
     "Unser Lastenrad kann man kostenlos ausleihen. Es trägt Einkäufe, Kinder und "
     "Werkzeug; die Kette und die Bremsen prüfen wir in der Fahrradwerkstatt."),
    (BICYCLE, "de", "Radtour durchs Umland", "Fahrrad, Radtour",
     "Die Radtour führt auf ruhigen Radwegen durchs Umland. Wer mitfährt, prüft vorher "
     "Reifen, Bremsen und Licht am Fahrrad; eine Pumpe haben wir dabei."),
    # --- English: gardens
    (GARDEN, "en", "Our community garden is growing", "Garden, Urban Gardening",
     "Behind the parish hall we planted new beds in the community garden. Tomatoes, "
     "courgettes and beans are growing, and every Saturday we water them together."),
    (GARDEN, "en", "Gardening in small spaces", "Garden, Urban Gardening",
     "Gardens fit on balconies and roofs: herbs, vegetables and flowers grow in raised "
     "beds, and neighbours share the watering while someone is away."),
    (GARDEN, "en", "Compost for healthy beds", "Garden, Kompost",
     "Good compost needs green cuttings, leaves and kitchen scraps. We turn the compost "
     "twice a year so that the garden beds stay fertile for tomatoes and beans."),
    # --- English: volunteering
    (VOLUNTEERING, "en", "Why we volunteer", "Volunteering, Ehrenamt",
     "Volunteers keep the food bank and the sports club running. Volunteering needs "
     "recognition, time and good support from the club's board."),
    (VOLUNTEERING, "en", "Finding new volunteers", "Volunteering, Ehrenamt",
     "How does a club find new volunteers? We host an open evening, present the "
     "volunteering tasks and pair each newcomer with a mentor for the first weeks."),
    (VOLUNTEERING, "en", "Thanking our volunteers", "Volunteering, Anerkennung",
     "Volunteer work deserves thanks: a party for all volunteers, a certificate for job "
     "applications and training the club pays for its volunteering."),
    # --- English: bicycles
    (BICYCLE, "en", "The open bike workshop", "Bicycle, Fahrrad",
     "In the open bike workshop we repair bicycles together: patch the tube, adjust the "
     "brakes, oil the chain. Tools and spare parts are there."),
    (BICYCLE, "en", "Cycling safely to work", "Bicycle, Fahrrad",
     "Cycling to work: lights, a helmet and good brakes are a must. On the cycle path keep "
     "your distance, and in winter the tyres need more tread."),
    (BICYCLE, "en", "A cargo bike for everyone", "Bicycle, Lastenrad",
     "Our cargo bike can be borrowed for free. It carries shopping, children and tools; "
     "we check the chain and the brakes of the bike in the workshop."),
]  # fmt: skip


def publish(author, blog, *, title, body, tags="", excerpt="", language="de", at=None):
    """Write and publish one post through the actions."""
    post = actions.save_post(
        editor=author,
        blog=blog,
        title=title,
        body=body,
        excerpt=excerpt,
        tags=tags,
        language=language,
    )
    return actions.publish_post(post, editor=author, at=at or timezone.now() - timedelta(hours=1))


def build_corpus(author, blog):
    """Publish every corpus post; returns {post id: topic}."""
    topics = {}
    for topic, language, title, tags, body in POSTS:
        post = publish(author, blog, title=title, body=body, tags=tags, language=language)
        topics[post.id] = topic
    return topics
