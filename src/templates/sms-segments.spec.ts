import { smsSize } from './sms-segments.js';

describe('smsSize', () => {
  it('counts GSM-7 septets, two for the extension table', () => {
    expect(smsSize('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSize('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsSize('a'.repeat(306))).toEqual({ encoding: 'GSM-7', units: 306, segments: 2 });
    expect(smsSize('a'.repeat(307)).segments).toBe(3);
    expect(smsSize('€[]')).toEqual({ encoding: 'GSM-7', units: 6, segments: 1 });
    expect(smsSize('Olá, você')).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSize('Ça coûte')).toMatchObject({ encoding: 'UCS-2' }); // û is not in GSM-7
    expect(smsSize('Ärger über Öl')).toMatchObject({ encoding: 'GSM-7', units: 13 });
  });

  it('falls back to UCS-2 code units for anything else', () => {
    expect(smsSize('安'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSize('安'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(smsSize('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSize('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });
});
