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
  // The federal commissioner; most private companies answer to their federal state's authority (notes).
  DE: authority(
    'DE',
    'de-bfdi',
    'Die Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)',
    'https://www.bfdi.bund.de/',
    'de',
    'Europe/Berlin',
  ),
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
      key: 'G5',
      citation: 'Recital 75: children as a risk factor',
      url: 'https://inforights.im/organisations/old-data-protection-pages/the-general-data-protection-regulation/risk-to-individuals/',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: `low` means "unlikely to result in a risk to the rights and freedoms of natural persons" (no notice to the authority); `medium` is a risk (Art. 33); `high` is a high risk (Art. 34).',
    'Children affected raise the risk (Recital 75, G5); that is left to the risk assessment, not a condition here.',
    'Germany: the 16 federal states have their own authorities, which supervise most private companies; BfDI stands in for them here and the competent state authority must be chosen by hand.',
    'Art. 34(3)(b) (later measures make the high risk unlikely) and (c) (disproportionate effort) are not modelled; encryption (a) is, as `encrypted` (key not exposed).',
    'childAge is the Art. 8 default; the national ages are in consent-ages.ts.',
    'Contact urls and authority names are recalled, not from the sources: check the breach form before filing.',
  ].join(' '),
};
