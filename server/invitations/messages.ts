// The words of invitations and reminders, per audience and language: plain Dutch (B1) and English. The
// e-mail templates (views/mail/invitation.*.ejs) lay them out; SMS texts are built here because every
// character counts (one SMS: 160 GSM-7 characters).
export type MessageLocale = "nl" | "en";
export type MessageKind = "invite" | "reminder";
export type Audience = "client" | "ouders" | "jongeren";

export function messageLocale(language: string | null | undefined): MessageLocale {
  return language === "en" ? "en" : "nl";
}

export function audienceOf(value: string): Audience {
  return value === "ouders" || value === "jongeren" ? value : "client";
}

export type MailWords = {
  subject: string;
  greeting: string;
  paragraphs: string[];
  button: string;
  linkHelp: string;
  openUntil: string;
  questions: string;
  unsubscribe: string;
  unsubscribeLink: string;
};

type Vars = { municipality: string; until: string; phone: string | null };

function about(audience: Audience, locale: MessageLocale): string {
  if (locale === "en") return audience === "ouders" ? "support for your child or family" : "help or support";
  return audience === "ouders" ? "hulp voor uw kind of uw gezin" : "hulp of ondersteuning";
}

export function mailWords(kind: MessageKind, audience: Audience, locale: MessageLocale, v: Vars): MailWords {
  if (locale === "en") {
    const young = audience === "jongeren";
    return {
      subject: kind === "invite" ? `How was your conversation with the municipality of ${v.municipality}?` : "Reminder: would you fill in the short questionnaire?",
      greeting: young ? "Hello," : "Dear Sir or Madam,",
      paragraphs:
        kind === "invite"
          ? [
              `Some time ago you talked with someone from the municipality of ${v.municipality} about ${about(audience, locale)}. We would like to know what you thought of it, so we can make our help better.`,
              "Filling in the questionnaire takes about 5 minutes. Your answers do not change the help you get.",
            ]
          : [
              `A few days ago we asked you to fill in a short questionnaire about your conversation with the municipality of ${v.municipality}. Perhaps you have not had time yet. We would really like to hear from you.`,
              "Filling it in takes about 5 minutes.",
            ],
      button: "Fill in the questionnaire",
      linkHelp: "Does the button not work? Copy this link into your browser:",
      openUntil: `You can fill it in until ${v.until}.`,
      questions: v.phone ? `Questions? Call the municipality: ${v.phone}.` : "Questions? Please contact the municipality.",
      unsubscribe: "Do you not want any more messages about this survey?",
      unsubscribeLink: "Unsubscribe",
    };
  }
  const young = audience === "jongeren";
  const u = young ? { je: "je", jij: "jij", jouw: "jouw", wil: "wil je" } : { je: "u", jij: "u", jouw: "uw", wil: "wilt u" };
  return {
    subject:
      kind === "invite"
        ? young
          ? `Hoe was jouw gesprek met de gemeente ${v.municipality}?`
          : `Hoe was uw gesprek met de gemeente ${v.municipality}?`
        : `Herinnering: ${u.wil} de korte vragenlijst invullen?`,
    greeting: young ? "Hoi," : "Beste meneer, mevrouw,",
    paragraphs:
      kind === "invite"
        ? young
          ? [
              `Een tijdje geleden had jij een gesprek met iemand van de gemeente ${v.municipality} over hulp. We willen graag weten wat jij ervan vond. Zo kunnen we de hulp beter maken.`,
              "Het invullen duurt ongeveer 5 minuten. Je antwoorden veranderen niets aan de hulp die je krijgt.",
            ]
          : [
              `Een tijdje geleden sprak u met een medewerker van de gemeente ${v.municipality} over ${about(audience, locale)}. Wij willen graag weten wat u daarvan vond. Zo kunnen wij onze hulp beter maken.`,
              "Het invullen duurt ongeveer 5 minuten. Uw antwoorden veranderen niets aan de hulp die u krijgt.",
            ]
        : [
            `Een paar dagen geleden vroegen wij ${u.je} om een korte vragenlijst in te vullen over ${u.jouw} gesprek met de gemeente ${v.municipality}. Misschien ${young ? "ben je" : "bent u"} er nog niet aan toegekomen. Wij horen graag ${u.jouw} mening.`,
            "Het invullen duurt ongeveer 5 minuten.",
          ],
    button: "Vragenlijst invullen",
    linkHelp: `Werkt de knop niet? Kopieer dan deze link in ${u.jouw} browser:`,
    openUntil: `${young ? "Je kunt" : "U kunt"} de vragenlijst invullen tot en met ${v.until}.`,
    questions: v.phone ? `${young ? "Heb je" : "Heeft u"} vragen? Bel de gemeente: ${v.phone}.` : `${young ? "Heb je" : "Heeft u"} vragen? Neem contact op met de gemeente.`,
    unsubscribe: `${young ? "Wil je" : "Wilt u"} geen berichten meer over dit onderzoek?`,
    unsubscribeLink: "Afmelden",
  };
}

