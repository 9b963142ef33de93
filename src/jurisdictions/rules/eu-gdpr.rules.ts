import type { Condition, Regulator, Rule } from './rule.types.js';

// GDPR Art. 33 and 34 for the EU and the EEA. One rule for all 30 countries; the regulator differs per
// country (its supervisory authority), and compute.ts picks the lead authority (one-stop-shop) or one per
// country where affected people live.

/** The 27 EU member states and the three EEA EFTA states that apply the GDPR (IS, LI, NO). */
// prettier-ignore
export const EEA_COUNTRIES: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT',
  'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
];

/** A supervisory authority: every one takes the Art. 33 content, in its own language and calendar. */
function authority(
  country: string,
  id: string,
  name: string,
  url: string,
  language: string,
  timeZone: string,
): Regulator {
  return { id, name, contact: { url }, form: 'gdpr-art33', language, timeZone, holidays: { country } };
}

/** A German authority: its Land's calendar, the contact recalled (checked against no source). */
function land(state: string, id: string, name: string, url: string): Regulator {
  return {
    id,
    name,
    contact: { url, unverified: true },
    form: 'gdpr-art33',
    language: 'de',
    timeZone: 'Europe/Berlin',
    holidays: state === 'BFDI' ? { country: 'DE' } : { country: 'DE', state },
  };
}

/**
 * Germany's authorities for private companies: the one of each Land (BDSG §40(1): "the authorities
 * competent under Land law"), keyed by the Land's ISO 3166-2 code, and the federal commissioner (BfDI),
 * who supervises telecommunications and postal service providers (TTDSG §29, PostG §42, recalled).
 * Names and addresses are recalled: each contact is marked unverified.
 */
export const GERMAN_AUTHORITIES: Readonly<Record<string, Regulator>> = {
  'DE-BW': land(
    'BW',
    'de-bw-lfdi',
    'Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Baden-Württemberg (LfDI BW)',
    'https://www.baden-wuerttemberg.datenschutz.de/',
  ),
  // Bavaria has two: the BayLDA for private companies, the BayLfD for public bodies.
  'DE-BY': land(
    'BY',
    'de-by-baylda',
    'Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)',
    'https://www.lda.bayern.de/',
  ),
  'DE-BE': land(
    'BE',
    'de-be-blnbdi',
    'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
    'https://www.datenschutz-berlin.de/',
  ),
  'DE-BB': land(
    'BB',
    'de-bb-lda',
    'Die Landesbeauftragte für den Datenschutz und für das Recht auf Akteneinsicht Brandenburg (LDA)',
    'https://www.lda.brandenburg.de/',
  ),
  'DE-HB': land(
    'HB',
    'de-hb-lfdi',
    'Die Landesbeauftragte für Datenschutz und Informationsfreiheit der Freien Hansestadt Bremen',
    'https://www.datenschutz.bremen.de/',
  ),
  'DE-HH': land(
    'HH',
    'de-hh-hmbbfdi',
    'Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit (HmbBfDI)',
    'https://datenschutz-hamburg.de/',
  ),
  'DE-HE': land(
    'HE',
    'de-he-hbdi',
    'Der Hessische Beauftragte für Datenschutz und Informationsfreiheit (HBDI)',
    'https://datenschutz.hessen.de/',
  ),
  'DE-MV': land(
    'MV',
    'de-mv-lfdi',
    'Der Landesbeauftragte für Datenschutz und Informationsfreiheit Mecklenburg-Vorpommern',
    'https://www.datenschutz-mv.de/',
  ),
  'DE-NI': land(
    'NI',
    'de-ni-lfd',
    'Die Landesbeauftragte für den Datenschutz Niedersachsen (LfD)',
    'https://www.lfd.niedersachsen.de/',
  ),
  'DE-NW': land(
    'NW',
    'de-nw-ldi',
    'Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen (LDI NRW)',
    'https://www.ldi.nrw.de/',
  ),
  'DE-RP': land(
    'RP',
    'de-rp-lfdi',
    'Der Landesbeauftragte für den Datenschutz und die Informationsfreiheit Rheinland-Pfalz',
    'https://www.datenschutz.rlp.de/',
  ),
  'DE-SL': land(
    'SL',
    'de-sl-udz',
    'Unabhängiges Datenschutzzentrum Saarland',
    'https://www.datenschutz.saarland.de/',
  ),
  'DE-SN': land(
    'SN',
    'de-sn-sdtb',
    'Die Sächsische Datenschutz- und Transparenzbeauftragte',
    'https://www.datenschutz.sachsen.de/',
  ),
  'DE-ST': land(
    'ST',
    'de-st-lfd',
    'Der Landesbeauftragte für den Datenschutz Sachsen-Anhalt',
    'https://datenschutz.sachsen-anhalt.de/',
  ),
  'DE-SH': land(
    'SH',
    'de-sh-uld',
    'Unabhängiges Landeszentrum für Datenschutz Schleswig-Holstein (ULD)',
    'https://www.datenschutzzentrum.de/',
  ),
  'DE-TH': land(
    'TH',
    'de-th-tlfdi',
    'Der Thüringer Landesbeauftragte für den Datenschutz und die Informationsfreiheit (TLfDI)',
    'https://www.tlfdi.de/',
  ),
  'DE-BFDI': land(
    'BFDI',
    'de-bfdi',
    'Die Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)',
    'https://www.bfdi.bund.de/',
  ),
};

