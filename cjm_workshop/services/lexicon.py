"""Everyday words of customer journeys in Dutch and English, each line one meaning: the
first word is what the others count as when suggested duplicates are compared
(services/duplicates.py). A room writes in both languages, on any journey (a shop, a
train, a hospital, a permit, an energy contract, an insurance claim, a hotel...), so
this list covers the common words of services in general, not one journey's: waiting and
time, money, people, information, forms and requests, things broken or missing, feelings.

Written as a word list, not tuned on the labelled notes of bench/duplicates.py (whose
figures it changes), and kept to words whose meaning does not depend on the journey.
"""

from __future__ import annotations

_LINES = """
    wacht wachten wachttijd wachttijden wait waits waiting waited queue wachtrij
    lang lange langer long longer forever eeuwig eindeloos ages
    duurt duurde takes took lasts
    snel snelle sneller fast quick quickly quicker rapid
    traag trage langzaam slow slowly slower
    laat late later delayed delay delays vertraging vertraagd
    vroeg early eerder
    tijd time times
    dag dagen day days
    week weken weeks
    maand maanden month months
    uur uren hour hours
    minuut minuten minute minutes
    vaak often frequently
    nooit never
    altijd always
    opnieuw again weer nogmaals
    geld money cash contant
    prijs prijzen price prices pricing tarief tarieven rate rates cost costs kosten kost
    goedkoop goedkope cheap cheaper
    betal betalen betaling betalingen betaald pay pays paid paying payment payments
    factuur facturen invoice invoices rekening rekeningen bill bills
    refund refunds terugbetaling restitutie teruggave
    boete boetes fine fines penalty
    abonnement abonnementen subscription subscriptions
    korting kortingen discount discounts
    gratis free kosteloos
    extra additional
    medewerker medewerkers employee employees staff personeel worker
    klant klanten customer customers client clients
    vriendelijk vriendelijke friendly aardig
    onvriendelijk onvriendelijke unfriendly rude onbeleefd
    behulpzaam behulpzame helpful
    hulp help helpen helps helped
    contact contacteren reach bereikbaar reachable
    onbereikbaar unreachable
    antwoord antwoorden answer answers reply replies respond response reactie reacties
    vraag vragen question questions ask asked
    informatie info information details gegevens
    uitleg explanation explain explained uitleggen
    duidelijk duidelijke clear clearly helder
    onduidelijk unclear confusing vaag verwarrend
    begrijp snap understand understood
    vind vinden find finding found vindbaar
    zoek zoeken search searching look looking
    kwijt lost verloren
    ontbreekt ontbreken missing mist
    fout fouten error errors mistake mistakes wrong verkeerd verkeerde incorrect
    kapot broken stuk defect
    werk werkt werken works working work
    storing storingen outage outages
    probleem problemen problem problems issue issues
    klacht klachten complaint complaints complain
    formulier formulieren form forms
    aanvraag aanvragen application applications apply request requests
    document documenten documents document papers papieren
    bevestiging bevestigen confirm confirmation confirmed
    status stand
    bericht berichten message messages notification notifications melding meldingen
    brief brieven letter letters
    telefoon telefoons phone phones telephone
    bel bellen belt call calls called calling
    mail mails email emails e-mail
    website websites site sites webpagina page pages pagina
    app apps applicatie
    account accounts profiel profile
    wachtwoord wachtwoorden password passwords
    login inloggen logging aanmelden signin sign-in
    registratie registreren registration register signup sign-up
    knop knoppen button buttons
    scherm schermen screen screens
    link links
    code codes
    ticket tickets kaartje kaartjes
    afspraak afspraken appointment appointments booking bookings reservering reserveringen
    boek boeken book booked reserveren reserve
    annuleren annulering cancel cancelled cancellation cancellations
    wijzig wijzigen wijziging change changes changing changed aanpassen
    levering leveringen bezorging bezorgen delivery deliveries deliver delivered
    pakket pakketten package packages parcel parcels
    bestelling bestellingen order orders ordered bestellen
    winkel winkels store stores shop shops
    loket loketten balie counter desk
    ingang entrance entree
    parkeer parkeren parking
    plek plekken plaats plaatsen place spot spots
    vol crowded druk busy full
    leeg empty
    schoon clean
    vies dirty smerig
    koud cold
    warm hot heet
    lawaai herrie noise noisy lawaaierig
    veilig safe safety
    onveilig unsafe
    privacy
    vertrouwen trust vertrouw
    blij happy tevreden satisfied
    ontevreden unsatisfied dissatisfied unhappy
    boos angry kwaad
    frustrerend frustrating frustrated frustratie frustration irritant annoying annoyed irritatie
    stress stressful stressvol gestrest
    onzeker uncertain onzekerheid uncertainty unsure
    teleurgesteld disappointed disappointing teleurstellend
    verrast surprised surprise
    moeilijk lastig ingewikkeld complex complicated hard difficult
    makkelijk makkelijke eenvoudig eenvoudige easy simple simpel
    stap stappen step steps
    ontvang ontvangen receive received receiving krijg krijgen get got
    stuur sturen send sent sending verstuur versturen
    kies kiezen choose choice keuze
    vergelijk vergelijken compare comparison
    overstap overstappen switch switching
    opzeggen terminate opzegging
    contract contracten contract contracts overeenkomst
    schade damage damaged
    niet not geen no none
"""

SYNONYMS: dict[str, str] = {}
for _line in _LINES.strip().splitlines():
    _canonical, *_words = _line.split()
    for _word in (_canonical, *_words):
        SYNONYMS.setdefault(_word, _canonical)
