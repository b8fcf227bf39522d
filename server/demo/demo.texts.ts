// Words for the demo: invented teams, areas and provisions, and plain synthetic Dutch for open answers,
// interview notes and quotes. No names, addresses, phone numbers or anything else that could be a person:
// capitals only at the start of a sentence, so the quote check finds nothing (except where a test wants it to).

export const MUNICIPALITY = { code: "GM9999", name: "Voorbeeldstad" } as const;

export const WMO_TEAMS = ["Sociaal Team Noord", "Sociaal Team Zuid", "Sociaal Team Oost"] as const;
export const JEUGD_TEAM = "Jeugdteam";
export const AREAS = ["Centrum", "De Hoven", "Oostdorp", "Westerveld", "Noorderpark"] as const;
export const WMO_PROVISIONS: ReadonlyArray<readonly [string, number]> = [
  ["huishoudelijke hulp", 34],
  ["begeleiding", 24],
  ["vervoer", 16],
  ["hulpmiddelen", 11],
  ["woonvoorziening", 8],
  ["dagbesteding", 7],
];
export const JEUGD_PROVISIONS: ReadonlyArray<readonly [string, number]> = [
  ["ambulante jeugdhulp", 50],
  ["opvoedondersteuning", 30],
  ["jeugd-ggz", 20],
];

/** What could be better (Wmo `verbetering`, Jeugd `jeugd_beter`), by how the client felt. */
export const IMPROVEMENTS = {
  positive: [
    "Ga zo door, ik ben tevreden over de hulp.",
    "Fijn dat er iemand langskwam om alles rustig te bespreken.",
    "Alles was goed geregeld, dank daarvoor.",
    "Misschien iets vaker laten weten hoe het ervoor staat.",
    "De uitleg was duidelijk. Ik heb niets te verbeteren.",
  ],
  mixed: [
    "Goed geholpen, maar het wachten op het besluit duurde lang.",
    "Meer uitleg over wat ik zelf moet regelen zou fijn zijn.",
    "De medewerker was vriendelijk, maar ik weet nog niet precies wat ik kan verwachten.",
    "De hulp is goed, maar er komen steeds andere mensen.",
    "Het formulier was lastig. Een gesprek aan de telefoon werkt voor mij beter.",
    "Ik moest lang wachten voordat ik iemand aan de lijn kreeg.",
  ],
  negative: [
    "Het duurde erg lang voordat ik een besluit kreeg.",
    "Ik werd steeds doorverwezen en moest mijn verhaal telkens opnieuw vertellen.",
    "De huishoudelijke hulp komt vaak op een andere dag dan afgesproken.",
    "De eigen bijdrage is mij niet goed uitgelegd.",
    "Niemand belde terug, terwijl dat wel was beloofd.",
    "De taxi voor het vervoer is vaak te laat, soms een uur.",
    "De brief met het besluit was moeilijk te begrijpen.",
    "Ik voelde me niet serieus genomen in het gesprek.",
  ],
} as const;

/** Jeugd `jeugd_goed`: what went well. */
export const JEUGD_GOOD = [
  "De hulpverlener nam echt de tijd voor ons gezin.",
  "Ons kind gaat weer met plezier naar school.",
  "We werden snel geholpen toen het nodig was.",
  "Er werd goed geluisterd naar wat wij zelf wilden.",
  "De afspraken waren duidelijk en werden nagekomen.",
];

/** Jeugd `jeugd_verder`: anything else. */
export const JEUGD_FURTHER = ["Dank voor de hulp.", "Graag meer contact met school.", "Nee, verder niets.", "Het zou fijn zijn als de hulp na de zomer doorloopt."];