/** The German Länder by ISO 3166-2 code: the values GERMAN_LAND takes (with BFDI). */
export const GERMAN_LANDS: readonly string[] = Object.keys(GERMAN_AUTHORITIES).filter((k) => k !== 'DE-BFDI');

/** The regulator key for a GERMAN_LAND value (`DE-BY`, `BFDI`); undefined for one the table lacks. */
export function germanAuthorityKey(value: string): string | undefined {
  const key = value === 'BFDI' ? 'DE-BFDI' : value;
  return key in GERMAN_AUTHORITIES ? key : undefined;
}

/** Each country's supervisory authority (Art. 51). Contact urls: the breach form where known, else the site. */
export const EEA_AUTHORITIES: Readonly<Record<string, Regulator>> = {
  AT: authority(
    'AT',
    'at-dsb',
    'Österreichische Datenschutzbehörde',
    'https://www.dsb.gv.at/',
    'de',
    'Europe/Vienna',
  ),
  BE: authority(
    'BE',
    'be-apd',
    'Autorité de protection des données / Gegevensbeschermingsautoriteit',
    'https://www.dataprotectionauthority.be/professional/actions/notify-a-data-breach',
    'fr',
    'Europe/Brussels',
  ),
  BG: authority(
    'BG',
    'bg-cpdp',
    'Комисия за защита на личните данни',
    'https://www.cpdp.bg/',
    'bg',
    'Europe/Sofia',
  ),
  HR: authority(
    'HR',
    'hr-azop',
    'Agencija za zaštitu osobnih podataka',
    'https://azop.hr/',
    'hr',
    'Europe/Zagreb',
  ),
  CY: authority(
    'CY',
    'cy-cpdp',
    'Επίτροπος Προστασίας Δεδομένων Προσωπικού Χαρακτήρα',
    'https://www.dataprotection.gov.cy/',
    'el',
    'Asia/Nicosia',
  ),
  CZ: authority(
    'CZ',
    'cz-uoou',
    'Úřad pro ochranu osobních údajů',
    'https://uoou.gov.cz/',
    'cs',
    'Europe/Prague',
  ),
  DK: authority(
    'DK',
    'dk-datatilsynet',
    'Datatilsynet',
    'https://www.datatilsynet.dk/',
    'da',
    'Europe/Copenhagen',
  ),
  EE: authority('EE', 'ee-aki', 'Andmekaitse Inspektsioon', 'https://www.aki.ee/', 'et', 'Europe/Tallinn'),
  FI: authority(
    'FI',
    'fi-tietosuoja',
    'Tietosuojavaltuutetun toimisto',
    'https://tietosuoja.fi/en/notification-of-a-personal-data-breach',
    'fi',
    'Europe/Helsinki',
  ),
  FR: authority(
    'FR',
    'fr-cnil',
    "Commission nationale de l'informatique et des libertés (CNIL)",
    'https://notifications.cnil.fr/notifications/index',
    'fr',
    'Europe/Paris',
  ),
  // No DE entry: a private company answers to the authority of the Land of its seat (BDSG §40), named by
  // GERMAN_LAND (the DE-* entries below), or to the federal commissioner for what it supervises.
  GR: authority(
    'GR',
    'gr-hdpa',
    'Αρχή Προστασίας Δεδομένων Προσωπικού Χαρακτήρα',
    'https://www.dpa.gr/',
    'el',
    'Europe/Athens',
  ),
  HU: authority(
    'HU',
    'hu-naih',
    'Nemzeti Adatvédelmi és Információszabadság Hatóság (NAIH)',
    'https://naih.hu/',
    'hu',
    'Europe/Budapest',
  ),
  IE: authority(
    'IE',
    'ie-dpc',
    'Data Protection Commission',
    'https://forms.dataprotection.ie/report-a-breach-of-personal-data',
    'en',
    'Europe/Dublin',
  ),
  IT: authority(
    'IT',
    'it-garante',
    'Garante per la protezione dei dati personali',
    'https://servizi.gpdp.it/databreach/s/',
    'it',
    'Europe/Rome',
  ),
  LV: authority('LV', 'lv-dvi', 'Datu valsts inspekcija', 'https://www.dvi.gov.lv/', 'lv', 'Europe/Riga'),
  LT: authority(
    'LT',
    'lt-vdai',
    'Valstybinė duomenų apsaugos inspekcija',
    'https://vdai.lrv.lt/',
    'lt',
    'Europe/Vilnius',
  ),
  LU: authority(
    'LU',
    'lu-cnpd',
    'Commission nationale pour la protection des données (CNPD)',
    'https://cnpd.public.lu/',
    'fr',
    'Europe/Luxembourg',
  ),
  MT: authority(
    'MT',
    'mt-idpc',
    'Information and Data Protection Commissioner',
    'https://idpc.org.mt/',
    'en',
    'Europe/Malta',
  ),
  NL: authority(
    'NL',
    'nl-ap',
    'Autoriteit Persoonsgegevens',
    'https://datalekken.autoriteitpersoonsgegevens.nl/',
    'nl',
    'Europe/Amsterdam',
  ),
  PL: authority(
    'PL',
    'pl-uodo',
    'Urząd Ochrony Danych Osobowych',
    'https://uodo.gov.pl/',
    'pl',
    'Europe/Warsaw',
  ),
  PT: authority(
    'PT',
    'pt-cnpd',
    'Comissão Nacional de Proteção de Dados',
    'https://www.cnpd.pt/',
    'pt-PT',
    'Europe/Lisbon',
  ),
  RO: authority(
    'RO',
    'ro-anspdcp',
    'Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal',
    'https://www.dataprotection.ro/',
    'ro',
    'Europe/Bucharest',
  ),
  SK: authority(
    'SK',
    'sk-uoou',
    'Úrad na ochranu osobných údajov Slovenskej republiky',
    'https://dataprotection.gov.sk/',
    'sk',
    'Europe/Bratislava',
  ),
  SI: authority(
    'SI',
    'si-ip',
    'Informacijski pooblaščenec',
    'https://www.ip-rs.si/',
    'sl',
    'Europe/Ljubljana',
  ),
  ES: authority(
    'ES',
    'es-aepd',
    'Agencia Española de Protección de Datos (AEPD)',
    'https://sedeagpd.gob.es/sede-electronica-web/',
    'es',
    'Europe/Madrid',
  ),
  SE: authority(
    'SE',
    'se-imy',
    'Integritetsskyddsmyndigheten (IMY)',
    'https://www.imy.se/',
    'sv',
    'Europe/Stockholm',
  ),
  IS: authority(
    'IS',
    'is-personuvernd',
    'Persónuvernd',
    'https://www.personuvernd.is/',
    'is',
    'Atlantic/Reykjavik',
  ),
  LI: authority(
    'LI',
    'li-dss',
    'Datenschutzstelle Liechtenstein',
    'https://www.datenschutzstelle.li/',
    'de',
    'Europe/Vaduz',
  ),
  NO: authority('NO', 'no-datatilsynet', 'Datatilsynet', 'https://www.datatilsynet.no/', 'nb', 'Europe/Oslo'),
  ...GERMAN_AUTHORITIES,
};