// --- SMS ---------------------------------------------------------------------------------------------

// The GSM 03.38 basic character set (and the extension characters, which count double).
const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€";

/** Length in GSM-7 septets, or undefined when a character is not in GSM-7 (the SMS would become UCS-2, 70 characters). */
export function gsm7Length(text: string): number | undefined {
  let length = 0;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) length += 1;
    else if (GSM_EXTENDED.includes(ch)) length += 2;
    else return undefined;
  }
  return length;
}

/** A municipality's name in GSM-7 letters: "Súdwest-Fryslân" becomes "Sudwest-Fryslan". */
export function toGsm7(text: string): string {
  return [...text]
    .map((ch) => (gsm7Length(ch) !== undefined ? ch : ch.normalize("NFD").replace(/[\u0300-\u036f]/g, "")))
    .map((ch) => (gsm7Length(ch) !== undefined ? ch : "?"))
    .join("");
}

export const SMS_LIMIT = 160;

/**
 * One SMS with the personal link. The longest wording that fits in 160 GSM-7 characters is used; a very long
 * municipality name is shortened before the link or the STOP instruction would be.
 */
export function smsText(kind: MessageKind, audience: Audience, locale: MessageLocale, municipality: string, link: string): string {
  const name = toGsm7(municipality);
  const variants = (n: string): string[] => {
    if (locale === "en") {
      return kind === "invite"
        ? [`Municipality of ${n}: how was your conversation about support? Short questionnaire: ${link} No more texts? Reply STOP`, `${n}: how was your conversation? Questionnaire: ${link} Reply STOP to stop`]
        : [`Municipality of ${n}: a reminder about the short questionnaire: ${link} No more texts? Reply STOP`, `${n}: reminder, questionnaire: ${link} Reply STOP to stop`];
    }
    const young = audience === "jongeren";
    return kind === "invite"
      ? [
          `Gemeente ${n}: hoe was ${young ? "jouw" : "uw"} gesprek over hulp? Vul de korte vragenlijst in: ${link} Geen sms meer? Stuur STOP`,
          `Gemeente ${n}: hoe was ${young ? "jouw" : "uw"} gesprek? Vragenlijst: ${link} Stoppen? Stuur STOP`,
        ]
      : [
          `Gemeente ${n}: herinnering. ${young ? "Wil je" : "Wilt u"} nog de korte vragenlijst invullen? ${link} Geen sms meer? Stuur STOP`,
          `Gemeente ${n}: herinnering vragenlijst: ${link} Stoppen? Stuur STOP`,
        ];
  };
  for (let cut = name.length; cut >= 1; cut -= 1) {
    const n = cut === name.length ? name : `${name.slice(0, cut).trimEnd()}.`;
    for (const text of variants(n)) {
      const length = gsm7Length(text);
      if (length !== undefined && length <= SMS_LIMIT) return text;
    }
  }
  // A link so long that nothing fits: send the link alone rather than nothing.
  return link;
}
