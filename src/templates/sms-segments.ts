// How many SMS segments a text takes: what the recipient's phone reassembles and what the carrier bills.
// GSM 03.38: 160 septets in one segment, 153 per segment when concatenated (the UDH takes 7); the
// extension table's characters take two septets. Any other character switches the whole message to
// UCS-2: 70 UTF-16 code units in one segment, 67 when concatenated.

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

/**
 * The most one SMS may carry: Twilio's limit on a message body, in characters (UTF-16 code units), which
 * it splits into segments (11 GSM-7, 24 UCS-2); a longer body is refused (error 21617).
 */
export const SMS_MAX_CHARACTERS = 1600;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSize {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const char of text) {
    if (BASIC.has(char)) septets += 1;
    else if (EXTENSION.has(char)) septets += 2;
    else return sized('UCS-2', text.length, 70, 67);
  }
  return sized('GSM-7', septets, 160, 153);
}

function sized(encoding: SmsEncoding, units: number, single: number, multi: number): SmsSize {
  return { encoding, units, segments: units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi) };
}