/** Art. 33(1): "unless unlikely to result in a risk"; risk `low` is our "unlikely to result in a risk". */
const RISK: Condition = { risk: { atLeast: 'medium' } };
/** Art. 34(1): "likely to result in a high risk". */
const HIGH_RISK: Condition = { risk: { atLeast: 'high' } };

export const EU_GDPR: Rule = {
  id: 'EU-GDPR',
  effectiveFrom: '2018-05-25',
  law: 'GDPR (Regulation (EU) 2016/679) Art. 33 and 34',
  jurisdictions: EEA_COUNTRIES,
  regulator: EEA_AUTHORITIES,
  seatAuthority: {
    DE: "in Germany the authority of the Land of the company's seat (BDSG §40): set GERMAN_LAND to the Land (DE-BY, DE-NW...) or BFDI",
  },
  definitions: {
    personalInformation: {
      term: 'personal data (GDPR Art. 4(1))',
      sources: ['G1'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Notify the supervisory authority of the breach with the Art. 33(3) content; if later than 72 hours, give the reasons for the delay.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 72, unit: 'hours' },
      when: RISK,
      sources: ['G1', 'G3', 'G4'],
    },
    {
      // Art. 33(4): what was not known at first may follow in phases.
      key: 'regulator.follow-up',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Provide the information that was not available in the initial notification, in phases as it becomes known.',
      clock: 'initialReportFiled',
      deadline: { kind: 'asap', wording: 'without undue further delay' },
      when: RISK,
      sources: ['G1'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Tell the affected data subjects in clear and plain language: the nature of the breach, a contact point, the likely consequences and the measures taken (Art. 34(2)).',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'without undue delay' },
      when: HIGH_RISK,
      exemptIf: [
        {
          condition: { encrypted: true },
          reason: 'the data were unintelligible to anyone not authorised, e.g. encrypted (Art. 34(3)(a))',
        },
      ],
      sources: ['G2'],
    },
  ],
  records: {
    what: 'Document every personal data breach, notified or not: the facts, its effects and the remedial action taken, so the authority can verify compliance (Art. 33(5)); no period is set.',
    sources: ['G1'],
  },
  publicNotice:
    'Where telling each person would involve disproportionate effort, a public communication or similar measure that informs them equally effectively replaces it (Art. 34(3)(c), G2); the authority may order notice or confirm an exemption (Art. 34(4)).',
  childAge: 16,
  sources: [
    {
      key: 'G1',
      citation: 'GDPR Art. 33, notification of a personal data breach to the supervisory authority',
      url: 'https://gdpr-ccpa.org/gdpr-articles/gdpr-article-33-notification-of-a-personal-data-breach-to-the-supervisory-authority',
      status: 'verified',
    },
    {
      key: 'G2',
      citation: 'GDPR Art. 34, communication of a personal data breach to the data subject',
      url: 'https://gdprhub.eu/index.php?title=Article_34_GDPR',
      status: 'verified',
    },
    {
      key: 'G3',
      citation:
        'EDPB Guidelines 9/2022 on personal data breach notification (para 73: no one-stop-shop without an EU establishment)',
      url: 'https://connectontech.com/european-data-protection-board-edpb-publishes-updated-guidelines-9-2022-on-personal-data-breach-notification-under-gdpr/',
      status: 'secondary',
    },
    {
      key: 'G4',
      citation: 'Awareness: a reasonable degree of certainty that personal data were compromised',
      url: 'https://macwangrid.com/blog/gdpr-breach-notification-requirements.html',
      status: 'secondary',
    },
    {
      key: 'DE1',
      citation: 'BDSG §40 (Aufsichtsbehörden der Länder): the Land authorities supervise non-public bodies',
      url: 'https://gdpr.berlin/federal-law-bdsg/40-bdsg-aufsichtsbehorden-der-lander-2',
      status: 'verified',
    },
    {
      key: 'G5',
      citation: 'Recital 75: children as a risk factor',
      url: 'https://inforights.im/organisations/old-data-protection-pages/the-general-data-protection-regulation/risk-to-individuals/',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: `low` means "unlikely to result in a risk to the rights and freedoms of natural persons" (no notice to the authority); `medium` is a risk (Art. 33); `high` is a high risk (Art. 34).',
    'Children affected raise the risk (Recital 75, G5); that is left to the risk assessment, not a condition here.',
    "Germany: a private company answers to the authority of the Land of its seat (BDSG §40(1), DE1), named by GERMAN_LAND; the federal commissioner (BfDI) only for what it supervises (GERMAN_LAND=BFDI). With several establishments in Germany, Art. 4(16) decides which Land (§40(2)); GERMAN_LAND names it. Unset, German residents get an obligation to decide by hand, never the BfDI by default. The Land authorities' names and addresses are recalled (marked unverified).",
    'Art. 34(3)(b) (later measures make the high risk unlikely) and (c) (disproportionate effort) are not modelled; encryption (a) is, as `encrypted` (key not exposed).',
    'childAge is the Art. 8 default; the national ages are in consent-ages.ts.',
    'Contact urls and authority names are recalled, not from the sources: check the breach form before filing.',
  ].join(' '),
};