/** Interview notes per triggering topic (the statement's theme), and general notes. */
export const NOTES: Record<string, readonly string[]> = {
  toegang: [
    "De cliënt wist niet waar de aanvraag lag en hoorde weken niets. Wil graag een vast aanspreekpunt.",
    "Het duurde lang voordat er een gesprek kwam. De cliënt heeft in die tijd veel zelf moeten regelen.",
    "De cliënt voelde zich van het kastje naar de muur gestuurd tussen loket en team.",
  ],
  kwaliteit: [
    "De hulp komt niet op vaste momenten. De cliënt vindt dat lastig omdat het de week onrustig maakt.",
    "De ondersteuning past nog niet bij wat nodig is; de cliënt wil een nieuw gesprek over de indicatie.",
    "Er wisselen vaak medewerkers. De cliënt moet steeds opnieuw uitleggen wat er moet gebeuren.",
  ],
  effect: [
    "De cliënt merkt nog weinig verschil in het dagelijks leven en twijfelt of de hulp genoeg is.",
    "Door de beperkte uren kan de cliënt minder doen dan gehoopt. Wil weten of er meer mogelijk is.",
    "De cliënt redt zich beter, maar mist contact met anderen. Heeft belangstelling voor dagbesteding.",
  ],
  grade: [
    "Het lage cijfer komt vooral door het lange wachten op het besluit.",
    "De cliënt is ontevreden over de communicatie: brieven zijn onduidelijk en niemand belt terug.",
    "Het cijfer gaat over de eigen bijdrage, die hoger uitviel dan verwacht.",
  ],
  algemeen: [
    "Gesprek verliep rustig. De cliënt waardeert dat er teruggebeld werd.",
    "De cliënt vertelde open over de situatie en is blij dat de gemeente meeleest.",
    "Afgesproken dat het team binnen twee weken contact opneemt over de vervolgstappen.",
    "De mantelzorger was bij het gesprek en vulde het verhaal aan.",
  ],
};

/** What clients agreed may appear anonymised in a report; each passes the identifying-details check. */
export const QUOTES = [
  "Ik wist niet bij wie ik terecht kon, en niemand belde terug.",
  "De hulp zelf is goed, maar het wachten was zwaar.",
  "Ik wil gewoon weten waar ik aan toe ben.",
  "Het voelde alsof ik een nummer was en geen mens.",
  "Sinds de hulp er is, kan ik weer zelf boodschappen doen.",
  "Ze luisterden wel, maar er gebeurde daarna niets.",
  "Een vast gezicht zou voor mij het verschil maken.",
  "De brieven zijn te ingewikkeld voor iemand zoals ik.",
];

/** A quote the check flags (capitalised words inside a sentence may be names), so it waits for review. */
export const FLAGGED_QUOTE = "De mensen van het Wijkteam Oost waren aardig, maar het duurde allemaal te lang.";

/** Themes that fit a triggering statement (keys of the default theme list). */
export const THEMES_OF: Record<string, readonly string[]> = {
  wmo_wist_waar: ["bereikbaarheid", "communicatie"],
  wmo_snel_geholpen: ["wachttijd", "communicatie"],
  wmo_serieus: ["bejegening"],
  wmo_samen_oplossingen: ["bejegening", "passendheid"],
  wmo_kwaliteit: ["kwaliteit_zorgaanbieder"],
  wmo_past: ["passendheid"],
  wmo_dingen_doen: ["passendheid"],
  wmo_beter_redden: ["passendheid", "kwaliteit_zorgaanbieder"],
  wmo_kwaliteit_leven: ["passendheid"],
  rapportcijfer: ["wachttijd", "eigen_bijdrage", "communicatie"],
  jeugd_makkelijk_hulp: ["bereikbaarheid", "wachttijd"],
  jeugd_hulp_past: ["passendheid"],
  jeugd_veilig_gezond: ["kwaliteit_zorgaanbieder"],
  jeugd_zelfstandig: ["passendheid"],
  jeugd_beter_omgaan: ["kwaliteit_zorgaanbieder"],
  jeugd_meedoen: ["passendheid"],
};

/** The theme of a statement, for picking a note (Wmo and Jeugd share the three themes). */
export const TOPIC_THEME: Record<string, "toegang" | "kwaliteit" | "effect" | "grade"> = {
  wmo_wist_waar: "toegang",
  wmo_snel_geholpen: "toegang",
  wmo_serieus: "toegang",
  wmo_samen_oplossingen: "toegang",
  wmo_kwaliteit: "kwaliteit",
  wmo_past: "kwaliteit",
  wmo_dingen_doen: "effect",
  wmo_beter_redden: "effect",
  wmo_kwaliteit_leven: "effect",
  rapportcijfer: "grade",
  jeugd_makkelijk_hulp: "toegang",
  jeugd_hulp_past: "kwaliteit",
  jeugd_veilig_gezond: "effect",
  jeugd_zelfstandig: "effect",
  jeugd_beter_omgaan: "effect",
  jeugd_meedoen: "effect",
};
